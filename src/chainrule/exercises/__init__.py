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
from .messages import default_language, language, text
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

def _plan(module_or_path, wanted, lang):
    """``(plan, roles, shown name, discovered)``: ``discovered`` when the names are looked for, not given;
    the shown name is None for a dict of classes."""
    if isinstance(module_or_path, dict):
        found = {k: v for k, v in module_or_path.items() if k in wanted}
        bad = [k for k, v in found.items() if not (isinstance(v, type) or callable(v))]
        if bad:
            raise ExerciseLoadError(text("load.not_classes", lang, names=", ".join(bad)))
        plan, roles = _objects_plan(found, None, lang)
        return plan, roles, None, False
    if isinstance(module_or_path, (str, os.PathLike)):
        path = Path(module_or_path)
        if not path.is_file():
            raise ExerciseLoadError(text("load.not_a_file" if path.exists() else "load.no_file", lang, path=path))
        return plan_for_file(path), {name: (0, name) for name in wanted}, str(module_or_path), True
    if isinstance(module_or_path, types.ModuleType):
        module = module_or_path
        shown = module.__name__
        objects = {name: getattr(module, name) for name in wanted if getattr(module, name, None) is not None}
        plan, roles = _objects_plan(objects, shown, lang)
        return plan, roles, shown, True
    raise TypeError(f"check() needs a module, a path to a .py file or a dict of classes; "
                    f"got {type(module_or_path).__name__}")


def _shown(source, lang):
    return text("source.given", lang) if source is None else source


def _objects_plan(objects, shown, lang):
    try:
        return plan_for_objects(objects, shown)
    except NotRebuildable as exc:
        error = text(f"rebuild.{exc.key}", lang, **exc.fields)
        raise ExerciseLoadError(text("load.not_rebuildable", lang, source=_shown(shown, lang), error=error)) from None


def _load_error(shown, exc, lang):
    """The one line of a learner's file that failed when run."""
    if exc.stopped is not None:
        kind = exc.stopped.kind if exc.stopped.kind in ("time_limit", "exit", "signal") else "garbled"
        return text(f"load.stopped.{kind}", lang, path=shown, detail=exc.stopped.detail)
    if exc.type_name in ("SyntaxError", "IndentationError", "TabError") and exc.lineno:
        return text("load.syntax", lang, path=shown, line=exc.lineno, message=exc.msg)
    book = exc.import_name in ("common", "dataset") or str(exc.import_name).startswith(("common.", "dataset."))
    return text("load.raised_book" if book else "load.raised", lang, path=shown, error=str(exc))


def _found(sandbox, shown, lang):
    try:
        return sandbox.load()
    except LoadFailed as exc:
        raise ExerciseLoadError(_load_error(_shown(shown, lang), exc, lang)) from None


def _learners(found, discovered, shown, wanted, lang):
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
            raise ExerciseLoadError(text("load.not_a_class", lang, source=_shown(shown, lang), name=name,
                                         kind=info["type"]))
        own[name] = info["type"]
    return own, borrowed


def _none_defined(message, borrowed, lang):
    if borrowed:
        message = text("load.borrowed", lang, message=message, names=", ".join(borrowed))
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
        raise ExerciseLoadError(text("load.in_child", lang))
    timeout = float(timeout)
    if not (timeout > 0 and math.isfinite(timeout)):
        raise ValueError(f"timeout must be a positive number of seconds; got {timeout}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    wanted = tuple(NETWORKS) if network else NAMES
    plan, roles, shown, discovered = _plan(module_or_path, wanted, lang)
    with Sandbox(plan, roles, timeout, cwd=os.getcwd()) as sandbox:
        own, borrowed = _learners(_found(sandbox, shown, lang), discovered, shown, wanted, lang)
        if network:
            if not own:
                raise _none_defined(text("load.no_network", lang, source=_shown(shown, lang),
                                         networks=", ".join(NETWORKS)), borrowed, lang)
            name = next(iter(own))
            report = check_network(name, sandbox, shown, lang, rng, progress)
        else:
            if not own:
                raise _none_defined(text("load.no_layers", lang, source=_shown(shown, lang), layers=", ".join(NAMES)),
                                    borrowed, lang)
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
