"""benchmarks/cnn_speed.py: the same SimpleConvNet run for chainrule, the book's code and PyTorch.

No timing here: speed is measured by running the benchmark, never asserted in tests.
"""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from tests import ROOT

SCRIPT = ROOT / "benchmarks" / "cnn_speed.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("cnn_speed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_contender_gets_the_same_shuffled_minibatches(bench):
    batches = bench._batches(250, 7, seed=3)
    assert [len(b) for b in batches] == [100] * 7
    first_epochs = np.concatenate(batches)[:500]  # 2 epochs of 250 images: each image once per epoch
    assert sorted(first_epochs[:250]) == list(range(250)) and sorted(first_epochs[250:]) == list(range(250))
    again = bench._batches(250, 7, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))
    assert bench._chunks(1200) == [(0, 500), (500, 1000), (1000, 1200)]


def test_the_book_contender_is_skipped_without_a_checkout(bench, tmp_path):
    assert bench._skip_reason("b", None) == "no book checkout (--book PATH or CHAINRULE_BOOK_REPO)"
    assert bench._skip_reason("b", str(tmp_path)) == f"{tmp_path} has no ch07/simple_convnet.py"
    assert bench._skip_reason("a", None) is None


@pytest.mark.mnist
def test_a_short_run_prints_a_line_per_contender(real_mnist_env, tmp_path):
    env = {"XDG_CACHE_HOME": str(real_mnist_env.xdg), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--iters", "3", "--only", "a,b", "--book", str(tmp_path)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == ("SimpleConvNet on MNIST: 3 Adam steps of 100 images + test accuracy on 10000 images; "
                        "1 thread(s) each")
    assert lines[1].startswith("(a) chainrule, float32, fast path    train ") and "it/s" in lines[1]
    assert 0.0 <= float(lines[1].split("test acc")[1]) <= 1.0
    assert lines[2] == f"(b) the book's code, float64         skipped: {tmp_path} has no ch07/simple_convnet.py"
