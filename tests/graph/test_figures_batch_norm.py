"""Batch Normalization taken apart into the graph's elementary nodes (mean, -, x², +eps, √, /, ×, +):
its values and its backward equal BatchNormalization's, node for node."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chainrule.batchnorm import EPS, BatchNormalization
from chainrule.graph import FIGURES, Mean, Sqrt, Square, Sub, batch_norm_graph


def layer_result(x, gamma, beta, dout):
    bn = BatchNormalization(np.array(gamma, dtype=np.float64), np.array(beta, dtype=np.float64))
    out = bn.forward(np.array(x, dtype=np.float64), train_flg=True)
    dx = bn.backward(np.array(dout, dtype=np.float64))
    return bn, out, dx


def test_the_figure_is_the_books_batch_norm_graph_with_a_non_uniform_upstream_derivative():
    g = batch_norm_graph()
    assert [n.label for n in g.nodes] == ["mean", "−", "x²", "mean", f"+{EPS:g}", "√", "/", "×", "×", "+"]
    names = ["x", "gamma", "beta", "mu", "xc", "xc²", "var", "var + eps", "std", "1/std", "xn", "gamma·xn", "out"]
    assert [v.name for v in g.values] == names
    assert g["x"].shape == (3, 2) and g["gamma"].shape == (2,)
    dout = g["out"].grad
    assert not np.allclose(dout, dout[0]), "a uniform upstream derivative would make dx vanish"
    bn, out, dx = layer_result(g["x"].data, g["gamma"].data, g["beta"].data, dout)
    np.testing.assert_allclose(g["out"].data, out, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(g["mu"].data, g["x"].data.mean(axis=0))
    np.testing.assert_allclose(g["xn"].data, bn.xn, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(g["std"].data, bn.std, rtol=1e-15)
    np.testing.assert_allclose(g["x"].grad, dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g["gamma"].grad, bn.dgamma, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g["beta"].grad, bn.dbeta, rtol=1e-12, atol=1e-12)
    assert np.abs(dx).max() > 0.1
    assert FIGURES["batch-norm"] is batch_norm_graph


batches = st.integers(2, 6).flatmap(lambda n: st.integers(1, 4).flatmap(lambda d: st.tuples(
    arrays(np.float64, (n, d), elements=st.floats(-100, 100)),
    arrays(np.float64, (d,), elements=st.floats(-5, 5)),
    arrays(np.float64, (d,), elements=st.floats(-5, 5)),
    arrays(np.float64, (n, d), elements=st.floats(-5, 5)))))


@settings(max_examples=200, deadline=None)
@given(batches)
def test_any_small_batch_gives_batch_normalizations_numbers(case):
    x, gamma, beta, dout = case
    g = batch_norm_graph(x, gamma, beta, dout)
    bn, out, dx = layer_result(x, gamma, beta, dout)
    scale = np.abs(dout).max() * max(1.0, np.abs(gamma).max()) * 1e3 + 1  # dx grows as 1/std for tiny variances
    np.testing.assert_allclose(g["out"].data, out, rtol=1e-12, atol=1e-12 * (1 + np.abs(out).max()))
    np.testing.assert_allclose(g["x"].grad, dx, rtol=1e-9, atol=1e-12 * scale)
    np.testing.assert_allclose(g["gamma"].grad, bn.dgamma, rtol=1e-12, atol=1e-12 * np.abs(dout).sum())
    np.testing.assert_allclose(g["beta"].grad, bn.dbeta, rtol=1e-12, atol=1e-12 * np.abs(dout).sum())


def test_the_new_nodes_and_their_local_derivatives():
    x = np.array([[1.0, 4.0], [3.0, 9.0]])
    m = Mean()
    np.testing.assert_array_equal(m.forward(x), [2.0, 6.5])
    np.testing.assert_array_equal(m.backward(np.array([2.0, 4.0])), [[1.0, 2.0], [1.0, 2.0]])
    s = Sub()
    np.testing.assert_array_equal(s.forward(x, np.array([1.0, 2.0])), [[0.0, 2.0], [2.0, 7.0]])
    dx, dy = s.backward(np.ones((2, 2)))
    np.testing.assert_array_equal(dx, np.ones((2, 2)))
    np.testing.assert_array_equal(dy, [-2.0, -2.0])
    q = Square()
    np.testing.assert_array_equal(q.forward(x), x * x)
    np.testing.assert_array_equal(q.backward(np.ones((2, 2))), 2 * x)
    r = Sqrt()
    np.testing.assert_array_equal(r.forward(x), np.sqrt(x))
    np.testing.assert_allclose(r.backward(np.ones((2, 2))), 0.5 / np.sqrt(x))
    with pytest.raises(RuntimeError):
        Mean().backward(np.ones(2))
    with pytest.raises(ValueError, match="dout has shape"):
        m.backward(np.ones(3))
