"""The network exercise, in the process that runs the learner's code: build the net, run it, walk it.

:func:`task_network` builds the learner's net with the given arguments, writes the
given weights into its ``params``, and sends back its loss, each gradient, the
numerical gradient of its own loss, and its structure (each layer's kind, which
``params`` array it holds, its stride and padding). :func:`task_walk` feeds each
layer the input (and ``dout``) the checker computed, and sends back what each
produced. Nothing is judged here.
"""

from __future__ import annotations

import inspect
import time

import numpy as np

from .run import Outcome, accepts_argument, call, grab, numeric_gradient, outcome_data, quiet_float

__all__ = ["KINDS", "PARAMETERS", "kind_of", "task_network", "task_walk"]

#: The kinds of layer the walk knows (by the class name), and those holding two parameters each.
KINDS = ("SoftmaxWithLoss", "BatchNormalization", "Convolution", "Pooling", "Dropout", "Affine", "Relu", "Sigmoid")
PARAMETERS = ("Affine", "Convolution", "BatchNormalization")
_ALIASES = {"batchnorm": "BatchNormalization", "conv": "Convolution", "pool": "Pooling"}
_MODAL = ("BatchNormalization", "Dropout")  # forward(x, train_flg)


def kind_of(layer):
    """The book's layer ``layer`` plays, from its class name (``MyAffine`` -> ``"Affine"``), or None."""
    name = type(layer).__name__.lower()
    for kind in KINDS:
        if kind.lower() in name:
            return kind
    for alias, kind in _ALIASES.items():
        if alias in name:
            return kind
    return None


def _layers(net):
    layers = getattr(net, "layers", None)
    if isinstance(layers, dict):
        return [(str(k), v) for k, v in layers.items()]
    if isinstance(layers, (list, tuple)):
        return [(f"layers[{i}]", v) for i, v in enumerate(layers)]
    return []


def _last(net):
    for attr in ("lastLayer", "last_layer"):
        if getattr(net, attr, None) is not None:
            return attr, getattr(net, attr)
    return "lastLayer", None


def _number(value):
    try:
        return float(value) if isinstance(value, float) else int(value)
    except (TypeError, ValueError):
        return None


def _structure(net, params):
    """Each layer's name, kind and settings; an array is named by its ``params`` key when it is that array."""
    by_id = {id(v): k for k, v in params.items()}
    layers, not_shared, i = [], [], 0
    for name, layer in _layers(net):
        kind = kind_of(layer)
        attrs = {}
        for attr in ("W", "b", "gamma", "beta"):
            value = getattr(layer, attr, None)
            if isinstance(value, np.ndarray):
                attrs[attr] = by_id.get(id(value)) or grab(value)
        for attr in ("stride", "pad", "pool_h", "pool_w", "momentum"):
            if hasattr(layer, attr):
                attrs[attr] = _number(getattr(layer, attr))
        if kind in ("Affine", "Convolution"):
            i += 1
            if not isinstance(attrs.get("W"), str):
                not_shared.append((f"W{i}", name))
        layers.append({"name": name, "kind": kind, "attrs": attrs})
    last_name, last = _last(net)
    return {"layers": layers, "last": kind_of(last) if last is not None else None, "last_name": last_name}, not_shared


def _build(learner, name, kwargs, values):
    """``(net, params, None)``, or ``(None, None, answer)`` when the net cannot be built or has other params."""
    net, failed = call(learner.objects[name], is_learner=learner.is_learner_file, **kwargs)
    if failed:
        return None, None, {"init": outcome_data(failed)}
    params = getattr(net, "params", None)
    ok = hasattr(params, "__getitem__") and all(
        k in params and isinstance(params[k], np.ndarray) and params[k].shape == np.shape(v)
        and params[k].dtype.kind == "f" for k, v in values.items())
    if not ok:
        return None, None, {"bad_params": True}
    for k, v in values.items():
        params[k][...] = v
    return net, params, None


def _loss_call(net, train_flg):
    if train_flg and "train_flg" in _parameters(net.loss):
        return lambda x, t: net.loss(x, t, train_flg=True)
    return net.loss


def _parameters(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}


def task_network(learner, name, kwargs, values, x, t, train_flg, budget):
    """Yield the learner's loss, gradients, numerical gradients and structure on the given weights."""
    net, params, early = _build(learner, name, kwargs, values)
    if early is not None:
        yield early
        return
    is_learner = learner.is_learner_file
    structure, not_shared = _structure(net, params)
    loss_fn = _loss_call(net, train_flg)
    loss, failed = call(loss_fn, x.copy(), t.copy(), is_learner=is_learner)
    outcomes = {"loss": outcome_data(failed or Outcome(got=grab(loss)))}
    grads, failed_grads = call(net.gradient, x.copy(), t.copy(), is_learner=is_learner)
    for k in values:
        if failed_grads:
            outcomes[k] = outcome_data(failed_grads)
        else:
            got = grads.get(k) if isinstance(grads, dict) else None
            outcomes[k] = outcome_data(Outcome(got=grab(got), not_implemented=grads is None))
    numeric = {}
    if failed is None:
        deadline = time.monotonic() + budget / 2  # done well within the checker's wait, which is ``budget``
        for k in values:
            numeric[k] = numeric_gradient(lambda: quiet_float(lambda: loss_fn(x.copy(), t.copy())), params[k],
                                          deadline)
    yield {"structure": structure, "not_shared": not_shared, "outcomes": outcomes, "numeric": numeric}


def task_walk(learner, name, kwargs, values, inputs, t, douts):
    """Feed each layer the given input, then the given ``dout``; yield what each produced."""
    net, _params, early = _build(learner, name, kwargs, values)
    if early is not None:
        yield {}
        return
    is_learner = learner.is_learner_file
    layers = [layer for _, layer in _layers(net)]
    forward = []
    for layer, h in zip(layers, inputs, strict=False):
        args = (h.copy(), True) if kind_of(layer) in _MODAL else (h.copy(),)
        out, failed = call(layer.forward, *args, is_learner=is_learner)
        forward.append(None if failed else grab(out))
    _, last = _last(net)
    loss, loss_failed = call(last.forward, inputs[-1].copy(), t.copy(), is_learner=is_learner)
    dlast = None
    if loss_failed is None:
        backward_args = (1,) if accepts_argument(last.backward) else ()
        dlast, _ = call(last.backward, *backward_args, is_learner=is_learner)
    backward = [None] * len(layers)
    for i in reversed(range(len(layers))):
        dx, failed = call(layers[i].backward, douts[i].copy(), is_learner=is_learner)
        if failed:
            continue
        entry = {"dx": grab(dx)}
        for attr in ("dW", "db", "dgamma", "dbeta"):
            if getattr(layers[i], attr, None) is not None:
                entry[attr] = grab(getattr(layers[i], attr))
        backward[i] = entry
    yield {"forward": forward, "loss": None if loss_failed else grab(loss), "dlast": grab(dlast),
           "backward": backward}
