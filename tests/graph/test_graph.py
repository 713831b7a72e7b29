"""chainrule.graph: the book's figures with the book's numbers (on the values and on the drawn
edges), gradients against numerical ones (hypothesis), a traced TwoLayerNet against its own
gradient(), rendering, and clear errors on misuse."""

import importlib.util
import re
import runpy
import shutil
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import MulLayer, MultiLayerNet, Sigmoid, TwoLayerNet, numerical_gradient
from chainrule.graph import (
    FIGURES,
    Graph,
    apple_graph,
    apple_orange_graph,
    draw_figure,
    sigmoid_graph,
    two_layer_net_graph,
)
from tests import ROOT

needs_dot = pytest.mark.skipif(shutil.which("dot") is None or importlib.util.find_spec("graphviz") is None,
                               reason="Graphviz's dot program or the graphviz package (the [graph] extra) is missing")


def parse_dot(dot):
    """``{tail name: [(head name, forward text, backward text or None)]}`` from to_dot() text.

    A node's name is its label (the input's name, the operation, or the output's name).
    """
    names = dict(re.findall(r'^\s*(\w+) \[shape=[^\]]*label="([^"]*)"\];$', dot, flags=re.M))
    edges = {}
    for tail, head, label in re.findall(r"^\s*(\w+) -> (\w+) \[label=<(.*)>\];$", dot, flags=re.M):
        m = re.fullmatch(r'(.*?)(?:<br/><font color="[^"]+">(.*)</font>)?', label)
        edges.setdefault(names[tail], []).append((names[head], m.group(1), m.group(2)))
    return edges


# -- the book's numbers ---------------------------------------------------------------------
def test_the_issue_example_reads_like_the_book():
    g = Graph()
    apple, apple_num = g.input(100, name="apple"), g.input(2, name="apple_num")
    orange, orange_num = g.input(150, name="orange"), g.input(3, name="orange_num")
    tax = g.input(1.1, name="tax")
    price = (apple * apple_num + orange * orange_num) * tax
    price.backward()
    assert price.data == pytest.approx(715)  # 715.0000000000001 in floating point, as in the book
    assert apple.grad == 2.2
    assert "digraph" in g.to_dot()


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


def test_edges_before_backward_carry_only_forward_values():
    g = Graph()
    a = g.input(3, name="a")
    y = a * 4
    y.name = "y"
    assert parse_dot(g.to_dot()) == {"a": [("×4", "3", None)], "×4": [("y", "12", None)]}


# -- sigmoid, taken apart ----------------------------------------------------------------------
@pytest.mark.parametrize("x", [1.0, -3.0, 0.0, np.array([-2.0, 0.5, 4.0]), np.linspace(-5, 5, 6).reshape(2, 3)])
def test_decomposed_sigmoid_gradient(x):
    g = sigmoid_graph(x)
    y = g["y"].data
    layer = Sigmoid()
    np.testing.assert_allclose(y, layer.forward(x), rtol=1e-15)
    np.testing.assert_allclose(g["x"].grad, y * (1 - y), rtol=1e-12)
    np.testing.assert_allclose(g["x"].grad, layer.backward(np.ones(np.shape(x))), rtol=1e-12)
    assert [node.label for node in g.nodes] == ["×-1", "exp", "+1", "/"]


def test_value_sigmoid_is_one_node_equal_to_the_decomposed_graph():
    g = Graph()
    x = g.input(np.array([-1.0, 2.0]))
    x.sigmoid().backward(np.ones(2))
    np.testing.assert_allclose(x.grad, sigmoid_graph(np.array([-1.0, 2.0]))["x"].grad, rtol=1e-12)
    assert [node.label for node in g.nodes] == ["sigmoid"]


# -- backward: fan-out, repetition, depth ---------------------------------------------------------
def test_value_used_twice_sums_its_gradients():
    g = Graph()
    a = g.input(3.0, name="a")
    b = a + a
    b.backward()
    assert a.grad == 2
    assert g.nodes[0].grads == [1, 1]  # one derivative along each edge
    sq = Graph()
    x = sq.input(3.0)
    (x * x).backward()
    assert x.grad == 6


