"""``chainrule train`` on the stand-in for MNIST and on the real one: what it writes, its options, its
seed, its one-line errors (its run folders and signals: test_train_runs.py; --net simpleconv:
test_train_convnet.py)."""

import json
import os
import re
import signal

import numpy as np
import pytest

from chainrule import cli
from chainrule.io import load, read_metadata
from tests.cli.helpers import CURVES, HAVE_MATPLOTLIB, one_line_error, run


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


def test_batch_larger_than_the_data_is_one_line(tmp_path, capsys, fake_data):
    code, _, err = run(capsys, "train", "--batch-size", "5000", "--out", str(tmp_path / "r"))
    assert code == 1
    assert "mini_batch_size (5000) is larger than the training set (1000 samples)" in one_line_error(err)


def test_out_is_a_file(tmp_path, capsys, fake_data):
    (tmp_path / "f").write_text("x")
    code, _, err = run(capsys, "train", "--out", str(tmp_path / "f"))
    assert code == 1 and "exists and is not a folder" in one_line_error(err)


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
