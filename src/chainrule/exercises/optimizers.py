"""The optimizer exercises (chapter 6): a learner's ``SGD``, ``Momentum``, ``Nesterov``, ``AdaGrad``,
``RMSprop`` and ``Adam`` in the book's form, ``update(params, grads)``.

Each case makes one optimizer and calls ``update`` a few times on the same ``params``
dict, with new ``grads`` each step, as a training loop does. The row of a parameter
holds its values after every step (shape ``(steps, *shape)``: the first difference
``[1, 0, 2]`` is at the second step), read from the array the dict held at the
start, which is the array a network's layers hold: an optimizer that rebinds
``params[key]`` to a new array leaves the layers unchanged, and its row says so.
One case has four parameters of one shape (state shared between parameters still
gives numbers there, and is named), the other a small network's shapes with the
book's default arguments. A wrong row is compared with what each usual mistake
gives on the same gradients.
"""

from __future__ import annotations

import numpy as np

from .. import optimizers as _ref
from .run import Outcome, call, changed, grab, is_blank

__all__ = ["NAMES", "TENSORS", "cases", "diagnose", "diagnose_raised", "reference", "run_case"]

NAMES = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam")
KEYS = ("W1", "b1", "W2", "b2")
TENSORS = dict.fromkeys(NAMES, KEYS)
#: Arguments of the first case: not the defaults, so that an optimizer ignoring its arguments shows.
ARGUMENTS = {"SGD": {"lr": 0.1}, "Momentum": {"lr": 0.1, "momentum": 0.8}, "Nesterov": {"lr": 0.1, "momentum": 0.8},
             "AdaGrad": {"lr": 0.5}, "RMSprop": {"lr": 0.1, "decay_rate": 0.9},
             "Adam": {"lr": 0.05, "beta1": 0.8, "beta2": 0.9}}
