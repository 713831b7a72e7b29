"""The layer exercises: a learner's version of each of the book's six layers, run case by case.

For every case (random shapes and the edge cases where the usual mistakes show:
negative inputs for ``Relu``, a batch of one for ``Affine``'s bias, a 4-D input
to ``Affine``, one-hot and label targets, large scores) the learner's layer and
chainrule's layer get the same inputs; every tensor the learner's layer produces
(the forward output, each gradient) is compared with chainrule's, and each
gradient also with the numerical gradient of the learner's own forward. A wrong
tensor is diagnosed by computing what each usual mistake would have produced on
the same inputs and naming the one that matches the learner's numbers.
"""

from __future__ import annotations

import numpy as np

from .. import layers as _ref
from ..functions import cross_entropy_error, softmax
from .run import (
    Case,
    Outcome,
    accepts_argument,
    call,
    changed,
    copy,
    grab,
    is_blank,
    numeric_gradient,
    precision,
    quiet_float,
    tensor_of_line,
)

__all__ = ["LAYERS", "NAMES", "TENSORS", "cases", "diagnose", "diagnose_raised", "reference", "run_case"]

LAYERS = ("MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss")
NAMES = LAYERS
TENSORS = {
    "MulLayer": ("out", "dx", "dy"),
    "AddLayer": ("out", "dx", "dy"),
    "Relu": ("out", "dx"),
    "Sigmoid": ("out", "dx"),
    "Affine": ("out", "dx", "dW", "db"),
    "SoftmaxWithLoss": ("loss", "dx"),
}


def _normal_away_from_zero(rng, shape, scale=1.0, gap=0.05):
    a = rng.normal(size=shape) * scale
    small = np.abs(a) < gap
    a[small] = np.where(a[small] < 0, -1, 1) * (gap + rng.random(int(small.sum())))
    return a


def cases(name, rng):
    """The cases a layer named ``name`` is run on, drawn from ``rng``."""
    r = rng
    if name == "MulLayer":
        return [
            Case("apple", "100 × 2, dout 1.1", inputs=(np.array(100.0), np.array(2.0)), dout=np.array(1.1)),
            Case("random", "x, y (3, 4)", inputs=(r.normal(size=(3, 4)), r.normal(size=(3, 4))),
                 dout=r.normal(size=(3, 4))),
        ]
    if name == "AddLayer":
        return [
            Case("apple", "200 + 450, dout 1.1", inputs=(np.array(200.0), np.array(450.0)), dout=np.array(1.1)),
            Case("random", "x, y (2, 3)", inputs=(r.normal(size=(2, 3)), r.normal(size=(2, 3))),
                 dout=r.normal(size=(2, 3))),
        ]
    if name == "Relu":
        zeros = _normal_away_from_zero(r, (3, 4))
        zeros[0, ::2] = 0.0
        return [
            Case("random", "x (4, 5)", inputs=(_normal_away_from_zero(r, (4, 5)),), dout=r.normal(size=(4, 5))),
            Case("negative", "x (3, 3)", inputs=(-np.abs(_normal_away_from_zero(r, (3, 3))),),
                 dout=r.normal(size=(3, 3))),
            Case("zeros", "x (3, 4)", inputs=(zeros,), dout=r.normal(size=(3, 4)), numeric=False),
            Case("4d", "x (2, 3, 2, 2)", inputs=(_normal_away_from_zero(r, (2, 3, 2, 2)),),
                 dout=r.normal(size=(2, 3, 2, 2))),
        ]
    if name == "Sigmoid":
        x = r.normal(size=(3, 4)) * 3
        extreme = np.array([[-30.0, -12.0, 0.0, 12.0, 30.0]])
        return [
            Case("random", "x (3, 4)", inputs=(x,), dout=r.normal(size=(3, 4))),
            Case("extreme", "x = -30 … 30", inputs=(extreme,), dout=r.normal(size=extreme.shape)),
        ]
    if name == "Affine":
        def affine(key, x_shape, d, m):
            return Case(key, f"x {x_shape}, W ({d}, {m})", init=(r.normal(size=(d, m)), r.normal(size=m)),
                        inputs=(r.normal(size=x_shape),), dout=r.normal(size=(x_shape[0], m)))

        return [affine("random", (4, 3), 3, 2), affine("batch1", (1, 3), 3, 4),
                affine("square", (3, 3), 3, 5), affine("4d", (2, 3, 2, 2), 12, 4)]
    if name == "SoftmaxWithLoss":
        x = r.normal(size=(4, 3)) * 2
        labels = r.integers(0, 3, size=4)
        one_hot = np.eye(3)[labels]
        big = r.normal(size=(2, 3)) + 1000.0
        big_t = np.eye(3)[r.integers(0, 3, size=2)]
        return [
            Case("onehot", "x (4, 3), t (4, 3)", inputs=(x, one_hot)),
            Case("labels", "x (4, 3), t (4,)", inputs=(x.copy(), labels)),
            Case("large", "x ≈ 1000 (2, 3)", inputs=(big, big_t)),
        ]
    raise KeyError(name)


