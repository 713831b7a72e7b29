"""Exercise mode: check a learner's own layers (or TwoLayerNet) against chainrule's.

Write the book's ``MulLayer``, ``AddLayer``, ``Relu``, ``Sigmoid``, ``Affine`` and
``SoftmaxWithLoss`` yourself (any of them), then::

    import chainrule
    report = chainrule.check("my_layers.py")   # or a module, or {"Relu": Relu, ...}
    print(report)                              # one row per layer and tensor
    report.ok                                  # True when every tensor is right

or, in a terminal, ``chainrule check my_layers.py`` (``--network`` for a
``TwoLayerNet``). Each tensor's verdict is ``exact`` (the same numbers as
chainrule's), ``close`` (the same up to rounding), ``wrong`` or
``not implemented``; a wrong one comes with the first element that differs and
a hint naming the usual mistake its numbers match. The messages are in English,
Korean, Chinese or Japanese (``lang="en" | "ko" | "zh" | "ja"``; by default the
language of the locale).
"""

from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .exercise_layers import LAYERS, TENSORS, cases, diagnose, diagnose_raised, reference, run_case
from .exercise_messages import LANGUAGES, text

__all__ = ["CheckReport", "CheckRow", "ExerciseLoadError", "check", "default_language"]

VERDICTS = ("exact", "close", "wrong", "not implemented")
_RTOL, _ATOL = 1e-6, 1e-9  # "close": the same numbers up to float64 rounding of another formulation
_NUM_RTOL, _NUM_ATOL = 1e-4, 1e-6  # against central differences (accurate to about h^2 = 1e-8)


class ExerciseLoadError(Exception):
    """The learner's file cannot be checked: it does not parse, fails on import or lacks the classes."""


def default_language(environ=None):
    """``"ko"``, ``"zh"``, ``"ja"`` or ``"en"`` from LC_ALL, LC_MESSAGES or LANG (the first one set)."""
    environ = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"


def _language(lang):
    if lang is None:
        return default_language()
    code = str(lang).lower().split("-")[0].split("_")[0]
    if code not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return code


# -- the report -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckRow:
    """One tensor of one layer (or one parameter of a network), over all the cases it was run on.

    ``verdict``: ``"exact"``, ``"close"``, ``"wrong"`` or ``"not implemented"``.
    ``max_diff``: the largest ``|learner - chainrule|`` over the cases (None when no
    case could be compared). ``numeric_diff``: the largest difference from the
    numerical gradient of the learner's own forward (None for forward outputs).
    ``dout_mutated``: the call changed an array it was given (``dout`` for a
    gradient, the input for a forward output). For a wrong row: ``case`` (the
    message key of the case, ``case_shape`` its shapes), ``first_diff`` (the index
    of the first element that differs), ``got`` and ``expected`` there, ``error``
    (what the learner's code raised) and ``hint`` (the message key of the mistake).
    """

    layer: str
    tensor: str
    verdict: str
    max_diff: float | None = None
    numeric_diff: float | None = None
    shape_ok: bool = True
    dout_mutated: bool = False
    first_diff: tuple | None = None
    got: float | None = None
    expected: float | None = None
    got_shape: tuple | None = None
    expected_shape: tuple | None = None
    case: str | None = None
    case_shape: str | None = None
    hint: str | None = None
    error: str | None = None

    @property
    def ok(self):
        return self.verdict in ("exact", "close") and self.shape_ok and not self.dout_mutated

    def hint_text(self, lang="en"):
        return text(f"hint.{self.hint}", lang, **self._fields()) if self.hint else None

    def _fields(self):
        return {"layer": self.layer, "tensor": self.tensor, "got_shape": self.got_shape,
                "expected_shape": self.expected_shape}


@dataclass
class CheckReport:
    """What :func:`check` found: ``rows`` (:class:`CheckRow`), ``ok``, ``str()`` the table.

    ``report["Relu", "dx"]`` gives a row; ``report.wrong`` the rows that are not right;
    ``report.render(lang)`` the table in another language. For a network,
    ``culprit`` names the layer where the gradient first goes wrong.
    """

    source: str
    rows: list = field(default_factory=list)
    lang: str = "en"
    network: bool = False
    missing: tuple = ()  # the book's layers the file does not define
    culprit: str | None = None
    notes: list = field(default_factory=list)  # (message key, fields) printed under the table

    def __getitem__(self, key):
        layer, tensor = key
        for row in self.rows:
            if row.layer == layer and row.tensor == tensor:
                return row
        raise KeyError(key)

    def layer_rows(self, layer):
        return [row for row in self.rows if row.layer == layer]

    @property
    def wrong(self):
        return [row for row in self.rows if not row.ok]

    @property
    def ok(self):
        return bool(self.rows) and not self.wrong

    def __str__(self):
        return self.render(self.lang)

    def _repr_pretty_(self, p, cycle):  # IPython / Jupyter
        p.text(str(self))

    def render(self, lang=None):
        from .exercise_render import render

        return render(self, _language(lang or self.lang))


