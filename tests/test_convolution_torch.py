"""Convolution, Pooling and BatchNormalization against PyTorch (forward and every gradient, float64).

Skipped when PyTorch is not installed.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import BatchNormalization, Convolution, Pooling

torch = pytest.importorskip("torch")
F = torch.nn.functional

SETTINGS = settings(max_examples=30, deadline=None)


def t64(a, grad=False):
    return torch.tensor(np.array(a), dtype=torch.float64, requires_grad=grad)


@st.composite
def conv_case(draw):
    n, c, fn = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    fh, fw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    h, w = draw(st.integers(max(fh - 2 * pad, 1), 9)), draw(st.integers(max(fw - 2 * pad, 1), 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal((n, c, h, w)), rng.standard_normal((fn, c, fh, fw)), rng.standard_normal(fn), \
        stride, pad, rng


@SETTINGS
@given(conv_case())
def test_convolution_equals_torch_conv2d(case):
    x, W, b, stride, pad, rng = case
    layer = Convolution(W, b, stride, pad)
    out = layer.forward(x)
    tx, tW, tb = t64(x, True), t64(W, True), t64(b, True)
    tout = F.conv2d(tx, tW, tb, stride=stride, padding=pad)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    tout.backward(t64(dout))
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dW, tW.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.db, tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_pooling_equals_torch_max_pool2d(ph, pw, stride, seed):
    rng = np.random.default_rng(seed)
    n, c, h, w = rng.integers(1, 3), rng.integers(1, 4), rng.integers(ph, 9), rng.integers(pw, 9)
    x = rng.permutation(n * c * h * w).reshape(n, c, h, w).astype(np.float64)  # no ties
    layer = Pooling(ph, pw, stride)
    out = layer.forward(x)
    tx = t64(x, True)
    tout = F.max_pool2d(tx, (ph, pw), stride=stride)
    np.testing.assert_array_equal(out, tout.detach().numpy())
    dout = rng.standard_normal(out.shape)
    tout.backward(t64(dout))
    np.testing.assert_allclose(layer.backward(dout), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("four_d", [False, True], ids=["2-D", "4-D"])
@SETTINGS
@given(st.integers(2, 8), st.integers(0, 2**32 - 1))
def test_batchnorm_equals_torch_batch_norm(four_d, n, seed):
    rng = np.random.default_rng(seed)
    shape = (n, 2, 3, 2) if four_d else (n, 5)
    x = rng.standard_normal(shape) * 2 + 1
    d = int(np.prod(shape[1:]))
    gamma, beta = rng.uniform(0.5, 2, d), rng.standard_normal(d)
    layer = BatchNormalization(gamma, beta, momentum=0.9)
    out = layer.forward(x, train_flg=True)
    # the book normalizes each of the C*H*W features of a 4-D input: torch's batch_norm on (N, C*H*W)
    tx, tg, tb = t64(x.reshape(n, d), True), t64(gamma, True), t64(beta, True)
    rmean, rvar = torch.zeros(d, dtype=torch.float64), torch.zeros(d, dtype=torch.float64)
    tout = F.batch_norm(tx, rmean, rvar, tg, tb, training=True, momentum=0.1, eps=1e-6)
    np.testing.assert_allclose(out.reshape(n, d), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    dout = rng.standard_normal(shape)
    dx = layer.backward(dout)
    tout.backward(t64(dout.reshape(n, d)))
    np.testing.assert_allclose(dx.reshape(n, d), tx.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(layer.dgamma, tg.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dbeta, tb.grad.numpy(), rtol=1e-10, atol=1e-12)
    # running statistics: same momentum convention (0.9 kept = torch's 0.1 new); torch keeps the unbiased
    # variance, the book the biased one
    np.testing.assert_allclose(layer.running_mean, rmean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, rvar.numpy() * (n - 1) / n, rtol=1e-10)
    # test mode with the same statistics
    y = layer.forward(x, train_flg=False)
    ty = F.batch_norm(t64(x.reshape(n, d)), t64(layer.running_mean), t64(layer.running_var), t64(gamma),
                      t64(beta), training=False, eps=1e-6)
    np.testing.assert_allclose(y.reshape(n, d), ty.numpy(), rtol=1e-10, atol=1e-12)
