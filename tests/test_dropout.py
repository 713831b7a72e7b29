"""Dropout against numerical gradients with a fixed mask (float64), its test mode, and its seed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import Dropout
from tests.helpers import numeric_wrt

SETTINGS = settings(max_examples=25, deadline=None)


class FixedRandom:
    """Stands in for a Generator: ``random(shape)`` always returns the same values."""

    def __init__(self, values):
        self.values = values

    def random(self, shape):
        assert shape == self.values.shape
        return self.values


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.sampled_from([0.2, 0.5, 0.8]))
def test_dropout_with_a_fixed_mask_matches_numerical(seed, ratio):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 4))
    draws = rng.random(x.shape)
    layer = Dropout(ratio)
    layer.rng = FixedRandom(draws)
    out = layer.forward(x)
    np.testing.assert_array_equal(layer.mask, draws > ratio)
    np.testing.assert_array_equal(out, np.where(draws > ratio, x, 0))
    dout = rng.standard_normal(x.shape)

    def f():
        other = Dropout(ratio)
        other.rng = FixedRandom(draws)
        return np.sum(other.forward(x) * dout)

    np.testing.assert_allclose(layer.backward(dout), numeric_wrt(f, x), rtol=1e-7, atol=1e-9)


def test_dropout_test_mode_scales_and_rng_repeats():
    x = np.ones((1000,))
    np.testing.assert_array_equal(Dropout(0.3).forward(x, train_flg=False), 0.7 * x)
    a, b = Dropout(0.5, rng=7), Dropout(0.5, rng=7)
    np.testing.assert_array_equal(a.forward(x), b.forward(x))
    assert 400 < a.mask.sum() < 600
    layer = Dropout(0.3)
    layer.forward(x, train_flg=False)
    np.testing.assert_allclose(layer.backward(np.full(1000, 2.0)), 1.4)


def test_clear_errors():
    with pytest.raises(ValueError, match=r"dropout_ratio must be a number in \[0, 1\); got 1.5"):
        Dropout(1.5)
    with pytest.raises(RuntimeError, match="before forward"):
        Dropout().backward(np.zeros(3))
