"""chainrule.util: the book's common/util.py helpers (im2col and col2im: test_im2col.py)."""

import numpy as np
import pytest

from chainrule.util import shuffle_dataset, smooth_curve


def test_smooth_curve_keeps_length_constants_and_lines():
    np.testing.assert_allclose(smooth_curve(np.full(30, 2.5)), 2.5)
    line = np.arange(40.0)
    smooth = smooth_curve(line)
    assert smooth.shape == (40,)
    np.testing.assert_allclose(smooth[5:-5], line[5:-5])  # a symmetric window keeps a line away from the ends


def test_smooth_curve_reduces_noise():
    noise = np.random.default_rng(0).standard_normal(500)
    assert smooth_curve(noise).std() < 0.5 * noise.std()
    with pytest.raises(ValueError, match="at least 11 values; got 5"):
        smooth_curve([1, 2, 3, 4, 5])


def test_shuffle_dataset_one_permutation_for_both_and_no_mutation():
    x = np.arange(40).reshape(10, 1, 2, 2)
    t = np.arange(10)
    x0, t0 = x.copy(), t.copy()
    xs, ts = shuffle_dataset(x, t, rng=0)
    np.testing.assert_array_equal(xs[:, 0, 0, 0] // 4, ts)  # rows still match their labels
    assert sorted(ts) == list(range(10)) and list(ts) != list(range(10))
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(t, t0)
    np.testing.assert_array_equal(shuffle_dataset(x, t, rng=0)[1], ts)
    with pytest.raises(ValueError, match=r"same number of samples; got shapes \(10, 1, 2, 2\) and \(9,\)"):
        shuffle_dataset(x, t[:9])
