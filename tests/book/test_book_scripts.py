"""Every script of the book's chapters 3-8, run whole on chainrule and on the book's own code, compared.

Needs a copy of the book's repository (oreilly-japan/deep-learning-from-scratch) named by
``CHAINRULE_BOOK_REPO``; skipped without it (no code of the book is kept here).

Each script runs twice from a fresh copy of the repository, both times after ``np.random.seed(0)``, to
its last line (plots included: ``plt.show()`` saves the figures, see ``show_backend.py``; Pillow's
``Image.show()`` goes to a stand-in ``xdg-open`` that keeps the file):

* on chainrule: ``python -m chainrule.book --seed 0 [--mnist TRAIN,TEST] [--set NAME=VALUE] SCRIPT``;
* on the book's own ``common`` and ``dataset``: the same script, the same ``--set`` values (the runner's
  :func:`~chainrule.book.compile_script`), the same first images of MNIST (written as the IDX files the
  book's ``dataset/mnist.py`` reads).

Long runs are made short by less data (``--mnist``) or fewer loops (``--set``), never by a timer. Each
script's printed numbers are compared with a tolerance stated beside it in :data:`SCRIPTS`: exact where
both draw every random number from NumPy's global generator; statistical where chainrule's own
networks (``common.multi_layer_net``, ``Dropout``, ``shuffle_dataset``) draw from a generator of their
own (``rng``), so the two runs start from different weights.
"""

import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

BOOK_REPO = os.environ.get("CHAINRULE_BOOK_REPO")
HERE = Path(__file__).resolve().parent
pytestmark = [pytest.mark.mnist,
              pytest.mark.skipif(not BOOK_REPO, reason="set CHAINRULE_BOOK_REPO to a copy of the book's repository")]

NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?|\bnan\b|\binf\b")  # not W1's 1


@dataclass
class Output:
    """What one run of a script showed: its stdout, the figures of each ``plt.show()``, the images Pillow showed."""

    stdout: str
    shows: list
    pictures: int

    @property
    def lines(self):
        return self.stdout.splitlines()

    def numbers(self, line_filter=None):
        return [float(v) for line in self.lines if line_filter is None or line_filter(line)
                for v in NUMBER.findall(line)]

    @property
    def text(self):
        """The output with every number replaced by ``#``: the lines' kinds and order."""
        return [NUMBER.sub("#", line) for line in self.lines]


def same(ours, book):
    assert ours.stdout == book.stdout
    assert ours.shows == book.shows and ours.pictures == book.pictures


def close(rtol=0.0, atol=0.0, numbers=slice(None)):
    """The same lines and figures; every printed number (or those of the slice ``numbers``) within
    ``atol + rtol * |book's|``."""
    def check(ours, book):
        assert ours.text == book.text and ours.shows == book.shows
        np.testing.assert_allclose(ours.numbers()[numbers], book.numbers()[numbers], rtol=rtol, atol=atol)
    return check


def shape_and(*checks):
    """The same kinds of lines in the same order and the same figures, then each statistical check."""
    def check(ours, book):
        assert ours.text == book.text and ours.shows == book.shows
        for c in checks:
            c(ours, book)
    return check


def last(prefix, index=-1):
    """The numbers of the last line starting with ``prefix``."""
    return lambda out: [float(v) for v in NUMBER.findall([x for x in out.lines if x.startswith(prefix)][index])]


def within(get, atol, low=None):
    """``get(ours)`` within ``atol`` of ``get(book)`` (and each at least ``low``)."""
    def check(ours, book):
        a, b = np.asarray(get(ours)), np.asarray(get(book))
        assert np.all(np.abs(a - b) <= atol), (a, b)
        if low is not None:
            assert np.all(a >= low) and np.all(b >= low), (a, b)
    return check


def below(ours_limit, book_limit, numbers=slice(None)):
    """Every printed number (or those of the slice ``numbers``) below its side's limit (gradient checks:
    differences that are rounding noise)."""
    def check(ours, book):
        np.testing.assert_array_less(np.abs(ours.numbers()[numbers]), ours_limit)
        np.testing.assert_array_less(np.abs(book.numbers()[numbers]), book_limit)
    return check


