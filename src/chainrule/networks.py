"""Networks: layers snapped together like bricks (chapter 5's ``TwoLayerNet``, chapter 6's
``MultiLayerNet``), on one small ``Sequential`` core.

A network is an ordered dict of layers (``layers``) ending in a loss layer
(``lastLayer``). Its ``params`` mapping holds the very arrays the layers compute
with, so an update reaches the layers whichever way it is written::

    net.params["W1"] -= lr * grad["W1"]              # in place (the book's way)
    net.params["W1"] = net.params["W1"] - lr * grad["W1"]  # also reaches Affine1

(the second form silently stops learning in the book's code, where the dict
entry is rebound and the layer keeps the old array).
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import MutableMapping
from contextlib import contextmanager

import numpy as np

from ._blas import blas_threads, one_blas_thread_from_now_on
from .functions import as_labels, positive_int
from .gradient import numerical_gradient as _numerical_gradient
from .io import NETWORKS
from .io.bounds import size_check
from .layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

__all__ = ["NETWORKS", "MultiLayerNet", "ParamDict", "Sequential", "TwoLayerNet", "accuracy", "count_correct"]


class ParamDict(MutableMapping):
    """The ``params`` of a network: ``name -> array`` views of the layers' own arrays.

    Reading ``params["W1"]`` gives the ``W`` array of the first Affine layer
    itself. Assigning ``params["W1"] = value`` copies ``value`` into that array
    (same shape required; the dtype stays the network's), so the layer sees it.
    Parameters cannot be added or removed.
    """

    def __init__(self):
        self._owners = OrderedDict()  # name -> (layer, attribute)

    def bind(self, name, layer, attr):
        """Make ``name`` the parameter held in ``layer``'s attribute ``attr`` (read and written there)."""
        self._owners[name] = (layer, attr)

    def owner(self, name):
        """``(layer, attribute)`` that holds parameter ``name``."""
        return self._owners[name]

    def __getitem__(self, name):
        layer, attr = self._owners[name]
        return getattr(layer, attr)

    def __setitem__(self, name, value):
        if name not in self._owners:
            raise KeyError(f"no parameter {name!r}; this network has {list(self._owners)}")
        current = self[name]
        if value is current:  # `params[k] -= g` lands here after updating in place
            return
        value = np.asarray(value)
        if value.shape != current.shape:
            raise ValueError(
                f"params[{name!r}] has shape {current.shape}; cannot assign an array of shape {value.shape}"
            )
        np.copyto(current, value, casting="same_kind")

    def __delitem__(self, name):
        raise TypeError("a network's parameters cannot be removed")

    def __iter__(self):
        return iter(self._owners)

    def __len__(self):
        return len(self._owners)

    def __repr__(self):
        return "{" + ", ".join(f"{k!r}: array{self[k].shape}" for k in self) + "}"


def count_correct(predict, rows, t, n, chunk, n_samples=None):
    """How many of the first ``n`` samples get their target class as the top score.

    ``rows(start, stop)`` gives the network inputs of samples ``start:stop``; ``predict`` is
    called on ``chunk`` of them at a time. ``t``: labels ``(N,)`` or one-hot ``(N, C)`` of all
    ``n_samples`` samples (default ``n``), checked against the number of classes the first
    scores show.
    """
    correct = 0
    labels = None
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        y = predict(rows(start, stop))
        if labels is None:
            labels = as_labels(t, y.shape[-1], n if n_samples is None else n_samples)
        correct += int(np.count_nonzero(np.argmax(y, axis=1) == labels[start:stop]))
    return correct


def accuracy(predict, x, t, batch_size=None):
    """Fraction of the samples of ``x`` whose top score is the target class (:meth:`Sequential.accuracy`).

    ``x``: ``(N, D)``, ``(N, C, H, W)`` or one sample ``(D,)``; ``t``: labels ``(N,)`` or
    one-hot ``(N, C)``; ``batch_size``: predict that many samples at a time (same result,
    bounded memory; default all at once, as in the book).
    """
    x = np.asarray(x)
    if x.ndim == 0:
        raise ValueError("accuracy needs samples of shape (N, D) (or (D,) for one); got a scalar")
    if x.ndim == 1:  # one sample
        x = x.reshape(1, -1)
        t = np.reshape(t, (1, -1)) if np.ndim(t) == 1 and np.size(t) > 1 else np.reshape(t, (1,))
    n = x.shape[0]
    if n == 0:
        raise ValueError(f"accuracy of an empty batch (x has shape {x.shape}) is undefined")
    chunk = n if batch_size is None else positive_int("batch_size", batch_size)
    return count_correct(predict, lambda start, stop: x[start:stop], t, n, chunk) / n


def check_dtype(dtype):
    """``dtype`` as a NumPy dtype, or TypeError when it is not floating (a network computes in floats)."""
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"a network's dtype must be floating (float32 or float64); got {dtype}")
    return dtype


