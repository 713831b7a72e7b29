"""The book runner's guards and knobs: pickles read as weights only, packages beside a script, --seed,
--mnist, --set."""

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from chainrule.book import compile_script

HEADER = "# coding: utf-8\nimport sys, os\nsys.path.append(os.pardir)\nimport numpy as np\n"


def book_run(*argv, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "chainrule.book", *map(str, argv)], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env={**os.environ, "MPLBACKEND": "Agg"})
    return proc


def script(tmp_path, relpath, body):
    path = tmp_path / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + textwrap.dedent(body))
    return path


class Canary:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


# the book's chapter 3 and chapter 8 patterns: the script's own pickle.load, and its network module's
NEURALNET = """
    import pickle
    def init_network():
        with open("sample_weight.pkl", 'rb') as f:
            network = pickle.load(f)
        return network
    network = init_network()
    print(sorted(network), network['W1'].dtype, network['W1'].shape)
"""
NET_MODULE = """
    import pickle
    class Net:
        def __init__(self):
            self.params = {}
        def load_params(self, file_name="params.pkl"):
            with open(file_name, 'rb') as f:
                params = pickle.load(f)
            for key, val in params.items():
                self.params[key] = val
"""
LOAD_PARAMS = """
    from net import Net
    network = Net()
    network.load_params("params.pkl")
    print(sorted(network.params), float(network.params['W1'].sum()))
"""


def test_the_books_weight_pickles_load_through_the_scripts_own_pickle_load(tmp_path):
    weights = {"W1": np.arange(6, dtype=np.float32).reshape(2, 3), "b1": np.zeros(3, np.float32)}
    (tmp_path / "ch03").mkdir()
    with open(tmp_path / "ch03" / "sample_weight.pkl", "wb") as f:
        pickle.dump(weights, f)
    proc = book_run(script(tmp_path, "ch03/neuralnet.py", NEURALNET))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "['W1', 'b1'] float32 (2, 3)\n"
    script(tmp_path, "ch08/net.py", NET_MODULE)
    (tmp_path / "ch08" / "params.pkl").write_bytes(pickle.dumps({"W1": np.ones((2, 2))}, protocol=4))
    proc = book_run(script(tmp_path, "ch08/misclassified.py", LOAD_PARAMS))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "['W1'] 4.0\n"


