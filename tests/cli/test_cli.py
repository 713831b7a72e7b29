"""The `chainrule` command: help, train/evaluate/predict end to end, one-line errors, Ctrl-C.

Most tests here use a small synthetic stand-in for MNIST (``_load_data`` patched), so they
are fast; the tests marked ``mnist`` run the real thing on the real data.
"""

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest

from chainrule import cli
from chainrule.io import load, read_metadata

#: The curves need matplotlib (the [plot] extra); without it train saves the rest and says so.
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
CURVES = ["accuracy.png", "loss.png"] if HAVE_MATPLOTLIB else []


def fake_mnist(n_train=1000, n_test=200, seed=0):
    """uint8 'images' of 784 pixels in 10 classes, learnable in a few dozen iterations."""
    rng = np.random.default_rng(seed)
    centres = rng.random((10, 784)) < 0.2
    n = n_train + n_test
    t = rng.integers(0, 10, size=n).astype(np.uint8)
    x = np.where(centres[t] ^ (rng.random((n, 784)) < 0.05), 255, 0).astype(np.uint8)
    return (x[:n_train], t[:n_train]), (x[n_train:], t[n_train:])


@pytest.fixture
def fake_data(monkeypatch):
    calls = []

    def load(kind, data_dir, progress):
        calls.append((kind, data_dir))
        return fake_mnist()

    monkeypatch.setattr(cli.common, "load_data", load)
    return calls


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("chainrule: error: ")
    assert "Traceback" not in err
    return lines[0]


# -- help --------------------------------------------------------------------------------

def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("train", "evaluate", "predict", "gradcheck", "data", "graph"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.MULTILINE), command
    assert "chainrule train" in out


@pytest.mark.parametrize("command, options", [
    ("train", ["--hidden", "--activation", "--weight-init-std", "--weight-decay", "--dtype", "--optimizer",
               "--lr", "--lr-decay", "--iters", "--epochs", "--batch-size", "--sampling", "--seed", "--eval-samples",
               "--kind", "--data-dir", "--out", "--force", "--no-plots", "--quiet", "10000 iterations"]),
    ("evaluate", ["MODEL", "--plot", "--kind", "--data-dir"]),
    ("predict", ["MODEL", "IMAGE", "centre of mass", "chainrule[image]"]),
    ("gradcheck", ["--seed", "--kind", "3"]),
    ("data", ["--kind", "--data-dir", "--dir", "--quiet"]),
    ("graph", ["apple-orange", "two-layer-net", "--out"]),
])
def test_each_command_has_complete_help(capsys, command, options):
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in options:
        assert option in out, option


def test_version_and_no_command(capsys):
    import chainrule

    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"chainrule {chainrule.__version__}"
    assert cli.main([]) == 2
    assert "usage: chainrule" in capsys.readouterr().err


