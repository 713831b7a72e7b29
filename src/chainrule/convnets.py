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
rebuilt, nothing in the file is ever called).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .convolution import Convolution, Pooling
from .dropout import Dropout
from .io import ModelFileError, save
from .io.pickles import read_weights
from .layers import Affine, Relu, SoftmaxWithLoss
from .networks import NETWORKS, check_dtype, gaussian_weights, scaled_affine
from .networks_extend import ModeSequential

__all__ = ["SIMPLECONV_RUN", "DeepConvNet", "SimpleConvNet"]

_META_KEY = "__chainrule__"


def _looks_like_pickle(head):
    # protocol 2+ starts with the PROTO opcode 0x80; protocols 0 and 1 with '(' or '}' or 'c'
    return head[:1] == b"\x80" or head[:1] in (b"(", b"}", b"c", b"]")


class ParamsFile:
    """``save_params`` / ``load_params`` in chainrule's model format, for networks with ``config``."""

    def save_params(self, file_name="params.npz"):
        """Write the parameters (and the architecture) to ``file_name``: a :func:`chainrule.save` model file."""
        return save(self, file_name)

    def load_params(self, file_name="params.npz"):
        """Copy the parameters stored in ``file_name`` into this network (the layers see them).

        Reads a file written by :meth:`save_params` (its architecture must be this
        network's), a plain ``.npz`` with one array per parameter name, or the book's
        ``params.pkl`` (a pickled dict of arrays, read by the weights-only reader
        :func:`chainrule.io.pickles.read_weights`, which calls nothing the file names).
        Raises :class:`~chainrule.io.ModelFileError` with a one-line reason otherwise.
        """
        path = Path(file_name)
        if not path.is_file():
            raise FileNotFoundError(f"parameter file not found: {path}")
        with open(path, "rb") as f:
            head = f.read(6)
        if head[:4] != b"PK\x03\x04":
            if not (_looks_like_pickle(head) or path.suffix == ".pkl"):
                raise ModelFileError(f"{path} is not an .npz parameter file")
            arrays = read_weights(path)  # the book's params.pkl: weights only
        else:
            try:
                with open(path, "rb") as f, np.load(f, allow_pickle=False) as npz:
                    arrays = {k: npz[k] for k in npz.files}
            except (ValueError, OSError, EOFError) as exc:
                raise ModelFileError(f"{path} is not a readable .npz parameter file: {exc}") from None
        raw = arrays.pop(_META_KEY, None)
        if raw is not None:
            try:
                meta = json.loads(raw.tobytes().decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise ModelFileError(f"{path} has damaged chainrule metadata: {exc}") from None
            arch = meta.get("architecture", {}) if isinstance(meta, dict) else {}
            if arch.get("class") != type(self).__name__:
                raise ModelFileError(f"{path} holds a {arch.get('class')!r}, not a {type(self).__name__}")
            if arch != self.config:
                raise ModelFileError(
                    f"{path} holds a {arch['class']} with another architecture: {arch} (this one: {self.config})"
                )
        missing = [k for k in self.params if k not in arrays]
        extra = [k for k in arrays if k not in self.params]
        if missing or extra:
            raise ModelFileError(
                f"{path} has arrays {sorted(arrays)} but this {type(self).__name__} has parameters {list(self.params)}"
            )
        for k in self.params:
            if arrays[k].shape != self.params[k].shape:
                raise ModelFileError(
                    f"{path}: {k!r} has shape {arrays[k].shape} but this network's {k} has {self.params[k].shape}"
                )
            if arrays[k].dtype.kind != "f":
                raise ModelFileError(f"{path}: {k!r} has dtype {arrays[k].dtype}; parameters are floats")
        for k in self.params:
            self.params[k] = arrays[k].astype(self.dtype, copy=False)


#: The book's ch07/train_convnet.py run: ``chainrule train --net simpleconv`` (its epochs option as for the MLP).
SIMPLECONV_RUN = {"conv_param": {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}, "hidden_size": 100,
                  "weight_init_std": 0.01, "optimizer": "adam", "lr": 0.001, "batch_size": 100, "epochs": 20,
                  "eval_chunk_size": 500}


def _conv_out(size, param):
    out = (size + 2 * param["pad"] - param["filter_size"]) // param["stride"] + 1
    if out < 1:
        raise ValueError(f"a {param['filter_size']}x{param['filter_size']} filter does not fit a {size}x{size} input "
                         f"with pad {param['pad']}")
    return out


def _conv_param(name, param):
    keys = ("filter_num", "filter_size", "pad", "stride")
    if not isinstance(param, dict) or any(k not in param for k in keys):
        raise ValueError(f"{name} must be a dict with keys {list(keys)}; got {param!r}")
    return {k: int(param[k]) for k in keys}


class SimpleConvNet(ParamsFile, ModeSequential):
    """The book's ``SimpleConvNet``: ``Conv1 -> Relu1 -> Pool1 -> Affine1 -> Relu2 -> Affine2 -> SoftmaxWithLoss``.

    Parameters
    ----------
    input_dim : (C, H, W)
        The book's ``(1, 28, 28)`` (square images).
    conv_param : dict
        ``filter_num`` (30), ``filter_size`` (5), ``pad`` (0), ``stride`` (1).
    hidden_size, output_size : int
        100 and 10.
    weight_init_std : float
        Weights are ``weight_init_std * N(0, 1)`` (0.01); biases start at 0.
    dtype : float64 (default) or float32
    rng : numpy.random.Generator, int or None

    Shapes: ``x: (N, C, H, W) -> predict: (N, output_size)``; ``W1: (filter_num, C, k, k)``,
    ``W2: (filter_num * (conv_out // 2)**2, hidden_size)``, ``W3: (hidden_size, output_size)``.
    """

    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01, *, dtype=np.float64, rng=None):
        dtype = check_dtype(dtype)
        if conv_param is None:
            conv_param = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
        conv_param = _conv_param("conv_param", conv_param)
        input_dim = tuple(int(n) for n in input_dim)
        if len(input_dim) != 3 or min(input_dim) < 1:
            raise ValueError(f"input_dim must be (C, H, W) of positive integers; got {input_dim}")
        rng = np.random.default_rng(rng)
        self._config = {"class": "SimpleConvNet", "input_dim": list(input_dim), "conv_param": conv_param,
                        "hidden_size": int(hidden_size), "output_size": int(output_size),
                        "weight_init_std": float(weight_init_std)}
        fn, fs = conv_param["filter_num"], conv_param["filter_size"]
        conv_h = _conv_out(input_dim[1], conv_param)
        conv_w = _conv_out(input_dim[2], conv_param)
        pool_output_size = fn * (conv_h // 2) * (conv_w // 2)

        layers = OrderedDict()
        layers["Conv1"] = Convolution(gaussian_weights(rng, weight_init_std, (fn, input_dim[0], fs, fs), dtype),
                                      np.zeros(fn, dtype=dtype), conv_param["stride"], conv_param["pad"])
        layers["Relu1"] = Relu()
        layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        layers["Affine1"] = scaled_affine(rng, weight_init_std, pool_output_size, hidden_size, dtype)
        layers["Relu2"] = Relu()
        layers["Affine2"] = scaled_affine(rng, weight_init_std, hidden_size, output_size, dtype)
        super().__init__(layers, SoftmaxWithLoss())

    @property
    def config(self):
        return json.loads(json.dumps(self._config))  # a deep copy


_DEEP_CONV_PARAMS = (
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
)


class DeepConvNet(ParamsFile, ModeSequential):
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
    """

    def __init__(self, input_dim=(1, 28, 28), conv_param_1=None, conv_param_2=None, conv_param_3=None,
                 conv_param_4=None, conv_param_5=None, conv_param_6=None, hidden_size=50, output_size=10, *,
                 dtype=np.float64, rng=None):
        dtype = check_dtype(dtype)
        given = (conv_param_1, conv_param_2, conv_param_3, conv_param_4, conv_param_5, conv_param_6)
        convs = [_conv_param(f"conv_param_{i + 1}", p if p is not None else _DEEP_CONV_PARAMS[i])
                 for i, p in enumerate(given)]
        input_dim = tuple(int(n) for n in input_dim)
        if len(input_dim) != 3 or min(input_dim) < 1:
            raise ValueError(f"input_dim must be (C, H, W) of positive integers; got {input_dim}")
        rng = np.random.default_rng(rng)
        self._config = {"class": "DeepConvNet", "input_dim": list(input_dim),
                        **{f"conv_param_{i + 1}": p for i, p in enumerate(convs)},
                        "hidden_size": int(hidden_size), "output_size": int(output_size)}

        layers = OrderedDict()
        channels, (h, w) = input_dim[0], input_dim[1:]
        for i, p in enumerate(convs):
            fan_in = channels * p["filter_size"] ** 2
            shape = (p["filter_num"], channels, p["filter_size"], p["filter_size"])
            layers[f"Conv{i + 1}"] = Convolution(gaussian_weights(rng, np.sqrt(2.0 / fan_in), shape, dtype),
                                                 np.zeros(p["filter_num"], dtype=dtype), p["stride"], p["pad"])
            layers[f"Relu{i + 1}"] = Relu()
            channels, h, w = p["filter_num"], _conv_out(h, p), _conv_out(w, p)
            if i % 2 == 1:
                layers[f"Pool{i // 2 + 1}"] = Pooling(pool_h=2, pool_w=2, stride=2)
                h, w = h // 2, w // 2
        flat = channels * h * w
        layers["Affine1"] = Affine(gaussian_weights(rng, np.sqrt(2.0 / flat), (flat, hidden_size), dtype),
                                   np.zeros(hidden_size, dtype=dtype))
        layers["Relu7"] = Relu()
        layers["Dropout1"] = Dropout(0.5, rng=rng)
        layers["Affine2"] = Affine(gaussian_weights(rng, np.sqrt(2.0 / hidden_size), (hidden_size, output_size), dtype),
                                   np.zeros(output_size, dtype=dtype))
        layers["Dropout2"] = Dropout(0.5, rng=rng)
        super().__init__(layers, SoftmaxWithLoss())

    @property
    def config(self):
        return json.loads(json.dumps(self._config))


NETWORKS.update(SimpleConvNet=SimpleConvNet, DeepConvNet=DeepConvNet)
