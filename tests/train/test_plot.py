"""Figures: the book's accuracy plot, the loss curve, the confusion matrix; saved atomically, no display."""

import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from chainrule.plot import accuracy_curves, confusion_matrix_figure, loss_curve  # noqa: E402

from chainrule.train import History  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def history():
    rng = np.random.default_rng(0)
    return History(loss=list(2.3 * np.exp(-np.arange(300) / 60) + 0.1 * rng.random(300)),
                   iteration=[0, 100, 200, 300], epoch=[0, 1, 2, 3],
                   train_acc=[0.1, 0.9, 0.94, 0.96], test_acc=[0.11, 0.89, 0.93, 0.95],
                   seconds=[0.1, 1, 2, 3], iter_per_epoch=100, batch_size=100, iterations=300)


def test_accuracy_curves_as_the_book_draws_them(history, tmp_path):
    fig = accuracy_curves(history, tmp_path / "acc.png")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "epochs" and ax.get_ylabel() == "accuracy"
    assert ax.get_ylim() == (0.0, 1.0)
    train, test = ax.get_lines()
    assert train.get_label() == "train acc" and train.get_linestyle() == "-"
    assert test.get_label() == "test acc" and test.get_linestyle() == "--"
    np.testing.assert_array_equal(train.get_xdata(), [0, 1, 2, 3])
    np.testing.assert_array_equal(test.get_ydata(), history.test_acc)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["train acc", "test acc"]
    assert legend._loc == 4  # "lower right"
    assert (tmp_path / "acc.png").read_bytes()[:8] == PNG
    assert os.listdir(tmp_path) == ["acc.png"]  # no temporary file left behind


def test_accuracy_curves_from_json_dict_and_other_formats(history, tmp_path):
    d = history.to_dict()
    accuracy_curves(d, tmp_path / "acc.svg", title="run")
    accuracy_curves(d, tmp_path / "acc.pdf")
    assert (tmp_path / "acc.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "acc.pdf").read_bytes()[:4] == b"%PDF"
    fig = accuracy_curves({"train_acc": [0.2, 0.5]})  # no test set, no epochs: 0, 1, ...
    (line,) = fig.axes[0].get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0, 1])
    with pytest.raises(ValueError, match="no accuracies to plot"):
        accuracy_curves({"train_acc": []})


def test_loss_curve(history, tmp_path):
    fig = loss_curve(history, tmp_path / "loss.png")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "iteration" and ax.get_ylabel() == "loss"
    raw, avg = ax.get_lines()
    np.testing.assert_array_equal(raw.get_xdata(), np.arange(1, 301))
    np.testing.assert_array_equal(raw.get_ydata(), history.loss)
    # smoothing window: one epoch (100 iterations) capped at a tenth of the run (30)
    assert avg.get_label() == "moving average (30)"
    assert avg.get_ydata()[0] == pytest.approx(np.mean(history.loss[:30]))
    assert len(avg.get_ydata()) == 300 - 30 + 1
    assert (tmp_path / "loss.png").read_bytes()[:8] == PNG
    (only,) = loss_curve(history, smooth=1).axes[0].get_lines()
    assert only.get_label() == "loss"
    with pytest.raises(ValueError, match="no losses to plot"):
        loss_curve({"loss": []})


def test_confusion_matrix_figure(tmp_path):
    cm = np.array([[5, 1, 0], [0, 7, 2], [1, 0, 9]])
    fig = confusion_matrix_figure(cm, tmp_path / "cm.png", labels=["cat", "dog", "eel"], title="test")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    assert [t.get_text() for t in ax.texts] == ["5", "1", "0", "0", "7", "2", "1", "0", "9"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "eel"]
    assert (tmp_path / "cm.png").read_bytes()[:8] == PNG
    with pytest.raises(ValueError, match=r"must be square \(C, C\); got shape \(2, 3\)"):
        confusion_matrix_figure(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="2 labels for a 3x3 confusion matrix"):
        confusion_matrix_figure(cm, labels=["a", "b"])


def test_saving_into_a_missing_folder_is_a_clear_error(history, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        accuracy_curves(history, tmp_path / "nope" / "acc.png")


def test_without_matplotlib_the_error_says_what_to_install(history, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "chainrule\[plot\]"'):
        accuracy_curves(history)


def test_no_pyplot_no_display_needed(tmp_path):
    code = (
        "import sys\n"
        "from chainrule.plot import accuracy_curves\n"
        "import chainrule, chainrule.train, chainrule.cli\n"
        "assert 'matplotlib' not in sys.modules  # not imported until a figure is drawn\n"
        "assert 'tqdm' not in sys.modules and 'PIL' not in sys.modules\n"
        f"accuracy_curves({{'train_acc': [0.1, 0.9], 'test_acc': [0.1, 0.8]}}, {str(tmp_path / 'a.png')!r})\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"
    assert (tmp_path / "a.png").read_bytes()[:8] == PNG