def test_console_script_and_module_entry_points():
    scripts = {ep.name: ep.value for ep in metadata.entry_points(group="console_scripts")}
    assert scripts.get("chainrule") == "_chainrule_launch:main"  # which runs chainrule.cli:main
    out = subprocess.run([sys.executable, "-m", "chainrule", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("chainrule ")


# -- bad options: one line, exit 2 ---------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["train", "--lr", "-1"], "argument --lr: expected a positive number, got '-1'"),
    (["train", "--iters", "0"], "argument --iters: expected a positive integer, got '0'"),
    (["train", "--iters", "5", "--epochs", "2"], "argument --epochs: not allowed with argument --iters"),
    (["train", "--optimizer", "adamw"], "argument --optimizer: invalid choice: 'adamw'"),
    (["train", "--weight-init-std", "big"], "expected a positive number, 'he' or 'xavier', got 'big'"),
    (["train", "--lr-decay", "0"], "argument --lr-decay: expected a number in (0, 1], got '0'"),
    (["train", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["evaluate"], "the following arguments are required: MODEL"),
    (["fly"], "argument COMMAND: invalid choice: 'fly'"),
])
def test_bad_options_are_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    line = one_line_error(capsys.readouterr().err)
    assert message in line
    assert line.endswith("--help')")


# -- train / evaluate / predict on the stand-in ----------------------------------------------

def test_train_writes_model_history_and_curves(tmp_path, capsys, fake_data):
    out_dir = tmp_path / "run"
    code, out, err = run(capsys, "train", "--iters", "60", "--batch-size", "50", "--seed", "3",
                         "--out", str(out_dir))
    assert code == 0, err
    assert fake_data == [("mnist", None)]
    assert sorted(os.listdir(out_dir)) == sorted(["history.csv", "history.json", "model.npz", *CURVES])
    lines = out.strip().splitlines()
    assert lines[0].startswith("training TwoLayerNet 784-50-10 (float32) on MNIST (1000 images): SGD(lr=0.1), "
                               "batch 50, 60 iterations (3 epochs), shuffle, seed 3")
    assert [ln.split(" |")[0] for ln in lines[1:5]] == ["epoch 0/3", "epoch 1/3", "epoch 2/3", "epoch 3/3"]
    acc_line = lines[5]
    assert re.fullmatch(r"test accuracy: \d\.\d{4} \(\d+/200 correct\); train accuracy: \d\.\d{4}", acc_line)
    if HAVE_MATPLOTLIB:
        assert lines[-1] == f"saved to {out_dir}/: model.npz history.json history.csv accuracy.png loss.png"
    else:
        assert lines[-2] == f"saved to {out_dir}/: model.npz history.json history.csv"
        assert lines[-1].startswith("(no plots: ") and "chainrule[plot]" in lines[-1]

    history = json.loads((out_dir / "history.json").read_text())
    assert history["iterations"] == 60 and len(history["loss"]) == 60
    assert history["config"]["seed"] == 3 and history["config"]["kind"] == "mnist"
    assert history["final_test_acc"] > 0.8  # the stand-in is easy
    net = load(out_dir / "model.npz")
    assert net.config == {"class": "TwoLayerNet", "input_size": 784, "hidden_size": 50, "output_size": 10,
                          "weight_init_std": 0.01}
    assert net.dtype == np.float32
    meta = read_metadata(out_dir / "model.npz")["metadata"]
    assert meta["kind"] == "mnist" and meta["test_acc"] == history["final_test_acc"]

    plot = ["--plot", str(tmp_path / "cm.png")] if HAVE_MATPLOTLIB else []
    code, out2, err = run(capsys, "evaluate", str(out_dir / "model.npz"), *plot)
    assert code == 0, err
    evaluate_line = out2.splitlines()[1]
    assert evaluate_line == acc_line.split(";")[0]  # the same test accuracy, to the last digit
    assert "confusion matrix (rows: true class, columns: predicted class)" in out2
    table = out2.split("predicted class)\n")[1].splitlines()[:11]
    assert len(table) == 11 and table[0].split()[:3] == ["0", "1", "2"]
    assert sum(int(row.split()[-2]) for row in table[1:]) == 200  # totals add up to the test set
    if HAVE_MATPLOTLIB:
        assert out2.strip().splitlines()[-1] == f"saved {tmp_path / 'cm.png'}" and (tmp_path / "cm.png").exists()


def test_same_seed_same_run(tmp_path, capsys, fake_data):
    for name in ("a", "b", "c"):
        seed = "1" if name != "c" else "2"
        assert cli.main(["train", "--iters", "30", "--seed", seed, "--quiet", "--no-plots",
                         "--out", str(tmp_path / name)]) == 0
    capsys.readouterr()
    loss = {n: json.loads((tmp_path / n / "history.json").read_text())["loss"] for n in "abc"}
    assert loss["a"] == loss["b"] and loss["a"] != loss["c"]
    a, b = load(tmp_path / "a" / "model.npz"), load(tmp_path / "b" / "model.npz")
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


def test_train_options_build_what_they_say(tmp_path, capsys, fake_data):
    code, out, err = run(capsys, "train", "--hidden", "30", "20", "--optimizer", "adam", "--epochs", "2",
                         "--lr-decay", "0.5", "--weight-decay", "0.001",
                         "--dtype", "float64", "--sampling", "choice", "--quiet", "--no-plots",
                         "--kind", "fashion", "--data-dir", "/some/dir", "--out", str(tmp_path / "r"))
    assert code == 0, err
    assert fake_data == [("fashion", "/some/dir")]
    assert sorted(os.listdir(tmp_path / "r")) == ["history.csv", "history.json", "model.npz"]
    assert "train acc, test acc" not in out and "training" not in out  # quiet
    net = load(tmp_path / "r" / "model.npz")
    assert net.config["class"] == "MultiLayerNet" and net.config["hidden_size_list"] == [30, 20]
    assert net.config["weight_init_std"] == "relu" and net.dtype == np.float64
    h = json.loads((tmp_path / "r" / "history.json").read_text())
    assert h["config"]["optimizer"] == "adam" and h["config"]["lr"] == 0.001  # the book's Adam default
    assert h["config"]["sampling"] == "choice" and h["iterations"] == 20  # 1 epoch = 1000 / 100
    assert h["config"]["lr_decay"] == 0.5 and net.config["weight_decay_lambda"] == 0.001
    assert read_metadata(tmp_path / "r" / "model.npz")["metadata"]["kind"] == "fashion"


def test_default_output_folder_is_a_new_timestamped_run(tmp_path, capsys, fake_data, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        assert cli.main(["train", "--iters", "5", "--quiet", "--no-plots"]) == 0
    runs = sorted(os.listdir(tmp_path / "runs"))
    assert len(runs) == 2 and re.fullmatch(r"\d{8}-\d{6}", runs[0])
    out = capsys.readouterr().out
    assert f"saved to runs/{runs[1]}/: model.npz" in out


def test_ctrl_c_during_train_saves_and_exits_130(tmp_path, capsys, fake_data, monkeypatch):
    from chainrule.train import Trainer

    original = Trainer.train_step

    def step(self):
        if self.current_iter == 25:
            os.kill(os.getpid(), signal.SIGINT)
        return original(self)

    monkeypatch.setattr(Trainer, "train_step", step)
    code, out, err = run(capsys, "train", "--iters", "200", "--quiet", "--out", str(tmp_path / "r"))
    assert code == 130
    assert "interrupted after 26 of 200 iterations; saved what was learned" in err
    h = json.loads((tmp_path / "r" / "history.json").read_text())
    assert h["interrupted"] is True and len(h["loss"]) == 26
    assert load(tmp_path / "r" / "model.npz").config["hidden_size"] == 50
    assert (tmp_path / "r" / "accuracy.png").exists() == HAVE_MATPLOTLIB


def test_predict_prints_the_class_and_probabilities(tmp_path, capsys, fake_data):
    pil = pytest.importorskip("PIL.Image")
    assert cli.main(["train", "--iters", "5", "--quiet", "--no-plots", "--out", str(tmp_path)]) == 0
    img = np.full((60, 40), 255, dtype=np.uint8)
    img[10:50, 18:23] = 0  # a dark vertical stroke on white paper: a "1"
    pil.fromarray(img).save(tmp_path / "one.png")
    capsys.readouterr()
    code, out, err = run(capsys, "predict", str(tmp_path / "model.npz"), str(tmp_path / "one.png"),
                         str(tmp_path / "one.png"))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 6
    m = re.fullmatch(rf"{re.escape(str(tmp_path / 'one.png'))}: (\d) \((\d+\.\d)%\)", lines[0])
    assert m
    probs = dict(re.findall(r"(\d): (\d\.\d{4})", lines[1] + lines[2]))
    assert sorted(probs) == [str(i) for i in range(10)]
    assert sum(map(float, probs.values())) == pytest.approx(1, abs=1e-3)
    assert max(probs, key=lambda k: float(probs[k])) == m.group(1)


# -- one-line errors -------------------------------------------------------------------------

def test_missing_and_corrupt_models(tmp_path, capsys):
    code, _, err = run(capsys, "evaluate", str(tmp_path / "nope.npz"))
    assert code == 1 and "model file not found" in one_line_error(err)
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 this is not really a zip")
    code, _, err = run(capsys, "evaluate", str(tmp_path / "bad.npz"))
    assert code == 1 and "not a chainrule model file" in one_line_error(err)
    code, _, err = run(capsys, "predict", str(tmp_path / "bad.npz"), "x.png")
    assert code == 1 and "not a chainrule model file" in one_line_error(err)


def test_missing_image(tmp_path, capsys, fake_data):
    pytest.importorskip("PIL", reason="chainrule predict reads pictures with Pillow (the [image] extra)")
    assert cli.main(["train", "--iters", "2", "--quiet", "--no-plots", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "predict", str(tmp_path / "model.npz"), str(tmp_path / "none.png"))
    assert code == 1 and "image not found" in one_line_error(err)


def test_data_unavailable_is_one_line(tmp_path, capsys, monkeypatch):
    import logging

    import chainrule.datasets

    def unavailable(*args, **kwargs):
        logging.getLogger("chainrule.datasets.mnist").warning("MNIST: directory /x source failed: no such directory")
        raise OSError("could not get MNIST from any source:\n  1. directory /x: no such directory\n"
                      "  2. npm: not on PATH\nTo fix it: install npm.")

    monkeypatch.setattr(chainrule.datasets, "load_mnist", unavailable)
    code, _, err = run(capsys, "train", "--out", str(tmp_path / "r"))
    assert code == 1
    assert one_line_error(err) == ("chainrule: error: MNIST is not available: could not get MNIST from any source: "
                                   "1. directory /x: no such directory 2. npm: not on PATH To fix it: install npm.")
    assert not (tmp_path / "r").exists()


def test_warnings_of_a_successful_load_are_shown_once(tmp_path, capsys, monkeypatch):
    import logging

    import chainrule.datasets

    def load_with_a_warning(*args, **kwargs):
        logging.getLogger("chainrule.datasets.mnist").warning("cache damaged; ignored, will be rebuilt")
        return fake_mnist()

    monkeypatch.setattr(chainrule.datasets, "load_mnist", load_with_a_warning)
    code, out, err = run(capsys, "train", "--iters", "3", "--quiet", "--no-plots", "--out", str(tmp_path))
    assert code == 0
    assert err == "chainrule: warning: cache damaged; ignored, will be rebuilt\n"
    assert not logging.getLogger("chainrule").handlers  # the CLI's handler is gone after main()


def test_batch_larger_than_the_data_is_one_line(tmp_path, capsys, fake_data):
    code, _, err = run(capsys, "train", "--batch-size", "5000", "--out", str(tmp_path / "r"))
    assert code == 1
    assert "mini_batch_size (5000) is larger than the training set (1000 samples)" in one_line_error(err)


def test_out_is_a_file(tmp_path, capsys, fake_data):
    (tmp_path / "f").write_text("x")
    code, _, err = run(capsys, "train", "--out", str(tmp_path / "f"))
    assert code == 1 and "exists and is not a folder" in one_line_error(err)


def test_dataset_and_figure_names_come_from_their_modules():
    from chainrule.datasets import SPECS
    from chainrule.graph import FIGURES

    parser = cli.build_parser()
    for kind in SPECS:
        assert parser.parse_args(["data", "--kind", kind]).kind == kind
        assert parser.parse_args(["train", "--kind", kind]).kind == kind
    for figure in FIGURES:
        assert parser.parse_args(["graph", figure, "--out", "x.dot"]).figure == figure
    assert cli.common.class_names("fashion", 10)[9] == "Ankle boot" and cli.common.class_names("mnist", 10)[9] == "9"


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DEBUG", "1")
    with pytest.raises(FileNotFoundError):
        cli.main(["evaluate", str(tmp_path / "nope.npz")])


# -- data and graph are wired to their modules ----------------------------------------------

def test_data_command_is_wired(capsys, monkeypatch):
    import chainrule.datasets

    calls = []

    def fetch(kind, data_dir, progress):
        calls.append((kind, data_dir, progress))
        x, t = np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 1], np.uint8)
        return (x, t, x[:1], t[:1]), "a test", "nowhere"

    monkeypatch.setattr(chainrule.datasets, "fetch", fetch)
    assert cli.main(["data", "--kind", "fashion", "--dir", "/x", "--quiet"]) == 0
    assert cli.main(["data"]) == 0
    assert calls == [("fashion", "/x", False), ("mnist", None, True)]
    out = capsys.readouterr().out
    assert out.splitlines()[:5] == ["Fashion-MNIST: verified (SHA-256 of the four IDX files)",
                                    "  source: a test", "  stored: nowhere",
                                    "  train: 3 images 28x28, label counts 0-9: 1 2 0 0 0 0 0 0 0 0",
                                    "  test:  1 images 28x28, label counts 0-9: 1 0 0 0 0 0 0 0 0 0"]


def test_graph_command_is_wired(tmp_path, capsys):
    code, out, err = run(capsys, "graph", "apple", "--out", str(tmp_path / "apple.dot"))
    assert code == 0, err
    assert out == f"wrote {tmp_path / 'apple.dot'}\n"
    assert "digraph" in (tmp_path / "apple.dot").read_text()
    code, _, err = run(capsys, "graph", "apple", "--out", str(tmp_path / "apple.bmp"))
    assert code == 1 and one_line_error(err)


# -- the real MNIST ---------------------------------------------------------------------------

def _render_digit(pil, image28, path, scale=4):
    """An MNIST test digit as a user's picture: dark ink on white paper, 4x larger, off-centre."""
    big = pil.fromarray(255 - image28).resize((28 * scale, 28 * scale), pil.Resampling.BICUBIC)
    paper = pil.new("L", (28 * scale + 40, 28 * scale + 20), 255)
    paper.paste(big, (30, 5))
    paper.save(path)


@pytest.mark.mnist
def test_train_evaluate_predict_on_real_mnist(real_mnist_env, tmp_path, capsys):
    """A shortened `chainrule train` (one epoch), then `evaluate` and `predict` on its model."""
    pil = pytest.importorskip("PIL.Image")
    run_dir = tmp_path / "run"
    code, out, err = run(capsys, "train", "--iters", "600", "--seed", "0", "--out", str(run_dir))
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("training TwoLayerNet 784-50-10 (float32) on MNIST (60000 images): SGD(lr=0.1), "
                               "batch 100, 600 iterations (1 epoch)")
    assert [ln.split(" |")[0] for ln in lines[1:3]] == ["epoch 0/1", "epoch 1/1"]
    acc_line = next(ln for ln in lines if ln.startswith("test accuracy"))
    acc = float(acc_line.split()[2])
    assert 0.88 <= acc < 0.95  # the book's run prints about 0.90 after its first epoch
    assert sorted(os.listdir(run_dir)) == ["accuracy.png", "history.csv", "history.json", "loss.png", "model.npz"]

    code, out, err = run(capsys, "evaluate", str(run_dir / "model.npz"))
    assert code == 0, err
    assert out.splitlines()[1] == acc_line.split(";")[0]  # the same test accuracy
    totals = [int(row.split()[-2]) for row in out.split("predicted class)\n")[1].splitlines()[1:11]]
    assert totals == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]  # DATA.md's test label counts

    # pictures rendered from test digits the model gets right with confidence: predict returns their labels
    from chainrule.functions import softmax
    from chainrule.io import load

    net = load(run_dir / "model.npz")
    x, t = real_mnist_env.x_test, real_mnist_env.t_test
    p = softmax(net.predict(x[:200].reshape(200, -1).astype(np.float32) / 255))
    confident = [i for i in range(200) if p[i].argmax() == t[i] and p[i].max() > 0.95][:8]
    assert len(confident) == 8
    paths = []
    for i in confident:
        paths.append(str(tmp_path / f"test{i}_label{t[i]}.png"))
        _render_digit(pil, x[i], paths[-1])
    code, out, err = run(capsys, "predict", str(run_dir / "model.npz"), *paths)
    assert code == 0, err
    predicted = [int(ln.split(": ")[1].split()[0]) for ln in out.splitlines() if not ln.startswith(" ")]
    assert predicted == [int(t[i]) for i in confident]


