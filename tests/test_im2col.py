"""chainrule.im2col: the book's im2col and col2im (chapter 7): rows are the windows, col2im is
im2col's transpose, the output size is the book's formula."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.im2col import col2im, conv_output_size, im2col


def test_conv_output_size_is_the_books_formula():
    assert conv_output_size(28, 5) == 24
    assert conv_output_size(7, 3, stride=2, pad=1) == 4
    assert conv_output_size(8, 3, stride=2) == 3.5  # the book's float; im2col takes its floor


def test_im2col_shapes_as_in_chapter_7():
    x1 = np.random.default_rng(0).random((1, 3, 7, 7))
    assert im2col(x1, 5, 5, stride=1, pad=0).shape == (9, 75)
    x2 = np.random.default_rng(0).random((10, 3, 7, 7))
    assert im2col(x2, 5, 5, stride=1, pad=0).shape == (90, 75)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 7), st.integers(1, 7), st.integers(1, 3),
       st.integers(1, 3), st.integers(1, 3), st.integers(0, 2), st.integers(0, 2**32 - 1))
def test_im2col_rows_are_windows_and_col2im_is_its_adjoint(n, c, h, w, fh, fw, stride, pad, seed):
    if h + 2 * pad < fh or w + 2 * pad < fw:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    col = im2col(x, fh, fw, stride, pad)
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    assert col.shape == (n * oh * ow, c * fh * fw)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    s, i, j = rng.integers(n), rng.integers(oh), rng.integers(ow)
    window = xp[s, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
    np.testing.assert_array_equal(col[(s * oh + i) * ow + j], window.ravel())
    # <im2col(x), y> == <x, col2im(y)>: col2im is the transpose of the linear map im2col
    y = rng.standard_normal(col.shape)
    np.testing.assert_allclose(np.sum(col * y), np.sum(x * col2im(y, x.shape, fh, fw, stride, pad)), rtol=1e-10)


def test_dtype_kept_and_errors():
    x = np.ones((1, 1, 4, 4), dtype=np.float32)
    assert im2col(x, 2, 2).dtype == np.float32
    assert col2im(im2col(x, 2, 2), x.shape, 2, 2).dtype == np.float32
    with pytest.raises(ValueError, match=r"im2col input must have shape \(N, C, H, W\); got shape \(4, 4\)"):
        im2col(np.ones((4, 4)), 2, 2)
    with pytest.raises(ValueError, match="a 5x5 window does not fit in a 4x4 input padded by 0"):
        im2col(x, 5, 5)
    with pytest.raises(ValueError, match=r"col has shape \(2, 4\) but images of shape \(1, 1, 4, 4\)"):
        col2im(np.ones((2, 4)), (1, 1, 4, 4), 2, 2)
    with pytest.raises(ValueError, match="pad must be a non-negative integer; got -1"):
        im2col(x, 2, 2, pad=-1)
