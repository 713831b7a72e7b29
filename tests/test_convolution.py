"""Convolution and Pooling against numerical gradients (float64); the layers of chapter 7 in float32.

Every layer is checked as a function of its input and of its parameters:
``backward(dout)`` must equal the central-difference gradient of ``sum(forward(x) * dout)``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import BatchNormalization, Convolution, Dropout, Pooling
from tests.helpers import numeric_wrt

SETTINGS = settings(max_examples=25, deadline=None)


@st.composite
def conv_case(draw):
    n, c, fn = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    fh, fw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    h = draw(st.integers(max(fh - 2 * pad, 1), 7))
    w = draw(st.integers(max(fw - 2 * pad, 1), 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (rng.standard_normal((n, c, h, w)), rng.standard_normal((fn, c, fh, fw)),
            rng.standard_normal(fn), stride, pad, rng)


def naive_conv(x, W, b, stride, pad):
    """The definition: out[n, f, i, j] = sum(window * W[f]) + b[f], by loops."""
    n, c, h, w = x.shape
    fn, _, fh, fw = W.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    out = np.empty((n, fn, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
            out[:, :, i, j] = np.tensordot(win, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


@SETTINGS
@given(conv_case())
def test_convolution_forward_is_the_definition(case):
    x, W, b, stride, pad, _ = case
    out = Convolution(W, b, stride, pad).forward(x)
    np.testing.assert_allclose(out, naive_conv(x, W, b, stride, pad), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(conv_case())
def test_convolution_gradients_match_numerical(case):
    x, W, b, stride, pad, rng = case
    layer = Convolution(W, b, stride, pad)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    x_before, dout_before = x.copy(), dout.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, dout_before)

    def f():
        return np.sum(Convolution(W, b, stride, pad).forward(x) * dout)

    np.testing.assert_allclose(dx, numeric_wrt(f, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.dW, numeric_wrt(f, W), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.db, numeric_wrt(f, b), rtol=1e-6, atol=1e-8)
    assert layer.grads["W"] is layer.dW and layer.params["W"] is W


@st.composite
def pool_case(draw, overlapping):
    ph, pw = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    stride = draw(st.integers(1, min(ph, pw) - 1)) if overlapping else draw(st.sampled_from([max(ph, pw), 3]))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    h, w = draw(st.integers(ph, 7)), draw(st.integers(pw, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # distinct values at least 0.01 apart: every window has one maximum, away from a tie by more than h
    x = rng.permutation(n * c * h * w).reshape(n, c, h, w) * 0.01 + rng.uniform(0, 1e-3)
    return x, ph, pw, stride, rng


def naive_max_pool(x, ph, pw, stride):
    n, c, h, w = x.shape
    oh, ow = (h - ph) // stride + 1, (w - pw) // stride + 1
    out = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].max(axis=(2, 3))
    return out


@pytest.mark.parametrize("overlapping", [False, True], ids=["non-overlapping", "overlapping"])
@SETTINGS
@given(data=st.data())
def test_pooling_forward_and_gradient(overlapping, data):
    x, ph, pw, stride, rng = data.draw(pool_case(overlapping))
    assert (stride < min(ph, pw)) == overlapping
    layer = Pooling(ph, pw, stride)
    out = layer.forward(x)
    np.testing.assert_array_equal(out, naive_max_pool(x, ph, pw, stride))
    dout = rng.standard_normal(out.shape)
    x_before = x.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(x, x_before)
    numeric = numeric_wrt(lambda: np.sum(Pooling(ph, pw, stride).forward(x) * dout), x)
    np.testing.assert_allclose(dx, numeric, rtol=1e-6, atol=1e-8)


def test_pooling_overlap_adds_up_gradients():
    # 1x1x1x3 input, 1x2 windows with stride 1: the middle (largest) value is the maximum of both windows
    x = np.array([[[[1.0, 5.0, 2.0]]]])
    layer = Pooling(1, 2, stride=1)
    np.testing.assert_array_equal(layer.forward(x), [[[[5.0, 5.0]]]])
    np.testing.assert_array_equal(layer.backward(np.array([[[[3.0, 4.0]]]])), [[[[0.0, 7.0, 0.0]]]])


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    conv = Convolution(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), np.zeros(4, np.float32), 1, 1)
    pool = Pooling(2, 2, 2)
    bn = BatchNormalization(np.ones(4 * 36, np.float32), np.zeros(4 * 36, np.float32))
    drop = Dropout(0.5, rng=0)
    h = drop.forward(bn.forward(conv.forward(x)))
    h = pool.forward(h)
    assert h.dtype == np.float32
    d = pool.backward(np.ones_like(h))
    d = bn.backward(drop.backward(d))
    dx = conv.backward(d)
    for arr in (d, dx, conv.dW, conv.db, bn.dgamma, bn.dbeta, bn.running_mean):
        assert arr.dtype == np.float32


def test_clear_errors():
    W, b = np.zeros((2, 3, 3, 3)), np.zeros(2)
    with pytest.raises(ValueError, match=r"W must be a 4-D float array"):
        Convolution(np.zeros((3, 3)), b)
    with pytest.raises(ValueError, match=r"b must have shape \(2,\)"):
        Convolution(W, np.zeros(3))
    with pytest.raises(ValueError, match="stride must be a positive integer; got 0"):
        Convolution(W, b, stride=0)
    with pytest.raises(ValueError, match=r"input has 1 channels \(shape \(1, 1, 5, 5\)\) but W expects 3"):
        Convolution(W, b).forward(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"shape \(N, C, H, W\); got shape \(5, 5\)"):
        Convolution(W, b).forward(np.zeros((5, 5)))
    with pytest.raises(ValueError, match=r"a 3x3 window does not fit in a 2x2 input padded by 0"):
        Convolution(W, b).forward(np.zeros((1, 3, 2, 2)))
    with pytest.raises(RuntimeError, match="before forward"):
        Convolution(W, b).backward(np.zeros((1, 2, 1, 1)))
    conv = Convolution(W, b)
    conv.forward(np.zeros((1, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"dout has shape \(1, 2, 3, 3\) but the forward output had shape"):
        conv.backward(np.zeros((1, 2, 3, 3)))


def test_a_number_as_bias_is_one_bias_for_every_filter():
    """ch07/apply_filter.py builds Convolution(w, 0)."""
    W = np.ones((2, 1, 2, 2), dtype=np.float32)
    layer = Convolution(W, 0.5)
    assert layer.b.shape == (2,) and layer.b.dtype == np.float32
    np.testing.assert_array_equal(layer.forward(np.ones((1, 1, 3, 3))), np.full((1, 2, 2, 2), 4.5))


@pytest.mark.parametrize("fast", [False, True])
def test_an_empty_batch_is_a_clear_error_naming_the_shape(fast):
    layers = {"Convolution": (Convolution(np.zeros((2, 3, 3, 3)), np.zeros(2)), (0, 3, 5, 5)),
              "Pooling": (Pooling(2, 2, 2), (0, 3, 4, 4)),
              "BatchNormalization": (BatchNormalization(np.ones(12), np.zeros(12)), (0, 12)),
              "BatchNormalization (images)": (BatchNormalization(np.ones(48), np.zeros(48)), (0, 3, 4, 4))}
    for name, (layer, shape) in layers.items():
        layer.reuse_buffers = fast
        with pytest.raises(ValueError) as info:
            layer.forward(np.zeros(shape))
        assert str(info.value) == f"{name.split()[0]} got an empty batch: input shape {shape} (N = 0)"
