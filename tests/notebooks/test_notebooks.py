"""The notebooks of chapters 5-8 (notebooks/<lang>/*.ipynb) in English, Korean, Chinese and Japanese.

Every notebook is executed afresh with nbclient against the installed package and must
finish with no error and nothing on stderr (where warnings go); its fresh outputs and the
outputs saved in the repository must both show the book's numbers. The saved notebooks
must be exactly what ``notebooks/build.py`` makes from ``notebooks/source/``: the same
code in every language.
"""

import importlib.util
import os
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import ROOT

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need nbformat (pip install -e '.[test]')")
pytest.importorskip("nbclient", reason="the notebook tests need nbclient (pip install -e '.[test]')")
pytest.importorskip("ipykernel", reason="the notebook tests need ipykernel (pip install -e '.[test]')")
pytest.importorskip("matplotlib", reason="the notebooks draw with matplotlib (pip install -e '.[test]')")

NOTEBOOKS = ROOT / "notebooks"


def _load_build():
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()
NAMES = build.sources()
CASES = [(lang, name) for name in NAMES for lang in build.LANGS]
IDS = [f"{lang}-{name}" for lang, name in CASES]


def _can_draw():
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


#: Whether this machine draws graphs (the graphviz package and Graphviz's `dot`); the saved
#: notebooks always hold the drawings.
CAN_DRAW = _can_draw()
#: The word that starts a hint line of `chainrule check` in each notebook's language.
HINT_WORD = {"en": "hint", "ko": "힌트", "zh-CN": "提示", "ja": "ヒント"}


def saved(lang, name):
    return nbformat.read(str(NOTEBOOKS / lang / f"{name}.ipynb"), as_version=4)


def outputs(nb):
    """All outputs of the code cells, in order."""
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def stdout_text(nb):
    return "".join(out.text for out in outputs(nb) if out.output_type == "stream" and out.name == "stdout")


def mimetypes(nb):
    return [kind for out in outputs(nb) for kind in out.get("data", {})]


def problems(nb):
    """Error outputs and stderr text (warnings land there): each as a short string."""
    found = []
    for out in outputs(nb):
        if out.output_type == "error":
            found.append(f"{out.ename}: {out.evalue}")
        elif out.output_type == "stream" and out.name == "stderr":
            found.append(f"stderr: {out.text.strip()}")
    return found


def floats_after(label, text):
    return [float(v) for v in re.findall(re.escape(label) + r"\s*([-+0-9.e]+)", text)]


def check_book_numbers(name, lang, nb, drawn=True):
    """Assert that ``nb``'s outputs show what the book prints for this notebook.

    ``drawn``: whether the graphs must be there as SVG (they need Graphviz's ``dot``).
    """
    text = stdout_text(nb)
    kinds = mimetypes(nb)
    svg = ["image/svg+xml"] if drawn else []
    if name.startswith("01"):
        for line in ["price: 220\n", "dApple: 2.2\n", "dApple_num: 110\n", "dTax: 200\n", "price: 715\n",
                     "dOrange: 3.3000000000000003\n", "dOrange_num: 165\n", "dTax: 650\n",
                     "220 2.2 110 200\n", "715 2.2 110 3.3 165 650\n"]:
            assert line in text
        assert floats_after("dApple (numerical):", text)[0] == pytest.approx(2.2, abs=1e-8)
        assert kinds.count("image/svg+xml") == 3 * len(svg)  # two static drawings, and the explorer's fallback
        assert "text/html" in kinds  # the explorer page
    elif name.startswith("02"):
        assert "[[False  True]\n [ True False]]" in text
        assert "[[10.  0.]\n [ 0. 40.]]\n[[10. 20.]\n [30. 40.]]" in text  # dx, then dout unchanged
        assert "[[10.  0.]\n [ 0. 40.]]\nTrue" in text  # the book's Relu zeroed the caller's dout
        assert "[0.19661193 0.25       0.19661193 0.10499359]" in text
        assert set(svg) <= set(kinds) and "image/png" in kinds
    elif name.startswith("03"):
        for block in ["[[ 1  2  3]\n [11 12 13]]\n[5 7 9]", "True True True",
                      "(2, 1, 2, 2) -> (2, 3) ; dx: (2, 1, 2, 2)", "[0.01821127 0.24519181 0.73659691]",
                      "0.305714464", "[[ 0.01821127  0.24519181 -0.26340309]]"]:
            assert block in text
        assert 0 < floats_after("\n", text.split("[-0.49089436")[1])[0] < 1e-9  # softmax dx vs numerical
        assert "image/png" in kinds
    elif name.startswith("04"):
        diffs = {key: floats_after(key + ":", text) for key in ("W1", "b1", "W2", "b2")}
        for key, values in diffs.items():  # the book's gradient check: ~1e-10 .. 1e-13
            assert 1e-14 < values[0] < 1e-9, (key, values)
        assert 1e-6 < diffs["b1"][1] < 1e-4  # the same check with a unit at ReLU's kink
        assert floats_after("with h = 1e-6, largest difference:", text)[0] < 1e-8
        assert "loss: 2.30" in text and "True\nTrue\nFalse 0.0" in text
        assert set(svg) <= set(kinds)
    elif name.startswith("05"):
        accs = re.findall(r"train acc, test acc \| ([0-9.]+), ([0-9.]+)", text)
        assert len(accs) == 5  # epochs 0..4 of 3000 iterations
        assert float(accs[0][1]) < 0.3 and float(accs[-1][0]) > 0.93 and float(accs[-1][1]) > 0.93
        assert floats_after("after 3000 iterations: test acc", text)[0] > 0.93
        assert kinds.count("image/png") == 3
    elif name.startswith("06"):
        assert re.findall(r"^(True|False)$", text, flags=re.M) == ["False", "True", "False", "False"]
        assert len(re.findall(HINT_WORD[lang] + "[:：]", text)) >= 6  # the report is in the notebook's language
        for layer in ("Relu", "Sigmoid", "MulLayer", "Affine", "SoftmaxWithLoss", "lastLayer"):
            assert layer in text
    elif name.startswith("07"):
        for line in ["SGD       after 30 steps: x = -0.3504, y = 0.0848",
                     "AdaGrad   after 30 steps: x = -0.1202, y = 0.0000"]:
            assert line in text
        losses = {key: float(re.search(rf"{key} +mean loss of the last 50 iterations: ([0-9.]+)", text)[1])
                  for key in ("SGD", "Momentum", "AdaGrad", "Adam")}
        assert max(losses, key=losses.get) == "SGD"  # the book's fig. 6-9: the others learn faster
        assert all(losses[key] < 0.4 for key in ("Momentum", "AdaGrad", "Adam")), losses
        spread = {title: float(re.search(rf"{title} +std of each layer's outputs: \[([0-9.]+)", text)[1])
                  for title in ("sigmoid, std 1", "sigmoid, std 0.01", "ReLU, He")}
        assert spread["sigmoid, std 1"] > 0.4 and spread["sigmoid, std 0.01"] < 0.05  # figs. 6-10, 6-11
        for std in ("0.03", "0.01"):  # Batch Normalization learns where the plain network does not (fig. 6-18)
            found = re.search(rf"weight std {std}: training accuracy after 20 epochs ([0-9.]+) with Batch "
                              rf"Normalization, ([0-9.]+) without", text)
            assert float(found[1]) > 0.9 and float(found[2]) < 0.2, found[0]
        assert len(re.findall(HINT_WORD[lang] + "[:：]", text)) >= 4 and "Momentum W1, Momentum b1" in text
        assert kinds.count("image/png") == 4
    elif name.startswith("08"):
        assert "(9, 75)\n(90, 75)\nTrue\nTrue\n" in text and "(30, 24, 24)" in text
        accuracies = re.findall(r"epoch (\d): train acc ([0-9.]+), test acc ([0-9.]+)", text)
        assert len(accuracies) == 4 and float(accuracies[0][2]) < 0.2 and float(accuracies[-1][2]) > 0.75
        assert floats_after("mean change of the filters relative to their starting size:", text)[0] > 1
        assert HINT_WORD[lang] in text and "Pooling dx" in text
        assert kinds.count("image/png") == 4
    elif name.startswith("09"):
        assert "in all: 123552 parameters" in text and "every difference below 1e-6: True" in text
        assert text.count("backprop") == 12
        assert floats_after("test accuracy on 2,000 images:", text)[0] > 0.7
        f32, f16 = floats_after("float32 accuracy:", text)[0], floats_after("float16 accuracy:", text)[0]
        assert f32 > 0.7 and abs(f32 - f16) <= 0.01  # half precision classifies as well (section 8.3.4)
        assert kinds.count("image/png") == 2
    else:
        raise AssertionError(f"no expected numbers written for notebook {name}")


