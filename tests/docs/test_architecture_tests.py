"""The tests mirror the source, as docs/architecture.md says: every test module is named after the module,
subpackage or repository file it tests, in the folder that mirrors its place, and every public module of
the package has a test module (or is tested through one that is named here)."""

from pathlib import Path

from tests import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "chainrule"
TESTS = ROOT / "tests"

#: Folders of the repository with tests of their own (scripts, notebooks, tools, documents).
REPO_FOLDERS = ("benchmarks", "docs", "examples", "notebooks", "tools")

#: Public modules tested through the tests of another module, and where.
TESTED_ELSEWHERE = {
    "__main__.py": "test_init.py",  # python -m chainrule
    "cli/check.py": "exercises/test_exercises.py",  # chainrule check is the exercises' command
    "cli/explore.py": "explore/test_page.py",
    "cli/export.py": "export/test_export.py",
}


def targets(test):
    """What a test module may be named after: ``tests/<folders>/test_<name>[_<aspect>].py`` tests the module
    ``<name>`` (or ``_<name>``), the subpackage ``<name>/``, the package's ``__init__`` (``init``) or the
    package as a whole (``<name>`` = its folder) of ``src/chainrule/<folders>``; at the top of tests/ also a
    module beside the package (``src/_<name>.py``) or a repository document (``README.md``); in a folder of
    the repository, a file of it (``benchmarks/<name>.py``) or the folder as a whole."""
    folders = test.relative_to(TESTS).parts[:-1]
    words = test.stem.removeprefix("test_").split("_")
    names = ["_".join(words[:i]) for i in range(len(words), 0, -1)]
    if folders and folders[0] in REPO_FOLDERS:
        folder = ROOT.joinpath(*folders)
        return [path for name in names for path in folder.glob(f"{name}.*")] + \
            [folder for name in names if name == folders[-1]]
    folder = PACKAGE.joinpath(*folders)
    found = []
    for name in names:
        found += [folder / f"{name}.py", folder / f"_{name}.py", folder / name / "__init__.py"]
        if name == "init" or (folders and name == folders[-1]):
            found.append(folder / "__init__.py")
        if not folders:
            found += [SRC / f"_{name}.py", ROOT / f"{name.upper()}.md"]
    return [path for path in found if path.exists()]


def all_test_modules():
    return sorted(TESTS.rglob("test_*.py"))


def test_every_test_module_is_named_after_what_it_tests():
    orphans = [str(t.relative_to(ROOT)) for t in all_test_modules() if not targets(t)]
    assert orphans == []


def test_the_rule_itself():
    assert targets(TESTS / "train" / "test_stop.py") == [PACKAGE / "train" / "stop.py"]
    assert targets(TESTS / "test_layers_fast.py") == [PACKAGE / "layers.py"]
    assert targets(TESTS / "test_blas.py") == [PACKAGE / "_blas.py"]
    assert targets(TESTS / "test_chainrule_launch.py") == [SRC / "_chainrule_launch.py"]
    assert targets(TESTS / "exercises" / "test_exercises.py") == [PACKAGE / "exercises" / "__init__.py"]
    assert targets(TESTS / "benchmarks" / "test_cnn_speed.py") == [ROOT / "benchmarks" / "cnn_speed.py"]
    assert targets(TESTS / "test_readme.py") == [ROOT / "README.md"]
    assert targets(TESTS / "test_plot.py") == []  # plot.py is train/'s: its tests belong in tests/train/
    assert targets(TESTS / "cli" / "test_trainer.py") == []


def test_every_public_module_has_a_test_module():
    tested = {path for test in all_test_modules() for path in targets(test)}
    untested = []
    for module in sorted(PACKAGE.rglob("*.py")):
        relative = module.relative_to(PACKAGE)
        package = module.parent
        if module.name.startswith("_") and module.name != "__main__.py" or "book" in relative.parts[:1]:
            continue  # private helpers and the book shim: tested with their package
        whole = package / "__init__.py" in tested and package != PACKAGE
        elsewhere = str(relative) in TESTED_ELSEWHERE and (TESTS / TESTED_ELSEWHERE[str(relative)]).exists()
        if module not in tested and not whole and not elsewhere:
            untested.append(str(relative))
    assert untested == []


def test_what_is_tested_elsewhere_is_tested_there():
    for module, test in TESTED_ELSEWHERE.items():
        command = Path(module).stem
        text = (TESTS / test).read_text(encoding="utf-8")
        assert f'"{command}"' in text or "-m\", \"chainrule\"" in text, (module, test)
