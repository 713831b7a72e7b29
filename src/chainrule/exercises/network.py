"""The network exercise: a learner's ``TwoLayerNet`` checked parameter by parameter.

The net is built small (6 inputs, 5 hidden units, 3 classes, 4 samples) and given
weights drawn from ``rng`` (written into its ``params`` in place, so the learner's
own ``np.random`` draws do not matter). Its loss and each parameter's gradient are
compared with chainrule's, computed on the same weights, and with the numerical
gradient of the learner's own ``loss``. Then the layers are walked one by one:
forward in order, backward from the loss, each layer fed the right input (or
``dout``) so that a mistake upstream does not hide the next one; the first layer
whose output differs is the one named.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import layers as _ref
from ..gradient import numerical_gradient
from .judge import Judged, combine, compare, first_difference
from .layers import call, grab
from .messages import text
from .report import CheckReport

__all__ = ["check_network"]

SIZES = {"input_size": 6, "hidden_size": 5, "output_size": 3}
BATCH = 4


class _Case:
    key = "network"
    shape = f"x ({BATCH}, {SIZES['input_size']}), W1 ({SIZES['input_size']}, {SIZES['hidden_size']}), t (4, 3)"


def _compare(got, expected, numeric=None):
    """A :class:`Judged` for one array the learner's net produced."""
    j = Judged("wrong", case=_Case)
    expected = np.asarray(expected, dtype=np.float64)
    j.expected_shape = expected.shape
    if got is None:
        j.verdict = "not implemented"
        return j
    got = grab(got)
    if not isinstance(got, np.ndarray) or got.dtype != np.float64:
        j.hint = "not_numbers"
        return j
    j.got_shape = got.shape
    if numeric is not None and numeric.shape == got.shape:
        j.numeric_diff = float(np.max(np.abs(got - numeric), initial=0.0))
    if got.shape != expected.shape:
        j.shape_ok, j.hint = False, "shape"
        return j
    j.diff, j.verdict = compare(got, expected)
    if j.verdict == "wrong":
        j.first, j.got, j.expected = first_difference(got, expected)
    return j


def _same(a, b):
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


def _kind(layer):
    name = type(layer).__name__
    for kind in ("SoftmaxWithLoss", "Affine", "Relu", "Sigmoid"):
        if kind.lower() in name.lower():
            return kind
    return None


def _reference_layer(layer):
    kind = _kind(layer)
    if kind == "Affine":
        W, b = getattr(layer, "W", None), getattr(layer, "b", None)
        if not (isinstance(W, np.ndarray) and isinstance(b, np.ndarray)):
            return None
        return _ref.Affine(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64))
    return getattr(_ref, kind)() if kind else None


