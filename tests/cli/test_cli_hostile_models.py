"""What the commands say about odd model files: a PyTorch file is named as one, nothing from a
file reaches the terminal raw (no ANSI escapes or control characters), and the export command's
untrained-model error gives the command's own way out."""

import importlib.util
import re

import pytest

from chainrule import TwoLayerNet
from chainrule.io import save
from tests.cli.helpers import one_line_error, run

#: Control characters other than the newline (C0, DEL, C1): none may reach the terminal from a file.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def test_evaluate_names_a_pytorch_file_as_one(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save(torch.nn.Sequential(torch.nn.Linear(784, 10)).state_dict(), path)
    for argv in (["evaluate", str(path)], ["predict", str(path), "x.png"], ["explore", str(path)]):
        code, out, err = run(capsys, *argv)
        line = one_line_error(err)
        assert code == 1 and out == ""
        assert line.startswith(f"chainrule: error: {path} is a PyTorch file (torch.save), not a chainrule model "
                               "(.npz): "), line
        assert "chainrule.export.load_torch" in line and "ZIP64" not in line


ESCAPES = "\x1b[2J\x1b[31mred\x07\x1b]0;title\x07\r\x08"


def test_metadata_values_never_reach_the_terminal_raw(tmp_path, capsys, fake_data):
    net = TwoLayerNet(784, 8, 10, rng=0)
    path = save(net, tmp_path / "m.npz", metadata={"kind": ESCAPES, "test_acc": 0.5})
    for argv in (["evaluate", str(path)], ["explore", str(path), "--images", "0", "--out", str(tmp_path / "p.html")],
                 ["predict", str(path), str(tmp_path / "none.png")]):
        code, out, err = run(capsys, *argv)
        assert not CONTROL.search(out + err), (argv, out, err)
    code, out, err = run(capsys, "evaluate", str(path))
    assert code == 1 and out == ""
    assert one_line_error(err) == (f"chainrule: error: {path} says its images are {ESCAPES!r}, a dataset chainrule "
                                   "does not know: choose one with --kind (mnist or fashion)")


def test_export_of_an_untrained_model_says_what_the_command_can_do(tmp_path, capsys):
    if not importlib.util.find_spec("torch"):
        pytest.skip("torch is not installed")
    path = save(TwoLayerNet(784, 8, 10, rng=0), tmp_path / "fresh.npz")
    code, _, err = run(capsys, "export", str(path), "--to", "torch", str(tmp_path / "m.pt"))
    line = one_line_error(err)
    assert code == 1 and "looks untrained" in line
    assert "check_trained" not in line and "--allow-untrained" in line
    code, out, err = run(capsys, "export", str(path), "--to", "torch", str(tmp_path / "m.pt"), "--allow-untrained")
    assert code == 0, err
    assert out.startswith(f"wrote {tmp_path / 'm.pt'}")
