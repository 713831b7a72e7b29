"""Exercise mode: check a learner's own classes (or network) against chainrule's.

Write the book's classes yourself (any of them): chapter 5's ``MulLayer``, ``AddLayer``,
``Relu``, ``Sigmoid``, ``Affine``, ``SoftmaxWithLoss``; chapter 6's ``SGD``, ``Momentum``,
``Nesterov``, ``AdaGrad``, ``RMSprop``, ``Adam``, ``BatchNormalization``, ``Dropout``;
chapter 7's ``Convolution``, ``Pooling``, ``im2col``, ``col2im``. Then::

    import chainrule
    report = chainrule.check("my_layers.py")   # or a module, or {"Relu": Relu, ...}
    print(report)                              # one row per layer and tensor
    report.ok                                  # True when every tensor is right

or, in a terminal, ``chainrule check my_layers.py`` (``--network`` for a
``TwoLayerNet``, ``SimpleConvNet`` or ``MultiLayerNetExtend``). Each tensor's verdict is
``exact`` (the same numbers as chainrule's), ``close`` (the same up to rounding, or
another convention of the same thing), ``wrong`` or ``not implemented``; a wrong one
comes with the first element that differs and a hint naming the usual mistake its
numbers match. The learner's code runs in a separate Python process (:mod:`.sandbox`),
one case at a time under a time limit; every verdict is computed here. The messages are
in English, Korean, Chinese or Japanese (``lang="en" | "ko" | "zh" | "ja"``, or a locale
such as ``"zh-CN"``; by default the language of the locale).
"""

from __future__ import annotations

import math
import os
import types
from pathlib import Path

import numpy as np

from .child import CHILD_ENV
from .judge import check_exercise
from .messages import default_language, language
from .network import NETWORKS, check_network
from .registry import GROUPS, NAMES, group_of
from .report import CheckReport, CheckRow
from .sandbox import LoadFailed, Sandbox
from .source import NotRebuildable, plan_for_file, plan_for_objects

__all__ = ["TIMEOUT", "CheckReport", "CheckRow", "ExerciseLoadError", "check", "default_language"]

#: Seconds one case may take by default (loading the file: twice that).
TIMEOUT = 5.0


class ExerciseLoadError(Exception):
    """The learner's file cannot be checked: it does not parse, fails on import or lacks the classes."""


# -- what to load ----------------------------------------------------------------------------------

def _plan(module_or_path, wanted):
    """``(plan, roles, shown name, discovered)``: ``discovered`` when the names are looked for, not given."""
    if isinstance(module_or_path, dict):
        found = {k: v for k, v in module_or_path.items() if k in wanted}
        bad = [k for k, v in found.items() if not (isinstance(v, type) or callable(v))]
        if bad:
            raise ExerciseLoadError(f"{', '.join(bad)} must be classes")
        plan, roles = _objects_plan(found, "the given classes")
        return plan, roles, "the given classes", False
    if isinstance(module_or_path, (str, os.PathLike)):
        path = Path(module_or_path)
        if not path.is_file():
            raise ExerciseLoadError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
        return plan_for_file(path), {name: (0, name) for name in wanted}, str(module_or_path), True
    if isinstance(module_or_path, types.ModuleType):
        module = module_or_path
        shown = module.__name__
        objects = {name: getattr(module, name) for name in wanted if getattr(module, name, None) is not None}
        plan, roles = _objects_plan(objects, shown)
        return plan, roles, shown, True
    raise TypeError(f"check() needs a module, a path to a .py file or a dict of classes; "
                    f"got {type(module_or_path).__name__}")


def _objects_plan(objects, shown):
    try:
        return plan_for_objects(objects, shown)
    except NotRebuildable as exc:
        raise ExerciseLoadError(f"{shown}: {exc}") from None


def _load_error(shown, exc):
    """The one line of a learner's file that failed when run."""
    if exc.stopped is not None:
        kind, detail = exc.stopped.kind, exc.stopped.detail
        why = {"time_limit": f"did not finish within {detail} s (an endless loop at the top of the file?)",
               "exit": f"ended the Python process (exit status {detail}: os._exit()?)",
               "signal": f"was killed by {detail}"}.get(kind, f"stopped answering ({detail})")
        return f"{shown}: running it {why}"
    if exc.type_name in ("SyntaxError", "IndentationError", "TabError") and exc.lineno:
        return f"{shown}, line {exc.lineno}: syntax error: {exc.msg}"
    message = f"{shown}: running it raised {exc}"
    if exc.import_name in ("common", "dataset") or str(exc.import_name).startswith(("common.", "dataset.")):
        message += " (the book's folders are not needed: import from chainrule or from your own file)"
    return message


def _found(sandbox, shown):
    try:
        return sandbox.load()
    except LoadFailed as exc:
        raise ExerciseLoadError(_load_error(shown, exc)) from None