DEFAULTS = {"SGD": {"lr": 0.01}, "Momentum": {"lr": 0.01, "momentum": 0.9}, "Nesterov": {"lr": 0.01, "momentum": 0.9},
            "AdaGrad": {"lr": 0.01}, "RMSprop": {"lr": 0.01, "decay_rate": 0.99},
            "Adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999}}
EPS = 1e-7
CASE_KEYS = ("opt_one_shape", "opt_network")


def cases(name, rng):
    """Two runs of ``update``: four parameters of one shape with other arguments, and a network's shapes."""
    steps = 4 if name == "Adam" else 3
    out = []
    for key, shapes, kwargs in (("opt_one_shape", dict.fromkeys(KEYS, (2, 3)), ARGUMENTS[name]),
                                ("opt_network", {"W1": (4, 3), "b1": (3,), "W2": (3, 2), "b2": (2,)},
                                 DEFAULTS[name])):
        params = {k: rng.normal(size=s) for k, s in shapes.items()}
        # a few gradients stay tiny at every step: where epsilon goes shows only where h (or v) is small
        tiny = {k: np.where(rng.random(s) < 0.3, 1e-3, 1.0) for k, s in shapes.items()}
        grads = [{k: rng.normal(size=s) * tiny[k] for k, s in shapes.items()} for _ in range(steps)]
        args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        out.append(_case(key, f"{name}({args}).update × {steps}", kwargs, params, grads))
    return out


def _case(key, shape, kwargs, params, grads):
    from .run import Case

    return Case(key, shape, numeric=False, extra={"kwargs": dict(kwargs), "params": params, "grads": grads})


# -- chainrule's answer ---------------------------------------------------------------------------

def _history(step, params, grads):
    """``{key: (steps, *shape)}``: ``step(params, grads)`` applied to copies, the values after each call."""
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    held = dict(params)
    out = {k: [] for k in params}
    for g in grads:
        step(params, g)
        for k in params:
            out[k].append(np.array(held[k]))
    return {k: np.stack(v) for k, v in out.items()}


def reference(name, case):
    opt = getattr(_ref, name)(**case.extra["kwargs"])
    return _history(opt.update, case.extra["params"], case.extra["grads"])


# -- running the learner's optimizer (in the process that runs the learner's code) -----------------

def run_case(name, cls, case, is_learner=None):
    """Make the learner's optimizer and call ``update`` once per step: ``({key: Outcome}, None)``."""
    extra = case.extra
    result = {}

    def all_rows(outcome):
        return {k: outcome for k in KEYS}, None

    opt, failed = call(cls, **extra["kwargs"], is_learner=is_learner)
    if failed:
        return all_rows(failed)
    if not callable(getattr(opt, "update", None)):
        return all_rows(Outcome(raised=f"{name} has no update() method", hint="missing_update"))
    params = {k: np.array(v, copy=True) for k, v in extra["params"].items()}
    held = dict(params)  # the arrays a network's layers hold
    history = {k: [] for k in params}
    mutated, rebound = False, set()
    for g in extra["grads"]:
        given = {k: np.array(v, copy=True) for k, v in g.items()}
        _, failed = call(opt.update, params, given, is_learner=is_learner)
        if failed:
            if failed.not_implemented or (not history[KEYS[0]] and is_blank(opt.update)):
                return all_rows(Outcome(not_implemented=True))
            return all_rows(failed)
        mutated = mutated or any(changed(g[k], given[k]) for k in g)
        rebound |= {k for k in params if params.get(k) is not held[k]}
        for k in held:
            history[k].append(np.array(held[k], copy=True))
    if not rebound and all(np.array_equal(history[k][-1], extra["params"][k]) for k in held) \
            and is_blank(opt.update):
        return all_rows(Outcome(not_implemented=True))
    for k in KEYS:
        hint = "optimizer_rebinds" if k in rebound else "mutates_grads" if mutated else None
        result[k] = Outcome(got=grab(np.stack(history[k])), mutated=mutated, hint=hint)
    return result, None


# -- what the usual mistakes would have produced ------------------------------------------------------

def _zeros(params):
    return {k: np.zeros_like(v) for k, v in params.items()}


class _Shared(dict):
    """State shared by every parameter: one array, whatever the key (the mistake of a single ``self.v``)."""

    def __init__(self, params):
        super().__init__()
        self.value = None

    def __getitem__(self, key):
        return self.value if self.value is not None else 0.0

    def __setitem__(self, key, value):
        self.value = value


def _momentum(kw, sign=1.0, decay=True, reset=False, shared=False, minus=False):
    lr, m = kw["lr"], kw["momentum"] if decay else 1.0
    state = {}

    def step(params, grads):
        if reset or not state:
            state["v"] = _Shared(params) if shared else _zeros(params)
        v = state["v"]
        for k in params:
            v[k] = m * v[k] - sign * lr * grads[k]
            if minus:
                params[k] -= v[k]
            else:
                params[k] += v[k]
    return step


def _nesterov(kw, old_order=False, plain=False, reset=False):
    lr, m = kw["lr"], kw["momentum"]
    state = {}

    def step(params, grads):
        if reset or not state:
            state["v"] = _zeros(params)
        v = state["v"]
        for k in params:
            if old_order:  # the first printing: the velocity first, then the step with the new velocity
                v[k] = m * v[k] - lr * grads[k]
                params[k] += m * m * v[k] - (1 + m) * lr * grads[k]
            elif plain:
                params[k] += m * m * v[k] - lr * grads[k]
                v[k] = m * v[k] - lr * grads[k]
            else:
                params[k] += m * m * v[k] - (1 + m) * lr * grads[k]
                v[k] = m * v[k] - lr * grads[k]
    return step


def _adagrad(kw, eps_inside=False, no_sqrt=False, no_accumulate=False, after=False, shared=False):
    lr = kw["lr"]
    state = {}

    def step(params, grads):
        if not state:
            state["h"] = _Shared(params) if shared else _zeros(params)
        h = state["h"]
        for k in params:
            g = grads[k]
            if after:
                params[k] -= lr * g / (np.sqrt(h[k]) + EPS)
            h[k] = g * g if no_accumulate else h[k] + g * g
            if not after:
                params[k] -= lr * g / _root(h[k], eps_inside, no_sqrt)
    return step


def _root(h, eps_inside=False, no_sqrt=False):
    if no_sqrt:
        return h + EPS
    return np.sqrt(h + EPS) if eps_inside else np.sqrt(h) + EPS


def _rmsprop(kw, swapped=False, no_decay=False, eps_inside=False, no_sqrt=False, reset=False):
    lr, d = kw["lr"], kw["decay_rate"]
    state = {}

    def step(params, grads):
        if reset or not state:
            state["h"] = _zeros(params)
        h = state["h"]
        for k in params:
            g = grads[k]
            if swapped:
                h[k] = (1 - d) * h[k] + d * g * g
            elif no_decay:
                h[k] = h[k] + (1 - d) * g * g
            else:
                h[k] = d * h[k] + (1 - d) * g * g
            params[k] -= lr * g / _root(h[k], eps_inside, no_sqrt)
    return step


def _adam(kw, correction="book", eps_inside=False, iter_per_param=False, v_not_squared=False, swapped=False):
    lr, b1, b2 = kw["lr"], kw["beta1"], kw["beta2"]
    if swapped:
        b1, b2 = b2, b1
    state = {"iter": 0}

    def step(params, grads):
        if "m" not in state:
            state["m"], state["v"] = _zeros(params), _zeros(params)
        m, v = state["m"], state["v"]
        if not iter_per_param:
            state["iter"] += 1
        for k in params:
            if iter_per_param:
                state["iter"] += 1
            t = state["iter"]
            g = grads[k]
            m[k] = m[k] + (1 - b1) * (g - m[k])
            v[k] = v[k] + (1 - b2) * ((g if v_not_squared else g * g) - v[k])
            if correction == "paper":  # m and v corrected first, epsilon added last
                m_hat, v_hat = m[k] / (1 - b1 ** t), v[k] / (1 - b2 ** t)
                params[k] -= lr * m_hat / (np.sqrt(v_hat) + EPS)
                continue
            lr_t = {"book": lr * np.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t), "none": lr,
                    "first_only": lr / (1.0 - b1 ** t)}[correction]
            params[k] -= lr_t * m[k] / _root(np.abs(v[k]) if v_not_squared else v[k], eps_inside)
    return step


