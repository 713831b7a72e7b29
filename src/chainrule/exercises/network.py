"""The network exercise: a learner's ``TwoLayerNet``, ``SimpleConvNet`` or ``MultiLayerNetExtend``
checked parameter by parameter.

The net is built small (:data:`NETWORKS` gives its arguments) and given weights
drawn from ``rng`` (written into its ``params`` in place, so the learner's own
``np.random`` draws do not matter). Its loss and each parameter's gradient are
compared with chainrule's, computed here on the same weights, and with the
numerical gradient of the learner's own ``loss``. Then the layers are walked one
by one: forward in order, backward from the loss, each layer fed the right input
(or ``dout``) so that a mistake upstream does not hide the next one; the first
layer whose output differs is the one named. The learner's code runs in its own
process (:mod:`.netrun`); everything judged here is computed here.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import layers as _ref
from ..batchnorm import BatchNormalization
from ..convolution import Convolution, Pooling
from ..functions import cross_entropy_error, softmax
from .judge import Judged, combine, compare, first_difference
from .messages import text
from .netrun import KINDS, PARAMETERS
from .report import CheckReport
from .run import Opaque, read_outcome

__all__ = ["NETWORKS", "check_network"]

BATCH = 4
#: The networks ``--network`` checks: the arguments they are built with, the shapes of their parameters.
NETWORKS = {
    "TwoLayerNet": {
        "kwargs": {"input_size": 6, "hidden_size": 5, "output_size": 3, "weight_init_std": 0.01},
        "input": (6,), "classes": 3, "decay": 0.0,
        "shapes": {"W1": (6, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)},
        "book": ("Affine", "Relu", "Affine"),
    },
    "SimpleConvNet": {
        "kwargs": {"input_dim": (1, 6, 6), "hidden_size": 5, "output_size": 3, "weight_init_std": 0.01,
                   "conv_param": {"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 1}},
        "input": (1, 6, 6), "classes": 3, "decay": 0.0,
        "shapes": {"W1": (3, 1, 3, 3), "b1": (3,), "W2": (12, 5), "b2": (5,), "W3": (5, 3), "b3": (3,)},
        "book": ("Convolution", "Relu", "Pooling", "Affine", "Relu", "Affine"),
        "conv": {"stride": 1, "pad": 0}, "pool": {"pool_h": 2, "pool_w": 2, "stride": 2, "pad": 0},
    },
    "MultiLayerNetExtend": {
        "kwargs": {"input_size": 6, "hidden_size_list": [5, 4], "output_size": 3, "activation": "relu",
                   "weight_init_std": "relu", "weight_decay_lambda": 0.1, "use_dropout": False,
                   "use_batchnorm": True},
        "input": (6,), "classes": 3, "decay": 0.1, "train_flg": True,
        "shapes": {"W1": (6, 5), "b1": (5,), "gamma1": (5,), "beta1": (5,), "W2": (5, 4), "b2": (4,),
                   "gamma2": (4,), "beta2": (4,), "W3": (4, 3), "b3": (3,)},
        "book": ("Affine", "BatchNormalization", "Relu", "Affine", "BatchNormalization", "Relu", "Affine"),
    },
}


class _Case:
    key = "network"

    def __init__(self, name):
        spec = NETWORKS[name]
        first = next(iter(spec["shapes"]))
        self.shape = f"x {(BATCH, *spec['input'])}, {first} {spec['shapes'][first]}, t ({BATCH}, {spec['classes']})"


def _values(spec, rng):
    values = {}
    for k, shape in spec["shapes"].items():
        if k.startswith("gamma"):
            values[k] = 1.0 + 0.2 * rng.normal(size=shape)
        elif k.startswith(("b", "beta")):
            values[k] = rng.normal(size=shape) * 0.1
        else:
            values[k] = rng.normal(size=shape) * 0.5
    return values


# -- chainrule's numbers ------------------------------------------------------------------------

def _reference_layer(kind, attrs):
    """chainrule's layer for one of the learner's: ``attrs`` its arrays and settings (plain data)."""
    if kind in ("Relu", "Sigmoid"):
        return getattr(_ref, kind)()
    if kind == "Affine":
        return _ref.Affine(np.array(attrs["W"], dtype=np.float64), np.array(attrs["b"], dtype=np.float64))
    if kind == "Convolution":
        return Convolution(np.array(attrs["W"], dtype=np.float64), np.array(attrs["b"], dtype=np.float64),
                           int(attrs["stride"]), int(attrs["pad"]))
    if kind == "Pooling":
        return Pooling(int(attrs["pool_h"]), int(attrs["pool_w"]), int(attrs["stride"]), int(attrs["pad"]))
    if kind == "BatchNormalization":
        return BatchNormalization(np.array(attrs["gamma"], dtype=np.float64),
                                  np.array(attrs["beta"], dtype=np.float64), float(attrs["momentum"]))
    return None


def _forward(layer, x):
    return layer.forward(x, True) if isinstance(layer, BatchNormalization) else layer.forward(x)


class _Chain:
    """chainrule's layers in the learner's order, the values of its parameters given by name."""

    def __init__(self, kinds, attrs, decay=0.0):
        self.layers = [_reference_layer(k, a) for k, a in zip(kinds, attrs, strict=True)]
        self.decay = decay

    def run(self, x, t):
        """``(loss, grads by parameter key, inputs of each layer, dout into each layer)``."""
        hs, h = [], x
        for layer in self.layers:
            hs.append(h)
            h = _forward(layer, h)
        last = _ref.SoftmaxWithLoss()
        loss = float(last.forward(h, t)) + self.decay_term()
        douts, dout = [], last.backward(1)
        for layer in reversed(self.layers):
            douts.append(dout)
            dout = layer.backward(dout)
        douts.reverse()
        self.first_dx = dout
        return loss, hs + [h], douts, last

    def decay_term(self):
        ws = [layer.W for layer in self.layers if hasattr(layer, "W")]
        return 0.5 * self.decay * sum(float(np.sum(w ** 2)) for w in ws)

    def grads(self, names):
        """The gradient of each parameter key, the i-th W/b layer's as W{i}/b{i}, the i-th BN's as gamma{i}/beta{i}."""
        grads, i, j = {}, 0, 0
        for layer in self.layers:
            if hasattr(layer, "W"):
                i += 1
                grads[f"W{i}"] = layer.dW + self.decay * layer.W
                grads[f"b{i}"] = layer.db
            elif isinstance(layer, BatchNormalization):
                j += 1
                grads[f"gamma{j}"], grads[f"beta{j}"] = layer.dgamma, layer.dbeta
        return {k: grads.get(k) for k in names}


def _assigned(kinds, values, structure=None):
    """Each layer's arrays: the learner's own (``structure``) or, in the book's order, those of ``values``."""
    attrs, i, j = [], 0, 0
    for n, kind in enumerate(kinds):
        a = dict(structure[n]["attrs"]) if structure else {}
        if kind in ("Affine", "Convolution"):
            i += 1
            if not structure:
                a.update(W=values[f"W{i}"], b=values[f"b{i}"])
        elif kind == "BatchNormalization":
            j += 1
            if not structure:
                a.update(gamma=values[f"gamma{j}"], beta=values[f"beta{j}"], momentum=0.9)
        attrs.append(a)
    return attrs


