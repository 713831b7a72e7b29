"""``chainrule train``'s runs lose nothing: the output folder is checked before training, an
existing run is never overwritten, SIGTERM and SIGHUP save like Ctrl-C, the save is shielded from
further signals and writes the run folder atomically, temporaries of killed saves are cleaned up,
divergence stops the run keeping the last finite model.
"""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chainrule import cli
from chainrule.io import load, read_metadata
from tests import ROOT
from tests.cli.helpers import CURVES, one_line_error, run


def _strict_json(path):
    def refuse(name):
        raise ValueError(f"{path} holds {name}, which is not JSON")

    return json.loads(Path(path).read_text(), parse_constant=refuse)


# -- the output folder ------------------------------------------------------------------------

def test_out_that_cannot_be_created_fails_at_once_before_training(tmp_path, capsys, fake_data):
    (tmp_path / "passwd").write_text("root:x:0:0\n")
    code, out, err = run(capsys, "train", "--iters", "50", "--out", str(tmp_path / "passwd" / "run"))
    assert code == 1
    line = one_line_error(err)
    assert line.startswith(f"chainrule: error: cannot write the output folder {tmp_path / 'passwd' / 'run'}: ")
    assert fake_data == []  # refused before the data was even loaded
    assert out == ""


def test_existing_run_is_never_overwritten_without_force(tmp_path, capsys, fake_data):
    run_dir = tmp_path / "run"
    assert cli.main(["train", "--iters", "5", "--quiet", "--no-plots", "--seed", "1", "--out", str(run_dir)]) == 0
    before = (run_dir / "model.npz").read_bytes()
    capsys.readouterr()
    code, _, err = run(capsys, "train", "--iters", "5", "--quiet", "--no-plots", "--seed", "2", "--out", str(run_dir))
    assert code == 1
    assert one_line_error(err) == (f"chainrule: error: --out {run_dir} already holds files (a run?); choose "
                                   "another folder, or pass --force to replace it")
    assert (run_dir / "model.npz").read_bytes() == before and len(fake_data) == 1  # refused before loading
    code, out, err = run(capsys, "train", "--iters", "5", "--quiet", "--no-plots", "--seed", "2", "--force",
                         "--out", str(run_dir))
    assert code == 0, err
    assert (run_dir / "model.npz").read_bytes() != before
    assert read_metadata(run_dir / "model.npz")["metadata"]["seed"] == 2
    assert sorted(os.listdir(run_dir)) == ["history.csv", "history.json", "model.npz"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # the old run's folder is gone


def test_force_replaces_only_a_run_folder(tmp_path, capsys, fake_data, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "model.npz").write_text("an old model")
    code, _, err = run(capsys, "train", "--iters", "5", "--quiet", "--no-plots", "--force", "--out", ".")
    assert code == 1
    assert one_line_error(err) == ("chainrule: error: --out . holds files that are not a run's (notes.txt); "
                                   "--force replaces only a run folder")
    assert sorted(os.listdir(tmp_path)) == ["model.npz", "notes.txt"] and fake_data == []


def test_empty_out_folder_is_used(tmp_path, capsys, fake_data):
    (tmp_path / "empty").mkdir()
    assert cli.main(["train", "--iters", "5", "--quiet", "--no-plots", "--out", str(tmp_path / "empty")]) == 0
    assert sorted(os.listdir(tmp_path / "empty")) == ["history.csv", "history.json", "model.npz"]


def test_failed_start_leaves_no_output_folder(tmp_path, capsys, monkeypatch):
    def unavailable(kind, data_dir, progress):
        raise cli.CLIError("MNIST is not available")

    monkeypatch.setattr(cli.common, "load_data", unavailable)
    assert cli.main(["train", "--out", str(tmp_path / "r")]) == 1
    assert sorted(os.listdir(tmp_path)) == []


# -- signals --------------------------------------------------------------------------------

CHILD = """
import sys
sys.path.insert(0, {tests!r})
from tests.cli.helpers import fake_mnist
from chainrule import cli
cli.common.load_data = lambda kind, data_dir, progress: fake_mnist()
sys.exit(cli.main(["train", "--iters", "1000000", "--batch-size", "50", "--no-plots", "--seed", "4",
                   "--out", {out!r}]))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_during_training_save_a_loadable_model(tmp_path, signum):
    out = tmp_path / "run"
    child = subprocess.Popen([sys.executable, "-c", CHILD.format(tests=str(ROOT / "tests"), out=str(out))],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in child.stdout:  # wait for two evaluations: training is under way
            if re.match(r"epoch +2/", line):
                break
        child.send_signal(signum)
        stdout, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    name = signal.Signals(signum).name
    assert child.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr
    assert re.search(rf"^chainrule: stopped by {name} after (\d+) of 1000000 iterations; saved what was "
                     r"learned$", stderr, re.M), stderr
    assert f"saved to {out}/: model.npz history.json history.csv" in stdout
    history = _strict_json(out / "history.json")
    assert history["interrupted"] is True and len(history["loss"]) >= 40  # two epochs of 20
    net = load(out / "model.npz")
    assert read_metadata(out / "model.npz")["metadata"]["iterations"] == len(history["loss"])
    assert all(np.isfinite(v).all() for v in net.params.values())


def test_signals_during_the_save_are_deferred_until_it_is_complete(tmp_path, capsys, fake_data, monkeypatch):
    import chainrule.io

    original = chainrule.io.save
    sent = []

    def save_while_interrupted(*args, **kwargs):
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGINT):  # a user hammering Ctrl-C, then kill
            os.kill(os.getpid(), signum)
            sent.append(signum)
        return original(*args, **kwargs)

    monkeypatch.setattr(chainrule.io, "save", save_while_interrupted)
    code, out, err = run(capsys, "train", "--iters", "30", "--quiet", "--out", str(tmp_path / "r"))
    assert len(sent) == 3
    assert code == 130, err  # the first signal decides
    assert "Traceback" not in err
    assert err.splitlines()[-1] == ("chainrule: interrupted while saving; the run was saved completely first: "
                                    f"{tmp_path / 'r'}")
    assert sorted(os.listdir(tmp_path / "r")) == sorted(["history.csv", "history.json", "model.npz", *CURVES])
    assert _strict_json(tmp_path / "r" / "history.json")["iterations"] == 30
    load(tmp_path / "r" / "model.npz")


KILLED_SAVE = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from tests.cli.helpers import fake_mnist
from chainrule import cli
from chainrule.history import History
cli.common.load_data = lambda kind, data_dir, progress: fake_mnist()
History.save_json = lambda self, path: os.kill(os.getpid(), signal.SIGKILL)  # killed in the middle of the save
sys.exit(cli.main(["train", "--iters", "20", "--quiet", "--no-plots", "--out", {out!r}]))
"""


def test_killed_save_leaves_no_half_run_and_the_next_save_cleans_up(tmp_path, capsys, fake_data):
    runs = tmp_path / "runs"
    done = subprocess.run([sys.executable, "-c", KILLED_SAVE.format(tests=str(ROOT / "tests"),
                                                                   out=str(runs / "a"))],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert not (runs / "a").exists() or list((runs / "a").iterdir()) == []  # complete or absent, never half
    stale = [p for p in runs.iterdir() if p.name.startswith(".")]
    assert stale, "the killed save had written a model somewhere"
    assert cli.main(["train", "--iters", "5", "--quiet", "--no-plots", "--out", str(runs / "b")]) == 0
    assert sorted(p.name for p in runs.iterdir() if p.name.startswith(".")) == []
    assert cli.main(["train", "--iters", "5", "--quiet", "--no-plots", "--out", str(runs / "a")]) == 0  # empty: free
    load(runs / "a" / "model.npz")


# -- divergence -----------------------------------------------------------------------------

def test_diverging_training_stops_with_a_clear_message_and_keeps_the_last_finite_model(tmp_path, capsys,
                                                                                      fake_data):
    code, out, err = run(capsys, "train", "--lr", "1e30", "--iters", "200", "--batch-size", "50", "--no-plots",
                         "--seed", "0", "--out", str(tmp_path / "r"))
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert re.fullmatch(r"chainrule: error: training diverged: the loss of iteration \d+ is (nan|inf); the "
                        r"saved model is the network of iteration \d+ \(the last with finite weights\); try a "
                        r"smaller --lr", last), err
    assert "RuntimeWarning" not in err and "Traceback" not in err
    history = _strict_json(tmp_path / "r" / "history.json")
    assert history["diverged"] is not None and history["loss"][history["diverged"] - 1] is None
    net = load(tmp_path / "r" / "model.npz")
    assert all(np.isfinite(v).all() for v in net.params.values())
    kept = read_metadata(tmp_path / "r" / "model.npz")["metadata"]["iterations"]
    assert kept < history["diverged"]
