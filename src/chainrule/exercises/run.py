"""Running the learner's code, case by case: what every exercise shares.

A :class:`Case` is what one run gets (constructor arguments, inputs, the upstream
gradient, anything else the exercise needs); an :class:`Outcome` is what the
learner's code produced for one tensor. Both cross between the checker and the
process running the learner's code as plain data (:func:`case_data`,
:func:`outcome_data` and back). The helpers below run inside that process:
:func:`call` runs one learner call and turns whatever it raises into an outcome,
:func:`grab` copies what came back, :func:`numeric_gradient` differentiates the
learner's own forward within a deadline.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import time
import traceback
import warnings
from dataclasses import dataclass, field, fields

import numpy as np

from .wire import Opaque

__all__ = ["Case", "OutOfTime", "Outcome", "accepts_argument", "call", "case_data", "changed", "copy", "describe",
           "grab", "is_blank", "numeric_gradient", "outcome_data", "precision", "read_case", "read_outcome",
           "tensor_of_line"]


@dataclass
class Case:
    """One run of an exercise: constructor arguments, forward inputs, the upstream ``dout``.

    ``key`` names the case's description (the message ``case.<key>``), ``shape`` its
    shapes; ``numeric``: also compare with numerical gradients; ``extra``: what an
    exercise needs besides (an optimizer's gradients step by step, a mode, ...).
    """

    key: str
    shape: str
    init: tuple = ()
    inputs: tuple = ()
    dout: object = 1.0
    numeric: bool = True
    extra: dict = field(default_factory=dict)


@dataclass
class Outcome:
    """What the learner's code produced for one tensor in one case."""

    got: object = None  # the array (a copy), or None when nothing came back
    raised: str | None = None  # "ValueError: ... (my_layers.py, line 12)"
    not_implemented: bool = False
    mutated: bool = False  # the array the call was given (x for forward, dout for backward) was changed
    numeric: np.ndarray | None = None  # numerical gradient of the learner's own forward
    hint: str | None = None  # set when the exception or the structure already tells the mistake
    skipped: bool = False  # not run (an earlier step failed): counts neither as right nor as wrong
    line: str = ""  # the learner's source line an exception came from
    precision: str | None = None  # "float32" when the learner's array was of a shorter float than float64
    stopped: tuple | None = None  # (kind, detail): the process running the learner's code gave no answer


def case_data(case):
    return {f.name: getattr(case, f.name) for f in fields(Case)}


def read_case(data):
    return Case(**{k: v for k, v in data.items() if k in {f.name for f in fields(Case)}})


def outcome_data(outcome):
    """The fields of ``outcome`` that are not their default, as plain data."""
    data = {}
    for f in fields(Outcome):
        value = getattr(outcome, f.name)
        if value is not f.default and not (isinstance(value, (bool, str)) and value == f.default):
            data[f.name] = value
    return data


def read_outcome(data):
    """An :class:`Outcome` from plain data: only the fields it has, ``got`` an array or an :class:`Opaque`."""
    names = {f.name for f in fields(Outcome)}
    out = Outcome(**{k: v for k, v in data.items() if k in names})
    for name in ("raised", "hint", "line", "precision"):
        value = getattr(out, name)
        if value is not None and not isinstance(value, str):
            setattr(out, name, str(value))
    if out.numeric is not None and not isinstance(out.numeric, np.ndarray):
        out.numeric = None
    if out.got is not None and not isinstance(out.got, (np.ndarray, Opaque)):
        out.got = Opaque(type(out.got).__name__)
    return out


# -- inside the process running the learner's code -------------------------------------------

def _frame(exc, is_learner):
    """The learner's frame the exception came from (the last one in their files), or None."""
    if is_learner is None:
        return None
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if is_learner(frame.filename):
            return frame
    return None


def describe(exc, is_learner):
    """``("ValueError: message (file.py, line 12)", the source line)`` for an exception of the learner's code."""
    text = " ".join(str(exc).split()) or "(no message)"
    if len(text) > 110:
        text = text[:107] + "..."
    frame = _frame(exc, is_learner)
    where = f" ({frame.filename.replace(chr(92), '/').rsplit('/', 1)[-1]}, line {frame.lineno})" if frame else ""
    return f"{type(exc).__name__}: {text}{where}", (frame.line or "") if frame else ""


def call(fn, *args, is_learner=None, **kwargs):
    """``(result, outcome-or-None)``: the learner's code run with its warnings kept quiet."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs), None
    except NotImplementedError:
        return None, Outcome(not_implemented=True)
    except BaseException as exc:  # noqa: B036 - the learner's bug (even an exit()), reported as a row
        text, line = describe(exc, is_learner)
        return None, Outcome(raised=text, line=line)


def copy(a):
    return np.array(a, copy=True) if isinstance(a, np.ndarray) else a


def changed(before, after):
    if isinstance(before, np.ndarray) and isinstance(after, np.ndarray):
        return before.shape != after.shape or not np.array_equal(before, after, equal_nan=True)
    return False


def grab(value):
    """A float64 copy of what the learner returned (their next call may overwrite it), None, or an Opaque."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(grab(v) for v in value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a complex array is not silently cut to its real part
            return np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError, Warning):
        return Opaque(type(value).__name__)


def precision(value):
    dtype = getattr(value, "dtype", None)
    return dtype.name if isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize < 8 else None


def is_blank(method):
    """Whether a method's body is still blank: only ``pass``, ``...``, a docstring or ``raise NotImplementedError``."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    except (OSError, TypeError, SyntaxError):
        return True  # no source to read: say "not implemented", the gentler guess
    body = tree.body[0].body if tree.body and hasattr(tree.body[0], "body") else []
    for stmt in body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        if isinstance(stmt, ast.Raise) and "NotImplementedError" in ast.dump(stmt):
            continue
        return False
    return True


def accepts_argument(method):
    try:
        params = list(inspect.signature(method).parameters.values())
    except (TypeError, ValueError):
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)


def tensor_of_line(line, names):
    """Which gradient a failing source line computes: ``self.dW = np.dot(x, dout)`` -> ``dW``."""
    target = line.split("=", 1)[0] if "=" in line.replace("==", "") else line
    found = [t for t in names if re.search(rf"\b{t}\b", target)]
    return found[0] if len(found) == 1 else None


class OutOfTime(Exception):
    """The numerical gradient ran past its deadline."""


def numeric_gradient(f, x, deadline, h=1e-4):
    """Central differences of ``f`` at ``x`` (changed in place and restored), or None when ``f`` fails
    or the deadline (a ``time.monotonic()`` value) passes first."""
    grad = np.zeros_like(x, dtype=np.float64)
    try:
        for idx in np.ndindex(x.shape):
            if time.monotonic() > deadline:
                raise OutOfTime
            tmp = x[idx]
            x[idx] = tmp + h
            fxh1 = f()
            x[idx] = tmp - h
            fxh2 = f()
            x[idx] = tmp
            grad[idx] = (fxh1 - fxh2) / (2 * h)
    except BaseException:  # noqa: B036 - the learner's forward fails on a nudged input: no numerical column
        return None
    return grad


def quiet_float(fn):
    """``fn()`` as a float, the learner's warnings kept quiet."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return float(np.sum(fn()))
