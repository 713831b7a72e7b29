"""chainrule.graph.figures: the book's figures with the book's numbers, on the values and on the
drawn edges; their names, captions and files."""

import runpy
import sys

import numpy as np
import pytest

from chainrule import Sigmoid
from chainrule.graph import (
    FIGURE_TITLES,
    FIGURES,
    FIRST_FIGURE,
    apple_graph,
    apple_orange_graph,
    draw_figure,
    figure_payloads,
    sigmoid_graph,
    two_layer_net_graph,
)
from tests import ROOT
from tests.graph.helpers import needs_dot, parse_dot


def test_apple_graph_values_and_edges():
    g = apple_graph()
    assert g["price"].data == pytest.approx(220)
    assert g["apple"].grad == pytest.approx(2.2)
    assert g["apple_num"].grad == pytest.approx(110)
    assert g["tax"].grad == pytest.approx(200)
    edges = parse_dot(g.to_dot())
    assert edges["apple"] == [("×", "100", "2.2")]
    assert edges["apple_num"] == [("×", "2", "110")]
    assert edges["tax"] == [("×", "1.1", "200")]
    assert ("×", "200", "1.1") in edges["×"]  # apple price into the tax node
    assert ("price", "220", "1") in edges["×"]


def test_apple_orange_graph_values_and_edges():
    g = apple_orange_graph()
    assert g["price"].data == pytest.approx(715)
    expected = {"apple": 2.2, "apple_num": 110, "orange": 3.3, "orange_num": 165, "tax": 650}
    assert {k: g[k].grad for k in expected} == pytest.approx(expected)
    edges = parse_dot(g.to_dot())
    assert edges["apple"] == [("×", "100", "2.2")]
    assert edges["apple_num"] == [("×", "2", "110")]
    assert edges["orange"] == [("×", "150", "3.3")]
    assert edges["orange_num"] == [("×", "3", "165")]
    assert edges["tax"] == [("×", "1.1", "650")]
    assert sorted(edges["×"]) == [("+", "200", "1.1"), ("+", "450", "1.1"), ("price", "715", "1")]
    assert edges["+"] == [("×", "650", "1.1")]


@pytest.mark.parametrize("x", [1.0, -3.0, 0.0, np.array([-2.0, 0.5, 4.0]), np.linspace(-5, 5, 6).reshape(2, 3)])
def test_decomposed_sigmoid_gradient(x):
    g = sigmoid_graph(x)
    y = g["y"].data
    layer = Sigmoid()
    np.testing.assert_allclose(y, layer.forward(x), rtol=1e-15)
    np.testing.assert_allclose(g["x"].grad, y * (1 - y), rtol=1e-12)
    np.testing.assert_allclose(g["x"].grad, layer.backward(np.ones(np.shape(x))), rtol=1e-12)
    assert [node.label for node in g.nodes] == ["×-1", "exp", "+1", "/"]


def test_unknown_figure_or_format(tmp_path):
    with pytest.raises(ValueError, match="unknown figure 'banana'; choose one of: apple, apple-orange"):
        draw_figure("banana", str(tmp_path / "x.svg"))
    with pytest.raises(ValueError, match=r"format must be one of \.dot, \.svg, \.png \(got \.jpg\)"):
        draw_figure("apple", str(tmp_path / "x.jpg"))
    with pytest.raises(ValueError, match="got no suffix"):
        apple_graph().render(tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_draw_figure_writes_dot(figure, tmp_path, capsys):
    out = tmp_path / f"{figure}.dot"
    assert draw_figure(figure, str(out)) == out
    assert capsys.readouterr().out == ""  # the command prints; the library does not
    assert out.read_text(encoding="utf-8").startswith("digraph chainrule {")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


@needs_dot
def test_draw_figure_png(tmp_path):
    assert draw_figure("two-layer-net", str(tmp_path / "net.png")) == tmp_path / "net.png"
    assert (tmp_path / "net.png").read_bytes()[:4] == b"\x89PNG"


def test_the_readme_figure_is_current():
    assert (ROOT / "docs" / "apple_orange.dot").read_text(encoding="utf-8") == apple_orange_graph().to_dot()
    svg = (ROOT / "docs" / "apple_orange.svg").read_text(encoding="utf-8")
    assert all(f">{n}<" in svg for n in ["100", "2.2", "110", "150", "3.3", "165", "650", "715"])


def test_two_layer_net_figure_is_seeded():
    assert two_layer_net_graph(3).to_dot() == two_layer_net_graph(3).to_dot()


def test_example_script(capsys, monkeypatch, tmp_path):
    out = tmp_path / "fig.dot"
    monkeypatch.setattr(sys, "argv", ["graph_apple_orange.py", str(out)])
    runpy.run_path(str(ROOT / "examples" / "graph_apple_orange.py"), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert lines[:6] == ["price: 715", "dApple: 2.2", "dApple_num: 110", "dOrange: 3.3", "dOrange_num: 165",
                         "dTax: 650"]
    assert out.exists()


def test_the_figures_names_captions_and_first_figure_come_from_one_table():
    from chainrule.explore import graph_payload

    assert list(FIGURES) == ["apple", "apple-orange", "sigmoid", "two-layer-net", "batch-norm"]
    assert list(FIGURE_TITLES) == list(FIGURES) and FIRST_FIGURE == "apple-orange"
    assert FIGURE_TITLES["apple-orange"] == "Buying apples and oranges (figure 5-17)"
    payloads = figure_payloads("en")
    assert [(p["name"], p["title"]) for p in payloads] == list(FIGURE_TITLES.items())
    assert [p["chapter"] for p in payloads] == [5, 5, 5, 5, 6] and "layout" in payloads[4]
    japanese = [p["title"] for p in figure_payloads("ja")]
    assert japanese[:2] == ["リンゴの買い物（図5-16）", "リンゴとみかんの買い物（図5-17）"]
    assert payloads[1] == graph_payload(apple_orange_graph(), "apple-orange", FIGURE_TITLES["apple-orange"])
