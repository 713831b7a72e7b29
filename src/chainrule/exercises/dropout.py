"""The Dropout exercise (chapter 6): a learner's ``Dropout`` in the book's form.

``Dropout(dropout_ratio=0.5)``, ``forward(x, train_flg=True)``, ``backward(dout)``. Which
elements a training forward drops is the learner's own random draw, so the expected
numbers are made from the learner's mask (read off the output: ``x`` has no zeros):
``out = x * mask`` and ``dx = dout * mask`` in training, ``out = x * (1 - ratio)`` in
test mode. What else must hold is checked on the mask itself: about ``1 - ratio`` of
the elements kept (within five standard deviations), and a new mask at every training
forward. "Inverted" dropout (scaled by ``1 / (1 - ratio)`` in training, nothing at
test) is another convention of the same thing: right, with a note; scaling at both
times, or at neither, is not. NumPy's global generator is seeded before each case
(the book's layer draws from it), so the same seed gives the same report.
"""

from __future__ import annotations

import numpy as np

from .run import Case, Outcome, call, changed, copy, grab, is_blank

__all__ = ["NAMES", "TENSORS", "cases", "diagnose", "diagnose_raised", "expected", "reference", "run_case"]

NAMES = ("Dropout",)
TENSORS = {"Dropout": ("out", "dx", "out_test")}
#: How far the fraction of kept elements may be from ``1 - ratio``, in standard deviations of a binomial draw.
SIGMAS = 5.0


def _away_from_zero(rng, shape):
    a = rng.normal(size=shape)
    return np.where(np.abs(a) < 0.05, np.sign(a) * 0.05 + a, a) + (a == 0)


def cases(name, rng):
    out = []
    for key, ratio, shape, twice in (("dropout_train_test", 0.3, (40, 25), False),
                                     ("dropout_half", 0.5, (20, 30), False), ("dropout_again", 0.3, (30, 30), True)):
        out.append(Case(key, f"x {shape}, dropout_ratio={ratio}", init=(ratio,), inputs=(_away_from_zero(rng, shape),),
                        dout=rng.normal(size=shape), numeric=False,
                        extra={"seed": int(rng.integers(2**31)), "twice": twice}))
    return out


def reference(name, case):
    """What does not depend on the learner's mask (the rest: :func:`expected`)."""
    x, ratio = case.inputs[0], case.init[0]
    return {"out": x, "dx": np.asarray(case.dout), "out_test": x * (1.0 - ratio)}


def expected(name, case, ref, outcomes):
    """chainrule's numbers for the learner's own mask, and what the mask itself must satisfy."""
    x, ratio, dout = case.inputs[0], case.init[0], np.asarray(case.dout)
    ref = dict(ref, _wrong={}, _close={}, form="book")
    out = outcomes["out"].got
    if not (isinstance(out, np.ndarray) and out.shape == x.shape):
        return ref
    mask = out != 0
    ref["mask"] = mask
    if mask.any() and np.allclose(out[mask], x[mask] / (1.0 - ratio), rtol=1e-9, atol=0) and ratio > 0:
        ref["form"] = "inverted"
        scale, ref["out_test"] = 1.0 / (1.0 - ratio), x
        for t in ("out", "dx", "out_test"):
            ref["_close"][t] = "dropout_inverted"
    else:
        scale = 1.0
    ref["out"], ref["dx"] = x * mask * scale, dout * mask * scale
    kept = float(mask.mean())
    sigma = np.sqrt(ratio * (1.0 - ratio) / mask.size)
    if abs(kept - (1.0 - ratio)) > SIGMAS * sigma + 1e-12:
        hint = "dropout_no_mask" if kept == 1.0 else "dropout_mask_direction" \
            if abs(kept - ratio) <= SIGMAS * sigma else "dropout_ratio_ignored"
        ref["_wrong"]["out"] = hint
    if outcomes["out"].hint == "dropout_mask_once":
        ref["_wrong"]["out"] = "dropout_mask_once"
    return ref


# -- running the learner's layer (in the process that runs the learner's code) --------------------

def run_case(name, cls, case, is_learner=None):
    result = {t: Outcome() for t in TENSORS[name]}

    def all_rows(outcome):
        return dict.fromkeys(TENSORS[name], outcome), None

    np.random.seed(case.extra["seed"])  # noqa: NPY002 - the book's Dropout draws from the global generator
    layer, failed = call(cls, *case.init, is_learner=is_learner)
    if failed:
        return all_rows(failed)
    if not callable(getattr(layer, "forward", None)):
        return all_rows(Outcome(raised=f"{name} has no forward() method", hint="missing_method"))
    x = case.inputs[0]
    first = None
    for _ in range(2 if case.extra["twice"] else 1):
        given = copy(x)
        out, failed = call(layer.forward, given, True, is_learner=is_learner)
        if failed or out is None:
            if (failed is None or failed.not_implemented) and is_blank(layer.forward):
                return all_rows(Outcome(not_implemented=True))
            return all_rows(failed or Outcome(hint="forward_returns_nothing", skipped=False))
        result["out"] = Outcome(got=grab(out), mutated=changed(x, given))
        if first is None:
            first = result["out"].got
        elif isinstance(first, np.ndarray) and np.array_equal(first, result["out"].got):
            result["out"].hint = "dropout_mask_once"
    dout = copy(case.dout)
    if callable(getattr(layer, "backward", None)):
        dx, failed = call(layer.backward, dout, is_learner=is_learner)
        result["dx"] = failed or Outcome(got=grab(dx), mutated=changed(case.dout, dout),
                                         not_implemented=dx is None and is_blank(layer.backward),
                                         hint="backward_returns_nothing" if dx is None else None)
    else:
        result["dx"] = Outcome(raised=f"{name} has no backward() method", hint="missing_method")
    given = copy(x)
    out, failed = call(layer.forward, given, False, is_learner=is_learner)
    result["out_test"] = failed or Outcome(got=grab(out), mutated=changed(x, given))
    return result, None


# -- what the usual mistakes would have produced ------------------------------------------------------

def diagnose(name, tensor, case, ref, got):
    x, ratio, dout = case.inputs[0], case.init[0], np.asarray(case.dout)
    mask = ref.get("mask")
    if tensor == "dx":
        if np.allclose(got, dout, rtol=1e-9, atol=0):
            return "dropout_backward_no_mask"
        on = np.isclose(got, dout, rtol=1e-9, atol=0) | (got == 0)
        if mask is not None and on.all() and not np.array_equal(got != 0, mask):
            return "dropout_backward_new_mask"
        if mask is not None and np.allclose(got, dout * mask / (1.0 - ratio), rtol=1e-9, atol=0):
            return "dropout_scaled_twice"
        return None
    if tensor == "out_test":
        inverted = ref.get("form") == "inverted"
        candidates = [("dropout_scaled_twice" if inverted else "dropout_test_not_scaled", x),
                      ("dropout_scaled_twice", x * (1.0 - ratio)), ("dropout_test_ratio_swapped", x * ratio)]
        for key, would_be in candidates:
            if np.allclose(got, would_be, rtol=1e-9, atol=1e-12):
                return key
        if np.any(got == 0):
            return "dropout_test_drops"
        return None
    if tensor == "out" and np.allclose(got, x * (1.0 - ratio), rtol=1e-9, atol=0):
        return "dropout_train_scaled"
    return None


def diagnose_raised(name, case, error=""):
    if "positional argument" in error and "forward" in error:
        return "dropout_train_flg"
    return None
