"""Every command that writes follows the one output rule, checked before any work: an output
that is one of the inputs is refused; an existing file is replaced only with --force; a
symlink, a named pipe, a device or a folder is never replaced; errors name no temporary file."""

import importlib.util
import os
import stat

import numpy as np
import pytest

from chainrule import TwoLayerNet
from chainrule.io import save
from tests.cli.helpers import one_line_error, run

HAVE_ONNX = all(importlib.util.find_spec(m) for m in ("onnx", "onnxruntime"))
HAVE_TORCH = importlib.util.find_spec("torch") is not None


@pytest.fixture
def model(tmp_path):
    net = TwoLayerNet(784, 8, 10, rng=0)
    net.params["b1"] += 0.1  # trained enough for the exits' check
    return save(net, tmp_path / "m.npz", metadata={"kind": "mnist"})


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _writers(model, out):
    """Each command that writes ``out``, as argv (the exports where their engine is installed)."""
    commands = {"explore figure": ["explore", "apple", "--out", str(out)],
                "explore model": ["explore", str(model), "--images", "0", "--out", str(out)],
                "graph": ["graph", "apple", "--out", str(out)]}
    if HAVE_ONNX:
        commands["export onnx"] = ["export", str(model), "--to", "onnx", str(out)]
    if HAVE_TORCH:
        commands["export torch"] = ["export", str(model), "--to", "torch", str(out)]
    return commands


@pytest.mark.parametrize("command", ["explore model", "export onnx", "export torch"])
def test_an_output_that_is_the_input_model_is_refused(tmp_path, capsys, model, command):
    argv = _writers(model, model).get(command)
    if argv is None:
        pytest.skip("the export engine is not installed")
    before = model.read_bytes()
    code, out, err = run(capsys, *argv, "--force")
    assert code == 1 and out == ""
    line = one_line_error(err)
    assert f"{model} is an input" in line, line
    assert model.read_bytes() == before and _leftovers(tmp_path) == []


def test_export_torch_refuses_a_json_beside_that_is_the_input(tmp_path, capsys):
    if not HAVE_TORCH:
        pytest.skip("torch is not installed")
    net = TwoLayerNet(784, 8, 10, rng=0)
    net.params["b1"] += 0.1
    model = save(net, tmp_path / "m.json")  # a model file named .json, the name the .pt's architecture takes
    before = model.read_bytes()
    code, _, err = run(capsys, "export", str(model), "--to", "torch", str(tmp_path / "m.pt"), "--force")
    assert code == 1 and f"{model} is an input" in one_line_error(err)
    assert model.read_bytes() == before and not (tmp_path / "m.pt").exists()


@pytest.mark.parametrize("command", ["explore figure", "explore model", "graph", "export onnx", "export torch"])
def test_an_existing_file_is_replaced_only_with_force(tmp_path, capsys, model, command):
    out = tmp_path / ("out.pt" if command == "export torch" else "out.dot" if command == "graph" else "out.x")
    argv = _writers(model, out).get(command)
    if argv is None:
        pytest.skip("the export engine is not installed")
    out.write_text("mine")
    code, printed, err = run(capsys, *argv)
    assert code == 1 and printed == ""
    assert one_line_error(err) == f"chainrule: error: {out} already exists (pass --force to replace it)"
    assert out.read_text() == "mine"
    code, printed, err = run(capsys, *argv, "--force")
    assert code == 0, err
    assert out.read_bytes() != b"mine" and _leftovers(tmp_path) == []


def test_export_torch_refuses_an_existing_json_beside_the_weights(tmp_path, capsys, model):
    if not HAVE_TORCH:
        pytest.skip("torch is not installed")
    (tmp_path / "out.json").write_text("my notes")
    code, _, err = run(capsys, "export", str(model), "--to", "torch", str(tmp_path / "out.pt"))
    assert one_line_error(err) == f"chainrule: error: {tmp_path / 'out.json'} already exists (pass --force to " \
                                  "replace it)"
    assert code == 1 and not (tmp_path / "out.pt").exists() and (tmp_path / "out.json").read_text() == "my notes"


