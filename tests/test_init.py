"""chainrule's package: every module imports on its own in a fresh interpreter, before its packages (no
import cycle, not even one an ``__init__`` hides); the entry points; the names at the top level."""

import importlib.util
import subprocess
import sys

import pytest

import chainrule
from tests import ROOT
from tests.helpers import house

#: Every module of the package, from its files (nothing imported to find them).
MODULES = sorted(name for name in house().modules(ROOT / "src") if name.split(".")[0] == "chainrule")

#: Modules that import an enclosing package on purpose: the book shim gives the book's ``common/``
#: and ``dataset/`` the package root's names (tools/house.py lists these imports apart).
THROUGH_THE_PACKAGE = ("chainrule.book.",)

#: A fresh interpreter imports one module *before* its packages: each package that encloses it is an
#: empty module with only a ``__path__``, so no ``__init__`` runs first and hides an import cycle (as
#: ``chainrule/__init__`` importing ``layers`` first once hid ``layers`` <-> ``batchnorm``).
ALONE = """
import importlib, importlib.machinery, os, sys, types
src, name = sys.argv[1], sys.argv[2]
sys.path.insert(0, src)
parts = name.split(".")
for i in range(1, len(parts)):
    package = ".".join(parts[:i])
    empty = types.ModuleType(package)
    empty.__path__ = [os.path.join(src, *parts[:i])]
    empty.__spec__ = importlib.machinery.ModuleSpec(package, None, is_package=True)
    empty.__spec__.submodule_search_locations = empty.__path__
    sys.modules[package] = empty
importlib.import_module(name)
"""


def import_alone(src, name, before_the_package=True):
    """Import module ``name`` of the source folder ``src`` in a fresh interpreter (before its packages)."""
    code = ALONE if before_the_package else "import importlib, sys; sys.path.insert(0, sys.argv[1]); " \
                                              "importlib.import_module(sys.argv[2])"
    return subprocess.run([sys.executable, "-c", code, str(src), name], capture_output=True, text=True,
                          timeout=120, cwd=src)


def test_the_modules_are_found():
    assert {"chainrule.layers", "chainrule.networks", "chainrule.train", "chainrule.train.history",
            "chainrule.train.metrics", "chainrule._blas", "chainrule.io", "chainrule.io.files",
            "chainrule.cli", "chainrule.cli.train", "chainrule.book.common.layers"} <= set(MODULES)
    assert "chainrule.bench" not in MODULES  # the benchmark lives in benchmarks/, outside the package


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone_before_its_package(module):
    result = import_alone(ROOT / "src", module, before_the_package=not module.startswith(THROUGH_THE_PACKAGE))
    if module.startswith("chainrule.sklearn") and importlib.util.find_spec("sklearn") is None:
        # the estimator's module needs its extra, and says so in one line instead of a deep traceback
        assert result.returncode == 1 and result.stderr.strip().splitlines()[-1].endswith(
            'pip install "chainrule[sklearn]"'), result.stderr
        return
    assert result.returncode == 0, result.stderr


CYCLE = {  # the old layers <-> batchnorm cycle in small, hidden by the package __init__'s order
    "__init__.py": "from .layers import Layer\nfrom .batchnorm import BatchNormalization\n",
    "layers.py": "class Layer:\n    pass\n\n\nfrom .batchnorm import BatchNormalization  # noqa: E402\n",
    "batchnorm.py": "from .layers import Layer\n\n\nclass BatchNormalization(Layer):\n    pass\n",
}


def test_importing_alone_finds_a_cycle_the_package_init_hides(tmp_path):
    (tmp_path / "pkg").mkdir()
    for name, text in CYCLE.items():
        (tmp_path / "pkg" / name).write_text(text)
    assert import_alone(tmp_path, "pkg.batchnorm", before_the_package=False).returncode == 0  # hidden
    found = import_alone(tmp_path, "pkg.batchnorm")
    assert found.returncode == 1
    assert "cannot import name 'BatchNormalization' from partially initialized module 'pkg.batchnorm'" \
        in found.stderr
    assert import_alone(tmp_path, "pkg.layers").returncode == 0  # from this side the cycle goes unseen


def test_python_dash_m_chainrule_is_the_chainrule_command():
    result = subprocess.run([sys.executable, "-m", "chainrule", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"chainrule {chainrule.__version__}"


def test_save_and_load_at_the_top_level(tmp_path):
    import numpy as np

    net = chainrule.TwoLayerNet(4, 3, 2, rng=0)
    path = chainrule.save(net, tmp_path / "m.npz")
    again = chainrule.load(path)
    for k in net.params:
        np.testing.assert_array_equal(again.params[k], net.params[k])
    assert chainrule.save is chainrule.io.save and chainrule.load is chainrule.io.load