@pytest.mark.mnist
def test_gradcheck_on_real_mnist(real_mnist_env, capsys):
    code, out, err = run(capsys, "gradcheck")
    assert code == 0, err + out
    lines = out.strip().splitlines()
    assert "TwoLayerNet 784-50-10 (float64), the first 3 MNIST training images (labels [5, 0, 4])" in lines[0]
    assert [ln.split()[0] for ln in lines[3:7]] == ["W1", "b1", "W2", "b2"]
    assert all(float(ln.split()[-4]) < 1e-7 for ln in lines[3:7])  # mean |a - n|: the book prints 1e-13..1e-10
    assert lines[-1].startswith("ok ")




@pytest.mark.mnist
def test_the_books_run_with_the_defaults(real_mnist_env, tmp_path, capsys):
    """`chainrule train` with its defaults reaches the book's accuracy (0.967 to 0.971)."""
    code, out, err = run(capsys, "train", "--out", str(tmp_path / "run"))
    assert code == 0, err
    acc_line = next(ln for ln in out.splitlines() if ln.startswith("test accuracy"))
    assert float(acc_line.split()[2]) >= 0.965
    assert "10000 iterations (16.67 epochs)" in out
    code, out, err = run(capsys, "evaluate", str(tmp_path / "run" / "model.npz"))
    assert out.splitlines()[1] == acc_line.split(";")[0]


@pytest.mark.slow
@pytest.mark.mnist
def test_multilayer_net_with_adam_reaches_98_percent(real_mnist_env, tmp_path, capsys):
    """The README's MultiLayerNet command: two hidden layers of 100, Adam, 30 epochs."""
    code, out, err = run(capsys, "train", "--hidden", "100", "100", "--optimizer", "adam", "--lr", "0.001",
                         "--lr-decay", "0.9", "--weight-decay", "0.001", "--epochs", "30", "--seed", "0",
                         "--quiet", "--no-plots", "--out", str(tmp_path / "run"))
    assert code == 0, err
    assert float(out.split()[2]) >= 0.98
