"""benchmarks/cnn_speed.py: the same convolutional network run for chainrule, the book's code and PyTorch.

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


def test_contenders_are_skipped_with_a_reason(bench, tmp_path):
    args = bench.build_parser().parse_args(["--nets", "deep"])
    args.book = None
    assert bench._skip_reason("b", args) == "no book checkout (--book PATH or CHAINRULE_BOOK_REPO)"
    args.book = str(tmp_path)
    assert bench._skip_reason("b", args) == f"{tmp_path} has no ch08/deep_convnet.py"
    assert bench._skip_reason("a0", args) == "no other checkout (--before PATH)"
    args.before = str(tmp_path)
    assert bench._skip_reason("a0", args) == f"{tmp_path} has no src/chainrule"
    assert bench._skip_reason("a", args) is None


def test_the_floor_lists_the_products_of_a_training_step(bench):
    ops = bench._floor_ops("deep", 4, train=True)
    products = sum(count for part, count, _ in ops if part == "products")
    # 6 convolutions: forward and dW each, dx for all but the first (one chunk each: 4 images);
    # 2 Affine layers: forward, dW, dx
    assert products == 6 * 2 + 5 + 2 * 3
    assert {part for part, _, _ in ops} == {"minibatch", "window gathers", "products", "passes"}
    for _, _, call in ops:
        call()  # each one runs as it is


@pytest.mark.mnist
def test_a_short_run_prints_the_runs_the_floor_and_the_summary(real_mnist_env, tmp_path):
    env = {"XDG_CACHE_HOME": str(real_mnist_env.xdg), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--nets", "simple", "--iters", "2", "--eval-images", "500",
                           "--threads", "1", "--only", "a,b", "--book", str(tmp_path)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1] == f"(b) the book's code, float64: skipped ({tmp_path} has no ch07/simple_convnet.py)"
    assert any(line.startswith("SimpleConvNet, 1 thread(s): 2 training steps, evaluation of 500 test images")
               for line in lines)
    row = next(line for line in lines if line.strip().startswith("(a) chainrule, float32"))
    assert 0.0 <= float(row.split()[-3]) <= 1.0 and row.endswith("MB")  # test accuracy, peak RSS
    assert any(line.strip().startswith("floor of (a)") for line in lines)
    assert proc.stdout.count("| SimpleConvNet, 1 thread(s), training steps/s |") == 2  # by wall clock, by CPU
