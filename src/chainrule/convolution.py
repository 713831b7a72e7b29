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
:class:`~chainrule.layers.Buffers`. The fast formulation keeps images channels
last, ``(N, H, W, C)`` in memory behind ``(N, C, H, W)`` shapes, so each window's
rows are contiguous and each product's rows are long. It works in chunks of
images small enough to stay in the cache from the gathering copy to the product
(``_blas.CHUNK_BYTES``), shared among the cores chainrule may use
(``_blas.share``). The convolution's input gradient is not col2im's scatter-add:
it is the same forward (gather, product) on the upstream gradient spread by the
stride and padded by ``FH - 1 - pad``, with the filters flipped.
"""

from __future__ import annotations

import numpy as np

from ._blas import chunks, share
from ._buffers import Buffers
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
        self.x = None
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
        dout = self._checked_dout(dout, self.col)  # validation: the forward output's shape, in W's dtype
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

    def _checked_dout(self, dout, cached):
        self._require_forward(cached)
        FN, C, FH, FW = self.W.shape
        N, _, H, W = self.x_shape
        out_shape = (N, FN, *check_window(H, W, FH, FW, self.stride, self.pad))
        dout = np.asarray(dout)
        if dout.shape != out_shape:
            raise ValueError(
                f"Convolution.backward(): dout has shape {dout.shape} but the forward output had shape {out_shape}"
            )
        return dout if dout.dtype == self.W.dtype else dout.astype(self.W.dtype)

    # -- the fast formulation, channels last and in chunks of images: each chunk's windows are gathered by one
    # -- strided copy into rows (n*OH*OW, FH*FW*C) small enough to stay in the cache for their product, which
    # -- writes (n, OH, OW, FN) rows of the output (returned as an (N, FN, OH, OW) view); chunks run on every
    # -- core chainrule may use. The input gradient is the same forward on the upstream gradient (spread by the
    # -- stride, padded by FH-1-pad) with the flipped filters: one gather and one product, no scatter-add
    def _forward_fast(self, x):
        x, (out_h, out_w) = self._checked_input(x)
        FN, C, FH, FW = self.W.shape
        N, _, H, W = x.shape
        dtype = self.W.dtype
        kernel = self.buffers.get("kernel", (FH * FW * C, FN), dtype)
        np.copyto(kernel.reshape(FH, FW, C, FN), self.W.transpose(2, 3, 1, 0))  # rows in col's order (y, x, c)
        out = self.buffers.get("out", (N, out_h, out_w, FN), dtype)
        bias = self.buffers.get("bias", (out_w * FN,), dtype)  # b once per output position of a row:
        np.copyto(bias.reshape(out_w, FN), self.b)  # the addition runs along rows of out_w * FN numbers, not FN
        place = (slice(self.pad, self.pad + H), slice(self.pad, self.pad + W))

        def forward(part, chunk):
            gather = self._gather(part, "x", chunk.stop - chunk.start, (H + 2 * self.pad, W + 2 * self.pad, C), place,
                                  self.stride, (out_h, out_w))
            rows = np.dot(gather(x[chunk].transpose(0, 2, 3, 1)), kernel, out=out[chunk].reshape(-1, FN))
            rows = rows.reshape(-1, out_w * FN)
            np.add(rows, bias, out=rows)

        share(forward, chunks(N, out_h * out_w * FH * FW * C * x.itemsize))
        self.x_shape = x.shape
        self.x = x  # the input itself, as Affine keeps it: backward gathers its windows again, chunk by chunk
        self.col = None
        return out.transpose(0, 3, 1, 2)

    def _backward_fast(self, dout):
        dout = self._checked_dout(dout, self.x)
        FN, C, FH, FW = self.W.shape
        N, _, H, W = self.x_shape
        out_h, out_w = dout.shape[2:]
        buffers, dtype, K = self.buffers, self.W.dtype, FH * FW * C
        rows = _channels_last(dout)
        if rows is None:
            rows = buffers.get("dout", (N, out_h, out_w, FN), dtype)
            np.copyto(rows, dout.transpose(0, 2, 3, 1))
        if self.need_dx:
            flipped = buffers.get("flipped", (FH * FW * FN, C), dtype)
            np.copyto(flipped.reshape(FH, FW, FN, C), self.W[:, :, ::-1, ::-1].transpose(2, 3, 0, 1))
            dx = buffers.get("dx", (N, H, W, C), dtype)
            # dx[h, w] = sum over the filter of spread[h + i, w + j] * W[FH-1-i, FW-1-j], where the spread
            # gradient holds dout[i, j] at (FH-1-pad + i*stride, FW-1-pad + j*stride) and zeros elsewhere
            (top, i), (left, j) = (_placed(F - 1 - self.pad, self.stride, n, size + F - 1)
                                   for F, n, size in ((FH, out_h, H), (FW, out_w, W)))
        image, place = (H + 2 * self.pad, W + 2 * self.pad, C), (slice(self.pad, self.pad + H),
                                                                 slice(self.pad, self.pad + W))

        def backward(part, chunk):
            n, g = chunk.stop - chunk.start, rows[chunk]
            gather = self._gather(part, "x", n, image, place, self.stride, (out_h, out_w))
            col = gather(self.x[chunk].transpose(0, 2, 3, 1))
            parts, g2 = self._parts(part), g.reshape(-1, FN)
            dW, db = parts.get("dW_rows", (FN, K), dtype), parts.get("db", (FN,), dtype)
            if part in started:  # this thread's sums so far, plus this chunk's
                dW += np.dot(g2.T, col, out=parts.get("dW_part", (FN, K), dtype))
                db += np.dot(parts.ones(len(g2), dtype), g2, out=parts.get("db_part", (FN,), dtype))
            else:
                np.dot(g2.T, col, out=dW)
                np.dot(parts.ones(len(g2), dtype), g2, out=db)  # db: the sum of dout, as a product
                started.add(part)
            if self.need_dx:
                spread = self._gather(part, "dout", n, (H + FH - 1, W + FW - 1, FN), (top, left), 1, (H, W))
                np.dot(spread(g[:, i, j]), flipped, out=dx[chunk].reshape(-1, C))

        started = set()
        share(backward, chunks(N, max(out_h * out_w * K, H * W * FH * FW * FN * self.need_dx) * dtype.itemsize))
        dW_rows, self.db = buffers.get("dW_rows", (FN, K), dtype), buffers.get("db", (FN,), dtype)
        if 0 not in started:  # the workers took every chunk
            dW_rows.fill(0)
            self.db.fill(0)
        for part in sorted(started - {0}):
            dW_rows += self._parts(part).get("dW_rows", (FN, K), dtype)
            self.db += self._parts(part).get("db", (FN,), dtype)
        self.dW = buffers.get("dW", self.W.shape, dtype)
        np.copyto(self.dW, dW_rows.reshape(FN, FH, FW, C).transpose(0, 3, 1, 2))
        return dx.transpose(0, 3, 1, 2) if self.need_dx else None

    def _parts(self, part):
        """The buffers of one thread's chunks (part 0: the layer's own)."""
        if part == 0:
            return self.buffers
        parts = self.__dict__.setdefault("_part_buffers", {})
        if part not in parts:
            parts[part] = Buffers()
        return parts[part]

    def _gather(self, part, name, n, image, place, stride, out):
        """Part ``part``'s :class:`_Gather` of ``n`` images ``image`` (H, W, C) for this layer's filter size."""
        buffers = self._parts(part)
        return buffers.memo((name, n, image, out), lambda: _Gather(buffers, name, n, image, place, self.W.shape[2:],
                                                                     stride, out, self.W.dtype))

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

    # -- the fast formulation, channels last: position (i, j) of every window is one strided view of the
    # -- (padded) input, so max and argmax are pool_h * pool_w elementwise passes over views (no copy of the
    # -- windows), and backward writes (or, for overlapping windows, adds) dout where each window's
    # -- maximum was, one window position at a time (no one-hot array)
    def _forward_fast(self, x):
        x, (out_h, out_w) = self._checked_input(x)
        N, C = x.shape[:2]
        buffers, shape = self.buffers, (N, out_h, out_w, C)
        img = _padded(buffers, "padded", x, self.pad)
        index = np.uint8 if self.pool_h * self.pool_w < 256 else np.intp  # a byte per output: fast passes
        out, arg_max = buffers.get("out", shape, x.dtype), buffers.get("arg_max", shape, index)
        larger, k_where = buffers.get("at", shape, np.bool_), buffers.get("k_where", shape, index)
        other = buffers.get("spare", shape, x.dtype)

        def forward(part, chunk):
            views = _positions(img[chunk], self.pool_h, self.pool_w, self.stride, out_h, out_w)
            where, gt, k_at = arg_max[chunk], larger[chunk], k_where[chunk]
            # the maximum so far alternates between out and a spare array, so that each view is read once
            # and the comparison reads two contiguous arrays; it ends in out
            top, spare = (out[chunk], other[chunk]) if len(views) % 2 else (other[chunk], out[chunk])
            np.copyto(top, views[0])
            where.fill(0)
            for k in range(1, len(views)):  # a later position wins only when strictly larger: ties keep the first
                np.maximum(top, views[k], out=spare)
                np.greater(spare, top, out=gt)  # position k is larger than the maximum so far
                np.multiply(gt, index(k), out=k_at)  # k where position k beats the maximum so far, else 0
                np.maximum(where, k_at, out=where)  # positions grow with k: the last winner stays
                top, spare = spare, top

        share(forward, chunks(N, x[0].nbytes))
        self.arg_max = arg_max
        self.x_shape = x.shape
        self._dtype = x.dtype
        return out.transpose(0, 3, 1, 2)

    def _backward_fast(self, dout):
        dout = self._checked_dout(dout).transpose(0, 2, 3, 1)
        N, C, H, W = self.x_shape
        buffers, shape, pad, stride = self.buffers, self.arg_max.shape, self.pad, self.stride
        img = buffers.get("dx", (N, H + 2 * pad, W + 2 * pad, C), self._dtype)
        covered = stride == self.pool_h == self.pool_w and img.shape[1:3] == (shape[1] * stride, shape[2] * stride)
        overlap = stride < max(self.pool_h, self.pool_w)
        at = buffers.get("at", shape, np.bool_)
        part_of = buffers.get("part", shape, self._dtype) if overlap else None

        def backward(part, chunk):
            dx, g, where, hit = img[chunk], dout[chunk], self.arg_max[chunk], at[chunk]
            if not covered:
                dx.fill(0)  # some positions are in no window (or in several): start from zero
            for k, view in enumerate(_positions(dx, self.pool_h, self.pool_w, stride, *shape[1:3])):
                np.equal(where, where.dtype.type(k), out=hit)  # dout goes where position k held the maximum
                if overlap:
                    view += np.multiply(g, hit, out=part_of[chunk])
                else:  # windows apart: each input position belongs to one window at most
                    np.multiply(g, hit, out=view)

        share(backward, chunks(N, img[0].nbytes))
        return img[:, pad:H + pad, pad:W + pad].transpose(0, 3, 1, 2)

    def __repr__(self):
        return f"Pooling(pool_h={self.pool_h}, pool_w={self.pool_w}, stride={self.stride}, pad={self.pad})"


# -- shared by the fast formulations: images channels last, (N, H, W, C) in memory ---------------
def _channels_last(x):
    """``x`` (N, C, H, W) as its (N, H, W, C) memory when that is contiguous (a fast path's output), else None."""
    view = x.transpose(0, 2, 3, 1)
    return view if view.flags.c_contiguous else None


def _padded(buffers, name, x, pad):
    """``x`` (N, C, H, W) channels last with ``pad`` zeros on each side, (N, H + 2*pad, W + 2*pad, C) in a kept
    array whose border stays zero (with no pad: ``x`` itself, seen channels last)."""
    if pad == 0:
        return x.transpose(0, 2, 3, 1)
    N, C, H, W = x.shape
    img = buffers.get(name, (N, H + 2 * pad, W + 2 * pad, C), x.dtype, zeros=True)
    img[:, pad:H + pad, pad:W + pad] = x.transpose(0, 2, 3, 1)
    return img


class _Gather:
    """im2col channels last for chunks of ``n`` images: values placed in a kept zero array ``(n, *image)``
    (at ``place``: the pad around an input, the spread of a gradient), then one strided copy of its
    windows into the kept rows ``(n*out_h*out_w, fh*fw*C)``, row ``(k, i, j)`` the window at
    ``(i*stride, j*stride)`` in the order (y, x, channel). The views are built once. With one channel
    the copy runs along image rows (a longer inner loop): the rows are then the transpose of a kept
    ``(fh*fw, n*out_h*out_w)`` array (BLAS reads either)."""

    def __init__(self, buffers, name, n, image, place, window, stride, out, dtype):
        (H, W, C), (fh, fw), (out_h, out_w) = image, window, out
        img = buffers.get(name + " image", (n, H, W, C), dtype, zeros=True)
        self.inside = img[:, place[0], place[1]]
        sn, sh, sw, sc = img.strides  # the windows (n, out_h, out_w, C, fh, fw), as sliding_window_view has them
        windows = np.ndarray((n, out_h, out_w, C, fh, fw), img.dtype, img, 0,
                             (sn, sh * stride, sw * stride, sc, sh, sw))
        if C == 1:
            col = buffers.get(name + " rows", (fh * fw, n * out_h * out_w), img.dtype)
            self.copy = (col.reshape(fh, fw, 1, n, out_h, out_w), windows.transpose(4, 5, 3, 0, 1, 2))
            self.rows = col.T
        else:
            self.rows = buffers.get(name + " rows", (n * out_h * out_w, fh * fw * C), img.dtype)
            self.copy = (self.rows.reshape(n, out_h, out_w, fh, fw, C), windows.transpose(0, 1, 2, 4, 5, 3))

    def __call__(self, values):
        """The rows of the windows, with ``values`` (n, ...) placed first."""
        np.copyto(self.inside, values)
        np.copyto(*self.copy)
        return self.rows


def _placed(start, stride, count, size):
    """Where ``count`` positions ``start + i*stride`` fall in ``0:size``: (their slice, the slice of ``i``)."""
    first = 0 if start >= 0 else -(start // stride)
    last = max(first, min(count, (size - 1 - start) // stride + 1))
    return slice(start + first * stride, start + last * stride, stride), slice(first, last)


def _positions(img, fh, fw, stride, out_h, out_w):
    """``fh * fw`` strided views ``(N, out_h, out_w, C)`` of ``img`` (N, H, W, C): position (y, x) of each window."""
    return [img[:, y:y + stride * out_h:stride, x:x + stride * out_w:stride] for y in range(fh) for x in range(fw)]
