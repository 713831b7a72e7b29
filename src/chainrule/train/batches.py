"""Minibatches and evaluation chunks: the inputs as stored (uint8 pixels or floats), checked,
gathered into reused buffers of the network's dtype and scaled on the fly (:class:`Converter`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Converter", "check_inputs", "input_scale_for", "network_dtype"]


def input_scale_for(x):
    """The factor that turns stored inputs into network inputs: 1/255 for uint8 pixels, else 1."""
    return 1.0 / 255.0 if np.asarray(x).dtype == np.uint8 else 1.0


def check_inputs(x, name):
    """``x`` as an array of uint8 pixels or floats with one row per sample, or a clear error."""
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if x.dtype != np.uint8 and not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must be uint8 pixels (0..255) or floats; got dtype {x.dtype}")
    if x.ndim < 2:
        raise ValueError(f"{name} must have one row per sample, shape (N, D) or (N, C, H, W); got shape {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {x.shape})")
    return x


def network_dtype(network):
    """The floating dtype a network computes in."""
    dtype = getattr(network, "dtype", None)
    if dtype is None:
        dtype = next(iter(network.params.values())).dtype
    return np.dtype(dtype)
class Converter:
    """Copies rows of stored inputs into a reused buffer of the network's dtype, scaled.

    ``x`` uint8 (or any dtype differing from the network's, or a scale other than 1):
    ``np.take`` into a buffer of ``x``'s dtype, then a cast into the float buffer and
    a multiplication in place. ``x`` already in the network's dtype with scale 1: ``np.take``
    straight into the float buffer.
    """

    def __init__(self, x, rows, dtype, scale, *, gather=True, share=None):
        self.x = x
        self.dtype = np.dtype(dtype)
        self.scale = self.dtype.type(scale)  # a scalar of the network's dtype: no promotion
        self.direct = x.dtype == self.dtype and scale == 1
        shape = (rows, *x.shape[1:])
        self.out = self.raw = None
        if share is not None and share.out is not None and share.out.shape[0] >= rows \
                and share.out.shape[1:] == shape[1:] and share.out.dtype == self.dtype:
            self.out = share.out  # one buffer for the evaluation of both sets
            if share.raw is not None and share.raw.dtype == x.dtype:
                self.raw = share.raw
        if self.out is None and (gather or not self.direct):  # slice() of a direct input is a view: no buffer
            self.out = np.empty(shape, dtype=self.dtype)
        if self.raw is None and not self.direct:
            self.raw = np.empty(shape, dtype=x.dtype)

    def take(self, idx):
        """Rows ``idx`` of ``x``, converted: a view of the buffer, shape ``(len(idx), ...)``."""
        k = len(idx)
        out = self.out[:k]
        if self.direct:
            np.take(self.x, idx, axis=0, out=out, mode="clip")  # idx is always in range
        else:
            raw = self.raw[:k]
            np.take(self.x, idx, axis=0, out=raw, mode="clip")
            self._convert(raw, out)
        return out

    def _convert(self, src, out):
        # cast, then scale in place: the same numbers as np.multiply(src, scale, out=out, casting="unsafe"),
        # in two loops that are each faster than that one mixed-type loop
        np.copyto(out, src, casting="unsafe")
        if self.scale != 1:
            np.multiply(out, self.scale, out=out)

    def slice(self, start, stop):
        """Rows ``start:stop`` of ``x``, converted (a view of the buffer)."""
        src = self.x[start:stop]
        if self.direct:
            return src  # already the network's dtype: nothing to convert
        out = self.out[: stop - start]
        self._convert(src, out)
        return out