def _book_loss(scores, t):
    return float(cross_entropy_error(softmax(scores), t))


def _inputs(name, spec, values, rng):
    """``(x, t)`` with every ReLU input and every pooling window's maximum away from kinks and ties."""
    kinds = spec["book"]
    attrs = _assigned(kinds, values)
    for a, kind in zip(attrs, kinds, strict=True):
        a.update(spec.get("conv", {}) if kind == "Convolution" else spec.get("pool", {}) if kind == "Pooling" else {})
    chain = _Chain(kinds, attrs)
    for _ in range(200):
        x = rng.normal(size=(BATCH, *spec["input"]))
        t = np.eye(spec["classes"])[rng.integers(0, spec["classes"], size=BATCH)]
        _, hs, _, _ = chain.run(x, t)
        if all(_clear(kind, h) for kind, h in zip(kinds, hs, strict=False)):
            return x, t
    return x, t


def _clear(kind, h, margin=1e-2):
    if kind == "Relu":
        return np.min(np.abs(h)) > margin
    if kind == "Pooling":  # a window's maximum clear of the rest (ties among ReLU's zeros do not move)
        windows = np.sort(h.reshape(h.shape[0], h.shape[1], h.shape[2] // 2, 2, h.shape[3] // 2, 2)
                          .transpose(0, 1, 2, 4, 3, 5).reshape(-1, 4), axis=1)
        live = windows[:, -1] > 0
        return not live.any() or np.min(windows[live, -1] - windows[live, -2]) > margin
    return True


# -- the check ---------------------------------------------------------------------------------

def _compare(name, got, expected, numeric=None):
    """A :class:`Judged` for one array the learner's net produced."""
    j = Judged("wrong", case=_Case(name))
    expected = np.asarray(expected, dtype=np.float64)
    j.expected_shape = expected.shape
    if got is None:
        j.verdict = "not implemented"
        return j
    if not isinstance(got, np.ndarray) or got.dtype != np.float64:
        j.hint = "not_numbers"
        return j
    j.got_shape = got.shape
    if isinstance(numeric, np.ndarray) and numeric.shape == got.shape:
        finite = np.all(np.isfinite(got)) and np.all(np.isfinite(numeric))
        j.numeric_diff = float(np.max(np.abs(got - numeric), initial=0.0)) if finite else float("inf")
    if got.shape != expected.shape:
        j.shape_ok, j.hint = False, "shape"
        return j
    j.diff, j.verdict = compare(got, expected)
    if j.verdict == "wrong":
        j.first, j.got, j.expected = first_difference(got, expected)
    return j


def _row(name, tensor, outcome, expected, numeric=None):
    if outcome is None:
        j = Judged("wrong", case=_Case(name), hint="not_run")
    elif outcome.stopped is not None:
        j = Judged("wrong", case=_Case(name), error=outcome.stopped[1], stopped=outcome.stopped[0])
    elif outcome.raised is not None or outcome.not_implemented:
        j = Judged("not implemented" if outcome.not_implemented and outcome.raised is None else "wrong",
                   error=outcome.raised, case=_Case(name), hint=outcome.hint)
    else:
        got = outcome.got if not isinstance(outcome.got, Opaque) else outcome.got
        j = _compare(name, got, expected, numeric)
        if outcome.hint and j.verdict == "wrong":
            j.hint = outcome.hint
    return combine(name, tensor, [j])


def check_network(name, sandbox, source, lang, rng, progress=None):
    """The :class:`CheckReport` of the learner's network class ``name`` (loaded in ``sandbox``)."""
    spec = NETWORKS[name]
    names = tuple(spec["shapes"])
    report = CheckReport(source, lang=lang, network=True, network_name=name)
    values = _values(spec, rng)
    x, t = _inputs(name, spec, values, rng)
    args = {"name": name, "kwargs": spec["kwargs"], "values": values, "x": x, "t": t,
            "train_flg": spec.get("train_flg"), "budget": sandbox.timeout}
    if progress is not None:
        progress(name, 0, 2)
    answers, stopped = sandbox.run("network", args)
    first = answers[0] if isinstance(answers, list) and answers else None
    if first is None or "init" in first or "bad_params" in first:
        report.rows = _early_rows(name, names, first, stopped, answers, lang)
        return report
    structure = first["structure"]
    kinds = [layer["kind"] for layer in structure["layers"]]
    walkable = bool(kinds) and all(k in KINDS for k in kinds) and structure["last"] == "SoftmaxWithLoss" \
        and sum(k in PARAMETERS for k in kinds) * 2 == len(names)
    order = kinds if walkable else list(spec["book"])
    attrs = _assigned(order, values)
    for a, kind, layer in zip(attrs, order, structure["layers"] if walkable else [None] * len(order), strict=True):
        if layer is not None:
            a.update({k: v for k, v in layer["attrs"].items() if k not in ("W", "b", "gamma", "beta")})
        elif kind in ("Convolution", "Pooling"):
            a.update(spec["conv" if kind == "Convolution" else "pool"])
    chain = _Chain(order, attrs, spec["decay"])
    ref_loss, _, _, _ = chain.run(x, t)
    ref_grads = chain.grads(names)
    outcomes = {k: read_outcome(v) for k, v in first["outcomes"].items()}
    loss = outcomes.get("loss")
    if loss is not None and isinstance(loss.got, np.ndarray) and loss.got.shape == ():
        book = _book_loss(chain_scores(chain, x), t) + chain.decay_term()
        if abs(float(loss.got) - book) < abs(float(loss.got) - ref_loss):
            ref_loss = book  # the book's log(y + 1e-7): right too
    rows = [_row(name, "loss", loss, ref_loss)]
    numeric = first.get("numeric", {})
    for k in names:
        rows.append(_row(name, k, outcomes.get(k), ref_grads[k], numeric.get(k)))
    report.rows = rows
    for key, layer in first.get("not_shared", []):
        report.notes.append(("net.not_shared", {"param": key, "layer": layer}))
    if report.ok or all(row.verdict == "not implemented" for row in rows) or stopped is not None:
        return report
    if not walkable:
        report.notes.append(("net.no_walk", {}))
        return report
    if progress is not None:
        progress(name, 1, 2)
    culprit = _walk(name, sandbox, structure, values, x, t)
    if culprit is not None:
        report.culprit = culprit[1]["layer"]
        report.notes.append(culprit)
    elif not report.notes:
        got = {k: o.got for k, o in outcomes.items()}
        report.notes.append(_wiring(got, ref_grads, names, values, spec["decay"]))
    report.rows = [replace(row, hint="net_see_below") if row.verdict == "wrong" and row.hint is None else row
                   for row in report.rows]
    return report


def chain_scores(chain, x):
    h = x
    for layer in chain.layers:
        h = _forward(layer, h)
    return h


def _early_rows(name, names, first, stopped, answers, lang):
    """The rows when the net could not be built, its params are not the book's, or the process stopped."""
    if first is not None and "init" in first:
        outcome = read_outcome(first["init"])
    elif first is not None:
        shapes = NETWORKS[name]["shapes"]
        held = ", ".join(f"{k} {shapes[k]}" for k in names)
        outcome = read_outcome({"raised": text("net.params_must_hold", lang, params=held)})
    elif stopped is not None:
        outcome = read_outcome({"stopped": (stopped.kind, stopped.detail)})
    else:
        detail = answers.get("failed", "no answer") if isinstance(answers, dict) else "no answer"
        outcome = read_outcome({"stopped": ("garbled", detail)})
    return [_row(name, tensor, outcome, np.zeros(NETWORKS[name]["shapes"].get(tensor, ())))
            for tensor in ("loss", *names)]


def _walk(name, sandbox, structure, values, x, t):
    """``(message key, {fields})`` naming the first layer that goes wrong, or None when each is right."""
    layers = structure["layers"]
    kinds = [layer["kind"] for layer in layers]
    own = []
    for layer in layers:  # the arrays each learner layer really holds (its own copy when not shared)
        a = dict(layer["attrs"])
        for attr in ("W", "b", "gamma", "beta"):
            if isinstance(a.get(attr), str):
                a[attr] = values[a[attr]]
        own.append(a)
    chain = _Chain(kinds, own)
    _, hs, douts, last = chain.run(x, t)
    answers, stopped = sandbox.run("walk", {"name": name, "kwargs": NETWORKS[name]["kwargs"], "values": values,
                                            "inputs": hs, "t": t, "douts": douts})
    got = answers[0] if isinstance(answers, list) and answers else {}
    forward = got.get("forward", [])
    for i, layer in enumerate(layers):
        out = forward[i] if i < len(forward) else None
        if not _same(out, hs[i + 1]):
            return ("net.culprit_forward", {"layer": layer["name"], "kind": kinds[i], "tensor": "out"})
    last_name = structure["last_name"]
    loss = got.get("loss")
    if not (_same(loss, last.loss) or _same(loss, _book_loss(hs[-1], t))):
        return ("net.culprit_forward", {"layer": last_name, "kind": "SoftmaxWithLoss", "tensor": "loss"})
    if not _same(got.get("dlast"), douts[-1] if douts else last.backward(1)):
        return ("net.culprit_backward", {"layer": last_name, "kind": "SoftmaxWithLoss", "tensor": "dx"})
    backward = got.get("backward", [])
    for i in reversed(range(len(layers))):
        entry = backward[i] if i < len(backward) else None
        if not isinstance(entry, dict):
            return ("net.culprit_backward", {"layer": layers[i]["name"], "kind": kinds[i], "tensor": "dx"})
        ref = chain.layers[i]
        expected_dx = hs_grad(chain, douts, i)
        wrong = None if _same(entry.get("dx"), expected_dx) else "dx"
        for attr in ("dW", "db", "dgamma", "dbeta"):
            if hasattr(ref, attr) and getattr(ref, attr) is not None and not _same(entry.get(attr), getattr(ref, attr)):
                wrong = wrong or attr
        if wrong:
            return ("net.culprit_backward", {"layer": layers[i]["name"], "kind": kinds[i], "tensor": wrong})
    return None


def hs_grad(chain, douts, i):
    """The gradient layer ``i`` passes back: the dout into layer ``i - 1`` (recomputed for the first)."""
    if i > 0:
        return douts[i - 1]
    return chain.first_dx


def _same(a, b):
    if a is None or isinstance(a, Opaque):
        return False
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


def _wiring(grads, ref_grads, names, values, decay):
    """Every layer is right on its own: say what gradient() hands out instead."""
    weights = [k for k in names if k.startswith("W")]
    if decay and all(_same(grads.get(k), ref_grads[k] - decay * values[k]) for k in weights):
        return ("net.weight_decay", {})
    for k in names:
        for other in names:
            if other != k and _same(grads.get(k), ref_grads[other]) and not _same(grads.get(k), ref_grads[k]):
                return ("net.swapped", {"param": k, "other": other})
    return ("net.gradient_method", {})