def _learners(found, discovered, shown, wanted):
    """``({name: kind}, [names])``: the learner's own objects among ``found``, and chainrule's own (a book-form
    file's ``from common.layers import *``), left out when the names were looked for."""
    own, borrowed = {}, []
    for name in wanted:
        info = found.get(name)
        if info is None:
            continue
        if discovered and str(info["module"]).split(".")[0] == "chainrule":
            borrowed.append(name)
            continue
        if info["type"] not in ("class", "function"):
            raise ExerciseLoadError(f"{shown}: {name} is a {info['type']}, not a class")
        own[name] = info["type"]
    return own, borrowed


def _none_defined(shown, what, borrowed):
    message = f"{shown} defines {what}"
    if borrowed:
        message += f" ({', '.join(borrowed)} {'is' if len(borrowed) == 1 else 'are'} chainrule's own, imported " \
                   "through common/ or chainrule: write the class yourself to have it checked)"
    return ExerciseLoadError(message)


# -- the check ------------------------------------------------------------------------------------

def check(module_or_path, *, network=False, lang=None, rng=0, timeout=TIMEOUT, progress=None):
    """Check a learner's layers (or, with ``network=True``, their network) against chainrule's.

    The learner's code runs in a separate, fresh Python process, one case at a time
    under a time limit; nothing it does reaches this process, and every verdict is
    computed here from the arrays it sends back.

    Parameters
    ----------
    module_or_path : module, str or path, or dict
        A module, a path to a ``.py`` file, or ``{"Relu": MyRelu, ...}`` (classes
        defined in a notebook are rebuilt from their source). Any of the book's
        classes it defines are checked; the others of the same chapters are listed
        as not in the file.
    network : bool
        Check a network class instead (``TwoLayerNet``, ``SimpleConvNet`` or
        ``MultiLayerNetExtend`` in the book's form: ``params``, ``layers``, the last
        layer, ``loss``, ``gradient``): each parameter's gradient against numerical
        differentiation and chainrule's, and the layer where the gradient first goes
        wrong, walking backward from the loss.
    lang : str or None
        The language of ``str(report)``: ``"en"``, ``"ko"``, ``"zh"`` or ``"ja"`` (a
        locale such as ``"zh-CN"`` or ``"KO"`` names the same); None: from LC_ALL,
        LC_MESSAGES or LANG.
    rng : numpy.random.Generator, int or None
        The random inputs (the same seed gives the same report).
    timeout : float
        Seconds one case may take (an endless loop is stopped and reported).
    progress : callable or None
        ``progress(name, i, n)`` before the i-th of the n cases of each exercise.

    Returns
    -------
    CheckReport

    Raises
    ------
    ExerciseLoadError
        The file has a syntax error, fails (or stops the process) when run, or
        defines none of the classes.
    """
    lang = language(lang)
    if os.environ.get(CHILD_ENV):
        raise ExerciseLoadError("chainrule.check() was called by the code it is checking: put the call under "
                                "if __name__ == \"__main__\":")
    timeout = float(timeout)
    if not (timeout > 0 and math.isfinite(timeout)):
        raise ValueError(f"timeout must be a positive number of seconds; got {timeout}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    wanted = tuple(NETWORKS) if network else NAMES
    plan, roles, shown, discovered = _plan(module_or_path, wanted)
    with Sandbox(plan, roles, timeout, cwd=os.getcwd()) as sandbox:
        own, borrowed = _learners(_found(sandbox, shown), discovered, shown, wanted)
        if network:
            if not own:
                raise _none_defined(shown, f"no class {' or '.join(NETWORKS)}", borrowed)
            name = next(iter(own))
            report = check_network(name, sandbox, shown, lang, rng, progress)
        else:
            if not own:
                groups = [m.NAMES for m in GROUPS.values()]
                raise _none_defined(shown, f"none of the layers {', '.join(groups[0])}"
                                    + "".join(f" (nor {', '.join(g)})" for g in groups[1:]), borrowed)
            report = _check_classes(own, sandbox, shown, lang, rng, progress)
            report.borrowed = tuple(borrowed)
        report.printed, report.printed_bytes = sandbox.printed()
    return report


def _check_classes(own, sandbox, shown, lang, rng, progress):
    touched = {group_of(name) for name in own}
    missing = tuple(n for g in GROUPS if g in touched for n in GROUPS[g].NAMES if n not in own)
    kinds = {"optimizers" if group_of(name) == "optimizers" else "layers" if kind == "class" else "functions"
             for name, kind in own.items()}
    subject = next(iter(kinds)) if len(kinds) == 1 and "functions" not in kinds else "classes"
    report = CheckReport(shown, lang=lang, missing=missing, subject=subject)
    for name in NAMES:
        if name in own:
            report.rows.extend(check_exercise(group_of(name), name, name, sandbox, rng, progress))
    return report