def test_backward_twice_does_not_double_unless_accumulating():
    g = apple_graph()
    price, apple = g["price"], g["apple"]
    price.backward()
    assert apple.grad == pytest.approx(2.2)
    price.backward(accumulate=True)
    assert apple.grad == pytest.approx(4.4)
    assert g.nodes[0].grads[0] == pytest.approx(4.4)
    price.backward()
    assert apple.grad == pytest.approx(2.2)


def test_backward_from_an_intermediate_value_resets_the_rest():
    g = Graph()
    a, b = g.input(2.0), g.input(5.0)
    c = a * b
    d = c + 1
    d.backward()
    assert (a.grad, b.grad, c.grad) == (5, 2, 1)
    c2 = a * 3
    c2.backward()
    assert (a.grad, b.grad, c.grad, d.grad) == (3, None, None, None)


def test_deep_chain_has_no_recursion_limit():
    g = Graph()
    x = g.input(1.0, name="x")
    v = x
    for _ in range(10_000):
        v = v * 1.0001 + 0.5
    v.backward()
    assert len(g.nodes) == 20_000
    assert x.grad == pytest.approx(1.0001**10_000)


def test_constants_on_either_side_and_arrays_of_constants():
    g = Graph()
    a = g.input(np.array([1.0, 2.0, 4.0]), name="a")
    y = (2 - a) * np.array([1.0, -1.0, 2.0]) + 3 / a - a / 4 + (-a)
    y.backward(np.ones(3))
    expected = -np.array([1.0, -1.0, 2.0]) - 3 / a.data**2 - 0.25 - 1
    np.testing.assert_allclose(a.grad, expected, rtol=1e-14)
    np.testing.assert_allclose(y.data, (2 - a.data) * [1, -1, 2] + 3 / a.data - a.data / 4 - a.data)
    # NumPy operands on the left defer to the Value (no object array of Values)
    b = Graph().input(np.array([1.0, 2.0]))
    z = np.array([3.0, 4.0]) * b + np.float64(2) * b
    z.backward(np.ones(2))
    np.testing.assert_array_equal(b.grad, [5.0, 6.0])


def test_broadcasting_sums_gradients_back_to_each_shape():
    g = Graph()
    s = g.input(np.array(2.0), name="s")
    row = g.input(np.array([1.0, 2.0, 3.0]), name="row")
    m = g.input(np.ones((2, 3)), name="m")
    (s * row + m).backward(np.ones((2, 3)))
    assert s.grad.shape == () and s.grad == 12
    np.testing.assert_array_equal(row.grad, [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(m.grad, np.ones((2, 3)))


def test_apply_records_any_layer_and_unused_inputs_get_no_gradient():
    g = Graph()
    a, b, unused = g.input(4.0), g.input(5.0), g.input(7.0)
    y = g.apply(MulLayer(), a, b, label="mul")
    y.backward()
    assert (a.grad, b.grad, unused.grad) == (5, 4, None)
    assert g.nodes[0].label == "mul"
    assert "Value(" in repr(a) and repr(g) == "Graph(4 values, 1 nodes)"


# -- random graphs against numerical gradients ---------------------------------------------------------
OPS = {
    "add": lambda a, b, c: a + b,
    "sub": lambda a, b, c: a - b,
    "mul": lambda a, b, c: a * b,
    "div": lambda a, b, c: a / (b * b + 1),
    "bump": lambda a, b, c: (-(a * a)).exp(),
    "sigmoid": lambda a, b, c: a.sigmoid(),
    "scale": lambda a, b, c: a * c,
    "shift": lambda a, b, c: c - a,
    "rdiv": lambda a, b, c: c / (a * a + 1),
}
SHAPES = [(), (3,), (2, 3)]


@st.composite
def recipes(draw):
    shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3))
    steps = []
    for k in range(draw(st.integers(1, 6))):
        pool = len(shapes) + k
        steps.append((draw(st.sampled_from(sorted(OPS))), draw(st.integers(0, pool - 1)),
                      draw(st.integers(0, pool - 1)), draw(st.floats(-2, 2))))
    size = sum(int(np.prod(s)) for s in shapes)
    flat = draw(st.lists(st.floats(-1.5, 1.5), min_size=size, max_size=size))
    return shapes, steps, np.array(flat, dtype=np.float64)


