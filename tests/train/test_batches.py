"""chainrule.train.batches: inputs as stored (uint8 pixels or floats), checked at the boundary, gathered
into one reused buffer of the network's dtype and scaled: the numbers of ``x[idx] / 255`` in that dtype."""

import numpy as np
import pytest

from chainrule import TwoLayerNet
from chainrule.train.batches import Converter, check_inputs, input_scale_for, network_dtype


def pixels(n=30, d=6, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, d), dtype=np.uint8)


def test_uint8_rows_are_gathered_scaled_into_one_reused_buffer():
    x = pixels()
    conv = Converter(x, 8, np.float32, input_scale_for(x))
    first = conv.take(np.array([3, 0, 29]))
    assert first.dtype == np.float32 and first.shape == (3, 6)
    np.testing.assert_array_equal(first, x[[3, 0, 29]].astype(np.float32) * np.float32(1 / 255))
    second = conv.take(np.arange(8))
    assert np.shares_memory(first, second)  # one buffer: no allocation per minibatch
    np.testing.assert_array_equal(second, x[:8].astype(np.float32) * np.float32(1 / 255))
    np.testing.assert_array_equal(conv.slice(10, 14), x[10:14].astype(np.float32) * np.float32(1 / 255))


def test_floats_in_the_networks_dtype_are_taken_directly_and_sliced_as_views():
    x = np.random.default_rng(1).random((20, 4)).astype(np.float64)
    conv = Converter(x, 5, np.float64, 1.0)
    assert conv.direct and conv.raw is None
    np.testing.assert_array_equal(conv.take(np.array([4, 2])), x[[4, 2]])
    view = conv.slice(3, 9)
    assert np.shares_memory(view, x) and view.shape == (6, 4)  # nothing copied for an evaluation
    other = Converter(x, 5, np.float32, 1.0)  # another dtype: converted, rounded as astype rounds
    np.testing.assert_array_equal(other.take(np.array([1])), x[[1]].astype(np.float32))


def test_the_test_set_shares_the_training_sets_evaluation_buffer():
    x, xt = pixels(40), pixels(10, seed=1)
    train = Converter(x, 16, np.float32, 1 / 255, gather=False)
    test = Converter(xt, 10, np.float32, 1 / 255, gather=False, share=train)
    assert test.out is train.out and test.raw is train.raw
    np.testing.assert_array_equal(test.slice(0, 10), xt.astype(np.float32) * np.float32(1 / 255))


def test_checks_at_the_boundary():
    assert input_scale_for(pixels()) == 1 / 255 and input_scale_for(np.zeros((2, 2))) == 1.0
    assert check_inputs([[1.0, 2.0]], "x").dtype == np.float64
    with pytest.raises(TypeError, match=r"^x_train must be uint8 pixels \(0..255\) or floats; got dtype int64$"):
        check_inputs(np.zeros((2, 3), np.int64), "x_train")
    with pytest.raises(ValueError, match=r"x must have one row per sample, shape \(N, D\) or \(N, C, H, W\); "
                                         r"got shape \(3,\)"):
        check_inputs(np.zeros(3), "x")
    with pytest.raises(ValueError, match=r"^x_test is empty \(shape \(0, 4\)\)$"):
        check_inputs(np.zeros((0, 4)), "x_test")
    assert network_dtype(TwoLayerNet(3, 2, 2, dtype=np.float32, rng=0)) == np.float32

    class BookNetwork:  # the book's networks have params but no dtype
        params = {"W1": np.zeros((2, 2), np.float64)}

    assert network_dtype(BookNetwork()) == np.float64
