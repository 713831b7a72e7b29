"""The PyTorch exit: a chainrule network as an ``nn.Sequential``.

A plan becomes a list of layer descriptions (JSON: what ``save_torch`` writes beside the
weights, :mod:`._torch_files`) and the arrays of the module's ``state_dict``; one builder,
:func:`sequential`, turns descriptions into modules, for :func:`to_torch` and for
``load_torch`` alike.
"""

from __future__ import annotations

import numpy as np

from ..io.bounds import size_check
from ._common import ExportError, make_plan, need_torch

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


def _module(torch, i, layer, dtype, size):
    """Layer ``i`` of a description list as an ``nn.Module``, each of its numbers through ``size``
    (:func:`chainrule.io.bounds.size_check`); KeyError, TypeError or ValueError when it is damaged."""
    nn, kind = torch.nn, layer["type"]

    def n(key, bound, value=None):
        return size(f"layer {i} ({kind}) {key!r}", layer[key] if value is None else value, bound)

    def pair(key, bound):
        value = layer[key]
        values = [value, value] if isinstance(value, int) else list(value)
        if len(values) != 2:
            raise ValueError(f"{key} must be one integer or two, not {value!r}")
        return tuple(n(key, bound, v) for v in values)

    def fraction(key, below_one=False):  # from 0 to 1, 1 itself excluded or not
        value = layer[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1 or \
                (below_one and value == 1):
            raise ValueError(f"{key} must be a number from 0 to {'below ' if below_one else ''}1, not {value!r}")
        return float(value)

    if kind == "Linear":
        return nn.Linear(n("in_features", "size"), n("out_features", "size"), dtype=dtype)
    if kind == "Conv2d":
        return nn.Conv2d(n("in_channels", "channels"), n("out_channels", "channels"), pair("kernel_size", "side"),
                         stride=n("stride", "stride"), padding=n("padding", "pad"), dtype=dtype)
    if kind == "MaxPool2d":
        return nn.MaxPool2d(pair("kernel_size", "side"), stride=n("stride", "stride"))
    if kind == "ZeroPad2d":
        return nn.ZeroPad2d(n("padding", "pad"))
    if kind == "BatchNorm1d":
        return nn.BatchNorm1d(n("num_features", "size"), eps=fraction("eps", True), momentum=fraction("momentum"),
                              dtype=dtype)
    if kind == "Unflatten":
        c, h, w = layer["sizes"]
        return nn.Unflatten(1, (n("sizes", "channels", c), n("sizes", "side", h), n("sizes", "side", w)))
    if kind == "Dropout":
        return nn.Dropout(fraction("p", True))
    if kind == "Scale":
        return scale_class()(fraction("factor"), dtype=dtype)
    return getattr(nn, kind)()  # ReLU, Sigmoid, Flatten


_KINDS = ("Linear", "Conv2d", "MaxPool2d", "ZeroPad2d", "BatchNorm1d", "Unflatten", "Dropout", "Scale", "ReLU",
          "Sigmoid", "Flatten")


def sequential(torch, layers, dtype, where=None):
    """The ``nn.Sequential`` that ``layers`` (descriptions, as :func:`torch_layers` gives) describe.

    From a file (``where``): every number within :mod:`chainrule.io.bounds`, and every problem an
    :class:`ExportError` naming the file (build it under ``torch.device("meta")`` to allocate nothing).
    """
    size = size_check(where, ExportError)
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or layer.get("type") not in _KINDS:
            kind = layer.get("type") if isinstance(layer, dict) else layer
            raise ExportError(f"{where}: layer {i}: unknown layer type {kind!r}")
    try:
        return torch.nn.Sequential(*(_module(torch, i, layer, dtype, size) for i, layer in enumerate(layers)))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ExportError):
            raise
        raise ExportError(f"{where} has a damaged layer list: {exc!r}") from None


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
    return torch_module(torch, make_plan(model, check_trained=check_trained, input_shape=input_shape))


def torch_module(torch, plan):
    """The ``nn.Sequential`` of ``plan`` holding copies of its arrays, in eval mode, remembering where it came from."""
    layers, state = torch_layers(plan)
    module = sequential(torch, layers, getattr(torch, plan.dtype.name))
    held = module.state_dict()
    with torch.no_grad():
        for k, a in state.items():
            held[k].copy_(torch.from_numpy(np.array(a, order="C")))
    return _remember(module.eval(), plan.architecture, plan.input_shape)


def _remember(module, architecture, input_shape):
    module.chainrule_architecture = dict(architecture)
    module.chainrule_input_shape = list(input_shape)
    return module
