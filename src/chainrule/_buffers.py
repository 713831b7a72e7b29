"""The arrays a layer's fast formulation reuses from step to step (private: the book's layers use it).

A training step on the fast formulation allocates nothing: every output and gradient goes into an
array the layer keeps in its :class:`Buffers`, found by name, and overwritten by the next call.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Buffers"]

_ZEROS = {}  # dtype -> the zeros Buffers.like(None, x) hands out


class Buffers:
    """Arrays one layer reuses from step to step, by name: its fast formulation's outputs and gradients.

    ``get(name, shape, dtype)`` keeps one array per name, grown when a call needs more
    rows than any before (an evaluation chunk after training batches); smaller calls
    get a view of its first rows, which is contiguous like a fresh array.
    """

    __slots__ = ("_arrays", "_views", "_memo", "_ones", "_rows")

    def __init__(self):
        self._arrays = {}  # name -> array
        self._views = {}  # (name, shape) -> view of it, the common case
        self._memo = {}  # key -> what memo() made from these arrays
        self._ones = None
        self._rows = None

    def get(self, name, shape, dtype, zeros=False):
        """A reusable array of ``shape`` and ``dtype`` (``zeros``: filled with zeros when allocated,
        for a constant the layer only reads)."""
        view = self._views.get((name, shape))
        if view is not None and view.dtype == dtype:
            return view
        buf = self._arrays.get(name)
        if buf is None or buf.dtype != dtype or buf.shape[1:] != shape[1:] or buf.shape[:1] < shape[:1] \
                or buf.ndim != len(shape):
            buf = self._arrays[name] = (np.zeros if zeros else np.empty)(shape, dtype=dtype)
            for key in [key for key in self._views if key[0] == name]:  # views of the old array
                del self._views[key]
            self._memo.clear()
        view = self._views[(name, shape)] = buf if buf.shape == shape else buf[: shape[0]]
        return view

    def memo(self, key, make):
        """``make()``, kept under ``key`` until one of these arrays is replaced: views of them built once."""
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = make()
        return value

    def like(self, name, x, dtype=None):
        """A reusable array of ``x``'s shape laid out in memory as ``x`` is (a channels-last view of images
        gets a channels-last array: passes over both run in memory order). ``name`` None: zeros to read,
        never to write (beyond 64 kB, views of one array per dtype that every layer shares)."""
        dtype = x.dtype if dtype is None else dtype
        if x.flags.c_contiguous and (name is not None or x.nbytes <= 1 << 16):  # small zeros: the layer's own
            return self.get(name or "zeros", x.shape, dtype, zeros=name is None)
        order = sorted(range(x.ndim), key=lambda axis: -x.strides[axis])  # outermost axis first
        shape = tuple(x.shape[axis] for axis in order)
        buf = self.get(name, shape, dtype) if name is not None else _zeros(dtype, x.size).reshape(shape)
        return buf.transpose(np.argsort(order))

    def ones(self, n, dtype):
        """``ones(n)``, kept: sums as products (``ones(N) @ dout`` is ``dout.sum(axis=0)``, in one BLAS call)."""
        if self._ones is None or self._ones.shape[0] < n or self._ones.dtype != dtype:
            self._ones = np.ones(n, dtype=dtype)
        return self._ones[:n]

    def rows(self, n):
        """``arange(n)``, kept: the row index that picks each sample's target column."""
        if self._rows is None or self._rows.shape[0] < n:
            self._rows = np.arange(n)
        return self._rows[:n]


def _zeros(dtype, size):
    flat = _ZEROS.get(dtype)
    if flat is None or flat.size < size:
        flat = _ZEROS[dtype] = np.zeros(size, dtype=dtype)
    return flat[:size]
