"""The book's functions (chapters 3-5), made numerically stable.

Every function keeps the dtype of its floating input (float32 stays float32)
and never emits an overflow warning or takes ``log(0)``, even on inputs such
as +-1000 or an exact zero probability.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = [
    "as_float",
    "as_labels",
    "exp_span",
    "plain_labels",
    "positive_int",
    "unbroadcast",
    "cross_entropy_error",
    "identity_function",
    "log_softmax",
    "relu",
    "sigmoid",
    "softmax",
    "step_function",
    # the rest of the book's common/functions.py
    "mean_squared_error",
    "relu_grad",
    "sigmoid_grad",
    "softmax_loss",
    "sum_squared_error",
]

#: The book's ``delta`` in ``-sum(t * log(y + delta))``: it keeps ``log(0)``
#: away and is kept so that the book's printed losses are reproduced exactly.
CROSS_ENTROPY_DELTA = 1e-7


def as_float(x):
    """Return ``x`` as a floating array (integers become float64), without copying floats."""
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    return x


def identity_function(x):
    """Return ``x`` unchanged (the output activation for regression)."""
    return x


def step_function(x):
    """Step function: 1 where ``x > 0``, else 0; ``x: any shape -> int array, same shape``."""
    return (np.asarray(x) > 0).astype(np.int_)


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, elementwise, without overflow.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    y : ndarray, same shape as ``x``, values in [0, 1]
        Computed as ``1 / (1 + exp(-|x|))`` mirrored for negative inputs, so
        ``exp`` never sees a large positive argument.
    """
    x = as_float(x)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def relu(x):
    """Rectified linear unit ``max(0, x)``, elementwise; same shape and dtype as ``x``."""
    x = np.asarray(x)
    return np.maximum(x, 0, dtype=x.dtype)


def log_softmax(x):
    """Logarithm of :func:`softmax` over the last axis, computed stably.

    ``x: (..., C) -> (..., C)``; finite wherever the spread of a row's scores
    fits in the float range (``-inf``, the exact limit, beyond it); never NaN.
    """
    x = as_float(x)
    with np.errstate(over="ignore"):  # a spread beyond the float range gives -inf: its exact limit
        shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax(x):
    """Softmax over the last axis: ``exp(x) / sum(exp(x))``.

    Parameters
    ----------
    x : array_like, shape (C,) or (N, C) (any rank: the last axis is the class axis)

    Returns
    -------
    y : ndarray, same shape as ``x``; each row sums to 1.
        The row maximum is subtracted first, as in the book, so inputs like
        1000 do not overflow.
    """
    x = as_float(x)
    with np.errstate(over="ignore"):  # a spread beyond the float range gives exp(-inf) = 0
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def as_labels(t, n_classes, n_samples=None, *, name="t"):
    """Validate targets and return them as integer labels of shape ``(N,)``.

    Parameters
    ----------
    t : array_like, shape (N,) integer labels or (N, C) one-hot rows
        (a column of labels, shape (N, 1), is read as labels when C > 1)
    n_classes : int
        ``C``, the number of classes the predictions have.
    n_samples : int, optional
        ``N``, the batch size the predictions have; checked when given.
    name : str
        How the targets are called in error messages.

    Returns
    -------
    labels : ndarray of intp, shape (N,)

    Raises
    ------
    ValueError
        When the shapes disagree, a label is out of ``[0, C)``, or a one-hot
        row is not one-hot.
    TypeError
        When labels are not integers (floats holding integers are accepted).
    """
    t = np.asarray(t)
    if t.ndim == 2 and t.shape[1] == 1 and n_classes > 1:
        t = t[:, 0]  # a column of labels, (N, 1): the book's ch07/gradient_check.py passes np.array([1]).reshape(1, 1)
    if t.ndim == 2:
        if t.shape[1] != n_classes:
            raise ValueError(
                f"one-hot {name} has {t.shape[1]} columns but the predictions have "
                f"{n_classes} classes (shape {t.shape})"
            )
        labels = np.argmax(t, axis=1)
        rows = np.arange(t.shape[0])
        if t.shape[0] and not (
            np.all(t[rows, labels] == 1) and np.all(np.count_nonzero(t, axis=1) == 1)
        ):
            bad = int(np.flatnonzero((t[rows, labels] != 1) | (np.count_nonzero(t, axis=1) != 1))[0])
            raise ValueError(f"{name} row {bad} is not one-hot: {t[bad].tolist()}")
    elif t.ndim == 1:
        if t.dtype == np.bool_ or not (
            np.issubdtype(t.dtype, np.integer) or np.issubdtype(t.dtype, np.floating)
        ):
            raise TypeError(f"labels {name} must be integers; got dtype {t.dtype}")
        if np.issubdtype(t.dtype, np.floating):
            if not np.all(np.isfinite(t)) or not np.all(t == np.round(t)):
                bad = int(np.flatnonzero(~np.isfinite(t) | (t != np.round(t)))[0])
                raise TypeError(f"labels {name} must be integers; got {t[bad]} at index {bad}")
        labels = t.astype(np.intp)
        out = (labels < 0) | (labels >= n_classes)
        if np.any(out):
            bad = int(np.flatnonzero(out)[0])
            raise ValueError(
                f"labels {name} must be in [0, {n_classes}); got {t[bad]} at index {bad}"
            )
    else:
        raise ValueError(
            f"{name} must be labels of shape (N,) or one-hot of shape (N, {n_classes}); "
            f"got shape {t.shape}"
        )
    if n_samples is not None and labels.shape[0] != n_samples:
        raise ValueError(
            f"batch sizes differ: predictions have {n_samples} rows but {name} has "
            f"{labels.shape[0]} (shape {t.shape})"
        )
    return labels


