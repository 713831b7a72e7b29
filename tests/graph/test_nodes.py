"""chainrule.graph.nodes: a Value's arithmetic records the book's nodes; each elementary node's
backward against numerical differentiation."""

import numpy as np
import pytest

from chainrule import Dropout
from chainrule.graph import (
    Graph,
    sigmoid_graph,
)
from chainrule.graph.nodes import AddConst, Exp, MulConst, Reciprocal, label_of
from tests.helpers import numeric_wrt


def test_value_sigmoid_is_one_node_equal_to_the_decomposed_graph():
    g = Graph()
    x = g.input(np.array([-1.0, 2.0]))
    x.sigmoid().backward(np.ones(2))
    np.testing.assert_allclose(x.grad, sigmoid_graph(np.array([-1.0, 2.0]))["x"].grad, rtol=1e-12)
    assert [node.label for node in g.nodes] == ["sigmoid"]


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


@pytest.mark.parametrize("make, x", [
    (lambda: Exp(), np.array([-2.0, 0.0, 1.5])),
    (lambda: Reciprocal(), np.array([[0.5, -2.0], [3.0, 1.0]])),
    (lambda: MulConst(np.array([[2.0, -1.0, 0.5], [1.0, 3.0, -2.0]])), np.array([1.0, -4.0, 2.0])),  # broadcast
    (lambda: AddConst(np.array([[1.0], [2.0]])), np.array([0.5, -1.0, 3.0])),
], ids=["exp", "reciprocal", "mulconst", "addconst"])
def test_elementary_nodes_backward_is_the_numerical_gradient(make, x):
    layer = make()
    out = layer.forward(x)
    dout = np.random.default_rng(0).standard_normal(np.shape(out))
    dx = layer.backward(dout)
    assert dx.shape == x.shape  # summed back over the broadcast axes
    np.testing.assert_allclose(dx, numeric_wrt(lambda: np.sum(make().forward(x) * dout), x), rtol=1e-7, atol=1e-9)


def test_labels_are_the_books_symbols():
    from chainrule.layers import AddLayer, Affine, MulLayer, Relu, SoftmaxWithLoss

    assert [label_of(layer) for layer in (Exp(), Reciprocal(), MulConst(-1), AddConst(1), AddConst(-2.5),
                                          MulLayer(), AddLayer(), Relu(), SoftmaxWithLoss())] == \
        ["exp", "/", "×-1", "+1", "-2.5", "×", "+", "ReLU", "Softmax-with-Loss"]
    assert label_of(Affine(np.eye(2), np.zeros(2))) == "Affine"
    assert label_of(Dropout(0.5)) == "Dropout"  # no symbol: the class name


def test_backward_before_forward_and_a_dout_of_another_shape_are_clear_errors():
    with pytest.raises(RuntimeError, match="before forward"):
        Exp().backward(np.ones(3))
    node = Reciprocal()
    node.forward(np.ones(3))
    with pytest.raises(ValueError, match=r"dout has shape \(2,\) but the forward output had shape \(3,\)"):
        node.backward(np.ones(2))
