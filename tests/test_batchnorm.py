"""BatchNormalization against numerical gradients (float64), in training mode and with its running statistics."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import BatchNormalization
from tests.helpers import numeric_wrt

SETTINGS = settings(max_examples=25, deadline=None)


@st.composite
def bn_case(draw, four_d):
    n = draw(st.integers(2, 6))
    shape = (n, draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))) if four_d \
        else (n, draw(st.integers(1, 6)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # each feature's spread is exactly `scale`: far above h = 1e-4, so central differences are accurate
    z = rng.standard_normal(shape)
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    x = z * draw(st.sampled_from([0.5, 1.0, 3.0])) + rng.uniform(-2, 2, shape[1:])
    d = int(np.prod(shape[1:]))
    return x, rng.uniform(0.5, 2, d), rng.standard_normal(d), rng


@pytest.mark.parametrize("four_d", [False, True], ids=["2-D", "4-D"])
@SETTINGS
@given(data=st.data())
def test_batchnorm_train_mode_gradients_match_numerical(four_d, data):
    x, gamma, beta, rng = data.draw(bn_case(four_d))
    layer = BatchNormalization(gamma, beta)
    out = layer.forward(x, train_flg=True)
    flat = out.reshape(len(x), -1)
    np.testing.assert_allclose(flat.mean(axis=0), beta, atol=1e-10)  # gamma * xn + beta, xn centred
    dout = rng.standard_normal(out.shape)
    x_before = x.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(x, x_before)
    assert dx.shape == x.shape

    def f():
        return np.sum(BatchNormalization(gamma, beta).forward(x, train_flg=True) * dout)

    np.testing.assert_allclose(dx, numeric_wrt(f, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layer.dgamma, numeric_wrt(f, gamma), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.dbeta, numeric_wrt(f, beta), rtol=1e-6, atol=1e-8)


@SETTINGS
@given(bn_case(False))
def test_batchnorm_test_mode_uses_running_statistics(case):
    x, gamma, beta, rng = case
    layer = BatchNormalization(gamma, beta, momentum=0.9)
    layer.forward(x, train_flg=True)
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, 0.1 * x.var(axis=0))
    y = layer.forward(x, train_flg=False)
    expected = gamma * (x - layer.running_mean) / np.sqrt(layer.running_var + 1e-6) + beta
    np.testing.assert_allclose(y, expected)
    dout = rng.standard_normal(y.shape)
    dx = layer.backward(dout)
    mean, var = layer.running_mean.copy(), layer.running_var.copy()

    def f():
        return np.sum(BatchNormalization(gamma, beta, 0.9, mean, var).forward(x, train_flg=False) * dout)

    np.testing.assert_allclose(dx, numeric_wrt(f, x), rtol=1e-6, atol=1e-8)


def test_clear_errors():
    with pytest.raises(ValueError, match="gamma has 4"):
        BatchNormalization(np.ones(4), np.zeros(4)).forward(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"beta must match gamma"):
        BatchNormalization(np.ones(4), np.zeros(3))