# -- comparing one tensor ---------------------------------------------------------------------

@dataclass
class _Judged:
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
    strength: int = 0  # 3: the numbers match a usual mistake; 2: the exception points at one; 1: generic
    error: str | None = None
    case: object = None


def _first_difference(got, expected):
    bad = ~np.isclose(got, expected, rtol=_RTOL, atol=_ATOL, equal_nan=False)
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
    return idx, float(got[idx]), float(expected[idx])


def judge(name, tensor, case, ref, outcome):
    """Compare one outcome with chainrule's tensor: a :class:`_Judged`, or None when not run."""
    if outcome.skipped:
        return None
    expected = np.asarray(ref[tensor], dtype=np.float64)
    j = _Judged("wrong", mutated=outcome.mutated, expected_shape=expected.shape, case=case)
    if outcome.not_implemented and outcome.raised is None:
        j.verdict = "not implemented"
        return j
    if outcome.raised is not None:
        j.error = outcome.raised
        j.hint = outcome.hint or diagnose_raised(name, case)
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
    if tensor == "loss" and got.shape == () and abs(got - ref["loss_book"]) < abs(got - expected):
        expected = np.asarray(ref["loss_book"])  # the book's log(y + 1e-7): right too
    if outcome.numeric is not None and outcome.numeric.shape == got.shape:
        finite = np.all(np.isfinite(got)) and np.all(np.isfinite(outcome.numeric))
        j.numeric_diff = float(np.max(np.abs(got - outcome.numeric), initial=0.0)) if finite else float("inf")
    if got.shape != expected.shape:
        j.shape_ok = False
        j.hint = diagnose(name, tensor, case, ref, got)
        j.hint, j.strength = (j.hint, 3) if j.hint else ("shape", 1)
        return j
    j.diff = float(np.max(np.abs(got - expected), initial=0.0)) if np.all(np.isfinite(got)) else float("inf")
    if np.array_equal(got, expected):
        j.verdict = "exact"
    # "close": equal up to float64 rounding, or for a float32 (float16) result up to its own rounding
    elif np.allclose(got, expected, *((1e-3, 1e-5) if outcome.precision else (_RTOL, _ATOL))):
        j.verdict = "close"
        if outcome.precision:
            j.hint, j.strength = "low_precision", 3
    else:
        j.first, j.got, j.expected = _first_difference(got, expected)
        j.hint = diagnose(name, tensor, case, ref, got)
        if j.hint == "relu_zero":  # only where x == 0, a matter of convention: noted, not wrong
            j.verdict, j.strength = "close", 3
        elif j.hint:
            j.strength = 3
        elif outcome.numeric is not None and j.numeric_diff is not None and \
                np.allclose(got, outcome.numeric, rtol=_NUM_RTOL, atol=_NUM_ATOL):
            j.hint, j.strength = "matches_your_forward", 1
        else:
            j.hint, j.strength = f"formula.{name}.{tensor}", 1
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
        case_shape=case.shape if case is not None and verdict != "exact" else None, hint=hint, error=lead.error)


def check_layer(name, cls, rng, filename=None):
    """The rows of one learner layer class ``cls`` playing the book's layer ``name``."""
    judged = {t: [] for t in TENSORS[name]}
    for case in cases(name, rng):
        ref = reference(name, case)
        outcomes = run_case(name, cls, case, filename)
        for t in TENSORS[name]:
            judged[t].append(judge(name, t, case, ref, outcomes[t]))
    return [combine(name, t, judged[t]) for t in TENSORS[name]]


# -- loading the learner's file ---------------------------------------------------------------