def build(shapes, steps, flat):
    g = Graph()
    inputs, start = [], 0
    for shape in shapes:
        n = int(np.prod(shape))
        inputs.append(g.input(flat[start:start + n].reshape(shape)))
        start += n
    pool = list(inputs)
    for op, i, j, c in steps:
        pool.append(OPS[op](pool[i], pool[j], c))
    return inputs, pool[-1]


@settings(max_examples=80, deadline=None)
@given(recipes())
def test_random_graphs_match_numerical_gradients(recipe):
    shapes, steps, flat = recipe
    inputs, out = build(shapes, steps, flat)
    dout = np.random.default_rng(0).uniform(0.5, 1.5, out.shape)
    out.backward(dout)
    analytic = np.concatenate([np.ravel(np.zeros(v.shape) if v.grad is None else v.grad) for v in inputs])
    numeric = numerical_gradient(lambda f: np.sum(build(shapes, steps, f)[1].data * dout), flat.copy())
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6)


# -- tracing a network ----------------------------------------------------------------------------
def small_batch(n=5, d=6, c=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((n, d)), rng.integers(0, c, size=n)


def test_traced_two_layer_net_matches_its_gradient():
    x, t = small_batch()
    net = TwoLayerNet(6, 4, 3, weight_init_std=0.5, rng=0)
    g = Graph()
    loss = g.trace_loss(net, x, t)
    assert loss.data == pytest.approx(net.loss(x, t), rel=1e-15)
    loss.backward()
    traced = {k: g[k].grad for k in net.params}
    expected = net.gradient(x, t)
    for k in net.params:
        np.testing.assert_array_equal(traced[k], expected[k])
        assert g[k].data is net.params[k]


def test_traced_graph_structure_and_shapes():
    x, t = small_batch()
    net = TwoLayerNet(6, 4, 3, rng=0)
    g = Graph()
    g.trace_loss(net, x, t).backward()
    assert [n.label for n in g.nodes] == ["Affine1", "Relu1", "Affine2", "SoftmaxWithLoss"]
    edges = parse_dot(g.to_dot())
    assert edges["x"] == [("Affine1", "(5, 6)", "(5, 6)")]
    assert edges["W1"] == [("Affine1", "(6, 4)", "(6, 4)")]
    assert edges["b2"] == [("Affine2", "(3,)", "(3,)")]
    assert edges["Affine1"] == [("Relu1", "(5, 4)", "(5, 4)")]
    assert edges["Affine2"] == [("SoftmaxWithLoss", "(5, 3)", "(5, 3)")]
    assert edges["t"] == [("SoftmaxWithLoss", "(5,)", None)]  # labels get no gradient
    assert edges["SoftmaxWithLoss"][0][0] == "L"
    # the layers are themselves again after tracing
    assert all("forward" not in vars(layer) for layer in [*net.layers.values(), net.lastLayer])


def test_trace_context_manager_and_multilayer_sigmoid_net():
    x, t = small_batch()
    net = MultiLayerNet(6, [5, 4], 3, activation="sigmoid", rng=2)
    g = Graph()
    x_value = g.input(x, name="x")
    with g.trace(net):
        net.loss(x, t)
    g.nodes[-1].output.backward()
    assert g["x"] is x_value and x_value.grad.shape == (5, 6)
    expected = net.gradient(x, t)
    for k in net.params:
        np.testing.assert_allclose(g[k].grad, expected[k], rtol=1e-14, atol=1e-17)


def test_trace_single_layers_and_nested_tracing():
    from chainrule import Affine, Relu

    rng = np.random.default_rng(0)
    affine, relu = Affine(rng.standard_normal((3, 2)), np.zeros(2)), Relu()
    g = Graph()
    with g.trace(affine, relu):
        relu.forward(affine.forward(rng.standard_normal((4, 3))))
        with pytest.raises(RuntimeError, match="Affine is already being traced"):
            with Graph().trace(affine):
                pass
    assert [n.label for n in g.nodes] == ["Affine", "ReLU"]
    assert [v.name for v in g.values if v.node is None] == ["x1", "W1", "b1"]
    g.nodes[-1].output.backward(np.ones((4, 2)))
    assert g["W1"].grad is affine.dW


def test_trace_loss_refuses_weight_decay_it_cannot_see():
    x, t = small_batch()
    with pytest.raises(ValueError, match="weight decay"):
        Graph().trace_loss(MultiLayerNet(6, [4], 3, weight_decay_lambda=0.1, rng=0), x, t)


# -- misuse -------------------------------------------------------------------------------------------
def test_backward_from_an_array_needs_dout():
    g = Graph()
    y = g.input(np.ones(3), name="a") * 2
    with pytest.raises(ValueError, match=r"shape \(3,\) needs an upstream gradient"):
        y.backward()
    with pytest.raises(ValueError, match=r"dout has shape \(2,\) but the output has shape \(3,\)"):
        y.backward(np.ones(2))


def test_values_of_two_graphs_do_not_mix():
    a = Graph().input(1.0, name="a")
    g = Graph()
    b = g.input(2.0, name="b")
    with pytest.raises(ValueError, match="another Graph"):
        a + b
    with pytest.raises(ValueError, match="another Graph"):
        g.apply(MulLayer(), a, b)
    with pytest.raises(ValueError, match="another Graph"):
        g.backward(a)
    with pytest.raises(TypeError, match="already a value"):
        g.input(a)


def test_a_layer_is_one_node_only():
    g = Graph()
    layer = MulLayer()
    g.apply(layer, 1.0, 2.0)
    with pytest.raises(RuntimeError, match="already a node"):
        g.apply(layer, 3.0, 4.0)


def test_other_misuse():
    g = Graph()
    with pytest.raises(KeyError, match="no value named 'W9'"):
        g["W9"]
    with pytest.raises(TypeError, match="networks or layers"):
        with g.trace(42):
            pass
    with pytest.raises(TypeError, match="needs a Value"):
        g.backward(3.0)


def test_unknown_figure_or_format(tmp_path):
    with pytest.raises(ValueError, match="unknown figure 'banana'; choose one of: apple, apple-orange"):
        draw_figure("banana", str(tmp_path / "x.svg"))
    with pytest.raises(ValueError, match=r"format must be one of \.dot, \.svg, \.png \(got \.jpg\)"):
        draw_figure("apple", str(tmp_path / "x.jpg"))
    with pytest.raises(ValueError, match="got no suffix"):
        apple_graph().render(tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


# -- drawing to files ------------------------------------------------------------------------------------
@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_draw_figure_writes_dot(figure, tmp_path, capsys):
    out = tmp_path / f"{figure}.dot"
    assert draw_figure(figure, str(out)) == out
    assert capsys.readouterr().out == ""  # the command prints; the library does not
    assert out.read_text(encoding="utf-8").startswith("digraph chainrule {")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


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


@needs_dot
def test_draw_figure_png(tmp_path):
    assert draw_figure("two-layer-net", str(tmp_path / "net.png")) == tmp_path / "net.png"
    assert (tmp_path / "net.png").read_bytes()[:4] == b"\x89PNG"


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


class _CountingList(list):
    """A list that counts how often it is iterated over from the start."""

    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def test_unnamed_inputs_are_named_without_walking_all_values():
    g = Graph()
    g.values = _CountingList()
    _CountingList.walks = 0
    xs = [g.input(float(i)) for i in range(3000)]
    assert [x.name for x in xs[:3]] == ["x1", "x2", "x3"] and xs[-1].name == "x3000"
    assert _CountingList.walks == 0  # each name costs O(1), not a pass over every value
    y = xs[0] * xs[1]  # recording a node: no walk over the values either
    assert _CountingList.walks == 0 and y.data == 0.0


def test_parameter_names_are_counted_without_walking_all_nodes():
    from chainrule.layers import Affine

    g = Graph()
    g.nodes = _CountingList()
    _CountingList.walks = 0
    x = g.input(np.ones((1, 2)), name="x")
    for _ in range(50):
        x = g.apply(Affine(np.eye(2), np.zeros(2)), x)
    assert _CountingList.walks == 0
    assert g["W50"].data.shape == (2, 2) and g["b1"].data.shape == (2,)
    assert g.input(3.0).name == "x102"  # x, then 50 W and 50 b values, then this one


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