def _sgd(kw, sign=1.0, lr=True):
    def step(params, grads):
        for k in params:
            params[k] -= sign * (kw["lr"] if lr else 1.0) * grads[k]
    return step


def _alternatives(name, kw):
    """``[(hint key, step function)]``: the usual mistakes of ``name`` with arguments ``kw``."""
    common = [("optimizer_defaults", None)]
    if name == "SGD":
        return [("sgd_sign", _sgd(kw, sign=-1.0)), ("sgd_no_lr", _sgd(kw, lr=False))] + common
    if name == "Momentum":
        return [("momentum_shared_velocity", _momentum(kw, shared=True)), ("momentum_reset", _momentum(kw, reset=True)),
                ("momentum_sign", _momentum(kw, sign=-1.0)), ("momentum_sign", _momentum(kw, minus=True)),
                ("momentum_no_decay", _momentum(kw, decay=False))] + common
    if name == "Nesterov":
        return [("nesterov_old_order", _nesterov(kw, old_order=True)), ("nesterov_is_momentum", _momentum(kw)),
                ("nesterov_factor", _nesterov(kw, plain=True)), ("momentum_reset", _nesterov(kw, reset=True))] + common
    if name == "AdaGrad":
        return [("eps_inside_sqrt", _adagrad(kw, eps_inside=True)), ("adagrad_no_sqrt", _adagrad(kw, no_sqrt=True)),
                ("adagrad_no_accumulate", _adagrad(kw, no_accumulate=True)),
                ("adagrad_h_after", _adagrad(kw, after=True)), ("shared_state", _adagrad(kw, shared=True))] + common
    if name == "RMSprop":
        return [("rmsprop_decay_swapped", _rmsprop(kw, swapped=True)),
                ("rmsprop_no_decay", _rmsprop(kw, no_decay=True)),
                ("eps_inside_sqrt", _rmsprop(kw, eps_inside=True)), ("adagrad_no_sqrt", _rmsprop(kw, no_sqrt=True)),
                ("momentum_reset", _rmsprop(kw, reset=True))] + common
    if name == "Adam":
        return [("adam_paper_eps", _adam(kw, correction="paper")), ("adam_no_bias_correction", _adam(kw, "none")),
                ("adam_first_only", _adam(kw, "first_only")), ("eps_inside_sqrt", _adam(kw, eps_inside=True)),
                ("adam_iter_per_param", _adam(kw, iter_per_param=True)),
                ("adam_v_not_squared", _adam(kw, v_not_squared=True)),
                ("adam_betas_swapped", _adam(kw, swapped=True))] + common
    return []


def diagnose(name, tensor, case, ref, got):
    """The hint key of the usual mistake ``got`` (a parameter's values, step by step) matches, or None."""
    kw = case.extra["kwargs"]
    for key, step in _alternatives(name, kw):
        if step is None:  # the book's default arguments instead of the given ones
            if kw == DEFAULTS[name]:
                continue
            step = getattr(_ref, name)(**DEFAULTS[name]).update
        try:
            with np.errstate(all="ignore"):
                would_be = _history(step, case.extra["params"], case.extra["grads"])[tensor]
        except ValueError:  # state shared between parameters of different shapes: not a number to compare
            continue
        if got.shape == would_be.shape and np.allclose(got, would_be, rtol=1e-6, atol=1e-9):
            return key
    if got.shape == ref[tensor].shape and np.allclose(got, case.extra["params"][tensor], rtol=1e-9, atol=0):
        return "optimizer_not_updated"
    return None


def diagnose_raised(name, case, error=""):
    """The hint for an exception that is itself the symptom of a usual mistake: the book's argument names not
    taken, or (with the network's shapes only) state shared between parameters of different shapes."""
    if "unexpected keyword argument" in error or "positional argument" in error:
        return "optimizer_signature"
    if case.key == "opt_network" and name != "SGD" and "broadcast" in error:
        return "shared_state"
    return None