@pytest.fixture(scope="module")
def executed(real_mnist):
    """Every notebook run afresh (two kernels at a time): {(lang, name): notebook, or the error it raised}."""
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_DATA"}
    # MNIST from the session's verified cache only; one BLAS thread per kernel, two kernels
    # side by side, so that two cores are not oversubscribed.
    env.update(XDG_CACHE_HOME=str(real_mnist.xdg), CHAINRULE_MIRRORS="", OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    import matplotlib.font_manager  # noqa: F401  (builds matplotlib's font cache once, not inside a kernel)

    def run(case):
        lang, name = case
        nb = saved(lang, name)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        try:
            build.execute(nb, lang, env=env)
        except Exception as exc:  # reported by this notebook's own test
            return case, exc
        return case, nb

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(run, CASES))
    print(f"\nexecuted {len(results)} notebooks in {time.perf_counter() - start:.1f} s")
    return results


@pytest.mark.parametrize(("lang", "name"), CASES, ids=IDS)
def test_saved_notebook_is_built_from_the_source(lang, name):
    expected = build.make_notebook(name, lang)
    nb = saved(lang, name)
    assert [(c.cell_type, c.source) for c in nb.cells] == [(c.cell_type, c.source) for c in expected.cells]


@pytest.mark.parametrize("name", NAMES)
def test_every_language_runs_the_same_code(name):
    code = {lang: [c.source for c in saved(lang, name).cells if c.cell_type == "code"] for lang in build.LANGS}
    assert all(cells == code["en"] for cells in code.values())
    prose = {lang: [c.source for c in saved(lang, name).cells if c.cell_type == "markdown"] for lang in build.LANGS}
    assert len({tuple(cells) for cells in prose.values()}) == len(build.LANGS)  # translated, not copied


@pytest.mark.parametrize(("lang", "name"), CASES, ids=IDS)
def test_saved_outputs_show_the_books_numbers(lang, name):
    nb = saved(lang, name)
    assert all(c.execution_count is not None for c in nb.cells if c.cell_type == "code"), "saved without running"
    assert problems(nb) == []
    check_book_numbers(name, lang, nb)


@pytest.mark.mnist
@pytest.mark.parametrize(("lang", "name"), CASES, ids=IDS)
def test_notebook_runs_without_errors_or_warnings(executed, lang, name):
    nb = executed[lang, name]
    if isinstance(nb, Exception):
        pytest.fail(f"notebooks/{lang}/{name}.ipynb failed: {nb}")
    assert problems(nb) == []
    assert all(c.execution_count is not None for c in nb.cells if c.cell_type == "code")
    check_book_numbers(name, lang, nb, drawn=CAN_DRAW)
