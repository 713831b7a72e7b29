"""Chapter 5's layers: nodes of a computational graph with ``forward`` and ``backward``.

Each layer computes its local forward value, caches exactly what its backward
needs, and in ``backward(dout)`` multiplies the upstream derivative ``dout`` by
its local derivative (the chain rule). The contract, for every layer here:

* neither method mutates an array it was given (the book's ``Relu.backward``
  writes into ``dout``; ours returns a new array);
* ``backward`` before ``forward`` raises a clear :class:`RuntimeError`;
* bad shapes raise :class:`ValueError` naming the shapes involved;
* the dtype follows the input (and, for :class:`Affine`, the parameters).

One switch selects the fast formulation, in the same classes: ``reuse_buffers``
(off by default). With it on, a layer writes its output, its input gradient and
its parameter gradients into arrays it owns and reuses from step to step, so a
training step allocates nothing; each call then overwrites what the previous
call returned (copy what you want to keep). The numbers are the same as the
readable path's (``tests/test_fastpath.py`` proves it). A network turns it on
for all its layers with :meth:`~chainrule.networks.Sequential.fast_training`.
"""

from __future__ import annotations

import functools

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

    #: Fast formulation: write outputs and gradients into arrays this layer owns
    #: and reuses (no allocation per step; each call overwrites the last result).
    reuse_buffers: bool = False

    def _buffer(self, name, shape, dtype, zeros=False):
        """A reusable array of ``shape`` and ``dtype``, owned by this layer.

        Kept per ``name`` and grown when a call needs more rows than any before
        (an evaluation chunk after training batches); smaller calls get a view
        of its first rows, which is contiguous like a fresh array. ``zeros``:
        filled with zeros when allocated (for a constant the layer only reads).
        """
        views = self.__dict__.setdefault("_buffer_views", {})  # (name, shape) -> array, the common case
        view = views.get((name, shape))
        if view is not None and view.dtype == dtype:
            return view
        buffers = self.__dict__.setdefault("_buffers", {})
        buf = buffers.get(name)
        if buf is None or buf.dtype != dtype or buf.shape[1:] != shape[1:] or buf.shape[0] < shape[0]:
            buf = buffers[name] = (np.zeros if zeros else np.empty)(shape, dtype=dtype)
            for key in [key for key in views if key[0] == name]:  # views of the old array
                del views[key]
        view = views[(name, shape)] = buf if buf.shape[0] == shape[0] else buf[: shape[0]]
        return view

    def _ones(self, n, dtype):
        """``ones(n)``, kept: sums as products (``ones(N) @ dout`` is ``dout.sum(axis=0)``, in one BLAS call)."""
        ones = self.__dict__.get("_ones_vector")
        if ones is None or ones.shape[0] < n or ones.dtype != dtype:
            ones = self._ones_vector = np.ones(n, dtype=dtype)
        return ones[:n]

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
        dshape = dout.shape if isinstance(dout, np.ndarray) else np.shape(dout)
        if dshape == shape:
            return
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

    With ``reuse_buffers``: ``out = max(x, 0)`` is written into a buffer the
    layer keeps, and ``backward`` multiplies ``dout`` by ``out > 0`` into
    another (the same numbers; ``mask`` is not kept).
    """

    def __init__(self):
        self.mask = None
        self.out = None  # the output, kept on the fast path instead of the mask

    def forward(self, x):
        x = np.asarray(x)
        if self.reuse_buffers and x.ndim > 0 and x.dtype.kind == "f":
            self.mask = None
            # max(x, 0) against an array of zeros: NumPy's loop for two arrays is faster than for array and scalar
            zeros = self._buffer("zeros", x.shape, x.dtype, zeros=True)
            self.out = np.maximum(x, zeros, out=self._buffer("out", x.shape, x.dtype))
            return self.out
        self.out = None
        self.mask = x <= 0
        return np.where(self.mask, np.zeros((), dtype=x.dtype), x)

    def backward(self, dout):
        if self.out is not None:  # forward ran on the fast path
            self._check_dout(dout, self.out.shape)
            dout = np.asarray(dout)
            if dout.dtype == self.out.dtype:
                keep = np.greater(self.out, 0, out=self._buffer("keep", self.out.shape, np.bool_))
                return np.multiply(dout, keep, out=self._buffer("dx", self.out.shape, dout.dtype))
            mask = self.out <= 0
        else:
            self._require_forward(self.mask)
            self._check_dout(dout, self.mask.shape)
            dout = np.asarray(dout)
            mask = self.mask
        return np.where(mask, np.zeros((), dtype=dout.dtype), dout)


class Sigmoid(Layer):
    """Sigmoid node: ``out = 1 / (1 + exp(-x))``; ``x: any shape -> out: same shape``.

    Caches its output ``out``; ``backward(dout) = dout * out * (1 - out)``, the
    collapsed product of the four nodes (x(-1), exp, +1, /) of the book's figure.

    With ``reuse_buffers``: the same operations, written into buffers the layer keeps.
    """

    def __init__(self):
        self.out = None

    def forward(self, x):
        x = np.asarray(x)
        if not (self.reuse_buffers and x.ndim > 0 and x.dtype.kind == "f"):
            self.out = sigmoid(x)
            return self.out
        # functions.sigmoid, step by step into buffers: where(x >= 0, 1 / (1 + e), e / (1 + e)), e = exp(-|x|)
        e = np.abs(x, out=self._buffer("e", x.shape, x.dtype))
        np.negative(e, out=e)
        np.exp(e, out=e)
        out = np.add(e, 1, out=self._buffer("out", x.shape, x.dtype))
        np.divide(e, out, out=e)
        np.divide(1, out, out=out)
        np.copyto(out, e, where=np.less(x, 0, out=self._buffer("negative", x.shape, np.bool_)))
        self.out = out
        return out

    def backward(self, dout):
        self._require_forward(self.out)
        self._check_dout(dout, self.out.shape)
        dout = np.asarray(dout)
        if self.reuse_buffers and dout.dtype == self.out.dtype:
            dx = np.subtract(1.0, self.out, out=self._buffer("dx", self.out.shape, dout.dtype))
            np.multiply(dout, dx, out=dx)
            return np.multiply(dx, self.out, out=dx)
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

    With ``reuse_buffers``: ``out``, ``dW``, ``db`` and ``dx`` are written into
    arrays the layer keeps (``np.dot(..., out=...)``), so ``dW`` is the same
    array after every ``backward``; the numbers are the readable path's.
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
        elif x.ndim == 2:
            x2 = x
        else:
            x2 = x.reshape(x.shape[0], int(np.prod(x.shape[1:])))
        if x2.shape[1] != self.W.shape[0]:
            raise ValueError(
                f"Affine input has {x2.shape[1]} features per sample (shape {x.shape}) "
                f"but W has shape {self.W.shape}: expected {self.W.shape[0]} features"
            )
        if self.reuse_buffers:
            if x2.dtype != self.W.dtype:
                cast = self._buffer("x", x2.shape, self.W.dtype)
                np.copyto(cast, x2, casting="unsafe")
                x2 = cast
            self.x = x2
            out = np.dot(x2, self.W, out=self._buffer("out", (x2.shape[0], self.W.shape[1]), self.W.dtype))
            out += self.b
        else:
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
        if self.reuse_buffers:
            self.dW = np.dot(self.x.T, dout, out=self._buffer("dW", self.W.shape, self.W.dtype))
            # db = sum of dout over the batch, as the product ones(N) @ dout (one BLAS call, no temporary)
            self.db = np.dot(self._ones(n, dout.dtype), dout, out=self._buffer("db", self.b.shape, self.b.dtype))
            if not self.need_dx:
                return None
            dx = np.dot(dout, self.W.T, out=self._buffer("dx", self.x.shape, self.W.dtype))
            return dx.reshape(self.original_x_shape)
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not self.need_dx:
            return None
        return (dout @ self.W.T).reshape(self.original_x_shape)


@functools.lru_cache(maxsize=8)
def _exp_span(dtype):
    """How far below a shift a score may lie and keep ``exp(score - shift)`` a normal number.

    ``-log(tiny) - 8``: 79 for float32, 700 for float64 (a margin of e^8 below the smallest
    normal number, so sums and quotients of these exponentials stay normal too).
    """
    return float(-np.log(np.finfo(dtype).tiny) - 8)


def _plain_labels(t, n_classes, n_samples):
    """Whether ``t`` already is what ``as_labels`` returns: intp labels ``(N,)`` in ``[0, C)``.

    One reduction (seen as unsigned, a negative label is huge, so one maximum checks
    both ends of the range), where the full validation takes several; anything
    else goes through ``as_labels`` (which converts, or says what is wrong).
    """
    return (isinstance(t, np.ndarray) and t.dtype == np.intp and t.shape == (n_samples,)
            and n_samples > 0 and t.view(np.uintp).max() < n_classes)


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

    With ``reuse_buffers``: softmax and loss in one pass over buffers the layer
    keeps (one ``exp`` per score, ``y = exp(s) / sum(exp(s))`` and
    ``loss = mean(log(sum(exp(s))) - s[label])`` with ``s = x - max(x)``), and
    the gradient written into a buffer straight from the labels (no one-hot).
    """

    def __init__(self):
        self.loss = None
        self.y = None  # softmax output
        self.t = None  # targets as given
        self._labels = None

    def _rows(self, n):
        """``arange(n)``, kept: the row index that picks each sample's target column."""
        rows = self.__dict__.get("_row_index")
        if rows is None or rows.shape[0] < n:
            rows = self._row_index = np.arange(n)
        return rows[:n]

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
        if self.reuse_buffers and _plain_labels(t, c, n):
            labels = t  # integer labels of the right shape and range: used as they are
        else:
            labels = as_labels(t, c, n)
        self.t = t
        self._labels = labels
        if self.reuse_buffers:
            # Moving a row's scores by one constant changes neither softmax nor loss; the shift
            # only keeps exp() in range. log_softmax shifts each row by its maximum. When the
            # batch's scores span less than exp's range (always, once training is under way),
            # the batch's maximum does the same job with one reduction instead of one per row.
            y = self._buffer("y", x.shape, x.dtype)
            top = np.maximum.reduce(x, axis=None)
            if top - np.minimum.reduce(x, axis=None) < _exp_span(x.dtype):
                shifted = np.subtract(x, top, out=y)
            else:
                rowmax = np.maximum.reduce(x, axis=1, keepdims=True, out=self._buffer("rowmax", (n, 1), x.dtype))
                with np.errstate(over="ignore"):  # as in log_softmax: a spread beyond the float range gives -inf
                    shifted = np.subtract(x, rowmax, out=y)
            picked = shifted[self._rows(n), labels]
            np.exp(shifted, out=y)
            # each row's sum as the product y @ ones(C): one BLAS call, faster than a reduction over short rows
            total = np.dot(y, self._ones(c, x.dtype), out=self._buffer("rowsum", (n,), x.dtype))
            np.divide(y, total[:, None], out=y)
            self.y = y
            self.loss = -np.add.reduce(np.subtract(picked, np.log(total), out=picked)) / n
            return self.loss
        logp = log_softmax(x)
        self.y = np.exp(logp)
        self.loss = -np.sum(logp[np.arange(n), labels]) / n
        return self.loss

    def backward(self, dout=1):
        self._require_forward(self.y)
        if np.ndim(dout) != 0:
            raise ValueError(f"SoftmaxWithLoss.backward(): dout must be a scalar; got shape {np.shape(dout)}")
        n = self.y.shape[0]
        if self.reuse_buffers:  # dout * (y - t) / N as dout/N * y, then dout/N less at each target
            dx = np.multiply(self.y, dout / n, out=self._buffer("dx", self.y.shape, self.y.dtype))
            dx[self._rows(n), self._labels] -= dout / n
        else:
            dx = self.y.copy()
            dx[np.arange(n), self._labels] -= 1
            dx *= dout / n
        return dx[0] if self._one_sample else dx


# Chapters 6 and 7's layers live in modules of their own; they are reachable here
# too, as in the book's common/layers.py.
from .batchnorm import BatchNormalization  # noqa: E402
from .convolution import Convolution, Pooling  # noqa: E402
from .dropout import Dropout  # noqa: E402

__all__ += ["BatchNormalization", "Convolution", "Dropout", "Pooling"]
