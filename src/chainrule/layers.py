"""Chapter 5's layers: nodes of a computational graph with ``forward`` and ``backward``.

Each layer computes its local forward value, caches exactly what its backward
needs, and in ``backward(dout)`` multiplies the upstream derivative ``dout`` by
its local derivative (the chain rule). The contract, for every layer here:

* neither method mutates an array it was given (the book's ``Relu.backward``
  writes into ``dout``; ours returns a new array);
* ``backward`` before ``forward`` raises a clear :class:`RuntimeError`;
* bad shapes raise :class:`ValueError` naming the shapes involved;
* the dtype follows the input (and, for :class:`Affine`, the parameters).
"""

from __future__ import annotations

import numpy as np

from .functions import _as_float, as_labels, log_softmax, sigmoid

__all__ = ["AddLayer", "Affine", "Layer", "MulLayer", "Relu", "Sigmoid", "SoftmaxWithLoss"]


def _unbroadcast(grad, shape):
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


class Layer:
    """Base of every layer: parameter bookkeeping and the forward-before-backward check.

    Subclasses that own parameters list their attribute names in ``param_names``
    (for :class:`Affine`: ``("W", "b")``); the gradient of parameter ``W`` is
    stored by ``backward`` in attribute ``dW``.
    """

    param_names: tuple[str, ...] = ()

    @property
    def params(self):
        """``{name: array}`` of this layer's parameters (the arrays themselves, not copies)."""
        return {name: getattr(self, name) for name in self.param_names}

    @property
    def grads(self):
        """``{name: gradient}`` as set by the last ``backward`` (``None`` before it)."""
        return {name: getattr(self, "d" + name) for name in self.param_names}

    def _require_forward(self, cached):
        if cached is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward() was called before forward(): "
                "run forward() first so the layer has the values its backward needs"
            )

    def _check_dout(self, dout, shape):
        dshape = np.shape(dout)
        try:
            ok = np.broadcast_shapes(dshape, shape) == tuple(shape)
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"{type(self).__name__}.backward(): dout has shape {dshape} but the forward "
                f"output had shape {tuple(shape)}"
            )

    def __repr__(self):
        shapes = ", ".join(f"{k}={np.shape(v)}" for k, v in self.params.items())
        return f"{type(self).__name__}({shapes})"


class MulLayer(Layer):
    """Multiplication node ``out = x * y`` (the book's apple-shopping node).

    ``x, y``: scalars or arrays of broadcastable shapes ``-> out``: the broadcast
    shape. ``backward(dout) -> (dx, dy)`` with ``dx = dout * y`` and
    ``dy = dout * x`` (the inputs swap), each summed back to its input's shape.
    """

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        self._out_shape = np.shape(out)
        return out

    def backward(self, dout):
        self._require_forward(self.x)
        self._check_dout(dout, self._out_shape)
        dx = _unbroadcast(dout * self.y, np.shape(self.x))
        dy = _unbroadcast(dout * self.x, np.shape(self.y))
        return dx, dy


class AddLayer(Layer):
    """Addition node ``out = x + y``; ``backward(dout) -> (dout, dout)`` (each summed
    back to its input's shape where NumPy broadcast it)."""

    def __init__(self):
        self._shapes = None

    def forward(self, x, y):
        self._shapes = (np.shape(x), np.shape(y))
        out = x + y
        self._out_shape = np.shape(out)
        return out

    def backward(self, dout):
        self._require_forward(self._shapes)
        self._check_dout(dout, self._out_shape)
        dx = _unbroadcast(dout * 1, self._shapes[0])
        dy = _unbroadcast(dout * 1, self._shapes[1])
        return dx, dy


class Relu(Layer):
    """ReLU node: ``out = max(0, x)``; ``x: any shape -> out: same shape``.

    Caches the boolean ``mask`` of ``x <= 0``; ``backward(dout)`` returns a new
    array equal to ``dout`` with the masked positions set to 0 (``dout`` itself
    is left untouched, unlike the book's in-place ``dout[self.mask] = 0``).
    """

    def __init__(self):
        self.mask = None

    def forward(self, x):
        x = np.asarray(x)
        self.mask = x <= 0
        return np.where(self.mask, np.zeros((), dtype=x.dtype), x)

    def backward(self, dout):
        self._require_forward(self.mask)
        self._check_dout(dout, self.mask.shape)
        dout = np.asarray(dout)
        return np.where(self.mask, np.zeros((), dtype=dout.dtype), dout)


class Sigmoid(Layer):
    """Sigmoid node: ``out = 1 / (1 + exp(-x))``; ``x: any shape -> out: same shape``.

    Caches its output ``out``; ``backward(dout) = dout * out * (1 - out)``, the
    collapsed product of the four nodes (x(-1), exp, +1, /) of the book's figure.
    """

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        self._require_forward(self.out)
        self._check_dout(dout, self.out.shape)
        return dout * (1.0 - self.out) * self.out


