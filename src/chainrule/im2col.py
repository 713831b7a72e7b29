"""``im2col`` and ``col2im``: chapter 7's trick that turns a convolution into one matrix product.

``im2col`` copies every window a filter visits into one row of a 2-D array;
the convolution is then ``col @ W.reshape(FN, -1).T``. ``col2im`` is its
adjoint: it adds each row back onto the window it came from (where windows
overlap, the contributions add up), which is exactly the backward of ``im2col``.

Both keep the dtype of their input (float32 stays float32; the book's version
always makes float64) and check the shapes they are given.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_window", "col2im", "conv_output_size", "im2col"]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def check_window(H, W, filter_h, filter_w, stride, pad):
    """``(out_h, out_w)``: where a ``filter_h x filter_w`` window fits in an ``H x W`` input (stride, pad).

    Raises ValueError naming the problem when the window, stride or pad is not a
    valid integer or the window does not fit the padded input (shared by the layers).
    """
    filter_h = _positive_int("filter_h", filter_h)
    filter_w = _positive_int("filter_w", filter_w)
    stride = _positive_int("stride", stride)
    if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad must be a non-negative integer; got {pad!r}")
    if H + 2 * pad < filter_h or W + 2 * pad < filter_w:
        raise ValueError(
            f"a {filter_h}x{filter_w} window does not fit in a {H}x{W} input padded by {pad} "
            f"({H + 2 * pad}x{W + 2 * pad})"
        )
    return (H + 2 * pad - filter_h) // stride + 1, (W + 2 * pad - filter_w) // stride + 1


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    """``(input_size + 2*pad - filter_size) / stride + 1``: the book's formula (a float, as in the book).

    When the stride does not divide ``input_size + 2*pad - filter_size`` the
    result has a fraction; :func:`im2col` and the layers use its floor (the
    last positions that do not fit a whole window are left out).
    """
    return (input_size + 2 * pad - filter_size) / stride + 1


def _check_4d(name, shape):
    if len(shape) != 4:
        raise ValueError(f"{name} must have shape (N, C, H, W); got shape {tuple(shape)}")


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """Unfold the windows of a batch of images into rows.

    Parameters
    ----------
    input_data : ndarray, shape (N, C, H, W)
    filter_h, filter_w : int
        The window's height and width.
    stride : int
    pad : int
        Zeros added on every side of each image.

    Returns
    -------
    col : ndarray, shape (N * out_h * out_w, C * filter_h * filter_w)
        Row ``(n, i, j)`` holds the window whose top-left corner is at
        ``(i * stride, j * stride)`` of image ``n`` (padded), channel by channel.
        Same dtype as ``input_data`` (integers become float64).
    """
    input_data = np.asarray(input_data)
    _check_4d("im2col input", input_data.shape)
    if input_data.dtype.kind != "f":
        input_data = input_data.astype(np.float64)
    N, C, H, W = input_data.shape
    out_h, out_w = check_window(H, W, filter_h, filter_w, stride, pad)

    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w), dtype=input_data.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """Fold rows back into images, adding where windows overlap (the backward of :func:`im2col`).

    Parameters
    ----------
    col : ndarray, shape (N * out_h * out_w, C * filter_h * filter_w)
    input_shape : tuple (N, C, H, W)
        The shape of the images ``im2col`` was given.
    filter_h, filter_w, stride, pad : as for :func:`im2col`

    Returns
    -------
    img : ndarray, shape ``input_shape``, the dtype of ``col``
    """
    col = np.asarray(col)
    _check_4d("col2im input_shape", tuple(input_shape))
    N, C, H, W = (int(n) for n in input_shape)
    out_h, out_w = check_window(H, W, filter_h, filter_w, stride, pad)
    want = (N * out_h * out_w, C * filter_h * filter_w)
    if col.shape != want:
        raise ValueError(
            f"col2im: col has shape {col.shape} but images of shape {(N, C, H, W)} with a "
            f"{filter_h}x{filter_w} window (stride {stride}, pad {pad}) give {want}"
        )
    if col.dtype.kind != "f":
        col = col.astype(np.float64)

    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]
    return img[:, :, pad:H + pad, pad:W + pad]