# -- chainrule's answer ---------------------------------------------------------------------

def reference(name, case):
    """chainrule's tensors for ``case``: ``{tensor: array}`` plus what the diagnoses need."""
    layer = getattr(_ref, name)(*[np.array(a, copy=True) for a in case.init])
    out = layer.forward(*[np.array(a, copy=True) for a in case.inputs])
    grads = layer.backward(case.dout)
    ref = {TENSORS[name][0]: np.asarray(out, dtype=np.float64)}
    if name in ("MulLayer", "AddLayer"):
        ref["dx"], ref["dy"] = (np.asarray(g, dtype=np.float64) for g in grads)
    else:
        ref["dx"] = np.asarray(grads, dtype=np.float64)
    if name == "Affine":
        ref["dW"], ref["db"] = layer.dW, layer.db
    if name == "SoftmaxWithLoss":
        ref["softmax"] = softmax(case.inputs[0])
        ref["loss_book"] = np.float64(cross_entropy_error(ref["softmax"], case.inputs[1]))
    return ref


# -- running the learner's layer (in the process that runs the learner's code) -------------------

def run_case(name, cls, case, is_learner=None):
    """Run the learner's ``cls`` on ``case``: ``({tensor: Outcome}, numeric)``, ``numeric(deadline)`` giving
    the numerical gradients of the learner's own forward (``{tensor: array or None}``), or None."""
    tensors = TENSORS[name]
    result = {t: Outcome() for t in tensors}

    def all_rows(outcome, names=tensors):
        for t in names:
            result[t] = Outcome(raised=outcome.raised, not_implemented=outcome.not_implemented, hint=outcome.hint,
                                skipped=outcome.skipped, mutated=outcome.mutated, line=outcome.line)
        return result, None

    layer, failed = call(cls, *[copy(a) for a in case.init], is_learner=is_learner)
    if failed:
        return all_rows(failed)
    if not callable(getattr(layer, "forward", None)):
        return all_rows(Outcome(raised=f"{name} has no forward() method", hint="missing_method"))
    inputs = [copy(a) for a in case.inputs]
    out, failed = call(layer.forward, *inputs, is_learner=is_learner)
    grads_named = tensors[1:]
    if failed:
        result[tensors[0]] = failed
        return all_rows(Outcome(not_implemented=failed.not_implemented, skipped=not failed.not_implemented),
                        grads_named)
    first = result[tensors[0]]
    first.got, first.precision = grab(out), precision(out)
    first.mutated = any(changed(a, b) for a, b in zip(case.inputs, inputs, strict=True))
    if out is None:
        if not is_blank(layer.forward):  # a body that forgot its return
            first.hint = "forward_returns_nothing"
            return all_rows(Outcome(skipped=True), grads_named)
        first.not_implemented = True
        return all_rows(Outcome(not_implemented=True), grads_named)

    if not callable(getattr(layer, "backward", None)):
        return all_rows(Outcome(raised=f"{name} has no backward() method", hint="missing_method"), grads_named)
    dout = copy(case.dout)
    if name == "SoftmaxWithLoss" and not accepts_argument(layer.backward):
        grads, failed = call(layer.backward, is_learner=is_learner)
    else:
        grads, failed = call(layer.backward, dout, is_learner=is_learner)
    if failed:
        culprit = tensor_of_line(failed.line, grads_named)
        if culprit is None or failed.not_implemented:
            return all_rows(failed, grads_named)
        for t in grads_named:
            result[t] = failed if t == culprit else Outcome(skipped=True)
        return result, None
    mutated = changed(case.dout, dout)
    if grads is None and name != "Affine":
        if not is_blank(layer.backward):
            return all_rows(Outcome(hint="backward_returns_nothing", mutated=mutated), grads_named)
        return all_rows(Outcome(not_implemented=True, mutated=mutated), grads_named)
    if name in ("MulLayer", "AddLayer"):
        if not (isinstance(grads, (tuple, list)) and len(grads) == 2):
            return all_rows(Outcome(raised=f"backward() returned {type(grads).__name__}, not (dx, dy)",
                                    hint="returns_two", mutated=mutated), grads_named)
        values = dict(zip(("dx", "dy"), grads, strict=True))
    elif name == "Affine":
        values = {"dx": grads, "dW": getattr(layer, "dW", None), "db": getattr(layer, "db", None)}
    else:
        values = {"dx": grads}
    nothing = all(v is None for v in values.values())  # a blank body: not written yet
    for t in grads_named:
        result[t] = Outcome(got=grab(values[t]), mutated=mutated, not_implemented=nothing,
                            precision=precision(values[t]))
        if values[t] is None and not nothing:
            result[t].hint = "affine_grads_not_set" if t in ("dW", "db") else "backward_returns_nothing"
    return result, (lambda deadline: _numeric(name, layer, case, deadline)) if case.numeric else None


