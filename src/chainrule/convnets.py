"""Chapters 7 and 8's convolutional networks: ``SimpleConvNet`` and ``DeepConvNet``.

Both are chains of chainrule layers (``Convolution``, ``Relu``, ``Pooling``,
``Affine``, ``Dropout``, ``SoftmaxWithLoss``) with the book's constructor
arguments and methods (``predict``, ``loss``, ``accuracy``, ``gradient``,
``numerical_gradient``, ``save_params``, ``load_params``). Their parameters
``W1, b1, W2, ...`` are the layers' own arrays, as in every chainrule network.

``save_params`` writes chainrule's model file (``.npz`` with JSON metadata,
written atomically); ``load_params`` reads it, a plain ``.npz`` of arrays
named like ``params``, or the book's ``params.pkl`` through the weights-only
pickle reader (:func:`chainrule.io.pickles.read_weights`: arrays and numbers are
rebuilt, nothing in the file is ever called), all through :func:`chainrule.io.read_params`.
"""

from __future__ import annotations

import json
from collections import OrderedDict

import numpy as np

from .convolution import Convolution, Pooling
from .dropout import Dropout
from .io import read_params, save
from .io.bounds import size_check
from .layers import Affine, Relu, SoftmaxWithLoss
from .networks import NETWORKS, check_dtype, constructor_arguments, gaussian_weights, scaled_affine
from .networks_extend import ModeSequential

__all__ = ["DEEPCONV_RUN", "SIMPLECONV_RUN", "DeepConvNet", "SimpleConvNet"]


class ParamsFile:
    """``save_params`` / ``load_params`` in chainrule's model format, for networks with ``config``."""

    def save_params(self, file_name="params.npz", *, force=True):
        """Write the parameters (and the architecture) to ``file_name``: a :func:`chainrule.save` model file.

        As the book's ``save_params`` does, an existing file of that name is replaced (``force=False``
        refuses it instead); never anything but a regular file (:mod:`chainrule.io.files`). Returns the path.
        """
        return save(self, file_name, force=force)

    def load_params(self, file_name="params.npz"):
        """Copy the parameters stored in ``file_name`` into this network (the layers see them).

        Reads a file written by :meth:`save_params` (its architecture must be this
        network's), a plain ``.npz`` with one array per parameter name, or the book's
        ``params.pkl`` (a pickled dict of arrays, read by the weights-only reader, which calls
        nothing the file names), through the model reader of :mod:`chainrule.io`
        (:func:`~chainrule.io.model.read_params`: every shape checked against this network's
        before any array is read). Raises :class:`~chainrule.io.ModelFileError` with a
        one-line reason otherwise.
        """
        for k, value in read_params(file_name, self).items():
            self.params[k] = value


#: The book's ch07/train_convnet.py run: ``chainrule train --net simpleconv`` (its epochs option as for the MLP).
SIMPLECONV_RUN = {"conv_param": {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}, "hidden_size": 100,
                  "weight_init_std": 0.01, "optimizer": "adam", "lr": 0.001, "batch_size": 100, "epochs": 20,
                  "eval_chunk_size": 500}


_CONV_KINDS = {"filter_num": "channels", "filter_size": "side", "pad": "pad", "stride": "stride"}


def _conv_param(name, param, size):
    """``param`` as the four integers of a convolution, each checked by ``size`` (see ``parameter_shapes``)."""
    if not isinstance(param, dict) or any(k not in param for k in _CONV_KINDS):
        raise ValueError(f"{name} must be a dict with keys {list(_CONV_KINDS)}; got {param!r}")
    return {k: size(f"{name} {k!r}", param[k], kind) for k, kind in _CONV_KINDS.items()}


def _input_dim(value, size):
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__") or len(value) != 3:
        raise ValueError(f"input_dim must be (C, H, W); got {value!r}")
    return tuple(size(f"'input_dim' {what}", n, kind)
                 for what, n, kind in zip(("channels", "height", "width"), value, ("channels", "side", "side"),
                                          strict=True))


def _conv_out(h, w, param):
    """The ``(height, width)`` a convolution of ``param`` makes of ``h x w`` images."""
    fs, pad, stride = param["filter_size"], param["pad"], param["stride"]
    if h + 2 * pad < fs or w + 2 * pad < fs:
        raise ValueError(f"a {fs}x{fs} filter does not fit {h}x{w} images padded by {pad}")
    return (h + 2 * pad - fs) // stride + 1, (w + 2 * pad - fs) // stride + 1


def _pooled(h, w):
    """The ``(height, width)`` the book's 2x2 pooling of stride 2 makes of ``h x w`` (refused below 2x2)."""
    if h < 2 or w < 2:
        raise ValueError(f"the convolution's {h}x{w} output is smaller than the 2x2 pooling window")
    return h // 2, w // 2