def keyed(**rules):
    """Lines ``key:value``: each key's values by its rule ``(ours, book) -> bool``, every other line the same."""
    def check(ours, book):
        assert [line.split(":")[0] for line in ours.lines] == [line.split(":")[0] for line in book.lines]
        for a, b in zip(ours.lines, book.lines, strict=True):
            key = a.split(":")[0]
            if key in rules:
                assert rules[key](float(a.split(":")[1]), float(b.split(":")[1])), (a, b)
            else:
                assert a == b
    return check


def losses(out, name):
    """The losses ``name:<loss>`` printed for one optimizer (or one weight scale), in order."""
    return [float(line.split(":", 1)[1]) for line in out.lines if line.startswith(name + ":")]


def final_mean(name, k=5):
    return lambda out: np.mean(losses(out, name)[-k:])


@dataclass
class Script:
    check: object = same
    mnist: tuple = None  # (train, test): the first images of each set, on both sides
    set: dict = field(default_factory=dict)
    why: str = "exact"
    printed: str = None  # what the book's text says the script prints, when it says


EXACT = Script()
SCRIPTS = {
    "ch03/mnist_show.py": Script(mnist=(100, 10), printed="5\n(784,)\n(28, 28)\n"),
    # the book's sample_weight.pkl on all 10000 test images
    "ch03/neuralnet_mnist.py": Script(printed="Accuracy:0.9352\n"),
    "ch03/neuralnet_mnist_batch.py": Script(printed="Accuracy:0.9352\n"),
    "ch03/relu.py": EXACT,
    "ch03/sig_step_compare.py": EXACT,
    "ch03/sigmoid.py": EXACT,
    "ch03/step_function.py": EXACT,
    "ch04/gradient_1d.py": EXACT,
    "ch04/gradient_2d.py": EXACT,
    "ch04/gradient_method.py": EXACT,
    "ch04/gradient_simplenet.py": Script(close(rtol=1e-9),
                                         why="every number to 1e-9 (relative): rounding in chainrule's softmax and "
                                             "loss"),
    "ch04/train_neuralnet.py": Script(close(rtol=1e-9), mnist=(600, 100), set={"iters_num": 2, "batch_size": 10},
                                      why="every number to 1e-9 (relative): the same weights and minibatches "
                                          "(numerical gradients are slow: 2 steps of 10 images)"),
    "ch04/two_layer_net.py": EXACT,
    "ch05/buy_apple.py": Script(printed="price: 220\ndApple: 2.2\ndApple_num: 110\ndTax: 200\n"),
    "ch05/buy_apple_orange.py": Script(printed="price: 715\ndApple: 2.2\ndApple_num: 110\ndOrange: 3.3000000000000003\n"
                                               "dOrange_num: 165\ndTax: 650\n"),
    "ch05/gradient_check.py": Script(shape_and(below(1e-9, 1e-6)), mnist=(100, 10),
                                     why="each difference below 1e-9 on chainrule, 1e-6 on the book's code (its loss "
                                         "takes log(y + 1e-7): 1e-7 off the gradient it backpropagates)"),
    "ch05/layer_naive.py": EXACT,
    "ch05/train_neuralnet.py": Script(close(atol=1e-9), mnist=(6000, 1000), set={"iters_num": 600},
                                      why="accuracies to 1e-9: the same weights and minibatches"),
    "ch05/two_layer_net.py": EXACT,
    "ch06/batch_norm_gradient_check.py": Script(
        keyed(beta2=lambda a, b: abs(a - b) < 0.015, b3=lambda a, b: a < 1e-9 and b < 1e-6), mnist=(100, 10),
        why="one image: Batch Normalization outputs beta, so every line is 0.0 but beta2 and b3; beta2 (about 0.05: "
            "a ReLU kink at beta = 0, scaled by W3, which chainrule draws itself) within 0.015; b3 below 1e-9 on "
            "chainrule, 1e-6 on the book's code"),
    "ch06/batch_norm_test.py": Script(
        shape_and(within(lambda out: np.mean(out.numbers(lambda x: x.startswith("epoch:19 "))[2::3]), 0.1, 0.5)),
        mnist=(1000, 100), why="chainrule draws its own weights: the last epoch's accuracy with Batch Normalization, "
                               "averaged over the 16 weight scales, within 0.1 (and above 0.5)"),
    "ch06/hyperparameter_optimization.py": Script(
        shape_and(within(lambda out: last("Best-1")(out)[1], 0.15)), mnist=(500, 10), set={"optimization_trial": 20},
        why="chainrule draws its own weights and validation split: the best validation accuracy, within 0.15"),
    "ch06/optimizer_compare_mnist.py": Script(
        shape_and(*(within(final_mean(name), atol) for name, atol in
                    (("SGD", 0.25), ("Momentum", 0.15), ("AdaGrad", 0.1), ("Adam", 0.1)))),
        mnist=(6000, 100), why="chainrule draws its own weights: each optimizer's mean of its last 5 losses, within "
                               "0.1 (Momentum 0.15, SGD 0.25)"),
    "ch06/optimizer_compare_naive.py": EXACT,
    "ch06/overfit_dropout.py": Script(shape_and(within(last("test acc"), 0.08)), mnist=(300, 1000),
                                      why="chainrule draws its own weights and Dropout masks: the final test "
                                          "accuracy, within 0.08"),
    "ch06/overfit_weight_decay.py": Script(shape_and(within(last("epoch:"), 0.1)), mnist=(300, 1000),
                                           why="chainrule draws its own weights: the last epoch's train and test "
                                               "accuracy, within 0.1"),
    "ch06/weight_init_activation_histogram.py": EXACT,
    "ch06/weight_init_compare.py": Script(
        shape_and(within(final_mean("std=0.01"), 0.01), within(final_mean("Xavier"), 0.2),
                  within(final_mean("He"), 0.2)),
        mnist=(6000, 100), why="chainrule draws its own weights: the mean of the last 5 losses, within 0.01 for std "
                               "0.01 (it stays at 2.30), 0.2 for Xavier and He"),
    "ch07/apply_filter.py": EXACT,
    "ch07/gradient_check.py": Script(shape_and(close(1e-3, 1e-9, slice(2)), below(1e-9, 1e-6, slice(2, None))),
                                     why="W1 and b1 to 1e-3 (relative): about 1e-6 on both sides, a ReLU or pooling "
                                         "kink within h = 1e-4; the rest below 1e-9 on chainrule, 1e-6 on the book's "
                                         "code (its loss takes log(y + 1e-7): 1e-7 off the gradient it backprops)"),
    "ch07/simple_convnet.py": EXACT,
    "ch07/train_convnet.py": Script(shape_and(close(1e-6, numbers=slice(40)), close(0.02)), mnist=(3000, 500),
                                    set={"max_epochs": 6},
                                    why="the same weights and minibatches: the first 40 losses and accuracies to 1e-6 "
                                        "(relative), all of them to 2% (the book's loss takes log(y + 1e-7), and "
                                        "180 Adam steps amplify that and the rounding)"),
    "ch07/visualize_filter.py": EXACT,
    "ch08/awesome_net.py": EXACT,
    "ch08/deep_convnet.py": EXACT,
    "ch08/half_float_network.py": Script(close(atol=0.002), mnist=(100, 1000),
                                         why="the book's weights: float64 exact, float16 within 0.002"),
    "ch08/misclassified_mnist.py": Script(mnist=(100, 1000), why="exact (the book's weights)"),
    "ch08/train_deepnet.py": Script(shape_and(within(last("test acc"), 0.15, 0.5)), mnist=(500, 100),
                                    why="chainrule's Dropout draws its own masks: the final test accuracy, within "
                                        "0.15 (and above 0.5)"),
}


