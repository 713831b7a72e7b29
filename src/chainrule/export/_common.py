"""What the exits share: a network read as a plan of steps, one-line errors, optional imports.

A plan is the network's layers in order, each read into a :class:`Step` (its kind,
its arrays, its numbers, and the per-sample shapes it takes and gives), checked
once here so that the ONNX writer and the PyTorch builder only translate.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

DTYPES = ("float32", "float64")

#: What the exits read, in the words of their messages.
SUPPORTED = "Affine, Convolution, Pooling, BatchNormalization, Dropout, Relu and Sigmoid layers"


class ExportError(ValueError):
    """A network or file that cannot be exported or imported; the message says why."""


class UntrainedError(ExportError):
    """A network whose biases are all still 0, refused by ``check_trained=True``; ``what`` names it."""

    def __init__(self, what):
        super().__init__(f"{what} looks untrained: every bias is still 0, as initialized (train it first, or pass "
                         "check_trained=False)")
        self.what = what


def _require(module, what, install):
    """Import ``module`` or raise a one-line ImportError saying what to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{what} needs {module.split('.')[0]}: {install}") from None


def need_onnx():
    return _require("onnx", "exporting to ONNX", 'pip install "chainrule[onnx]"')


def need_torch():
    return _require("torch", "the PyTorch exit", "pip install torch")


def check_outputs(model, *paths, force=False, how="force=True"):
    """The output rule (:mod:`chainrule.io.files`) for each of ``paths``, before any work: a model
    given as a file is their input, so none of them may be that file (``how``: as for ``check_output``)."""
    from ..io.files import check_output

    inputs = (model,) if isinstance(model, (str, os.PathLike)) else ()
    return [check_output(path, force=force, inputs=inputs, how=how) for path in paths]


# -- what a network is made of ------------------------------------------------------------

@dataclass
class Step:
    """One layer as the exits see it.

    ``kind`` is ``affine``, ``conv``, ``pool``, ``batchnorm``, ``dropout``, ``relu`` or
    ``sigmoid``; ``arrays`` holds the layer's own arrays (``W``, ``b``; ``gamma``,
    ``beta``, ``mean``, ``var``), ``attrs`` its numbers (``stride``, ``pad``, ``pool_h``,
    ``pool_w``, ``ratio``, ``momentum``); ``in_shape`` and ``out_shape`` are per sample:
    ``(D,)`` or ``(C, H, W)``.
    """

    kind: str
    name: str
    in_shape: tuple
    out_shape: tuple
    arrays: dict = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)


class Plan:
    """A network read as steps, from an input of ``input_shape`` per sample to ``(classes,)`` scores."""

    def __init__(self, steps, dtype, input_shape, architecture, metadata):
        self.steps = steps
        self.dtype = dtype
        self.input_shape = input_shape
        self.architecture = architecture  # the constructor arguments (network.config), or {"class": name}
        self.metadata = metadata          # the model file's metadata, or what the caller gave

    @property
    def classes(self):
        return self.steps[-1].out_shape[0]

    def describe(self):
        """``TwoLayerNet 784-50-10 (float32)``, or for other networks the input, what they hold and the classes."""
        name = self.architecture.get("class", "network")
        kinds = [s.kind for s in self.steps]
        if set(kinds) <= {"affine", "relu", "sigmoid"}:
            sizes = [self.input_shape[0], *(s.out_shape[0] for s in self.steps if s.kind == "affine")]
            return f"{name} {'-'.join(map(str, sizes))} ({self.dtype.name})"
        words = {"conv": "Convolution", "pool": "Pooling", "batchnorm": "BatchNormalization",
                 "dropout": "Dropout", "affine": "Affine"}
        held = ", ".join(f"{kinds.count(k)} {w}" for k, w in words.items() if k in kinds)
        return f"{name} {'x'.join(map(str, self.input_shape))} -> {self.classes}: {held} ({self.dtype.name})"


def _dims(shape):
    """``784`` or ``30x12x12 = 4320``: a per-sample shape and, for images, its size."""
    size = math.prod(shape)
    return str(size) if len(shape) == 1 else f"{'x'.join(map(str, shape))} = {size}"


def _input_shape(model, layers, given):
    """The per-sample input: ``given``, else the architecture's, else what the first layer reads."""
    from ..batchnorm import BatchNormalization
    from ..layers import Affine

    if given is None:
        try:
            config = model.config
        except (AttributeError, NotImplementedError):
            config = {}
        given = config.get("input_dim", config.get("input_size"))
    if given is None:
        first = next(iter(layers.values()), None)
        if type(first) is Affine:
            given = first.W.shape[0]
        elif type(first) is BatchNormalization:
            given = first.gamma.shape[0]
        else:
            raise ExportError(f"the {type(model).__name__}'s layers do not say the size of its input: give "
                              "input_shape=(C, H, W) (images) or (D,)")
    shape = (given,) if isinstance(given, (int, np.integer)) else tuple(given)
    if len(shape) not in (1, 3) or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1
                                           for n in shape):
        raise ExportError(f"input_shape must be (D,) or (C, H, W) of positive integers; got {given!r}")
    return tuple(int(n) for n in shape)