class Affine(Layer):
    """Affine (fully connected) node: ``out = x @ W + b``.

    Parameters
    ----------
    W : ndarray, shape (D, M), floating
    b : ndarray, shape (M,), same dtype as ``W``

    Shapes
    ------
    ``x: (N, D)`` or any ``(N, d1, d2, ...)`` with ``d1*d2*... == D`` (flattened
    to ``(N, D)``; a 1-D ``x`` of shape ``(D,)`` is one sample) ``-> out: (N, M)``.
    ``backward(dout: (N, M)) -> dx`` in the input's shape, and sets
    ``dW = x.T @ dout`` of shape (D, M) and ``db = sum(dout, axis=0)`` of shape (M,).

    The input is cast to ``W``'s dtype, so a float32 layer computes in float32.
    Set ``need_dx = False`` on a first layer to skip the input gradient that
    nobody uses (``backward`` then returns ``None``).
    """

    param_names = ("W", "b")

    def __init__(self, W, b):
        W = np.asarray(W)
        b = np.asarray(b)
        if W.ndim != 2 or not np.issubdtype(W.dtype, np.floating):
            raise ValueError(f"Affine W must be a 2-D float array; got shape {W.shape}, dtype {W.dtype}")
        if b.shape != (W.shape[1],):
            raise ValueError(f"Affine b must have shape ({W.shape[1]},) to match W {W.shape}; got {b.shape}")
        if b.dtype != W.dtype:
            raise ValueError(f"Affine b has dtype {b.dtype} but W has {W.dtype}; use one dtype")
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None
        self.need_dx = True

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim == 0:
            raise ValueError("Affine input must have shape (N, D) (or (D,) for one sample); got a scalar")
        self.original_x_shape = x.shape
        if x.ndim == 1:
            x2 = x.reshape(1, -1)
        else:
            x2 = x.reshape(x.shape[0], int(np.prod(x.shape[1:])))
        if x2.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"Affine input has {x2.shape[1]} features per sample (shape {x.shape}) "
                f"but W has shape {self.W.shape}: expected {self.W.shape[0]} features"
            )
        if x2.dtype != self.W.dtype:
            x2 = x2.astype(self.W.dtype)
        self.x = x2
        out = x2 @ self.W + self.b
        return out[0] if x.ndim == 1 else out

    def backward(self, dout):
        self._require_forward(self.x)
        dout = np.asarray(dout)
        n, m = self.x.shape[0], self.W.shape[1]
        if dout.shape != ((m,) if len(self.original_x_shape) == 1 else (n, m)):
            raise ValueError(
                f"Affine.backward(): dout has shape {dout.shape} but the forward output had "
                f"shape {(m,) if len(self.original_x_shape) == 1 else (n, m)}"
            )
        dout = dout.reshape(n, m)
        if dout.dtype != self.W.dtype:
            dout = dout.astype(self.W.dtype)
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not self.need_dx:
            return None
        return (dout @ self.W.T).reshape(self.original_x_shape)


class SoftmaxWithLoss(Layer):
    """Softmax followed by the cross-entropy loss, as one node.

    ``forward(x: (N, C), t) -> loss`` (a scalar of ``x``'s dtype: the mean over
    the batch), with ``t`` one-hot of shape ``(N, C)`` or integer labels of shape
    ``(N,)``; a 1-D ``x`` of shape ``(C,)`` is one sample. ``backward(dout=1)``
    returns ``dout * (y - t) / N`` with ``y = softmax(x)``: the whole chain of
    softmax and log collapses to that difference, which is why the two are one node.

    The loss is computed from the log-softmax, so it is exact and finite even
    for scores like 1000 (the book's ``log(y + 1e-7)`` differs from it by at
    most about 1e-7).
    """

    def __init__(self):
        self.loss = None
        self.y = None  # softmax output
        self.t = None  # targets as given
        self._labels = None

    def forward(self, x, t):
        x = _as_float(x)
        self._one_sample = x.ndim == 1
        if self._one_sample:
            x = x.reshape(1, -1)
            t = np.reshape(t, (1, -1)) if np.ndim(t) == 1 and np.size(t) > 1 else np.reshape(t, (1,))
        if x.ndim != 2:
            raise ValueError(f"SoftmaxWithLoss input must have shape (N, C); got shape {x.shape}")
        n, c = x.shape
        if n == 0:
            raise ValueError("SoftmaxWithLoss got an empty batch (N = 0): the mean loss is undefined")
        labels = as_labels(t, c, n)
        logp = log_softmax(x)
        self.t = t
        self._labels = labels
        self.y = np.exp(logp)
        self.loss = -np.sum(logp[np.arange(n), labels]) / n
        return self.loss

    def backward(self, dout=1):
        self._require_forward(self.y)
        if np.ndim(dout) != 0:
            raise ValueError(f"SoftmaxWithLoss.backward(): dout must be a scalar; got shape {np.shape(dout)}")
        n = self.y.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self._labels] -= 1
        dx *= dout / n
        return dx[0] if self._one_sample else dx