@pytest.mark.parametrize("command", ["explore figure", "explore model", "graph", "export onnx", "export torch"])
@pytest.mark.parametrize("what", ["symlink", "fifo", "device", "folder"])
def test_only_a_regular_file_is_ever_replaced(tmp_path, capsys, model, command, what):
    out = tmp_path / ("out.pt" if command == "export torch" else "out.dot" if command == "graph" else "out.x")
    argv = _writers(model, out).get(command)
    if argv is None:
        pytest.skip("the export engine is not installed")
    target = tmp_path / "target.txt"
    target.write_text("kept")
    if what == "symlink":
        out.symlink_to(target)
    elif what == "fifo":
        os.mkfifo(out)
    elif what == "folder":
        out.mkdir()
    else:
        try:  # a device node like /dev/null, in tmp_path (as root; the test needs it)
            os.mknod(out, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root")
    mode = os.lstat(out).st_mode
    code, printed, err = run(capsys, *argv, "--force")
    assert code == 1 and printed == ""
    line = one_line_error(err)
    kind = {"symlink": "a symbolic link", "fifo": "a named pipe (FIFO)", "device": "a device",
            "folder": "a folder"}[what]
    assert line.startswith(f"chainrule: error: {out} is {kind}: "), line
    assert os.lstat(out).st_mode == mode and target.read_text() == "kept"
    assert ".chainrule.tmp" not in line and _leftovers(tmp_path) == []


def test_evaluate_plot_follows_the_rule_before_loading_data(tmp_path, capsys, model, fake_data):
    code, _, err = run(capsys, "evaluate", str(model), "--plot", str(model))
    assert code == 1 and f"{model} is an input" in one_line_error(err)
    (tmp_path / "cm.png").write_text("mine")
    code, _, err = run(capsys, "evaluate", str(model), "--plot", str(tmp_path / "cm.png"))
    assert code == 1 and "already exists (pass --force to replace it)" in one_line_error(err)
    assert fake_data == []  # refused before the test set was loaded


def test_train_refuses_a_symlinked_out_folder_before_training(tmp_path, capsys, fake_data):
    empty = tmp_path / "empty"
    empty.mkdir()
    link = tmp_path / "LINK"
    link.symlink_to(empty, target_is_directory=True)
    code, out, err = run(capsys, "train", "--iters", "5", "--quiet", "--no-plots", "--out", str(link))
    assert code == 1 and out == ""
    assert one_line_error(err).startswith(f"chainrule: error: {link} is a symbolic link: ")
    assert fake_data == []  # before loading the data, let alone training
    assert link.is_symlink() and list(empty.iterdir()) == [] and _leftovers(tmp_path) == []


def test_train_refuses_a_named_pipe_as_out_folder(tmp_path, capsys, fake_data):
    os.mkfifo(tmp_path / "pipe")
    code, _, err = run(capsys, "train", "--iters", "5", "--quiet", "--out", str(tmp_path / "pipe"))
    assert code == 1 and "is a named pipe (FIFO)" in one_line_error(err) and fake_data == []


def test_errors_never_name_temporary_files(tmp_path, capsys, model):
    (tmp_path / "dir.onnx").mkdir()
    argvs = [["explore", "apple", "--out", str(tmp_path / "dir.onnx")]]
    if HAVE_ONNX:
        argvs.append(["export", str(model), "--to", "onnx", str(tmp_path / "dir.onnx")])
    for argv in argvs:
        code, _, err = run(capsys, *argv)
        assert code == 1 and ".chainrule.tmp" not in err and "is a folder" in one_line_error(err)
    with pytest.raises(OSError) as info:
        save(TwoLayerNet(3, 2, 2, rng=0), tmp_path / "dir.onnx")
    assert ".chainrule.tmp" not in str(info.value)
    assert np.load(model)["W1"].shape == (784, 8)