def cross_entropy_error(y, t):
    """Mean cross-entropy ``-sum(t * log(y + 1e-7)) / N`` of probabilities ``y``.

    Exactly the book's formula (so it prints the book's numbers, e.g.
    0.510825457099338 for ``y[2] = 0.6``), including its ``delta = 1e-7``
    which keeps an exact zero probability finite.

    Parameters
    ----------
    y : array_like, shape (C,) or (N, C)
        Probabilities (for example the output of :func:`softmax`).
    t : array_like
        One-hot targets of the same shape as ``y``, or integer labels:
        a scalar / shape (1,) for a 1-D ``y``, shape (N,) for a 2-D ``y``.

    Returns
    -------
    loss : NumPy scalar of ``y``'s dtype
        The cross-entropy averaged over the batch.
    """
    y = as_float(y)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = np.asarray(t).reshape(1, -1) if np.ndim(t) == 1 and np.size(t) > 1 else np.ravel(t)
    elif y.ndim != 2:
        raise ValueError(f"y must have shape (C,) or (N, C); got shape {y.shape}")
    n, c = y.shape
    labels = as_labels(t, c, n)
    picked = y[np.arange(n), labels]
    return -np.sum(np.log(picked + CROSS_ENTROPY_DELTA)) / n


# -- the rest of the book's common/functions.py ---------------------------------------------------


def sigmoid_grad(x):
    """Derivative of the sigmoid at ``x``: ``(1 - sigmoid(x)) * sigmoid(x)`` (chapter 4's ``TwoLayerNet``)."""
    y = sigmoid(x)
    return (1.0 - y) * y


def relu_grad(x):
    """Derivative of ReLU at ``x``: 1 where ``x >= 0``, else 0 (the book's convention at 0); ``x``'s dtype."""
    x = as_float(x)
    return (x >= 0).astype(x.dtype)


def sum_squared_error(y, t):
    """The book's squared error ``0.5 * sum((y - t)**2)`` over all elements (not divided by N).

    Chapter 4 introduces it as ``mean_squared_error``; ``common/functions.py`` calls it
    ``sum_squared_error``. ``y`` and ``t`` must have the same shape.
    """
    y = as_float(y)
    t = np.asarray(t)
    if y.shape != t.shape:
        raise ValueError(f"y and t must have the same shape; got {y.shape} and {t.shape}")
    return 0.5 * np.sum((y - t) ** 2)


#: Chapter 4's name for :func:`sum_squared_error` (the same formula: ``0.5 * sum((y - t)**2)``).
mean_squared_error = sum_squared_error


def softmax_loss(X, t):
    """``cross_entropy_error(softmax(X), t)``: the loss of scores ``X`` (N, C) for targets ``t``."""
    return cross_entropy_error(softmax(X), t)


# -- checks of arguments, shared by the layers, the networks and training --------------------------
def positive_int(name, value):
    """``value`` as an int, or a ValueError naming ``name`` when it is not a positive integer."""
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


@functools.lru_cache(maxsize=8)
def exp_span(dtype):
    """How far below a shift a score may lie and keep ``exp(score - shift)`` a normal number.

    ``-log(tiny) - 8``: 79 for float32, 700 for float64 (a margin of e^8 below the smallest
    normal number, so sums and quotients of these exponentials stay normal too).
    """
    return float(-np.log(np.finfo(dtype).tiny) - 8)


def plain_labels(t, n_classes, n_samples):
    """Whether ``t`` already is what ``as_labels`` returns: intp labels ``(N,)`` in ``[0, C)``.

    One reduction (seen as unsigned, a negative label is huge, so one maximum checks
    both ends of the range), where the full validation takes several; anything
    else goes through ``as_labels`` (which converts, or says what is wrong).
    """
    return (isinstance(t, np.ndarray) and t.dtype == np.intp and t.shape == (n_samples,)
            and n_samples > 0 and t.view(np.uintp).max() < n_classes)


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes NumPy broadcast, so it gets back ``shape``.

    When an input of shape ``(3, 1)`` met one of shape ``(4,)``, the output and
    ``dout`` have shape ``(3, 4)``; each input's gradient is the sum of
    ``dout``-terms over the positions it was copied to.
    """
    shape = tuple(shape)
    if np.shape(grad) == shape:
        return grad
    grad = np.asarray(grad)
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    return grad.sum(axis=axes, keepdims=True).reshape(shape)