def _numeric(name, layer, case, deadline):
    """Numerical gradients of the learner's own forward, ``sum(forward(...) * dout)``."""
    inputs = [np.array(a, dtype=np.float64, copy=True) for a in case.inputs]
    dout = np.asarray(case.dout, dtype=np.float64)

    def f():
        return quiet_float(lambda: np.asarray(layer.forward(*[copy(a) for a in inputs]), dtype=np.float64) * dout)

    found = {}
    targets = {"dx": 0, "dy": 1} if name != "SoftmaxWithLoss" else {"dx": 0}
    for t, i in targets.items():
        if t in TENSORS[name] and i < len(inputs):
            found[t] = numeric_gradient(f, inputs[i], deadline)
    if name == "Affine":
        for t, attr in (("dW", "W"), ("db", "b")):
            param = getattr(layer, attr, None)
            if isinstance(param, np.ndarray) and param.dtype == np.float64:
                found[t] = numeric_gradient(f, param, deadline)
    return found


# -- what the usual mistakes would have produced --------------------------------------------

def _onehot(t, c):
    t = np.asarray(t)
    return t if t.ndim == 2 else np.eye(c)[t]


def _mistakes(name, tensor, case, ref):
    """``[(hint key, array the mistake would give)]`` for ``name``'s ``tensor`` on ``case``."""
    args = [np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a)
            for a in case.inputs]
    dout = np.asarray(case.dout, dtype=np.float64)
    x = args[0]
    if name == "MulLayer":
        y = args[1]
        own, other = (y, x) if tensor == "dx" else (x, y)
        return {"dx": [("swapped_xy", dout * other), ("forgot_dout", own), ("mul_passthrough", dout)],
                "dy": [("swapped_xy", dout * other), ("forgot_dout", own), ("mul_passthrough", dout)],
                "out": [("wrong_operation", x + y)]}.get(tensor, [])
    if name == "AddLayer":
        return {"dx": [("forgot_dout", np.ones_like(dout)), ("add_times_input", dout * args[1])],
                "dy": [("forgot_dout", np.ones_like(dout)), ("add_times_input", dout * x)],
                "out": [("wrong_operation", x * args[1])]}.get(tensor, [])
    if name == "Relu":
        return {"dx": [("relu_mask_direction", np.where(x <= 0, dout, 0.0)),
                       ("relu_mask_direction", np.where(x < 0, dout, 0.0)),
                       ("relu_zero", np.where(x >= 0, dout, 0.0)),
                       ("forgot_dout", (x > 0).astype(np.float64)),
                       ("forgot_dout", np.where(x > 0, x, 0.0))],
                "out": [("relu_mask_direction", np.where(x > 0, 0.0, x)),
                        ("relu_mask_direction", np.where(x >= 0, 0.0, x))]}.get(tensor, [])
    if name == "Sigmoid":
        out = ref["out"]
        return {"dx": [("sigmoid_x_instead_of_out", dout * (1.0 - x) * x),
                       ("forgot_dout", (1.0 - out) * out),
                       ("sigmoid_missing_one_minus", dout * out),
                       ("sigmoid_missing_one_minus", dout * (1.0 - out))],
                "out": [("sigmoid_sign", 1.0 / (1.0 + np.exp(np.clip(x, -700, 700))))]}.get(tensor, [])
    if name == "Affine":
        W, b = case.init
        x2 = x.reshape(x.shape[0], -1)
        return {"out": [("affine_forgot_bias", x2 @ W)],
                "dx": [("affine_dx_not_reshaped", dout @ W.T), ("affine_dx_transposed", W @ dout.T),
                       ("forgot_dout", np.broadcast_to(W.sum(axis=1), x2.shape).reshape(x.shape))],
                "dW": [("affine_dW_order", dout.T @ x2), ("affine_forgot_xT", x2 @ dout if x2.shape[0] == x2.shape[1]
                                                                   else None),
                       ("forgot_dout", np.broadcast_to(x2.sum(axis=0)[:, None], W.shape))],
                "db": [("sum_wrong_axis", dout.sum(axis=1)), ("sum_no_axis", dout.sum()),
                       ("db_not_summed", dout), ("db_mean", dout.mean(axis=0)),
                       ("db_is_b", b)]}.get(tensor, [])
    if name == "SoftmaxWithLoss":
        y = ref["softmax"]
        n = y.shape[0]
        t = _onehot(args[1], y.shape[1])
        return {"loss": [("loss_not_averaged", ref["loss"] * n), ("loss_sign", -ref["loss"])],
                "dx": [("missing_batch_size", y - t), ("softmax_dx_sign", (t - y) / n),
                       ("softmax_dx_sign", t - y), ("softmax_dx_forgot_t", y / n)]}.get(tensor, [])
    return []


