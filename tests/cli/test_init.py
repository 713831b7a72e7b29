"""``chainrule`` as a whole: help for every command, the version, bad options as one line (exit 2), CHAINRULE_DEBUG."""

import re

import pytest

from chainrule import cli
from tests.cli.helpers import one_line_error


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
