"""Chapter 7's layers for images: ``Convolution`` and (max) ``Pooling``, both built on ``im2col``.

A convolution slides ``FN`` filters of shape ``(C, FH, FW)`` over the image;
``im2col`` puts every window in a row, so the whole layer is one matrix
product, and its backward is the Affine layer's backward followed by
``col2im``. Max pooling keeps the largest value of each window; its backward
sends each upstream gradient to the position that was the maximum.

As in :mod:`chainrule.layers`, each public ``forward``/``backward`` is the book's
body (plus validation) after one line that hands the call to the fast
formulation at the end of the class when ``reuse_buffers`` is on: the same
numbers (``tests/test_convolution_fast.py``), computed into the layer's
:class:`~chainrule.layers.Buffers` with the windows gathered by one strided copy
(``sliding_window_view``) and scattered back by ``FH * FW`` slice additions,
never by Python loops over the images or the output positions.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .im2col import check_window, col2im, im2col
from .layers import Layer

__all__ = ["Convolution", "Pooling"]


def _check_images(layer, x, channels=None):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{layer} input must have shape (N, C, H, W); got shape {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{layer} got an empty batch: input shape {x.shape} (N = 0)")
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
        if self.reuse_buffers:
            return self._forward_fast(x)
        x, (out_h, out_w) = self._checked_input(x)  # validation: (N, C, H, W) in W's dtype, a window that fits
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape

        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T
        out = np.dot(col, col_W) + self.b
        out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

        self.x_shape = x.shape
        self.col = col
        self.col_W = col_W
        return out

    def backward(self, dout):
        if self.reuse_buffers:
            return self._backward_fast(dout)
        dout = self._checked_dout(dout)  # validation: the forward output's shape, in W's dtype
        FN, C, FH, FW = self.W.shape

        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW)
        if not self.need_dx:
            return None
        dcol = np.dot(dout, self.col_W.T)
        return col2im(dcol, self.x_shape, FH, FW, self.stride, self.pad)

    def _checked_input(self, x):
        FN, C, FH, FW = self.W.shape
        x = _check_images("Convolution", x, C)
        size = check_window(x.shape[2], x.shape[3], FH, FW, self.stride, self.pad)
        return (x if x.dtype == self.W.dtype else x.astype(self.W.dtype)), size

    def _checked_dout(self, dout):
        self._require_forward(self.col)
        FN, C, FH, FW = self.W.shape
        N, _, H, W = self.x_shape
        out_shape = (N, FN, *check_window(H, W, FH, FW, self.stride, self.pad))
        dout = np.asarray(dout)
        if dout.shape != out_shape:
            raise ValueError(
                f"Convolution.backward(): dout has shape {dout.shape} but the forward output had shape {out_shape}"
            )
        return dout if dout.dtype == self.W.dtype else dout.astype(self.W.dtype)

    # -- the fast formulation: im2col as one strided copy into a kept array, the products written into
    # -- buffers, col2im as FH * FW slice additions
    def _forward_fast(self, x):
        x, (out_h, out_w) = self._checked_input(x)
        FN, C, FH, FW = self.W.shape
        N = x.shape[0]
        img = _padded(self.buffers, "padded", x, self.pad)
        col = self.buffers.get("col", (N * out_h * out_w, C * FH * FW), self.W.dtype)
        np.copyto(col.reshape(N, out_h, out_w, C, FH, FW), _windows(img, FH, FW, self.stride, out_h, out_w))
        self.col_W = self.W.reshape(FN, -1).T
        out = np.dot(col, self.col_W, out=self.buffers.get("out", (N * out_h * out_w, FN), self.W.dtype))
        out += self.b
        self.x_shape = x.shape
        self.col = col
        return out.reshape(N, out_h, out_w, FN).transpose(0, 3, 1, 2)

    def _backward_fast(self, dout):
        dout = self._checked_dout(dout)
        FN, C, FH, FW = self.W.shape
        N, _, out_h, out_w = dout.shape
        buffers = self.buffers
        rows = buffers.get("dout", (N * out_h * out_w, FN), self.W.dtype)
        np.copyto(rows.reshape(N, out_h, out_w, FN), dout.transpose(0, 2, 3, 1))
        self.db = np.dot(buffers.ones(rows.shape[0], rows.dtype), rows, out=buffers.get("db", self.b.shape,
                                                                                         self.b.dtype))
        dW = buffers.get("dW", self.W.shape, self.W.dtype)
        np.dot(rows.T, self.col, out=dW.reshape(FN, -1))
        self.dW = dW
        if not self.need_dx:
            return None
        dcol = np.dot(rows, self.col_W.T, out=buffers.get("dcol", self.col.shape, self.W.dtype))
        dcol = dcol.reshape(N, out_h, out_w, C, FH, FW).transpose(0, 3, 4, 5, 1, 2)  # (N, C, FH, FW, OH, OW)
        return _fold(buffers, dcol, self.x_shape, self.stride, self.pad)

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
        if self.reuse_buffers:
            return self._forward_fast(x)
        x, (out_h, out_w) = self._checked_input(x)  # validation: (N, C, H, W) floats, a window that fits
        N, C, H, W = x.shape

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
        if self.reuse_buffers:
            return self._backward_fast(dout)
        dout = self._checked_dout(dout)  # validation: the forward output's shape

        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size), dtype=self._dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad)

    def _checked_input(self, x):
        x = _check_images("Pooling", x)
        size = check_window(x.shape[2], x.shape[3], self.pool_h, self.pool_w, self.stride, self.pad)
        return (x if x.dtype.kind == "f" else x.astype(np.float64)), size

    def _checked_dout(self, dout):
        self._require_forward(self.arg_max)
        N, C, H, W = self.x_shape
        out_shape = (N, C, *check_window(H, W, self.pool_h, self.pool_w, self.stride, self.pad))
        dout = np.asarray(dout)
        if dout.shape != out_shape:
            raise ValueError(
                f"Pooling.backward(): dout has shape {dout.shape} but the forward output had shape {out_shape}"
            )
        return dout

    # -- the fast formulation: position (i, j) of every window is one strided view of the (padded)
    # -- input, so max and argmax are pool_h * pool_w elementwise passes over views (no copy of the
    # -- windows), and backward writes (or, for overlapping windows, adds) dout where each window's
    # -- maximum was, one window position at a time (no one-hot array)
    def _forward_fast(self, x):
        x, (out_h, out_w) = self._checked_input(x)
        N, C = x.shape[:2]
        buffers, shape = self.buffers, (N, C, out_h, out_w)
        img = _padded(buffers, "padded", x, self.pad)
        views = _positions(img, self.pool_h, self.pool_w, self.stride, out_h, out_w)
        index = np.uint8 if len(views) < 256 else np.intp  # small integers: a byte per output, fast passes
        out = buffers.get("out", shape, x.dtype)
        arg_max = buffers.get("arg_max", shape, index)
        larger = buffers.get("at", shape, np.bool_)
        k_where = buffers.get("k_where", shape, index)
        np.copyto(out, views[0])
        arg_max.fill(0)
        for k in range(1, len(views)):  # a later position wins only when strictly larger: ties keep the first
            np.greater(views[k], out, out=larger)
            np.multiply(larger, index(k), out=k_where)  # k where position k beats the maximum so far, else 0
            np.maximum(arg_max, k_where, out=arg_max)  # positions grow with k: the last winner stays
            np.maximum(out, views[k], out=out)
        self.arg_max = arg_max
        self.x_shape = x.shape
        self._dtype = x.dtype
        return out

    def _backward_fast(self, dout):
        dout = self._checked_dout(dout)
        N, C, H, W = self.x_shape
        buffers, shape, pad = self.buffers, self.arg_max.shape, self.pad
        img = buffers.get("dx", (N, C, H + 2 * pad, W + 2 * pad), self._dtype)
        img.fill(0)
        views = _positions(img, self.pool_h, self.pool_w, self.stride, *shape[2:])
        at = buffers.get("at", shape, np.bool_)
        overlap = self.stride < max(self.pool_h, self.pool_w)
        part = buffers.get("part", shape, self._dtype) if overlap else None
        for k, view in enumerate(views):  # the share of each window position: dout where it held the maximum
            np.equal(self.arg_max, self.arg_max.dtype.type(k), out=at)
            if overlap:
                view += np.multiply(dout, at, out=part)
            else:  # windows apart: each input position belongs to one window at most
                np.multiply(dout, at, out=view)
        return img[:, :, pad:H + pad, pad:W + pad] if pad else img

    def __repr__(self):
        return f"Pooling(pool_h={self.pool_h}, pool_w={self.pool_w}, stride={self.stride}, pad={self.pad})"


# -- shared by the fast formulations -------------------------------------------------------------
def _padded(buffers, name, x, pad):
    """``x`` with ``pad`` zeros on each side, in a kept array (whose border stays zero): ``x`` itself if no pad."""
    if pad == 0:
        return x
    N, C, H, W = x.shape
    img = buffers.get(name, (N, C, H + 2 * pad, W + 2 * pad), x.dtype, zeros=True)
    img[:, :, pad:H + pad, pad:W + pad] = x
    return img


def _windows(img, fh, fw, stride, out_h, out_w):
    """A view ``(N, out_h, out_w, C, fh, fw)`` of every window of ``img``: im2col's rows, before any copy."""
    view = sliding_window_view(img, (fh, fw), axis=(2, 3))[:, :, ::stride, ::stride][:, :, :out_h, :out_w]
    return view.transpose(0, 2, 3, 1, 4, 5)


def _positions(img, fh, fw, stride, out_h, out_w):
    """``fh * fw`` strided views ``(N, C, out_h, out_w)`` of ``img``: position ``(y, x)`` of every window."""
    return [img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] for y in range(fh) for x in range(fw)]


def _fold(buffers, parts, x_shape, stride, pad):
    """col2im by window positions: ``parts`` is ``(N, C, fh, fw, out_h, out_w)``; each of the ``fh * fw``
    slices is added where that position of every window lies (into a kept array, returned without the pad)."""
    N, C, fh, fw, out_h, out_w = parts.shape
    H, W = x_shape[2:]
    img = buffers.get("dx", (N, C, H + 2 * pad, W + 2 * pad), parts.dtype)
    img.fill(0)
    for y in range(fh):
        for x in range(fw):
            img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] += parts[:, :, y, x]
    return img[:, :, pad:H + pad, pad:W + pad] if pad else img
