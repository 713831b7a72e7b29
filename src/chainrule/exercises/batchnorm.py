"""The Batch Normalization exercise (chapter 6): a learner's ``BatchNormalization`` in the book's form.

``BatchNormalization(gamma, beta, momentum=0.9, running_mean=None, running_var=None)``,
``forward(x, train_flg=True)``, ``backward(dout)`` setting ``dgamma`` and ``dbeta``. The
cases: a training step on a 2-D batch and on a 4-D one (the book normalizes ``(N, C*H*W)``
features), each with its backward; three training steps with another momentum and given
running statistics, then a test-mode forward; and a test-mode forward alone. Rows: the
output, ``dx``, ``dgamma``, ``dbeta``, the running statistics after training, and the
test-mode output. A wrong row is compared with the usual mistakes of the book's
computational graph (a path of the graph left out, ``/ N`` at the wrong place) and of
the statistics (the wrong axis, the momentum on the wrong term, test mode on batch
statistics).
"""

from __future__ import annotations

import numpy as np

from ..batchnorm import EPS, BatchNormalization
from .run import Case, Outcome, call, changed, copy, grab, is_blank, numeric_gradient, precision, quiet_float

__all__ = ["NAMES", "TENSORS", "cases", "diagnose", "diagnose_raised", "expected", "reference", "run_case"]

NAMES = ("BatchNormalization",)
TENSORS = {"BatchNormalization": ("out", "dx", "dgamma", "dbeta", "running_mean", "running_var", "out_test")}


def cases(name, rng):
    def params(d):
        return 1.0 + 0.3 * rng.normal(size=d), 0.2 * rng.normal(size=d)

    def train(key, shape, x_scale=1.5):
        d = int(np.prod(shape[1:]))
        gamma, beta = params(d)
        x = rng.normal(size=shape) * x_scale + rng.normal(size=shape[1:])
        return Case(key, f"forward(x {shape}, True), backward", init=(gamma, beta), dout=rng.normal(size=shape),
                    extra={"kwargs": {}, "train": [x], "test": None, "backward": True})

    d = 3
    gamma, beta = params(d)
    mean0, var0 = rng.normal(size=d), rng.uniform(0.5, 1.5, size=d)
    steps = [rng.normal(size=(4, d)) * 2 + 1 for _ in range(3)]
    running = Case("bn_running", "momentum=0.8, forward(x (4, 3), True) × 3, forward(x (5, 3), False)",
                   init=(gamma, beta),
                   numeric=False, extra={"kwargs": {"momentum": 0.8, "running_mean": mean0, "running_var": var0},
                                         "train": steps, "test": rng.normal(size=(5, d)), "backward": False})
    gamma, beta = params(4)
    test = Case("bn_test", "forward(x (3, 4), False)", init=(gamma, beta), numeric=False,
                extra={"kwargs": {"running_mean": rng.normal(size=4), "running_var": rng.uniform(0.5, 2.0, size=4)},
                       "train": [], "test": rng.normal(size=(3, 4)), "backward": False})
    return [train("bn_train", (5, 4)), train("bn_4d", (3, 2, 2, 2)), running, test]


# -- chainrule's answer ---------------------------------------------------------------------------

def reference(name, case):
    gamma, beta = (np.array(a, dtype=np.float64) for a in case.init)
    layer = BatchNormalization(gamma, beta, **case.extra["kwargs"])
    ref = {}
    for x in case.extra["train"]:
        ref["out"] = layer.forward(np.array(x), True)
    if case.extra["train"]:
        ref["running_mean"], ref["running_var"] = layer.running_mean.copy(), layer.running_var.copy()
        if case.extra["backward"]:
            ref["dx"] = layer.backward(np.asarray(case.dout))
            ref["dgamma"], ref["dbeta"] = layer.dgamma, layer.dbeta
    if case.extra["test"] is not None:
        ref["out_test"] = layer.forward(np.array(case.extra["test"]), False)
    return ref


def expected(name, case, ref, outcomes):
    """The test-mode output after training, from the learner's own running statistics when they have the
    right shape: a mistake in those is the row of the statistics, not of the test-mode output too."""
    mean, var = outcomes["running_mean"].got, outcomes["running_var"].got
    if case.extra["train"] and case.extra["test"] is not None and all(
            isinstance(a, np.ndarray) and a.shape == ref["running_mean"].shape for a in (mean, var)):
        gamma, beta = (np.array(a, dtype=np.float64) for a in case.init)
        layer = BatchNormalization(gamma, beta, running_mean=mean, running_var=np.maximum(var, 0.0))
        ref = dict(ref, out_test=layer.forward(np.array(case.extra["test"]), False), learner_running=(mean, var))
    return ref


# -- running the learner's layer (in the process that runs the learner's code) --------------------