def test_every_script_of_chapters_3_to_8_is_listed():
    scripts = sorted(p.relative_to(BOOK_REPO).as_posix() for p in Path(BOOK_REPO).glob("ch0[3-8]/*.py"))
    assert scripts == sorted(SCRIPTS)


def write_idx(folder, images, labels, prefix):
    """The IDX files (gzip) the book's dataset/mnist.py reads; it skips downloading files that exist."""
    with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb", compresslevel=1) as f:
        f.write(struct.pack(">iiii", 2051, len(images), 28, 28) + images.tobytes())
    with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb", compresslevel=1) as f:
        f.write(struct.pack(">ii", 2049, len(labels)) + labels.tobytes())


REFERENCE = """\
import os, sys
import numpy as np
from chainrule.book import compile_script
path, overrides = sys.argv[1], eval(sys.argv[2])
os.chdir(os.path.dirname(path))
sys.path.insert(0, os.path.dirname(path))
sys.argv = [path]
np.random.seed(0)
exec(compile_script(path, overrides), {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__})
"""


def run(copy, script, spec, side):
    """Run ``script`` in ``copy`` on chainrule (``side="ours"``) or on the book's code; its :class:`Output`."""
    shows = copy / "shows"
    shows.mkdir()
    fake = copy / "bin"
    fake.mkdir()
    (fake / "xdg-open").write_text('#!/bin/sh\ncp "$1" "$SHOW_DIR/picture-$$.png"\ntouch "$SHOW_DIR/picture-$$.done"\n')
    (fake / "xdg-open").chmod(0o755)
    env = {**os.environ, "MPLBACKEND": "module://show_backend", "SHOW_DIR": str(shows),
           "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
           "PATH": os.pathsep.join([str(fake), os.environ["PATH"]])}
    path = copy / script
    if side == "ours":
        command = [sys.executable, "-m", "chainrule.book", "--seed", "0"]
        if spec.mnist:
            command += ["--mnist", f"{spec.mnist[0]},{spec.mnist[1]}"]
        for name, value in spec.set.items():
            command += ["--set", f"{name}={value!r}"]
        command.append(str(path))
    else:
        command = [sys.executable, "-c", REFERENCE, str(path), repr(spec.set)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=copy)
    assert proc.returncode == 0, f"{side}: {proc.stderr[-3000:]}"
    pictures = 0
    for _ in range(100):  # Image.show() hands the file to xdg-open without waiting for it
        started = len(list(shows.glob("picture-*.png")))
        pictures = len(list(shows.glob("picture-*.done")))
        if pictures == started:
            break
        time.sleep(0.1)
    log = shows / "shows.jsonl"
    figures = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return Output(proc.stdout, figures, pictures)