def diagnose(name, tensor, case, ref, got):
    """The hint key of the usual mistake ``got`` matches, or None."""
    for key, would_be in _mistakes(name, tensor, case, ref):
        if would_be is None:
            continue
        would_be = np.asarray(would_be, dtype=np.float64)
        if got.shape == would_be.shape and np.allclose(got, would_be, rtol=1e-6, atol=1e-9):
            if key == "affine_dx_not_reshaped" and got.shape == ref["dx"].shape:
                continue  # the same numbers in the right shape: not this mistake
            return key
        if key == "forgot_dout" and name == "AddLayer" and got.ndim == 0 and np.all(would_be == got):
            return key
    if name == "Affine" and tensor == "dx" and got.size == ref["dx"].size and got.shape != ref["dx"].shape \
            and np.allclose(got.reshape(ref["dx"].shape), ref["dx"], rtol=1e-6, atol=1e-9):
        return "affine_dx_not_reshaped"
    if name == "SoftmaxWithLoss" and case.key == "large" and not np.all(np.isfinite(got)):
        return "softmax_overflow"
    return None


def diagnose_raised(name, case, error=""):
    """The hint for an exception that is itself the symptom of a usual mistake."""
    if name == "Affine":
        return "affine_no_reshape" if case.key == "4d" else "affine_transpose"
    if name == "SoftmaxWithLoss" and case.key == "labels":
        return "labels_not_supported"
    return None