def run_case(name, cls, case, is_learner=None):
    tensors = TENSORS[name]
    result = {t: Outcome(skipped=True) for t in tensors}
    extra = case.extra
    produced = ([("out", "dx", "dgamma", "dbeta")] if extra["backward"] else []) + \
        ([("running_mean", "running_var")] if extra["train"] else []) + \
        ([("out_test",)] if extra["test"] is not None else [])
    mine = [t for group in produced for t in group]

    def all_rows(outcome):
        for t in mine:
            result[t] = outcome
        return result, None

    layer, failed = call(cls, *[copy(a) for a in case.init], **{k: copy(v) for k, v in extra["kwargs"].items()},
                         is_learner=is_learner)
    if failed:
        return all_rows(failed)
    if not callable(getattr(layer, "forward", None)):
        return all_rows(Outcome(raised=f"{name} has no forward() method", hint="missing_method"))
    for i, x in enumerate(extra["train"]):
        given = copy(x)
        out, failed = call(layer.forward, given, True, is_learner=is_learner)
        if failed or out is None:
            if (failed is None or failed.not_implemented) and is_blank(layer.forward):
                return all_rows(Outcome(not_implemented=True))
            return all_rows(failed or Outcome(hint="forward_returns_nothing"))
        if i == len(extra["train"]) - 1 and extra["backward"]:
            result["out"] = Outcome(got=grab(out), mutated=changed(x, given), precision=precision(out))
    if extra["train"]:
        for t in ("running_mean", "running_var"):
            value = getattr(layer, t, None)
            result[t] = Outcome(got=grab(value), hint=None if value is not None else "bn_running_not_kept")
    if extra["backward"]:
        _backward(layer, case, result, is_learner)
    if extra["test"] is not None:
        given = copy(extra["test"])
        out, failed = call(layer.forward, given, False, is_learner=is_learner)
        result["out_test"] = failed or Outcome(got=grab(out), mutated=changed(extra["test"], given),
                                               hint=None if out is not None else "forward_returns_nothing")
    numeric = (lambda deadline: _numeric(layer, case, deadline)) if extra["backward"] else None
    return result, numeric


def _backward(layer, case, result, is_learner):
    if not callable(getattr(layer, "backward", None)):
        for t in ("dx", "dgamma", "dbeta"):
            result[t] = Outcome(raised="BatchNormalization has no backward() method", hint="missing_method")
        return
    dout = copy(case.dout)
    dx, failed = call(layer.backward, dout, is_learner=is_learner)
    if failed:
        for t in ("dx", "dgamma", "dbeta"):
            result[t] = failed
        return
    mutated = changed(case.dout, dout)
    values = {"dx": dx, "dgamma": getattr(layer, "dgamma", None), "dbeta": getattr(layer, "dbeta", None)}
    blank = all(v is None for v in values.values()) and is_blank(layer.backward)
    for t, value in values.items():
        hint = None if value is not None else "backward_returns_nothing" if t == "dx" else "bn_grads_not_set"
        result[t] = Outcome(got=grab(value), mutated=mutated, not_implemented=blank, precision=precision(value),
                            hint=None if blank else hint)


def _numeric(layer, case, deadline):
    """Numerical gradients of the learner's own training-mode forward, ``sum(forward(x, True) * dout)``."""
    x = np.array(case.extra["train"][-1], dtype=np.float64)
    dout = np.asarray(case.dout, dtype=np.float64)

    def f():
        return quiet_float(lambda: np.asarray(layer.forward(copy(x), True), dtype=np.float64) * dout)

    found = {"dx": numeric_gradient(f, x, deadline)}
    for t, attr in (("dgamma", "gamma"), ("dbeta", "beta")):
        param = getattr(layer, attr, None)
        if isinstance(param, np.ndarray) and param.dtype == np.float64:
            found[t] = numeric_gradient(f, param, deadline)
    return found


# -- what the usual mistakes would have produced ------------------------------------------------------

def _stats(x, axis=0, ddof=0):
    mu = x.mean(axis=axis, keepdims=axis == 1)
    xc = x - mu
    var = np.sum(xc ** 2, axis=axis, keepdims=axis == 1) / (x.shape[axis] - ddof)
    return mu, xc, var


def _forward_alternatives(x, gamma, beta):
    x2 = x.reshape(x.shape[0], -1)
    mu, xc, var = _stats(x2)
    out = [("bn_axis", _scale(_normalized(*_stats(x2, axis=1)[1:]), gamma, beta)),
           ("bn_std_without_sqrt", _scale(xc / (var + EPS), gamma, beta)),
           ("bn_unbiased_var", _scale(_normalized(*_stats(x2, ddof=1)[1:]), gamma, beta)),
           ("bn_no_scale_shift", _normalized(xc, var))]
    out += [("bn_other_eps", _scale(_normalized(xc, var, eps), gamma, beta)) for eps in (1e-5, 1e-7, 1e-8, 1e-3)]
    return [(key, a.reshape(x.shape)) for key, a in out]


def _normalized(xc, var, eps=EPS):
    return xc / np.sqrt(var + eps)


def _scale(xn, gamma, beta):
    return gamma * xn + beta