class Sequential:
    """A chain of layers ending in a loss layer; the methods of the book's networks.

    Parameters
    ----------
    layers : dict of name -> layer, or list of layers
        In forward order. Layers with parameters (``Affine``) are numbered in
        order: the k-th one's ``W`` and ``b`` are ``params["Wk"]``, ``params["bk"]``.
    last_layer : layer
        The loss layer (``SoftmaxWithLoss``), called with ``forward(y, t)``.

    Weight decay lives here, for every network: with ``weight_decay_lambda`` set (the book's
    :class:`MultiLayerNet` and ``MultiLayerNetExtend`` take it as an argument), the loss gains
    ``0.5 * lambda * sum(W**2)`` over the weights ``W1, W2, ...`` (:meth:`regularization`) and
    :meth:`gradient` adds ``lambda * W`` to each ``dW``.
    """

    #: L2 weight decay's lambda (0: none).
    weight_decay_lambda = 0.0

    def __init__(self, layers, last_layer=None):
        if not isinstance(layers, dict):
            layers = OrderedDict((f"{type(layer).__name__}{i + 1}", layer) for i, layer in enumerate(layers))
        self.layers = OrderedDict(layers)
        self.lastLayer = last_layer if last_layer is not None else SoftmaxWithLoss()
        self.params = ParamDict()
        k = 0
        for layer in self.layers.values():
            if getattr(layer, "param_names", ()):
                k += 1
                for attr in layer.param_names:
                    self.params.bind(f"{attr}{k}", layer, attr)

    # -- the book's methods ---------------------------------------------------
    def predict(self, x):
        """Scores before softmax: ``x: (N, D) or (N, C, H, W) -> (N, n_classes)``."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def regularization(self):
        """The term the loss adds to the data's cross-entropy: weight decay's ``0.5 * lambda * sum(W**2)``
        over all weights (0 without decay)."""
        if not self.weight_decay_lambda:
            return 0
        return 0.5 * self.weight_decay_lambda * sum(np.sum(W * W) for W in self._weights())

    def _weights(self):
        return [self.params[k] for k in self.params if k.startswith("W")]

    def loss(self, x, t):
        """Mean cross-entropy loss on ``x`` with targets ``t`` (labels ``(N,)`` or one-hot) + :meth:`regularization`."""
        y = self.predict(x)
        return self.lastLayer.forward(y, t) + self.regularization()

    def accuracy(self, x, t, batch_size=None):
        """Fraction of samples whose highest score is the target class (labels or one-hot ``t``).

        ``batch_size``: predict that many samples at a time (same result; the
        intermediate arrays stay small, e.g. 2048 rows of 50 scores fit in cache,
        where all 60000 MNIST images at once need hundreds of MB). An empty batch
        raises ValueError.
        """
        if np.ndim(x) > 1 and len(x) > 1000:  # large products: the BLAS default (see gradient())
            with blas_threads(None):
                return accuracy(self.predict, x, t, batch_size)
        return accuracy(self.predict, x, t, batch_size)

    def training_loss(self, x, t):
        """The loss that :meth:`gradient` differentiates: :meth:`loss` here (networks with Dropout or
        Batch Normalization run it in training mode)."""
        return self.loss(x, t)

    def numerical_gradient(self, x, t):
        """Gradients of :meth:`training_loss` by central differences (slow; for checking)."""

        def loss_w(_w):
            return self.training_loss(x, t)

        return {k: _numerical_gradient(loss_w, self.params[k]) for k in self.params}

    def gradient(self, x, t):
        """Gradients of ``loss(x, t)`` by backpropagation: ``{name: array}`` like ``params``.

        With weight decay, each ``dW`` plus the decay's ``lambda * W`` (the book's
        ``layer.dW + lambda * layer.W``); the layers' own ``dW`` stay the data's gradient.
        The first call limits BLAS to one thread for the rest of the process: a minibatch's
        products are too small to gain from more, and lose time waking them (the accuracy
        of a large set, and the Trainer's evaluations, still use the BLAS default).
        """
        one_blas_thread_from_now_on()
        self.training_loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = {name: getattr(layer, "d" + attr) for name, (layer, attr) in self.params._owners.items()}
        if self.weight_decay_lambda:
            for k in grads:
                if k.startswith("W"):
                    grads[k] = self._decayed(k, grads[k])
        return grads

    def _decayed(self, name, grad):
        W = self.params[name]
        if not self.params.owner(name)[0].reuse_buffers:
            return grad + self.weight_decay_lambda * W
        # fast formulation: into an array this network keeps (lambda * W + dW: the same sum)
        out = self.__dict__.setdefault("_decay_grads", {}).get(name)
        if out is None or out.shape != W.shape or out.dtype != W.dtype:
            out = self._decay_grads[name] = np.empty_like(W)
        np.multiply(W, self.weight_decay_lambda, out=out)
        return np.add(out, grad, out=out)

    # -- beyond the book --------------------------------------------------------
    @contextmanager
    def fast_training(self):
        """Inside this block the network trains on the fast formulation of its layers.

        Every layer (and the loss layer) gets ``reuse_buffers = True``: outputs
        and gradients go into arrays the layers keep, so a training step
        allocates nothing. The first layer gets ``need_dx = False``: the gradient
        with respect to the input data is skipped (for 784-50-10 that is a third
        of the backward products). The numbers do not change.

        What it costs the caller: ``gradient()`` returns the same arrays at every
        step, overwritten by the next call (copy them to keep them), and the
        arrays returned by ``predict()`` are overwritten by the next call too.
        The previous settings come back when the block ends::

            with net.fast_training():
                for x_batch, t_batch in batches:
                    grads = net.gradient(x_batch, t_batch)
                    for k in net.params:
                        net.params[k] -= lr * grads[k]
        """
        layers = [*self.layers.values(), self.lastLayer]
        saved = [(layer, layer.reuse_buffers) for layer in layers]
        first = next(iter(self.layers.values()))
        saved_need_dx = getattr(first, "need_dx", None)
        try:
            for layer in layers:
                layer.reuse_buffers = True
            if saved_need_dx is not None:
                first.need_dx = False
            yield self
        finally:
            for layer, flag in saved:
                layer.reuse_buffers = flag
            if saved_need_dx is not None:
                first.need_dx = saved_need_dx

    @property
    def dtype(self):
        """The floating dtype of the parameters (float64 or float32)."""
        return next(iter(self.params.values())).dtype

    @property
    def config(self):
        """The constructor arguments that rebuild this network's architecture (for ``io``)."""
        raise NotImplementedError(f"{type(self).__name__} has no config; it cannot be rebuilt")

    @classmethod
    def parameter_shapes(cls, config, size=None):
        """``{name: shape}`` of every array (``params`` and ``state``) of ``cls(**config)``, by arithmetic.

        Nothing is built: model files are bounded with it before anything is allocated
        (:mod:`chainrule.io.bounds`). ``config`` is a :attr:`config` (its ``"class"`` is ignored);
        ``size(label, value, kind)`` checks each number that sizes the architecture before it is
        used (default: an integer of the right sign, as the constructors ask). A config the
        constructor would refuse raises TypeError or ValueError.
        """
        raise NotImplementedError(f"{cls.__name__} cannot compute its shapes from a config")

    @property
    def state(self):
        """Arrays besides ``params`` that ``predict`` uses and training changes, ``{name: array}``
        (Batch Normalization's running statistics; empty here). Model files and :meth:`astype` keep them."""
        return ParamDict()

    def astype(self, dtype):
        """A copy of this network computing in ``dtype`` (parameters and :attr:`state` cast; same values)."""
        cfg = dict(self.config)
        cls = cfg.pop("class")
        other = NETWORKS[cls](**cfg, dtype=dtype, rng=0)
        for mine, theirs in ((self.params, other.params), (self.state, other.state)):
            for k in mine:
                theirs[k] = mine[k].astype(dtype)
        return other

    def __repr__(self):
        arch = " -> ".join(self.layers) + f" -> {type(self.lastLayer).__name__}"
        return f"{type(self).__name__}({arch}, dtype={self.dtype})"


def constructor_arguments(cls, config):
    """Every argument ``cls(**config)`` gets (defaults filled in), or the TypeError the constructor would raise."""
    bound = inspect.signature(cls).bind(**{k: v for k, v in config.items() if k != "class"})
    bound.apply_defaults()
    return bound.arguments


def mlp_shapes(arguments, size):
    """Layer sizes (input to output) and ``W1, b1, W2, ...`` shapes of a fully connected network's arguments."""
    hidden = arguments["hidden_size_list"]
    if not isinstance(hidden, (list, tuple, np.ndarray)):
        raise ValueError(f"hidden_size_list must be a list of layer sizes; got {hidden!r}")
    size("the number of layers", len(hidden) + 1, "layers")
    sizes = [size("'input_size'", arguments["input_size"], "size"),
             *(size(f"'hidden_size_list' [{i}]", h, "size") for i, h in enumerate(hidden)),
             size("'output_size'", arguments["output_size"], "size")]
    shapes = {}
    for i in range(1, len(sizes)):
        shapes[f"W{i}"], shapes[f"b{i}"] = (sizes[i - 1], sizes[i]), (sizes[i],)
    return sizes, shapes


def gaussian_weights(rng, std, shape, dtype):
    """``std * N(0, 1)`` of ``shape`` in ``dtype``: drawn in float64 and then cast, so float32 and
    float64 networks made from one seed agree."""
    return (std * rng.standard_normal(shape)).astype(dtype)


class TwoLayerNet(Sequential):
    """The book's two-layer network ``Affine1 -> Relu1 -> Affine2 -> SoftmaxWithLoss``.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        ``D``, ``H``, ``C`` (784, 50, 10 for MNIST in the book).
    weight_init_std : float
        Weights are ``weight_init_std * N(0, 1)``; biases start at 0.
    dtype : float64 (default, the book's) or float32 (fast training)
    rng : numpy.random.Generator, int or None
        Seed or generator for the initial weights.

    Shapes: ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)``;
    ``x: (N, D) -> predict: (N, C)``.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, *,
                 dtype=np.float64, rng=None):
        dtype = check_dtype(dtype)
        for n, v in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
            positive_int(n, v)
        rng = np.random.default_rng(rng)
        self._config = {"class": "TwoLayerNet", "input_size": int(input_size),
                        "hidden_size": int(hidden_size), "output_size": int(output_size),
                        "weight_init_std": float(weight_init_std)}
        layers = OrderedDict()
        layers["Affine1"] = scaled_affine(rng, weight_init_std, input_size, hidden_size, dtype)
        layers["Relu1"] = Relu()
        layers["Affine2"] = scaled_affine(rng, weight_init_std, hidden_size, output_size, dtype)
        super().__init__(layers, SoftmaxWithLoss())

    @property
    def config(self):
        return dict(self._config)

    @classmethod
    def parameter_shapes(cls, config, size=None):
        """``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)`` (see :meth:`Sequential.parameter_shapes`)."""
        size = size or size_check()
        a = constructor_arguments(cls, config)
        D, H, C = (size(f"{k!r}", a[k], "size") for k in ("input_size", "hidden_size", "output_size"))
        return {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}


ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}
_INIT_SCALE = {"relu": 2.0, "he": 2.0, "sigmoid": 1.0, "xavier": 1.0}


def check_mlp_arguments(input_size, hidden_size_list, output_size, activation, weight_init_std,
                        weight_decay_lambda):
    """Validate a MultiLayerNet's arguments (the book's names); return the layer sizes, input to output."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}")
    if isinstance(weight_init_std, str) and weight_init_std.lower() not in _INIT_SCALE:
        raise ValueError(
            f"weight_init_std must be a number or one of {sorted(_INIT_SCALE)}; got {weight_init_std!r}"
        )
    if weight_decay_lambda < 0:
        raise ValueError(f"weight_decay_lambda must be >= 0; got {weight_decay_lambda}")
    sizes = [int(input_size), *map(int, hidden_size_list), int(output_size)]
    if any(s < 1 for s in sizes):
        raise ValueError(f"layer sizes must be positive integers; got {sizes}")
    return sizes


