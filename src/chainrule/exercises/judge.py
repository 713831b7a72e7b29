"""Judging a learner's tensor against chainrule's: a verdict per case, then one row over the cases."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .registry import GROUPS, send_case
from .report import VERDICTS, CheckRow
from .run import Outcome, read_outcome

__all__ = ["Judged", "check_exercise", "combine", "compare", "first_difference", "judge"]

_RTOL, _ATOL = 1e-6, 1e-9  # "close": the same numbers up to float64 rounding of another formulation
_NUM_RTOL, _NUM_ATOL = 1e-4, 1e-6  # against central differences (accurate to about h^2 = 1e-8)
#: Hints that name another convention for the same thing (right, with a note): ReLU's derivative at 0,
#: Adam's epsilon added after the bias correction (the paper's form), inverted dropout, another epsilon in BN.
CONVENTIONS = {"relu_zero", "adam_paper_eps", "dropout_inverted", "bn_other_eps"}


@dataclass
class Judged:
    """One tensor of one case: its verdict and what tells about it."""

    verdict: str
    diff: float | None = None
    numeric_diff: float | None = None
    shape_ok: bool = True
    mutated: bool = False
    first: tuple | None = None
    got: float | None = None
    expected: float | None = None
    got_shape: tuple | None = None
    expected_shape: tuple | None = None
    hint: str | None = None
    stopped: str | None = None  # "time_limit", "exit", "signal", "garbled": the process gave no answer
    strength: int = 0  # 3: the numbers match a usual mistake; 2: the exception points at one; 1: generic
    error: str | None = None
    case: object = None


def compare(got, expected, rtol=_RTOL, atol=_ATOL):
    """``(largest |got - expected|, "exact" | "close" | "wrong")`` for two float64 arrays of one shape.

    The difference is inf where ``got`` is not finite; "close": equal up to ``rtol`` and ``atol``.
    """
    diff = float(np.max(np.abs(got - expected), initial=0.0)) if np.all(np.isfinite(got)) else float("inf")
    if np.array_equal(got, expected):
        return diff, "exact"
    return diff, "close" if np.allclose(got, expected, rtol=rtol, atol=atol) else "wrong"


def first_difference(got, expected):
    """The index of the first element that differs beyond rounding, and the two values there."""
    bad = ~np.isclose(got, expected, rtol=_RTOL, atol=_ATOL, equal_nan=False)
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
    return idx, float(got[idx]), float(expected[idx])


def judge(group, name, tensor, case, ref, outcome):
    """Compare one outcome with chainrule's tensor: a :class:`Judged`, or None when not run."""
    if outcome.skipped:
        return None
    spec = GROUPS[group]
    expected = np.asarray(ref[tensor], dtype=np.float64)
    j = Judged("wrong", mutated=outcome.mutated, expected_shape=expected.shape, case=case)
    if outcome.stopped is not None:
        j.stopped, j.error = outcome.stopped
        j.strength = 2
        return j
    if outcome.not_implemented and outcome.raised is None:
        j.verdict = "not implemented"
        return j
    if outcome.raised is not None:
        j.error = outcome.raised
        j.hint = outcome.hint or spec.diagnose_raised(name, case, outcome.raised)
        j.strength = 2 if j.hint else 0
        return j
    got = outcome.got
    if got is None and outcome.hint:
        j.hint, j.strength = outcome.hint, 3
        return j
    if not isinstance(got, np.ndarray) or got.dtype != np.float64:
        j.hint, j.strength = "not_numbers", 1
        return j
    j.got_shape = got.shape
    if tensor == "loss" and "loss_book" in ref and got.shape == () and \
            abs(got - ref["loss_book"]) < abs(got - expected):
        expected = np.asarray(ref["loss_book"])  # the book's log(y + 1e-7): right too
    if outcome.numeric is not None and outcome.numeric.shape == got.shape:
        finite = np.all(np.isfinite(got)) and np.all(np.isfinite(outcome.numeric))
        j.numeric_diff = float(np.max(np.abs(got - outcome.numeric), initial=0.0)) if finite else float("inf")
    if got.shape != expected.shape:
        j.shape_ok = False
        j.hint = spec.diagnose(name, tensor, case, ref, got)
        j.hint, j.strength = (j.hint, 3) if j.hint else ("shape", 1)
        return j
    # "close": equal up to float64 rounding, or for a float32 (float16) result up to its own rounding
    j.diff, j.verdict = compare(got, expected, *((1e-3, 1e-5) if outcome.precision else (_RTOL, _ATOL)))
    forced = ref.get("_wrong", {}).get(tensor)  # what the numbers alone cannot show (Dropout's mask statistics)
    convention = ref.get("_close", {}).get(tensor)  # right in another convention (inverted dropout)
    if forced and j.verdict != "wrong":
        j.verdict = "wrong"
        j.hint, j.strength = forced, 3
    elif convention and j.verdict != "wrong":
        j.verdict = "close"
        j.hint, j.strength = convention, 3
    elif j.verdict == "close":
        if outcome.precision:
            j.hint, j.strength = "low_precision", 3
    elif j.verdict == "wrong":
        j.first, j.got, j.expected = first_difference(got, expected)
        j.hint = outcome.hint or spec.diagnose(name, tensor, case, ref, got)
        if j.hint in CONVENTIONS and not outcome.hint:  # another convention of the same thing: noted, not wrong
            j.verdict, j.strength = "close", 3
        elif j.hint:
            j.strength = 3
        elif outcome.numeric is not None and j.numeric_diff is not None and \
                np.allclose(got, outcome.numeric, rtol=_NUM_RTOL, atol=_NUM_ATOL):
            j.hint, j.strength = "matches_your_forward", 1
        else:
            j.hint, j.strength = f"formula.{name}.{tensor}", 1
    if j.hint is None and outcome.mutated and outcome.hint:
        j.hint = outcome.hint  # right numbers, but an input changed: the exercise names which
    return j