def _backward_alternatives(x, gamma, dout):
    """``{tensor: [(hint, array)]}``: the book's graph with a path or a factor left out."""
    shape = x.shape
    x = x.reshape(shape[0], -1)
    dout = dout.reshape(shape[0], -1)
    n = x.shape[0]
    mu, xc, var = _stats(x)
    std = np.sqrt(var + EPS)
    xn = xc / std

    def dx_of(dxn, var_factor=2.0 / n, mean_factor=1.0 / n, half=0.5, var_path=True, mean_path=True):
        dxc = dxn / std
        if var_path:
            dstd = -np.sum((dxn * xc) / (std * std), axis=0)
            dxc = dxc + var_factor * xc * (half * dstd / std)
        if mean_path:
            dxc = dxc - mean_factor * np.sum(dxc, axis=0)
        return dxc.reshape(shape)

    dxn = gamma * dout
    return {
        "dx": [("bn_dx_no_mean_path", dx_of(dxn, mean_path=False)),
               ("bn_dx_no_var_path", dx_of(dxn, var_path=False)),
               ("bn_dx_only_scale", dx_of(dxn, var_path=False, mean_path=False)),
               ("bn_dx_forgot_gamma", dx_of(dout)),
               ("bn_dx_batch_size", dx_of(dxn, var_factor=2.0)),
               ("bn_dx_batch_size", dx_of(dxn, mean_factor=1.0)),
               ("bn_dx_var_derivative", dx_of(dxn, half=1.0)),
               ("bn_dx_var_derivative", dx_of(dxn, half=-0.5))],
        "dgamma": [("bn_dgamma_not_summed", xn * dout), ("bn_dgamma_uses_x", np.sum(x * dout, axis=0)),
                   ("bn_dgamma_uses_x", np.sum(xc * dout, axis=0)), ("bn_grad_mean", np.mean(xn * dout, axis=0))],
        "dbeta": [("bn_dbeta_not_summed", dout), ("bn_grad_mean", np.mean(dout, axis=0)),
                  ("sum_wrong_axis", np.sum(dout, axis=1)), ("sum_no_axis", np.sum(dout))],
    }


def _running_alternatives(case):
    """``{tensor: [(hint, array)]}`` for the running statistics after the case's training steps."""
    kw = case.extra["kwargs"]
    m = kw.get("momentum", 0.9)
    d = case.init[0].shape[0]
    start = (kw.get("running_mean", np.zeros(d)), kw.get("running_var", np.zeros(d)))
    rules = {"bn_running_momentum_swapped": lambda r, b, _: m * b + (1 - m) * r,
             "bn_running_var_std": lambda r, b, kind: m * r + (1 - m) * (np.sqrt(b + EPS) if kind else b),
             "bn_running_unbiased": lambda r, b, kind: m * r + (1 - m) * b * (n / (n - 1) if kind else 1.0),
             "bn_running_not_updated": lambda r, b, _: r}
    out = {"running_mean": [], "running_var": []}
    for key, rule in rules.items():
        mean, var = start
        for x in case.extra["train"]:
            x2 = x.reshape(x.shape[0], -1)
            n = x2.shape[0]
            mu, _, v = _stats(x2)
            mean, var = rule(mean, mu, False), rule(var, v, True)
        out["running_mean"].append((key, mean))
        out["running_var"].append((key, var))
    return out


def _test_alternatives(case, ref):
    x = case.extra["test"]
    gamma, beta = case.init
    kw = case.extra["kwargs"]
    mean, var = ref.get("learner_running") or (ref.get("running_mean", kw.get("running_mean")),
                                                ref.get("running_var", kw.get("running_var")))
    x2 = x.reshape(x.shape[0], -1)
    mu, xc, bvar = _stats(x2)
    return [("bn_test_uses_batch", _scale(_normalized(xc, bvar), gamma, beta).reshape(x.shape)),
            ("bn_test_std", _scale((x2 - mean) / (var + EPS), gamma, beta).reshape(x.shape)),
            ("bn_no_scale_shift", _normalized(x2 - mean, var).reshape(x.shape))] + \
        [("bn_other_eps", _scale(_normalized(x2 - mean, var, eps), gamma, beta).reshape(x.shape))
         for eps in (1e-5, 1e-7, 1e-8, 1e-3)]


def diagnose(name, tensor, case, ref, got):
    if tensor == "out":
        found = _forward_alternatives(case.extra["train"][-1], *case.init)
    elif tensor in ("dx", "dgamma", "dbeta"):
        found = _backward_alternatives(case.extra["train"][-1], case.init[0], np.asarray(case.dout))[tensor]
    elif tensor in ("running_mean", "running_var"):
        found = _running_alternatives(case)[tensor]
    else:
        found = _test_alternatives(case, ref)
    with np.errstate(all="ignore"):
        for key, would_be in found:
            would_be = np.asarray(would_be, dtype=np.float64)
            if got.shape == would_be.shape and np.allclose(got, would_be, rtol=1e-6, atol=1e-9):
                return key
    return None


def diagnose_raised(name, case, error=""):
    if "unexpected keyword argument" in error or "positional argument" in error:
        return "bn_signature"
    if case.key == "bn_4d":
        return "bn_4d"
    return None