def scaled_affine(rng, weight_init_std, fan_in, fan_out, dtype):
    """An Affine layer ``fan_in -> fan_out``: Gaussian weights of scale ``weight_init_std`` (a number, or
    'relu'/'he' for sqrt(2 / fan_in), 'sigmoid'/'xavier' for sqrt(1 / fan_in)) and zero biases."""
    if isinstance(weight_init_std, str):
        std = np.sqrt(_INIT_SCALE[weight_init_std.lower()] / fan_in)
    else:
        std = float(weight_init_std)
    return Affine(gaussian_weights(rng, std, (fan_in, fan_out), dtype), np.zeros(fan_out, dtype=dtype))


class MultiLayerNet(Sequential):
    """Fully connected network with any number of hidden layers (the book's chapter 6 class).

    ``Affine1 -> Activation_function1 -> ... -> Affine{L} -> SoftmaxWithLoss``.

    Parameters
    ----------
    input_size : int
    hidden_size_list : list of int
        Sizes of the hidden layers, e.g. ``[100, 100]``.
    output_size : int
    activation : "relu" or "sigmoid"
    weight_init_std : "relu"/"he", "sigmoid"/"xavier", or a number
        "he": std ``sqrt(2 / fan_in)``; "xavier": ``sqrt(1 / fan_in)``; a number: that std.
    weight_decay_lambda : float
        L2 weight decay (:class:`Sequential`'s): the loss gains ``0.5 * lambda * sum(W**2)``
        over all weights and each ``dW`` gains ``lambda * W``.
    dtype, rng : as for :class:`TwoLayerNet`.
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0, *, dtype=np.float64, rng=None):
        dtype = check_dtype(dtype)
        sizes = check_mlp_arguments(input_size, hidden_size_list, output_size, activation, weight_init_std,
                                    weight_decay_lambda)
        rng = np.random.default_rng(rng)
        self._config = {"class": "MultiLayerNet", "input_size": sizes[0],
                        "hidden_size_list": sizes[1:-1], "output_size": sizes[-1],
                        "activation": activation, "weight_init_std": weight_init_std,
                        "weight_decay_lambda": float(weight_decay_lambda)}
        self.weight_decay_lambda = float(weight_decay_lambda)
        layers = OrderedDict()
        for i in range(1, len(sizes)):
            layers[f"Affine{i}"] = scaled_affine(rng, weight_init_std, sizes[i - 1], sizes[i], dtype)
            if i < len(sizes) - 1:
                layers[f"Activation_function{i}"] = ACTIVATIONS[activation]()
        self.hidden_layer_num = len(sizes) - 2
        super().__init__(layers, SoftmaxWithLoss())

    @property
    def config(self):
        return dict(self._config)

    @classmethod
    def parameter_shapes(cls, config, size=None):
        """``W1, b1, ..., W{L}, b{L}`` (see :meth:`Sequential.parameter_shapes`)."""
        return mlp_shapes(constructor_arguments(cls, config), size or size_check())[1]


#: The network classes a model file (:mod:`chainrule.io`) and ``astype`` rebuild from a ``config``
#: (``networks_extend`` and ``convnets`` add theirs when they are imported, as ``import chainrule`` does).
NETWORKS.update(TwoLayerNet=TwoLayerNet, MultiLayerNet=MultiLayerNet)
