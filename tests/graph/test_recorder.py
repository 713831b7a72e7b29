"""chainrule.graph: the book's figures with the book's numbers (on the values and on the drawn
edges), gradients against numerical ones (hypothesis), a traced TwoLayerNet against its own
gradient(), rendering, and clear errors on misuse."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import MulLayer, MultiLayerNet, TwoLayerNet, numerical_gradient
from chainrule.graph import (
    Graph,
    apple_graph,
)
from tests.graph.helpers import parse_dot


# -- the book's numbers ---------------------------------------------------------------------
def test_the_apple_example_reads_like_the_book():
    g = Graph()
    apple, apple_num = g.input(100, name="apple"), g.input(2, name="apple_num")
    orange, orange_num = g.input(150, name="orange"), g.input(3, name="orange_num")
    tax = g.input(1.1, name="tax")
    price = (apple * apple_num + orange * orange_num) * tax
    price.backward()
    assert price.data == pytest.approx(715)  # 715.0000000000001 in floating point, as in the book
    assert apple.grad == 2.2
    assert "digraph" in g.to_dot()


# -- sigmoid, taken apart ----------------------------------------------------------------------


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


# -- drawing to files ------------------------------------------------------------------------------------


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
