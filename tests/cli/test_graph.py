"""``chainrule graph``: draws the book's figures through chainrule.graph."""

from tests.cli.helpers import one_line_error, run


def test_graph_command_is_wired(tmp_path, capsys):
    code, out, err = run(capsys, "graph", "apple", "--out", str(tmp_path / "apple.dot"))
    assert code == 0, err
    assert out == f"wrote {tmp_path / 'apple.dot'}\n"
    assert "digraph" in (tmp_path / "apple.dot").read_text()
    code, _, err = run(capsys, "graph", "apple", "--out", str(tmp_path / "apple.bmp"))
    assert code == 1 and one_line_error(err)
