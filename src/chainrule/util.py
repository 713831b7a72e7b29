"""The book's ``common/util.py``: helpers of chapters 6 and 7.

``smooth_curve`` (for plotting noisy loss curves), ``shuffle_dataset``,
``conv_output_size``, and ``im2col`` / ``col2im`` (kept in :mod:`chainrule.im2col`,
reachable here as in the book).
"""

from __future__ import annotations

import numpy as np

from .im2col import col2im, conv_output_size, im2col

__all__ = ["col2im", "conv_output_size", "im2col", "shuffle_dataset", "smooth_curve"]


def smooth_curve(x):
    """A smoothed copy of the 1-D sequence ``x`` (the book's loss-curve smoother).

    A moving average with an 11-point Kaiser window (beta 2); the ends are
    mirrored so the result has the same length as ``x`` (at least 11 values).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"smooth_curve needs a 1-D sequence; got shape {x.shape}")
    window_len = 11
    if x.shape[0] < window_len:
        raise ValueError(f"smooth_curve needs at least {window_len} values; got {x.shape[0]}")
    s = np.r_[x[window_len - 1:0:-1], x, x[-1:-window_len:-1]]
    w = np.kaiser(window_len, 2)
    y = np.convolve(w / w.sum(), s, mode="valid")
    return y[5:len(y) - 5]


def shuffle_dataset(x, t, rng=None):
    """``(x, t)`` with their samples (first axis) in one new random order.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    t : ndarray, shape (N, ...)
    rng : numpy.random.Generator, int or None
        The book draws from the global ``np.random``; pass a seed to repeat a shuffle.

    Returns
    -------
    x, t : new arrays (the inputs are not changed)
    """
    x = np.asarray(x)
    t = np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or x.shape[0] != t.shape[0]:
        raise ValueError(
            f"shuffle_dataset needs x and t with the same number of samples; got shapes {x.shape} and {t.shape}"
        )
    permutation = np.random.default_rng(rng).permutation(x.shape[0])
    return x[permutation], t[permutation]
