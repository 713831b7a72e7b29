"""``chainrule evaluate``: a missing or damaged model file is one line."""

from tests.cli.helpers import one_line_error, run


def test_missing_and_corrupt_models(tmp_path, capsys):
    code, _, err = run(capsys, "evaluate", str(tmp_path / "nope.npz"))
    assert code == 1 and "model file not found" in one_line_error(err)
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 this is not really a zip")
    code, _, err = run(capsys, "evaluate", str(tmp_path / "bad.npz"))
    assert code == 1 and "not a chainrule model file" in one_line_error(err)
    code, _, err = run(capsys, "predict", str(tmp_path / "bad.npz"), "x.png")
    assert code == 1 and "not a chainrule model file" in one_line_error(err)
