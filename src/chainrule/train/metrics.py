"""How good a network is: accuracy (one loop for every caller), predicted labels, the confusion matrix.

:func:`count_correct` is the one accuracy loop: ``network.accuracy`` (the book's method),
:func:`evaluate` and the :class:`~chainrule.train.Trainer`'s accuracies per epoch all
count through it, in chunks of rows, so memory stays bounded on any set.
"""

from __future__ import annotations

import numpy as np

from ..functions import as_labels, positive_int
from ..networks import count_correct
from .batches import Converter, check_inputs, input_scale_for, network_dtype

__all__ = ["EVAL_CHUNK", "confusion_matrix", "evaluate", "predict_labels"]

#: Rows per chunk when computing accuracies. It bounds the memory of an evaluation, and
#: 2000 MNIST rows (6 MB as float32, 400 kB of hidden activations) stay in cache: an
#: evaluation is about 25% faster than in chunks of 10000 (benchmarks/README.md).
EVAL_CHUNK = 2000


def _chunked_inputs(network, x, chunk_size, input_scale):
    """``(x, chunk_size, converter)``, checked: the converter gives the network's inputs of rows ``start:stop``."""
    x = check_inputs(x, "x")
    chunk_size = positive_int("chunk_size", chunk_size)
    scale = input_scale_for(x) if input_scale is None else float(input_scale)
    return x, chunk_size, Converter(x, min(chunk_size, x.shape[0]), network_dtype(network), scale, gather=False)


def predict_labels(network, x, *, chunk_size=EVAL_CHUNK, input_scale=None):
    """Predicted class of every row of ``x``, computed ``chunk_size`` rows at a time.

    Parameters
    ----------
    network : a network with ``predict``
    x : ndarray, shape (N, D) or (N, C, H, W), uint8 pixels or floats
    chunk_size : int
        Rows per forward pass (memory is proportional to it).
    input_scale : float, optional
        Multiplies the inputs; default 1/255 for uint8, 1 for floats.

    Returns
    -------
    labels : ndarray of intp, shape (N,)
    """
    x, chunk_size, conv = _chunked_inputs(network, x, chunk_size, input_scale)
    labels = np.empty(x.shape[0], dtype=np.intp)
    for start in range(0, x.shape[0], chunk_size):
        stop = min(start + chunk_size, x.shape[0])
        labels[start:stop] = np.argmax(network.predict(conv.slice(start, stop)), axis=1)
    return labels


def evaluate(network, x, t, *, chunk_size=EVAL_CHUNK, input_scale=None):
    """Accuracy of ``network`` on ``(x, t)``: the fraction of rows whose top score is the label.

    Parameters
    ----------
    network : a network with ``predict``
    x : ndarray, shape (N, D) or (N, C, H, W)
        uint8 pixels (scaled by 1/255) or floats, as for :func:`predict_labels`.
    t : ndarray, shape (N,) labels or (N, C) one-hot

    Returns
    -------
    accuracy : float
    """
    x, chunk_size, conv = _chunked_inputs(network, x, chunk_size, input_scale)
    return count_correct(network.predict, conv.slice, t, x.shape[0], chunk_size) / x.shape[0]


def confusion_matrix(t, y, n_classes=None):
    """Counts of (true class, predicted class) pairs.

    Parameters
    ----------
    t : array_like of int, shape (N,)
        True labels.
    y : array_like of int, shape (N,)
        Predicted labels.
    n_classes : int, optional
        ``C``; default ``max(t, y) + 1``.

    Returns
    -------
    cm : ndarray of int64, shape (C, C)
        ``cm[i, j]`` is how many samples of class ``i`` were predicted as ``j``;
        the diagonal holds the correct ones.
    """
    t = np.asarray(t)
    y = np.asarray(y)
    if t.shape != y.shape or t.ndim != 1:
        raise ValueError(f"t and y must be label vectors of one shape (N,); got {t.shape} and {y.shape}")
    if n_classes is None:
        n_classes = int(max(t.max(initial=0), y.max(initial=0))) + 1
    t = as_labels(t, n_classes, name="t")
    y = as_labels(y, n_classes, name="y")
    return np.bincount(t * n_classes + y, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
