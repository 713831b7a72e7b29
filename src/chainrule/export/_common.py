"""What the exits share: reading a network as a plain MLP, one-line errors, optional imports."""

from __future__ import annotations

import os

import numpy as np

DTYPES = ("float32", "float64")


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

class _Plan:
    """A network read as a plain MLP: ``Affine (activation Affine)*`` ending in softmax scores."""

    def __init__(self, weights, activation, dtype, architecture, metadata):
        self.weights = weights            # [(W (D, M), b (M,)), ...] the network's own arrays
        self.activation = activation      # "relu" or "sigmoid" (None without hidden layers)
        self.dtype = dtype
        self.architecture = architecture  # the constructor arguments (network.config)
        self.metadata = metadata          # the model file's metadata, or what the caller gave

    @property
    def sizes(self):
        return [self.weights[0][0].shape[0], *(W.shape[1] for W, _ in self.weights)]

    def describe(self):
        name = self.architecture.get("class", "network")
        return f"{name} {'-'.join(map(str, self.sizes))} ({self.dtype.name})"


def make_plan(model, metadata=None, *, check_trained=True):
    """Read ``model`` (a network or a model file path) into a :class:`_Plan`, or say why not."""
    from ..layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

    meta = {}
    if isinstance(model, (str, os.PathLike)):
        from ..io import load, read_metadata

        path = model
        model = load(path)  # FileNotFoundError / ModelFileError name the file and the problem
        stored = read_metadata(path).get("metadata")
        meta.update(stored if isinstance(stored, dict) else {})
    if metadata:
        meta.update(metadata)
    layers = getattr(model, "layers", None)
    if not hasattr(model, "params") or not hasattr(layers, "items"):
        raise TypeError(f"cannot export a {type(model).__name__}: expected a chainrule network "
                        "(TwoLayerNet, MultiLayerNet) or the path of a model file")
    weights, activations, previous = [], [], None
    for name, layer in layers.items():
        if isinstance(layer, Affine):
            if weights and previous == "affine":
                raise ExportError(f"layer {name!r} follows another Affine layer without an activation; "
                                  "only plain MLPs (Affine, activation, Affine, ...) can be exported")
            weights.append((layer.W, layer.b))
            previous = "affine"
        elif isinstance(layer, (Relu, Sigmoid)):
            if previous != "affine":
                raise ExportError(f"layer {name!r} ({type(layer).__name__}) does not follow an Affine layer; "
                                  "only plain MLPs (Affine, activation, Affine, ...) can be exported")
            activations.append("relu" if isinstance(layer, Relu) else "sigmoid")
            previous = "activation"
        else:
            raise ExportError(f"layer {name!r} ({type(layer).__name__}) cannot be exported: "
                              "the exits support Affine, Relu and Sigmoid layers")
    if not weights:
        raise ExportError(f"the {type(model).__name__} has no Affine layer: nothing to export")
    if previous != "affine":
        raise ExportError("the network ends in an activation; the exits need it to end in an Affine layer "
                          "(the scores its softmax turns into probabilities)")
    if len(set(activations)) > 1:
        raise ExportError(f"the network mixes activations ({', '.join(sorted(set(activations)))}); "
                          "the exits need one activation for every hidden layer")
    last = getattr(model, "lastLayer", None)
    if last is not None and not isinstance(last, SoftmaxWithLoss):
        raise ExportError(f"the network ends in {type(last).__name__}; the exits support SoftmaxWithLoss "
                          "(softmax probabilities)")
    dtype = np.dtype(weights[0][0].dtype)
    if dtype.name not in DTYPES:
        raise ExportError(f"the network computes in {dtype.name}; the exits support float32 and float64")
    for k, (W, b) in enumerate(weights, 1):
        if W.dtype != dtype or b.dtype != dtype:
            raise ExportError(f"Affine layer {k} has dtype {W.dtype}/{b.dtype}, the first has {dtype}: use one dtype")
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ExportError(f"W{k} or b{k} holds NaN or infinite values (did the training diverge?)")
        if k > 1 and W.shape[0] != weights[k - 2][0].shape[1]:
            raise ExportError(f"W{k} has shape {W.shape} but the layer before gives {weights[k - 2][0].shape[1]}")
    if check_trained and not any(np.any(b) for _, b in weights):
        raise UntrainedError(f"the {type(model).__name__}")
    try:
        architecture = dict(model.config)
    except (AttributeError, NotImplementedError):
        architecture = {"class": type(model).__name__}
    sizes = [weights[0][0].shape[0], *(W.shape[1] for W, _ in weights)]
    architecture.setdefault("layer_sizes", sizes)
    return _Plan(weights, activations[0] if activations else None, dtype, architecture, meta)


def accuracy(meta):
    for key in ("accuracy", "test_acc"):
        value = meta.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None