class _Images:
    """What the convolutional networks share: images of their ``input_dim``, checked before any layer."""

    def predict(self, x, train_flg=False):
        """Scores: ``x: (N, C, H, W)`` of this network's ``input_dim`` ``-> (N, output_size)``."""
        shape, want = np.shape(x), tuple(self._config["input_dim"])
        if tuple(shape[1:]) != want:
            raise ValueError(f"{type(self).__name__} takes images of shape (N, {', '.join(map(str, want))}) "
                             f"(its input_dim); got shape {tuple(shape)}")
        return super().predict(x, train_flg)

    @property
    def config(self):
        return json.loads(json.dumps(self._config))  # a deep copy


class SimpleConvNet(_Images, ParamsFile, ModeSequential):
    """The book's ``SimpleConvNet``: ``Conv1 -> Relu1 -> Pool1 -> Affine1 -> Relu2 -> Affine2 -> SoftmaxWithLoss``.

    Parameters
    ----------
    input_dim : (C, H, W)
        The book's ``(1, 28, 28)``.
    conv_param : dict
        ``filter_num`` (30), ``filter_size`` (5), ``pad`` (0), ``stride`` (1).
    hidden_size, output_size : int
        100 and 10.
    weight_init_std : float
        Weights are ``weight_init_std * N(0, 1)`` (0.01); biases start at 0.
    dtype : float64 (default) or float32
    rng : numpy.random.Generator, int or None

    Shapes: ``x: (N, C, H, W) -> predict: (N, output_size)`` (images of another size are a
    ValueError naming both shapes); ``W1: (filter_num, C, k, k)``,
    ``W2: (filter_num * (conv_h // 2) * (conv_w // 2), hidden_size)``, ``W3: (hidden_size, output_size)``.
    """

    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01, *, dtype=np.float64, rng=None):
        dtype = check_dtype(dtype)
        size = size_check()
        self._config = {"class": "SimpleConvNet", "input_dim": list(_input_dim(input_dim, size)),
                        "conv_param": _conv_param("conv_param", conv_param or _SIMPLE_CONV, size),
                        "hidden_size": size("'hidden_size'", hidden_size, "size"),
                        "output_size": size("'output_size'", output_size, "size"),
                        "weight_init_std": float(weight_init_std)}
        shapes = self.parameter_shapes(self._config)
        conv = self._config["conv_param"]
        rng = np.random.default_rng(rng)

        layers = OrderedDict()
        layers["Conv1"] = Convolution(gaussian_weights(rng, weight_init_std, shapes["W1"], dtype),
                                      np.zeros(shapes["b1"], dtype=dtype), conv["stride"], conv["pad"])
        layers["Relu1"] = Relu()
        layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        layers["Affine1"] = scaled_affine(rng, weight_init_std, *shapes["W2"], dtype)
        layers["Relu2"] = Relu()
        layers["Affine2"] = scaled_affine(rng, weight_init_std, *shapes["W3"], dtype)
        super().__init__(layers, SoftmaxWithLoss())

    @classmethod
    def parameter_shapes(cls, config, size=None):
        """``W1, b1`` (the filters), ``W2, b2``, ``W3, b3`` (see
        :meth:`chainrule.networks.Sequential.parameter_shapes`)."""
        size = size or size_check()
        a = constructor_arguments(cls, config)
        C, H, W = _input_dim(a["input_dim"], size)
        conv = _conv_param("conv_param", a["conv_param"] if a["conv_param"] is not None else _SIMPLE_CONV, size)
        hidden, out = size("'hidden_size'", a["hidden_size"], "size"), size("'output_size'", a["output_size"], "size")
        fn, fs = conv["filter_num"], conv["filter_size"]
        h, w = _pooled(*_conv_out(H, W, conv))
        return {"W1": (fn, C, fs, fs), "b1": (fn,), "W2": (fn * h * w, hidden), "b2": (hidden,),
                "W3": (hidden, out), "b3": (out,)}


_SIMPLE_CONV = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
_DEEP_CONV_PARAMS = (
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
)