def _step(name, layer, shape):
    """Read one layer taking ``shape`` per sample into a :class:`Step`, or say why it cannot be exported."""
    from ..batchnorm import BatchNormalization
    from ..convolution import Convolution, Pooling
    from ..dropout import Dropout
    from ..im2col import check_window
    from ..layers import Affine, Relu, Sigmoid

    what = f"layer {name!r} ({type(layer).__name__})"
    size = math.prod(shape)
    kind = type(layer)
    if kind is Affine:
        if layer.W.ndim != 2 or layer.W.shape[0] != size:
            raise ExportError(f"{what} takes {layer.W.shape[0]} inputs but gets {_dims(shape)} per sample")
        return Step("affine", name, shape, (layer.W.shape[1],), {"W": layer.W, "b": layer.b})
    if kind in (Convolution, Pooling):
        if len(shape) != 3:
            raise ExportError(f"{what} needs images (C, H, W) but gets {size} values per sample")
        if kind is Convolution:
            FN, C, FH, FW = layer.W.shape
            if C != shape[0]:
                raise ExportError(f"{what} has filters for {C} channels but gets {shape[0]} "
                                  f"({'x'.join(map(str, shape))})")
            window, attrs, arrays = (FH, FW), {"stride": layer.stride, "pad": layer.pad}, {"W": layer.W, "b": layer.b}
        else:
            FN, window = shape[0], (layer.pool_h, layer.pool_w)
            attrs, arrays = {"pool_h": layer.pool_h, "pool_w": layer.pool_w, "stride": layer.stride,
                             "pad": layer.pad}, {}
        try:
            out = check_window(shape[1], shape[2], *window, layer.stride, layer.pad)
        except ValueError as exc:
            raise ExportError(f"{what}: {exc}") from None
        return Step("conv" if kind is Convolution else "pool", name, shape, (FN, *out), arrays, attrs)
    if kind is BatchNormalization:
        if layer.gamma.shape[0] != size:
            raise ExportError(f"{what} normalizes {layer.gamma.shape[0]} features but gets {_dims(shape)} per sample")
        arrays = {"gamma": layer.gamma, "beta": layer.beta, "mean": layer.running_mean, "var": layer.running_var}
        return Step("batchnorm", name, shape, shape, arrays, {"momentum": layer.momentum})
    if kind is Dropout:
        return Step("dropout", name, shape, shape, attrs={"ratio": layer.dropout_ratio})
    if kind in (Relu, Sigmoid):
        return Step(kind.__name__.lower(), name, shape, shape)
    raise ExportError(f"{what} cannot be exported: the exits support {SUPPORTED}")


def make_plan(model, metadata=None, *, check_trained=True, input_shape=None):
    """Read ``model`` (a network or a model file path) into a :class:`Plan`, or say why not.

    ``input_shape``: the per-sample input, ``(C, H, W)`` or ``(D,)``; by default the
    architecture's (``input_dim``, ``input_size``) or what the first layer reads.
    """
    from ..layers import SoftmaxWithLoss

    meta = {}
    if isinstance(model, (str, os.PathLike)):
        from ..io import load_with_metadata

        model, stored = load_with_metadata(model)  # FileNotFoundError / ModelFileError name the file and the problem
        meta.update(stored if isinstance(stored, dict) else {})
    if metadata:
        meta.update(metadata)
    layers = getattr(model, "layers", None)
    if not hasattr(model, "params") or not hasattr(layers, "items"):
        raise TypeError(f"cannot export a {type(model).__name__}: expected a chainrule network "
                        "(TwoLayerNet, MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, DeepConvNet, Sequential) "
                        "or the path of a model file")
    shape = _input_shape(model, layers, input_shape)
    steps = []
    for name, layer in layers.items():
        steps.append(_step(name, layer, shape))
        shape = steps[-1].out_shape
    if not any(s.kind in ("affine", "conv") for s in steps):
        raise ExportError(f"the {type(model).__name__} has no Affine or Convolution layer: nothing to export")
    if len(shape) != 1:
        raise ExportError(f"the network gives images ({_dims(shape)} values per sample); the exits need scores "
                          "(N, classes) at the end (an Affine layer)")
    last = getattr(model, "lastLayer", None)
    if last is not None and type(last) is not SoftmaxWithLoss:
        raise ExportError(f"the network ends in {type(last).__name__}; the exits support SoftmaxWithLoss "
                          "(softmax probabilities)")
    arrays = [(s, k, a) for s in steps for k, a in s.arrays.items()]
    dtype = np.dtype(arrays[0][2].dtype)
    if dtype.name not in DTYPES:
        raise ExportError(f"the network computes in {dtype.name}; the exits support float32 and float64")
    for s, k, a in arrays:
        if a.dtype != dtype:
            raise ExportError(f"layer {s.name!r} holds {k} in {a.dtype}, the first layer computes in {dtype}: "
                              "use one dtype")
        if not np.isfinite(a).all():
            raise ExportError(f"layer {s.name!r} holds NaN or infinite values in {k} (did the training diverge?)")
    if check_trained and not any(np.any(s.arrays["b"]) for s in steps if "b" in s.arrays):
        raise UntrainedError(f"the {type(model).__name__}")
    try:
        architecture = dict(model.config)
    except (AttributeError, NotImplementedError):
        architecture = {"class": type(model).__name__}
    return Plan(steps, dtype, steps[0].in_shape, architecture, meta)


def accuracy(meta):
    for key in ("accuracy", "test_acc"):
        value = meta.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None
