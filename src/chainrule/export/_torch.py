"""The PyTorch exit: a chainrule network as an ``nn.Sequential``; state_dict + JSON files.

A plan becomes a list of layer descriptions (JSON: what ``save_torch`` writes beside the
weights) and the arrays of the module's ``state_dict``; one builder turns descriptions
into modules, for :func:`to_torch` and for :func:`load_torch` alike.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ._common import DTYPES, ExportError, make_plan, need_torch

_TORCH_FORMAT = "chainrule-torch"
_SCALE = []  # the Scale class, made once torch is imported


def scale_class():
    """``chainrule.export.Scale``, an ``nn.Module`` that multiplies its input by the buffer ``factor``.

    ``nn.Dropout(p)`` followed by ``Scale(1 - p)`` is the book's Dropout in both modes:
    at test time ``x * (1 - p)`` (PyTorch's Dropout is the identity there), in training
    the kept values unscaled (PyTorch's ``1 / (1 - p)``, undone).
    """
    if not _SCALE:
        torch = need_torch()

        class Scale(torch.nn.Module):
            """Multiplies by ``factor`` (a buffer of the module's dtype, saved in the ``state_dict``)."""

            def __init__(self, factor, dtype=None):
                super().__init__()
                self.register_buffer("factor", torch.tensor(float(factor), dtype=dtype))

            def forward(self, x):
                return x * self.factor

            def extra_repr(self):
                return f"factor={self.factor.detach().cpu().numpy()!s}"  # 0.7, not float32(0.7) as a double

        Scale.__module__ = "chainrule.export"  # importable there by name, as pickle and copy look it up
        _SCALE.append(Scale)
    return _SCALE[0]


def torch_momentum(momentum):
    """The book's ``running = m * running + (1 - m) * batch`` and PyTorch's ``(1 - m') * running + m' * batch``."""
    return round(1.0 - momentum, 12)


def torch_layers(plan):
    """``(layers, state)``: the ``nn.Sequential``'s layers as JSON-able dicts, and its ``state_dict`` arrays."""
    from ..batchnorm import EPS

    layers, state = [], {}

    def add(layer, **arrays):
        state.update({f"{len(layers)}.{k}": a for k, a in arrays.items()})
        layers.append(layer)

    for step in plan.steps:
        a, image = step.arrays, len(step.in_shape) > 1
        if step.kind == "affine":
            if image:
                add({"type": "Flatten"})
            W = a["W"]
            add({"type": "Linear", "in_features": W.shape[0], "out_features": W.shape[1]}, weight=W.T, bias=a["b"])
        elif step.kind == "conv":
            FN, C, FH, FW = a["W"].shape
            add({"type": "Conv2d", "in_channels": C, "out_channels": FN, "kernel_size": [FH, FW],
                 "stride": step.attrs["stride"], "padding": step.attrs["pad"]}, weight=a["W"], bias=a["b"])
        elif step.kind == "pool":
            if step.attrs["pad"]:  # the book pads with zeros, MaxPool2d's padding with -inf
                add({"type": "ZeroPad2d", "padding": step.attrs["pad"]})
            add({"type": "MaxPool2d", "kernel_size": [step.attrs["pool_h"], step.attrs["pool_w"]],
                 "stride": step.attrs["stride"]})
        elif step.kind == "batchnorm":  # the book's: one feature per value of the sample, C*H*W for an image
            if image:
                add({"type": "Flatten"})
            add({"type": "BatchNorm1d", "num_features": a["gamma"].shape[0], "eps": EPS,
                 "momentum": torch_momentum(step.attrs["momentum"])},
                weight=a["gamma"], bias=a["beta"], running_mean=a["mean"], running_var=a["var"])
            if image:
                add({"type": "Unflatten", "sizes": list(step.in_shape)})
        elif step.kind == "dropout":
            keep = 1.0 - step.attrs["ratio"]
            add({"type": "Dropout", "p": step.attrs["ratio"]})
            add({"type": "Scale", "factor": keep}, factor=np.array(keep, dtype=plan.dtype))
        else:
            add({"type": {"relu": "ReLU", "sigmoid": "Sigmoid"}[step.kind]})
    return layers, state


def _module(torch, layer, dtype):
    """One ``nn.Module`` from its description (KeyError, TypeError or ValueError when it is damaged)."""
    nn, kind = torch.nn, layer["type"]

    def size(key, low=1):
        return _int(layer[key], key, low)

    def pair(key):
        value = layer[key]
        values = [value, value] if isinstance(value, int) else list(value)
        if len(values) != 2:
            raise ValueError(f"{key} must be one integer or two, not {value!r}")
        return tuple(_int(v, key, 1) for v in values)

    if kind == "Linear":
        return nn.Linear(size("in_features"), size("out_features"), dtype=dtype)
    if kind == "Conv2d":
        return nn.Conv2d(size("in_channels"), size("out_channels"), pair("kernel_size"), stride=size("stride"),
                         padding=size("padding", 0), dtype=dtype)
    if kind == "MaxPool2d":
        return nn.MaxPool2d(pair("kernel_size"), stride=size("stride"))
    if kind == "ZeroPad2d":
        return nn.ZeroPad2d(size("padding"))
    if kind == "BatchNorm1d":
        return nn.BatchNorm1d(size("num_features"), eps=float(layer["eps"]), momentum=float(layer["momentum"]),
                              dtype=dtype)
    if kind == "Unflatten":
        return nn.Unflatten(1, tuple(_int(v, "sizes", 1) for v in layer["sizes"]))
    if kind == "Dropout":
        return nn.Dropout(float(layer["p"]))
    if kind == "Scale":
        return scale_class()(float(layer["factor"]), dtype=dtype)
    if kind in ("ReLU", "Sigmoid", "Flatten"):
        return getattr(nn, kind)()
    raise ExportError(f"unknown layer type {kind!r}")


def _int(value, key, low):
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{key} must be an integer >= {low}, not {value!r}")
    return value


def _sequential(torch, layers, dtype):
    return torch.nn.Sequential(*(_module(torch, layer, dtype) for layer in layers))


def to_torch(model, *, check_trained=True, input_shape=None):
    """``model`` as a ``torch.nn.Sequential`` in eval mode, computing what chainrule computes.

    ``Affine`` -> ``Linear`` (``weight = W.T``: PyTorch stores ``(out, in)``), after an
    ``nn.Flatten`` where it follows images; ``Convolution`` -> ``Conv2d`` (same filters,
    stride and padding); ``Pooling`` -> ``MaxPool2d``, after an ``nn.ZeroPad2d`` when it pads
    (the book pads with zeros); ``BatchNormalization`` -> ``BatchNorm1d`` with the running
    statistics and ``eps = 1e-6``, between ``Flatten`` and ``Unflatten`` after a convolution
    (the book normalizes each of the ``C*H*W`` values, where ``BatchNorm2d`` would normalize
    per channel); ``Dropout`` -> ``nn.Dropout(p)`` then :func:`Scale <scale_class>` ``(1 - p)``;
    ``Relu``, ``Sigmoid`` -> ``ReLU``, ``Sigmoid``. The arrays are copies, in the network's dtype.

    The module returns scores, like ``network.predict``; ``torch.softmax(module(x), dim=1)``
    gives the probabilities. It remembers the chainrule architecture
    (``chainrule_architecture``) and input (``chainrule_input_shape``), so :func:`from_torch`
    rebuilds the same class.
    """
    torch = need_torch()
    return _torch_module(torch, make_plan(model, check_trained=check_trained, input_shape=input_shape))


def _torch_module(torch, plan):
    layers, state = torch_layers(plan)
    module = _sequential(torch, layers, getattr(torch, plan.dtype.name))
    held = module.state_dict()
    with torch.no_grad():
        for k, a in state.items():
            held[k].copy_(torch.from_numpy(np.array(a, order="C")))
    return _remember(module.eval(), plan.architecture, plan.input_shape)


def _remember(module, architecture, input_shape):
    module.chainrule_architecture = dict(architecture)
    module.chainrule_input_shape = list(input_shape)
    return module


def _architecture_path(path):
    path = Path(path)
    if path.suffix == ".json":
        raise ExportError(f"{path}: give the weights file a name other than .json (its architecture goes in "
                          f"{path.stem}.json beside it)")
    return path.with_suffix(".json")


def save_torch(model, path, *, metadata=None, check_trained=True, input_shape=None):
    """Write ``model``'s PyTorch ``state_dict`` to ``path`` and its architecture to ``path`` with ``.json``.

    ``model``: a chainrule network, a model file path, or a module :func:`from_torch` reads.
    The weights file is ``torch.save(module.state_dict())`` (tensors only, never a pickled
    module); ``out.json`` beside ``out.pt`` lists the ``nn.Sequential``'s layers
    (:func:`load_torch` rebuilds it). Returns the two paths.
    """
    torch = need_torch()
    if isinstance(model, torch.nn.Module):
        from ._from_torch import from_torch

        input_shape = input_shape or getattr(model, "chainrule_input_shape", None)
        model = from_torch(model, input_shape=input_shape)
    plan = make_plan(model, metadata, check_trained=check_trained, input_shape=input_shape)
    module = _torch_module(torch, plan)
    from .._version import __version__
    from ..io.files import atomic_path

    path = Path(path)
    arch_path = _architecture_path(path)
    arch = {"format": _TORCH_FORMAT, "format_version": 1, "chainrule_version": __version__,
            "torch_version": torch.__version__, "dtype": plan.dtype.name, "weights": path.name,
            "input_shape": list(plan.input_shape), "layers": torch_layers(plan)[0],
            "architecture": plan.architecture, "metadata": plan.metadata}
    text = json.dumps(arch, indent=1, default=str) + "\n"
    with atomic_path(path) as tmp_pt, atomic_path(arch_path) as tmp_json:
        torch.save(module.state_dict(), tmp_pt)
        tmp_json.write_text(text, encoding="utf-8")
    return path, arch_path


def load_torch(path):
    """The ``nn.Sequential`` saved by :func:`save_torch` (weights read with ``weights_only=True``)."""
    torch = need_torch()
    path = Path(path)
    arch_path = _architecture_path(path)
    for p in (path, arch_path):
        if not p.is_file():
            raise FileNotFoundError(f"{'architecture' if p == arch_path else 'weights'} file not found: {p}")
    try:
        arch = json.loads(arch_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExportError(f"{arch_path} is not JSON: {exc}") from None
    if not isinstance(arch, dict) or arch.get("format") != _TORCH_FORMAT:
        raise ExportError(f"{arch_path} is not a chainrule PyTorch architecture file")
    if arch.get("dtype") not in DTYPES or not isinstance(arch.get("layers"), list):
        raise ExportError(f"{arch_path} has a damaged architecture (dtype {arch.get('dtype')!r})")
    try:
        module = _sequential(torch, arch["layers"], getattr(torch, arch["dtype"]))
    except ExportError as exc:
        raise ExportError(f"{arch_path}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ExportError(f"{arch_path} has a damaged layer list: {exc!r}") from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        module.load_state_dict(state, strict=True)
    except Exception as exc:  # torch raises RuntimeError, UnpicklingError, ... for a wrong or damaged file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(f"{path} does not hold the weights {arch_path.name} describes: {first}") from None
    module.eval()
    if isinstance(arch.get("architecture"), dict):
        module.chainrule_architecture = arch["architecture"]
    if isinstance(arch.get("input_shape"), list):
        module.chainrule_input_shape = arch["input_shape"]
    return module