class DeepConvNet(_Images, ParamsFile, ModeSequential):
    """Chapter 8's deep CNN (over 99% on MNIST in the book)::

        conv - relu - conv - relu - pool -
        conv - relu - conv - relu - pool -
        conv - relu - conv - relu - pool -
        affine - relu - dropout - affine - dropout - softmax

    Parameters
    ----------
    input_dim : (C, H, W)
    conv_param_1 ... conv_param_6 : dict
        ``filter_num``, ``filter_size``, ``pad``, ``stride`` of each convolution (the book's defaults).
    hidden_size, output_size : int
        50 and 10.
    dtype : float64 (default) or float32
    rng : numpy.random.Generator, int or None
        The initial weights (He: std ``sqrt(2 / fan_in)``) and the Dropout masks.

    Parameters ``W1 ... W6`` are the filters, ``W7``, ``W8`` the Affine weights.
    ``loss(x, t)`` evaluates in test mode by default (the book's always trains;
    pass ``train_flg=True``); ``gradient`` uses training mode, as the book's does.
    Images of another size than ``input_dim`` are a ValueError naming both shapes.
    """

    def __init__(self, input_dim=(1, 28, 28), conv_param_1=None, conv_param_2=None, conv_param_3=None,
                 conv_param_4=None, conv_param_5=None, conv_param_6=None, hidden_size=50, output_size=10, *,
                 dtype=np.float64, rng=None):
        dtype = check_dtype(dtype)
        size = size_check()
        given = (conv_param_1, conv_param_2, conv_param_3, conv_param_4, conv_param_5, conv_param_6)
        convs = [_conv_param(f"conv_param_{i + 1}", p if p is not None else _DEEP_CONV_PARAMS[i], size)
                 for i, p in enumerate(given)]
        self._config = {"class": "DeepConvNet", "input_dim": list(_input_dim(input_dim, size)),
                        **{f"conv_param_{i + 1}": p for i, p in enumerate(convs)},
                        "hidden_size": size("'hidden_size'", hidden_size, "size"),
                        "output_size": size("'output_size'", output_size, "size")}
        shapes = self.parameter_shapes(self._config)
        rng = np.random.default_rng(rng)

        layers = OrderedDict()
        for i, p in enumerate(convs):
            shape = shapes[f"W{i + 1}"]
            fan_in = shape[1] * p["filter_size"] ** 2
            layers[f"Conv{i + 1}"] = Convolution(gaussian_weights(rng, np.sqrt(2.0 / fan_in), shape, dtype),
                                                 np.zeros(p["filter_num"], dtype=dtype), p["stride"], p["pad"])
            layers[f"Relu{i + 1}"] = Relu()
            if i % 2 == 1:
                layers[f"Pool{i // 2 + 1}"] = Pooling(pool_h=2, pool_w=2, stride=2)
        (flat, hidden), (_, out) = shapes["W7"], shapes["W8"]
        layers["Affine1"] = Affine(gaussian_weights(rng, np.sqrt(2.0 / flat), (flat, hidden), dtype),
                                   np.zeros(hidden, dtype=dtype))
        layers["Relu7"] = Relu()
        layers["Dropout1"] = Dropout(0.5, rng=rng)
        layers["Affine2"] = Affine(gaussian_weights(rng, np.sqrt(2.0 / hidden), (hidden, out), dtype),
                                   np.zeros(out, dtype=dtype))
        layers["Dropout2"] = Dropout(0.5, rng=rng)
        super().__init__(layers, SoftmaxWithLoss())

    @classmethod
    def parameter_shapes(cls, config, size=None):
        """``W1 ... W6`` (the filters), ``W7``, ``W8`` and their biases (see
        :meth:`chainrule.networks.Sequential.parameter_shapes`)."""
        size = size or size_check()
        a = constructor_arguments(cls, config)
        channels, h, w = _input_dim(a["input_dim"], size)
        shapes = {}
        for i in range(6):
            given = a[f"conv_param_{i + 1}"]
            p = _conv_param(f"conv_param_{i + 1}", given if given is not None else _DEEP_CONV_PARAMS[i], size)
            shapes[f"W{i + 1}"] = (p["filter_num"], channels, p["filter_size"], p["filter_size"])
            shapes[f"b{i + 1}"] = (p["filter_num"],)
            channels, (h, w) = p["filter_num"], _conv_out(h, w, p)
            if i % 2 == 1:
                h, w = _pooled(h, w)
        hidden, out = size("'hidden_size'", a["hidden_size"], "size"), size("'output_size'", a["output_size"], "size")
        shapes.update(W7=(channels * h * w, hidden), b7=(hidden,), W8=(hidden, out), b8=(out,))
        return shapes


#: The book's ch08/train_deepnet.py run: ``chainrule train --net deepconv`` (each epoch measured on the first
#: 1000 images of each set, as the book's ``evaluate_sample_num_per_epoch=1000``; the final accuracies on all).
DEEPCONV_RUN = {"optimizer": "adam", "lr": 0.001, "batch_size": 100, "epochs": 20, "eval_samples": 1000,
                "eval_chunk_size": 500}

NETWORKS.update(SimpleConvNet=SimpleConvNet, DeepConvNet=DeepConvNet)