def _load_file(path):
    """Run a learner's .py file as a module (its folder importable while it runs)."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExerciseLoadError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExerciseLoadError(f"{path}: cannot be read ({exc})") from None
    filename = str(path.resolve())
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:
        raise ExerciseLoadError(f"{path}, line {exc.lineno}: syntax error: {exc.msg}") from None
    name = f"_chainrule_exercise_{path.stem}"
    module = types.ModuleType(name)
    module.__file__ = filename
    folder = str(path.resolve().parent)

    def from_folder(m):
        return (getattr(sys.modules.get(m), "__file__", None) or "").startswith(folder + os.sep)

    # the learner's own modules (my_layers.py beside my_two_layer_net.py) are read afresh from this folder,
    # even when a module of that name was imported before (in a notebook, say); it comes back afterwards
    beside = {f.stem for f in path.resolve().parent.glob("*.py")} - set(sys.stdlib_module_names) - {"numpy",
                                                                                                    "chainrule"}
    kept = {m: sys.modules.pop(m) for m in [m for m in sys.modules if from_folder(m) or m in beside]}
    before = set(sys.modules)
    sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except (Exception, SystemExit) as exc:
        from .exercise_layers import _describe

        message, _ = _describe(exc, filename)
        if isinstance(exc, ImportError) and getattr(exc, "name", "") in ("common", "dataset"):
            message += " (the book's folders are not needed: import from chainrule or from your own file)"
        raise ExerciseLoadError(f"{path}: running it raised {message}") from None
    finally:
        sys.path.remove(folder)
        for added in set(sys.modules) - before:  # the learner's modules: read afresh on the next check
            if added == name or from_folder(added):
                del sys.modules[added]
        sys.modules.update(kept)
    return module, filename


def _classes(module_or_path, wanted):
    """``(classes, filename, shown name)`` from a path, a module or a dict of classes."""
    if isinstance(module_or_path, dict):
        found = {k: v for k, v in module_or_path.items() if k in wanted}
        bad = [k for k, v in found.items() if not isinstance(v, type)]
        if bad:
            raise ExerciseLoadError(f"{', '.join(bad)} must be classes")
        filename = None
        for cls in found.values():
            filename = getattr(sys.modules.get(cls.__module__), "__file__", None)
            break
        return found, filename, "the given classes"
    if isinstance(module_or_path, (str, os.PathLike)):
        module, filename = _load_file(module_or_path)
        shown = str(module_or_path)
    elif isinstance(module_or_path, types.ModuleType):
        module, filename = module_or_path, getattr(module_or_path, "__file__", None)
        shown = module.__name__
    else:
        raise TypeError(f"check() needs a module, a path to a .py file or a dict of classes; "
                        f"got {type(module_or_path).__name__}")
    found = {}
    for name in wanted:
        value = getattr(module, name, None)
        if isinstance(value, type):
            found[name] = value
        elif value is not None:
            raise ExerciseLoadError(f"{shown}: {name} is a {type(value).__name__}, not a class")
    if filename:
        filename = str(Path(filename).resolve())
    return found, filename, shown


def check(module_or_path, *, network=False, lang=None, rng=0):
    """Check a learner's layers (or, with ``network=True``, their ``TwoLayerNet``) against chainrule's.

    Parameters
    ----------
    module_or_path : module, str or path, or dict
        A module, a path to a ``.py`` file, or ``{"Relu": MyRelu, ...}``. Any of
        the book's six layer classes it defines are checked; the others are
        listed as not in the file.
    network : bool
        Check a ``TwoLayerNet`` class instead (the book's form: ``params``,
        ``layers``, ``lastLayer``, ``loss``, ``gradient``): each parameter's
        gradient against numerical differentiation and chainrule's, and the layer
        where the gradient first goes wrong, walking backward from the loss.
    lang : "en", "ko", "zh", "ja" or None
        The language of ``str(report)``; None: from LC_ALL, LC_MESSAGES or LANG.
    rng : numpy.random.Generator, int or None
        The random inputs (the same seed gives the same report).

    Returns
    -------
    CheckReport

    Raises
    ------
    ExerciseLoadError
        The file has a syntax error, fails when run, or defines none of the classes.
    """
    lang = _language(lang)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    if network:
        classes, filename, shown = _classes(module_or_path, ("TwoLayerNet",))
        if "TwoLayerNet" not in classes:
            raise ExerciseLoadError(f"{shown} defines no class TwoLayerNet")
        from .exercise_network import check_network

        return check_network(classes["TwoLayerNet"], shown, lang, rng, filename)
    classes, filename, shown = _classes(module_or_path, LAYERS)
    if not classes:
        raise ExerciseLoadError(f"{shown} defines none of the layers {', '.join(LAYERS)}")
    report = CheckReport(shown, lang=lang, missing=tuple(n for n in LAYERS if n not in classes))
    for name in LAYERS:
        if name in classes:
            report.rows.extend(check_layer(name, classes[name], rng, filename))
    return report
