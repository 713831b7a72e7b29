"""benchmarks/train_speed.py (outside the package) and ``chainrule bench``, which runs it.

No timing here: speed is measured by running the benchmark, never asserted in tests.
"""

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from tests import ROOT

SCRIPT = ROOT / "benchmarks" / "train_speed.py"


@pytest.fixture(scope="module")
def bench():
    pytest.importorskip("threadpoolctl")
    spec = importlib.util.spec_from_file_location("train_speed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_sampling_and_evaluation_schedule(bench):
    rng = np.random.default_rng(0)
    shuffled = bench._batches(rng, 10, 4, "shuffle")
    epoch = [next(shuffled) for _ in range(3)]
    assert [len(b) for b in epoch] == [4, 4, 2] and sorted(np.concatenate(epoch)) == list(range(10))
    drawn = next(bench._batches(rng, 10, 4, "choice"))
    assert drawn.shape == (4,) and drawn.min() >= 0 and drawn.max() < 10
    assert [i for i in range(1, 13) if bench._evaluate_now(i, 5, 12)] == [5, 10, 12]


def test_bench_runs_chainrule_train_with_its_defaults(bench):
    from chainrule.cli import build_parser

    run = bench._defaults()
    assert run == {"hidden": 50, "batch_size": 100, "lr": 0.1, "iters": 10000, "sampling": "shuffle",
                   "dtype": "float32"}
    args = build_parser().parse_args(["train"])  # the CLI reads the same constant
    assert (args.hidden, args.batch_size, args.sampling, args.dtype) == ([50], 100, "shuffle", "float32")
    run["defaults"] = dict(run)
    cmd = bench._cli_train_command(run, 7, "out")
    assert cmd[1:] == ["-m", "chainrule", "train", "--out", "out", "--seed", "7", "--quiet"]
    cmd = bench._cli_train_command(dict(run, hidden=400, iters=600), 7, "out")
    assert cmd[-4:] == ["--hidden", "400", "--iters", "600"]


def test_ratios_are_plain_facts(bench, capsys):
    a = {"median": 2.0, "test_acc": 0.9701, "peak_rss_mb": 109.4}
    summaries = {"a": a, "b": dict(a, median=10.0, test_acc=0.9702), "c": dict(a, median=4.6, test_acc=0.9719)}
    bench._print_ratios(summaries, 2.5)
    out = capsys.readouterr().out
    assert "(c) PyTorch takes 2.30x the time of (a)" in out
    assert "(b) the book's float64 loop takes 5.00x the time of (a)" in out
    assert "(a) takes 0.80x the lower bound (1)" in out
    assert "(a) 0.9701, (b) 0.9702, (c) 0.9719" in out and "(a) peak RSS: 109 MB" in out
    assert "issue" not in out.lower() and "MISSED" not in out and "[ok]" not in out


def test_chainrule_bench_runs_the_script_with_its_options():
    result = subprocess.run([sys.executable, "-m", "chainrule", "bench", "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "usage: train_speed.py" in result.stdout and "--repeats" in result.stdout and "--only" in result.stdout


def test_chainrule_bench_without_a_checkout_says_so(monkeypatch, capsys, tmp_path):
    from chainrule import cli
    from chainrule.cli import bench

    monkeypatch.setattr(bench, "BENCH_SCRIPT", tmp_path / "benchmarks" / "train_speed.py")
    assert cli.main(["bench", "--quick"]) == 1
    err = capsys.readouterr().err
    assert "chainrule bench runs benchmarks/train_speed.py from a source checkout" in err