def check_network(cls, source, lang, rng, filename=None):
    """The :class:`CheckReport` of a learner's ``TwoLayerNet`` class."""
    report = CheckReport(source, lang=lang, network=True)
    names = ("W1", "b1", "W2", "b2")
    net, failed = call(lambda: cls(weight_init_std=0.01, **SIZES), filename=filename)
    if failed:
        j = Judged("not implemented" if failed.not_implemented else "wrong", error=failed.raised, case=_Case)
        report.rows = [combine("TwoLayerNet", t, [j]) for t in ("loss", *names)]
        return report
    params = getattr(net, "params", None)
    shapes = {"W1": (6, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}
    bad = [k for k in names if not (hasattr(params, "__getitem__") and k in params
                                    and isinstance(params[k], np.ndarray) and params[k].shape == shapes[k])]
    if bad:
        held = ", ".join(f"{k} {shapes[k]}" for k in names)
        j = Judged("wrong", error=text("net.params_must_hold", lang, params=held), case=_Case)
        report.rows = [combine("TwoLayerNet", t, [j]) for t in ("loss", *names)]
        return report
    values = {"W1": rng.normal(size=(6, 5)) * 0.5, "b1": rng.normal(size=5) * 0.1,
              "W2": rng.normal(size=(5, 3)) * 0.5, "b2": rng.normal(size=3) * 0.1}
    for k in names:
        params[k][...] = values[k]
    x = rng.normal(size=(BATCH, 6))
    for _ in range(50):  # keep every hidden unit away from ReLU's kink, where central differences fail
        if np.min(np.abs(x @ values["W1"] + values["b1"])) > 1e-2:
            break
        x = rng.normal(size=(BATCH, 6))
    t = np.eye(3)[rng.integers(0, 3, size=BATCH)]

    layers = list(getattr(net, "layers", {}).items()) if isinstance(getattr(net, "layers", None), dict) else []
    last = getattr(net, "lastLayer", None)
    refs = [(name, layer, _reference_layer(layer)) for name, layer in layers]
    walkable = bool(refs) and all(r is not None for _, _, r in refs) and _kind(last) == "SoftmaxWithLoss"
    if walkable:  # the learner's structure, on the weights of params (what numerical gradients perturb)
        affines = iter(("1", "2"))
        ref_net_layers = [_ref.Affine(values["W" + k].copy(), values["b" + k].copy())
                          if _kind(layer) == "Affine" and (k := next(affines, None)) else _reference_layer(layer)
                          for _, layer, _ in refs]
    else:  # the book's structure: Affine1, Relu1, Affine2
        ref_net_layers = [_ref.Affine(values["W1"].copy(), values["b1"].copy()), _ref.Relu(),
                          _ref.Affine(values["W2"].copy(), values["b2"].copy())]
    from ..networks import Sequential

    ref_net = Sequential(ref_net_layers)
    if walkable and len(ref_net.params) != 4:
        walkable = False
    ref_loss = float(ref_net.loss(x, t))
    ref_grads = ref_net.gradient(x, t)
    if set(ref_grads) != set(names):
        ref_grads = {k: ref_grads.get(k, np.zeros(shapes[k])) for k in names}

    loss, failed = call(net.loss, x.copy(), t.copy(), filename=filename)
    if loss is not None and np.ndim(loss) == 0 and abs(float(loss) - _book_loss(ref_net.predict(x), t)) < \
            abs(float(loss) - ref_loss):
        ref_loss = _book_loss(ref_net.predict(x), t)  # the book's log(y + 1e-7): right too
    rows = [_row_from(failed, "loss", loss, ref_loss, None)]
    grads, failed_grads = call(net.gradient, x.copy(), t.copy(), filename=filename)
    for k in names:
        numeric = None
        if failed is None:
            numeric, _ = call(numerical_gradient, lambda _w: float(net.loss(x.copy(), t.copy())), params[k])
        got = grads.get(k) if isinstance(grads, dict) else None
        rows.append(_row_from(failed_grads, k, got, ref_grads[k], numeric))
    report.rows = rows

    for k, (name, layer, _) in zip(("1", "2"), [r for r in refs if _kind(r[1]) == "Affine"], strict=False):
        if getattr(layer, "W", None) is not params[f"W{k}"]:
            report.notes.append(("net.not_shared", {"param": f"W{k}", "layer": name}))
    if report.ok or all(row.verdict == "not implemented" for row in rows):
        return report
    if not walkable:
        report.notes.append(("net.no_walk", {}))
        return report
    culprit = _walk(refs, last, x, t, filename)
    if culprit is not None:
        report.culprit = culprit[1]["layer"]
        report.notes.append(culprit)
    elif not report.notes:
        report.notes.append(_wiring(grads, ref_grads, refs, names))
    report.rows = [replace(row, hint="net_see_below") if row.verdict == "wrong" and row.hint is None else row
                   for row in report.rows]
    return report


def _row_from(failed, tensor, got, expected, numeric):
    if failed is not None:
        j = Judged("not implemented" if failed.not_implemented else "wrong", error=failed.raised, case=_Case)
    else:
        j = _compare(got, expected, numeric)
    return combine("TwoLayerNet", tensor, [j])


def _walk(refs, last, x, t, filename):
    """``(message key, {fields})`` naming the first layer that goes wrong, or None when each is right."""
    h = x
    for name, layer, ref in refs:  # forward, each layer given the right input
        out, failed = call(layer.forward, h.copy(), filename=filename)
        h = ref.forward(h)
        if failed or not _same(out, h):
            return ("net.culprit_forward", {"layer": name, "kind": _kind(layer), "tensor": "out"})
    loss, failed = call(last.forward, h.copy(), t.copy(), filename=filename)
    ref_last = _ref.SoftmaxWithLoss()
    ref_loss = ref_last.forward(h, t)
    if failed or not (_same(loss, ref_loss) or _same(loss, _book_loss(h, t))):
        return ("net.culprit_forward", {"layer": "lastLayer", "kind": "SoftmaxWithLoss", "tensor": "loss"})
    dout = ref_last.backward(1)
    got, failed = call(last.backward, 1, filename=filename)
    if failed or not _same(got, dout):
        return ("net.culprit_backward", {"layer": "lastLayer", "kind": "SoftmaxWithLoss", "tensor": "dx"})
    for name, layer, ref in reversed(refs):  # backward from the loss, each layer given the right dout
        got, failed = call(layer.backward, dout.copy(), filename=filename)
        dout = ref.backward(dout)
        wrong = "dx" if failed or not _same(got, dout) else None
        if _kind(layer) == "Affine" and not failed:
            for attr in ("dW", "db"):
                if not _same(getattr(layer, attr, None), getattr(ref, attr)):
                    wrong = wrong or attr
        if wrong:
            return ("net.culprit_backward", {"layer": name, "kind": _kind(layer), "tensor": wrong})
    return None


def _book_loss(y, t):
    from ..functions import cross_entropy_error, softmax

    return cross_entropy_error(softmax(y), t)


def _wiring(grads, ref_grads, refs, names):
    """Every layer is right on its own: say what gradient() hands out instead."""
    if isinstance(grads, dict):
        for k in names:
            for other in names:
                if other != k and _same(grads.get(k), ref_grads[other]) and not _same(grads.get(k), ref_grads[k]):
                    return ("net.swapped", {"param": k, "other": other})
    return ("net.gradient_method", {})
