"""Chapter 7's layers for images: ``Convolution`` and (max) ``Pooling``, both built on ``im2col``.

A convolution slides ``FN`` filters of shape ``(C, FH, FW)`` over the image;
``im2col`` puts every window in a row, so the whole layer is one matrix
product, and its backward is the Affine layer's backward followed by
``col2im``. Max pooling keeps the largest value of each window; its backward
sends each upstream gradient to the position that was the maximum.
"""

from __future__ import annotations

import numpy as np

from .im2col import check_window, col2im, im2col
from .layers import Layer

__all__ = ["Convolution", "Pooling"]


def _check_images(layer, x, channels=None):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{layer} input must have shape (N, C, H, W); got shape {x.shape}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{layer} input has {x.shape[1]} channels (shape {x.shape}) but W expects {channels}")
    return x


class Convolution(Layer):
    """Convolution node: ``FN`` filters slid over the input with ``stride`` and zero ``pad``.

    Parameters
    ----------
    W : ndarray, shape (FN, C, FH, FW), floating
        The filters.
    b : ndarray, shape (FN,), same dtype as ``W``
        One bias per filter (a number is the same bias for every filter, in an array the layer owns).
    stride, pad : int
        The step between windows (>= 1) and the zeros added on each side (>= 0).

    Shapes
    ------
    ``x: (N, C, H, W) -> out: (N, FN, out_h, out_w)`` with
    ``out_h = (H + 2*pad - FH) // stride + 1`` (and ``out_w`` alike).
    ``backward(dout) -> dx: (N, C, H, W)``; sets ``dW`` (FN, C, FH, FW) and ``db`` (FN,).

    The input is cast to ``W``'s dtype. Set ``need_dx = False`` on a first
    layer to skip the input gradient (``backward`` then returns ``None``).
    """

    param_names = ("W", "b")

    def __init__(self, W, b, stride=1, pad=0):
        W = np.asarray(W)
        b = np.asarray(b)
        if W.ndim != 4 or W.dtype.kind != "f":
            raise ValueError(
                f"Convolution W must be a 4-D float array (FN, C, FH, FW); got shape {W.shape}, dtype {W.dtype}"
            )
        if b.ndim == 0 and b.dtype.kind in "iuf":  # one bias for every filter (ch07/apply_filter.py passes b = 0)
            b = np.full(W.shape[0], b, dtype=W.dtype)
        if b.shape != (W.shape[0],):
            raise ValueError(f"Convolution b must have shape ({W.shape[0]},) to match W {W.shape}; got {b.shape}")
        if b.dtype != W.dtype:
            raise ValueError(f"Convolution b has dtype {b.dtype} but W has {W.dtype}; use one dtype")
        check_window(W.shape[2], W.shape[3], W.shape[2], W.shape[3], stride, pad)  # stride and pad themselves
        self.W = W
        self.b = b
        self.stride = int(stride)
        self.pad = int(pad)
        self.x_shape = None
        self.col = None
        self.col_W = None
        self.dW = None
        self.db = None
        self.need_dx = True

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        x = _check_images("Convolution", x, C)
        N, C, H, W = x.shape
        out_h, out_w = check_window(H, W, FH, FW, self.stride, self.pad)
        if x.dtype != self.W.dtype:
            x = x.astype(self.W.dtype)

        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T
        out = np.dot(col, col_W) + self.b
        out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

        self.x_shape = x.shape
        self.col = col
        self.col_W = col_W
        return out

    def backward(self, dout):
        self._require_forward(self.col)
        FN, C, FH, FW = self.W.shape
        N, _, H, W = self.x_shape
        out_h, out_w = check_window(H, W, FH, FW, self.stride, self.pad)
        dout = np.asarray(dout)
        if dout.shape != (N, FN, out_h, out_w):
            raise ValueError(
                f"Convolution.backward(): dout has shape {dout.shape} but the forward output had "
                f"shape {(N, FN, out_h, out_w)}"
            )
        if dout.dtype != self.W.dtype:
            dout = dout.astype(self.W.dtype)

        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW)
        if not self.need_dx:
            return None
        dcol = np.dot(dout, self.col_W.T)
        return col2im(dcol, self.x_shape, FH, FW, self.stride, self.pad)

    def __repr__(self):
        return f"Convolution(W={self.W.shape}, b={self.b.shape}, stride={self.stride}, pad={self.pad})"


class Pooling(Layer):
    """Max pooling node: the largest value of each ``pool_h x pool_w`` window, channel by channel.

    Parameters
    ----------
    pool_h, pool_w : int
        The window (the book uses 2x2).
    stride : int
        The step between windows (the book's default 2: windows do not overlap;
        a stride smaller than the window makes them overlap).
    pad : int
        Zeros added on each side before pooling (as the book's ``im2col`` does).

    Shapes
    ------
    ``x: (N, C, H, W) -> out: (N, C, out_h, out_w)``, ``out_h = (H + 2*pad - pool_h) // stride + 1``.
    ``backward(dout) -> dx: (N, C, H, W)``: each ``dout`` value goes to the
    position of its window's maximum (the first one, on ties); where windows
    overlap, the contributions add up.
    """

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        check_window(pool_h, pool_w, pool_h, pool_w, stride, pad)
        self.pool_h = int(pool_h)
        self.pool_w = int(pool_w)
        self.stride = int(stride)
        self.pad = int(pad)
        self.x_shape = None
        self.arg_max = None

    def forward(self, x):
        x = _check_images("Pooling", x)
        if x.dtype.kind != "f":
            x = x.astype(np.float64)
        N, C, H, W = x.shape
        out_h, out_w = check_window(H, W, self.pool_h, self.pool_w, self.stride, self.pad)

        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

        self.x_shape = x.shape
        self.arg_max = arg_max
        self._dtype = x.dtype
        return out

    def backward(self, dout):
        self._require_forward(self.arg_max)
        N, C, H, W = self.x_shape
        out_shape = (N, C, *check_window(H, W, self.pool_h, self.pool_w, self.stride, self.pad))
        dout = np.asarray(dout)
        if dout.shape != out_shape:
            raise ValueError(
                f"Pooling.backward(): dout has shape {dout.shape} but the forward output had shape {out_shape}"
            )

        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size), dtype=self._dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad)

    def __repr__(self):
        return f"Pooling(pool_h={self.pool_h}, pool_w={self.pool_w}, stride={self.stride}, pad={self.pad})"