_BOOK_MNIST = {}


def book_mnist(subset, mnist, root):
    """The book's ``dataset/mnist.pkl`` of the first images (its loader's conversion of the IDX files, once)."""
    if subset not in _BOOK_MNIST:
        folder = root / f"mnist-{subset[0]}-{subset[1]}"
        (folder / "dataset").mkdir(parents=True)
        shutil.copy(Path(BOOK_REPO) / "dataset" / "mnist.py", folder / "dataset")
        write_idx(folder / "dataset", mnist.x_train[:subset[0]], mnist.t_train[:subset[0]], "train")
        write_idx(folder / "dataset", mnist.x_test[:subset[1]], mnist.t_test[:subset[1]], "t10k")
        subprocess.run([sys.executable, "-c", "from dataset.mnist import init_mnist; init_mnist()"], cwd=folder,
                       check=True, capture_output=True)
        _BOOK_MNIST[subset] = folder / "dataset" / "mnist.pkl"
    return _BOOK_MNIST[subset]


def fresh_copy(root, side, spec, mnist, cache):
    copy = root / side
    shutil.copytree(BOOK_REPO, copy, ignore=shutil.ignore_patterns(".git", "mnist.pkl", "*.gz", "notebooks"))
    if side == "book":  # the book's loader reads dataset/mnist.pkl when it is there
        (copy / "dataset" / "mnist.pkl").symlink_to(book_mnist(spec.mnist or (60000, 10000), mnist, cache))
    return copy


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("book-mnist")


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_the_script_runs_to_its_end_as_on_the_books_code(script, tmp_path, real_mnist_env, cache):
    spec = SCRIPTS[script]
    ours = run(fresh_copy(tmp_path, "ours", spec, real_mnist_env, cache), script, spec, "ours")
    book = run(fresh_copy(tmp_path, "book", spec, real_mnist_env, cache), script, spec, "book")
    spec.check(ours, book)
    if spec.printed is not None:
        assert ours.stdout == spec.printed