def combine(layer, tensor, judged):
    """One row from a tensor's judgements over the cases."""
    judged = [j for j in judged if j is not None]
    if not judged:
        return CheckRow(layer, tensor, "wrong", hint="not_run")
    verdict = max((j.verdict for j in judged), key=VERDICTS.index)  # the worst case decides
    diffs = [j.diff for j in judged]  # a case that raised or came out in another shape has none
    nums = [j.numeric_diff for j in judged if j.numeric_diff is not None]
    mutated = any(j.mutated for j in judged)
    same = [j for j in judged if j.verdict == verdict]
    lead = max(same, key=lambda j: j.strength)  # the most telling case; the first among equals
    hint = lead.hint
    if verdict == "not implemented":
        hint = None
    elif hint is None and mutated:
        hint = "mutates_input" if tensor in ("out", "loss") else "mutates_dout"
    case = lead.case
    return CheckRow(
        layer, tensor, verdict, max_diff=max(diffs) if None not in diffs else None,
        numeric_diff=max(nums) if nums else None,
        shape_ok=all(j.shape_ok for j in judged), dout_mutated=mutated, first_diff=lead.first, got=lead.got,
        expected=lead.expected, got_shape=lead.got_shape, expected_shape=lead.expected_shape,
        case=case.key if case is not None and verdict != "exact" else None,
        case_shape=case.shape if case is not None and verdict != "exact" else None, hint=hint, error=lead.error,
        stopped=lead.stopped)


def check_exercise(group, name, role, sandbox, rng, progress=None):
    """The rows of the learner's object ``role`` playing the book's ``name``, its cases run in ``sandbox``.

    ``progress(name, i, n)`` is called before the i-th of the ``n`` cases.
    """
    spec = GROUPS[group]
    tensors = spec.TENSORS[name]
    judged = {t: [] for t in tensors}
    all_cases = spec.cases(name, rng)
    for i, case in enumerate(all_cases):
        if progress is not None:
            progress(name, i, len(all_cases))
        ref = spec.reference(name, case)
        outcomes = run_in(sandbox, group, name, role, case, tensors)
        if hasattr(spec, "expected"):
            ref = spec.expected(name, case, ref, outcomes)
        for t in tensors:
            judged[t].append(judge(group, name, t, case, ref, outcomes[t]))
    return [combine(name, t, judged[t]) for t in tensors]


def run_in(sandbox, group, name, role, case, tensors):
    """``{tensor: Outcome}`` of one case run in the learner's process (numerical gradients included)."""
    answers, stopped = sandbox.run("case", {"group": group, "name": name, "role": role, "case": send_case(case),
                                            "budget": sandbox.timeout})
    if isinstance(answers, dict) or not answers or not isinstance(answers[0], dict):
        if stopped is None:  # the task itself failed outside the learner's calls
            detail = answers.get("failed", "no answer") if isinstance(answers, dict) else "no answer"
            stopped = ("garbled", detail)
        else:
            stopped = (stopped.kind, stopped.detail)
        return {t: Outcome(stopped=stopped) for t in tensors}
    outcomes = {}
    for t in tensors:
        data = answers[0].get(t)
        outcomes[t] = read_outcome(data) if isinstance(data, dict) else Outcome(skipped=True)
    if len(answers) > 1 and isinstance(answers[1], dict):
        for t, value in answers[1].items():
            if t in outcomes and isinstance(value, np.ndarray):
                outcomes[t].numeric = value
    return outcomes