@pytest.mark.parametrize("where", ["ch03", "ch08"])
def test_a_canary_pickle_in_place_of_the_weights_never_runs(tmp_path, where):
    marker = tmp_path / "canary-ran"
    if where == "ch03":
        target, path = "sample_weight.pkl", script(tmp_path, "ch03/neuralnet.py", NEURALNET)
    else:
        script(tmp_path, "ch08/net.py", NET_MODULE)
        target, path = "params.pkl", script(tmp_path, "ch08/misclassified.py", LOAD_PARAMS)
    with open(path.parent / target, "wb") as f:
        pickle.dump({"W1": Canary(marker)}, f)
    proc = book_run(path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (f"chainrule.book: error: {target}: refused: it names {os.system.__module__}.system; only "
                           "NumPy arrays, dicts, lists, tuples, strings and numbers are read from a pickle (anything "
                           "else could run code)\n")
    assert not marker.exists()


def test_pickle_is_itself_again_after_run(tmp_path):
    path = script(tmp_path, "ch01/hello.py", "import pickle\nprint(pickle.load.__module__)\n")
    code = ("import pickle, sys; from chainrule.book import run; before = pickle.load; "
            f"run({str(path)!r}); print(pickle.load is before, pickle.Unpickler.__module__)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["chainrule.io.pickles", "True", "_pickle"]


DECOY = "print('the local {name} package')\n"
USES_COMMON = """
    from common.functions import sigmoid
    print(sigmoid.__module__)
"""


@pytest.mark.parametrize("name", ["common", "dataset"])
def test_a_package_beside_the_script_is_used_only_when_asked(tmp_path, name):
    path = script(tmp_path, "ch03/uses.py", USES_COMMON if name == "common" else """
        from dataset.mnist import load_mnist
        print(load_mnist.__module__)
    """)
    local = tmp_path / "ch03" / name
    local.mkdir()
    (local / "__init__.py").write_text(DECOY.format(name=name))
    (local / ("functions.py" if name == "common" else "mnist.py")).write_text(
        "def sigmoid(x):\n    return x\n" if name == "common" else "def load_mnist():\n    pass\n")
    proc = book_run(path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ("chainrule.functions\n" if name == "common" else "chainrule.book\n")
    assert proc.stderr == (f"chainrule.book: warning: {local}/ beside the script is not used; chainrule's are "
                           "(--local-packages uses the script's own)\n")
    proc = book_run("--local-packages", path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"the local {name} package\n{name}.{'functions' if name == 'common' else 'mnist'}\n"
    assert proc.stderr == ""


def test_run_warns_from_python_too(tmp_path):
    path = script(tmp_path, "ch03/uses.py", USES_COMMON)
    (tmp_path / "ch03" / "common.py").write_text("raise ImportError('the local common.py was imported')\n")
    code = (f"import warnings; warnings.simplefilter('error'); from chainrule.book import run; run({str(path)!r})")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert ("chainrule.book.PackagesBesideWarning: common/ beside uses.py is not used: chainrule's common is "
            "(--local-packages uses the script's own)") in proc.stderr


SETTINGS = """
    iters_num = 10000  # the book's
    batch_size = 100
    rate = 0.1
    for i in range(3):
        pass
    print(iters_num, batch_size, rate, np.random.rand())
"""


def test_set_replaces_top_level_assignments_and_seed_seeds_the_global_generator(tmp_path):
    path = script(tmp_path, "ch04/train.py", SETTINGS)
    proc = book_run("--seed", 3, "--set", "iters_num=2", "--set", "rate=1e-3", path)
    assert proc.returncode == 0, proc.stderr
    np.random.seed(3)  # noqa: NPY002 - what the book's own code would draw
    assert proc.stdout == f"2 100 0.001 {np.random.rand()!r}\n"  # noqa: NPY002
    proc = book_run("--set", "epochs=2", path)
    assert proc.returncode == 2
    assert proc.stderr == f"chainrule.book: {path} assigns no epochs at its top level (NAME = ... to override)\n"
    for bad in ("iters_num", "iters_num=os.system('x')", "1x=2"):
        proc = book_run("--set", bad, path)
        assert proc.returncode == 2 and proc.stderr.startswith(f"chainrule.book: bad value for --set: {bad!r}")


def test_set_keeps_line_numbers(tmp_path):
    path = script(tmp_path, "ch04/fails.py", "n = 5\nx = 1 / (n - 3)\n")
    with pytest.raises(ZeroDivisionError) as info:
        exec(compile_script(path, {"n": 3}), {})
    assert info.traceback[-1].lineno + 1 == 6  # the 6th line of the file (after the 4 header lines)


@pytest.mark.mnist
def test_mnist_gives_the_first_images_of_each_set(tmp_path, real_mnist_env):
    path = script(tmp_path, "ch03/shapes.py", """
        from dataset.mnist import load_mnist
        (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False, normalize=False)
        print(x_train.shape, t_train.shape, x_test.shape, t_test.shape, int(x_train[0].sum()), t_train[:5].tolist())
    """)
    proc = book_run("--mnist", "300,50", path)
    assert proc.returncode == 0, proc.stderr
    first = real_mnist_env.t_train[:5].tolist()
    assert proc.stdout == f"(300, 1, 28, 28) (300,) (50, 1, 28, 28) (50,) 27525 {first}\n"
    for bad in ("300", "0,5", "a,b"):
        proc = book_run("--mnist", bad, path)
        assert proc.returncode == 2 and "chainrule.book: " in proc.stderr
