"""chainrule.graph.draw: the book's drawing as DOT text (forward value above each edge, derivative
below), SVG and PNG through Graphviz, and what happens without it."""

import re
import shutil
import sys

import numpy as np
import pytest

from chainrule.graph import (
    GRAD_COLOR,
    Graph,
    apple_graph,
    apple_orange_graph,
)
from chainrule.graph.draw import compact, format_of, to_dot
from tests.graph.helpers import needs_dot, parse_dot


def test_edges_before_backward_carry_only_forward_values():
    g = Graph()
    a = g.input(3, name="a")
    y = a * 4
    y.name = "y"
    assert parse_dot(g.to_dot()) == {"a": [("×4", "3", None)], "×4": [("y", "12", None)]}


def test_written_files_follow_the_umask(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        out = apple_graph().render(tmp_path / "f.dot")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


@needs_dot
def test_render_svg_and_png(tmp_path):
    g = apple_orange_graph()
    svg = g.render(tmp_path / "f.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and ">2.2<" in svg and ">715<" in svg
    assert (tmp_path / "f.png").exists() is False
    png = g.render(tmp_path / "f.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert g._repr_svg_().lstrip().startswith("<?xml")


def test_without_the_dot_program_the_dot_file_is_still_written(tmp_path, monkeypatch):
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    g = apple_graph()
    with pytest.raises(RuntimeError, match=r"'dot' program is not on PATH.*Wrote the DOT text to .*f\.dot"):
        g.render(tmp_path / "f.svg")
    assert (tmp_path / "f.dot").read_text(encoding="utf-8") == g.to_dot()
    assert not (tmp_path / "f.svg").exists()
    assert g._repr_svg_() is None


def test_without_the_graphviz_package(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    with pytest.raises(RuntimeError, match=r"pip install 'chainrule\[graph\]'"):
        apple_graph().render(tmp_path / "f.png")
    assert (tmp_path / "f.dot").exists()


def test_graphviz_is_not_imported_at_module_load():
    import subprocess

    code = "import sys, chainrule.graph; print('graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_render_with_a_hung_dot_program_times_out(tmp_path, monkeypatch):
    pytest.importorskip("graphviz")
    import chainrule.graph.recorder as cgraph

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 5\n")  # a dot that hangs for 5 s
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(cgraph, "RENDER_TIMEOUT", 0.5)
    with pytest.raises(RuntimeError, match=r"Graphviz's dot did not finish within 0.5 s"):
        apple_graph().render(tmp_path / "apple.svg")
    assert (tmp_path / "apple.dot").read_text().startswith("digraph chainrule {")
    assert not (tmp_path / "apple.svg").exists()


def test_numbers_are_written_as_the_book_prints_them():
    assert [compact(v) for v in (220, 2.2000000000000002, 715.0000000000001, 1 / 3, np.float64(1.1), np.int64(2),
                                 np.array(5.0), -0.5)] == ["220", "2.2", "715", "0.333333", "1.1", "2", "5", "-0.5"]
    assert compact(np.ones((2, 3))) == "(2, 3)" and compact(np.zeros(4)) == "(4,)"  # arrays: their shape


def test_format_of_reads_the_suffix_in_any_case():
    assert [format_of(p) for p in ("a.dot", "b.SVG", "c.Png")] == ["dot", "svg", "png"]
    with pytest.raises(ValueError) as info:
        format_of("dir/fig.jpeg")
    assert str(info.value) == ("cannot write 'fig.jpeg': the output format must be one of .dot, .svg, .png "
                               "(got .jpeg)")


def test_dot_text_quotes_names_and_colours_the_derivatives():
    g = Graph()
    a = g.input(2.0, name='say "hi"\\')
    y = a * 3
    y.name = "y"
    dot = g.to_dot()
    assert 'label="say \\"hi\\"\\\\"' in dot  # quotes and backslashes escaped inside DOT strings
    assert GRAD_COLOR not in dot  # before backward: forward values only
    y.backward()
    edges = dot_edges(g.to_dot())
    assert edges == [("v0", "n0", "2", "3"), ("n0", "o1", "6", "1")]
    assert g.to_dot().count(f'<font color="{GRAD_COLOR}">') == 2
    assert to_dot(g) == g.to_dot()


def dot_edges(dot):
    """``[(tail, head, forward text, derivative text)]`` of the edges of DOT text, in order."""
    found = re.findall(r'^\s*(\w+) -> (\w+) \[label=<([^<]*)<br/><font color="[^"]+">([^<]*)</font>>\];$',
                       dot, flags=re.M)
    return [tuple(edge) for edge in found]

