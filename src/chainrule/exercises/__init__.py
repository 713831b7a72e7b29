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
from pathlib import Path

import numpy as np

from .judge import check_layer
from .layers import LAYERS, describe
from .messages import default_language, language, text
from .network import check_network
from .report import CheckReport, CheckRow

__all__ = ["CheckReport", "CheckRow", "ExerciseLoadError", "check", "default_language"]


class ExerciseLoadError(Exception):
    """The learner's file cannot be checked: it does not parse, fails on import or lacks the classes."""


# -- loading the learner's file ---------------------------------------------------------------

def _load_file(path, lang):
    """Run a learner's .py file as a module (its folder importable while it runs)."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExerciseLoadError(text("load.no_file", lang, path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExerciseLoadError(text("load.unreadable", lang, path=path, error=exc)) from None
    filename = str(path.resolve())
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:
        raise ExerciseLoadError(text("load.syntax", lang, path=path, line=exc.lineno, message=exc.msg)) from None
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
        message, _ = describe(exc, filename)
        book = isinstance(exc, ImportError) and getattr(exc, "name", "") in ("common", "dataset")
        raise ExerciseLoadError(text("load.raised_book" if book else "load.raised", lang, path=path,
                                     error=message)) from None
    finally:
        sys.path.remove(folder)
        for added in set(sys.modules) - before:  # the learner's modules: read afresh on the next check
            if added == name or from_folder(added):
                del sys.modules[added]
        sys.modules.update(kept)
    return module, filename


def _classes(module_or_path, wanted, lang):
    """``(classes, filename, shown name)`` from a path, a module or a dict of classes (shown as None)."""
    if isinstance(module_or_path, dict):
        found = {k: v for k, v in module_or_path.items() if k in wanted}
        bad = [k for k, v in found.items() if not isinstance(v, type)]
        if bad:
            raise ExerciseLoadError(text("load.not_classes", lang, names=", ".join(bad)))
        filename = None
        for cls in found.values():
            filename = getattr(sys.modules.get(cls.__module__), "__file__", None)
            break
        return found, filename, None
    if isinstance(module_or_path, (str, os.PathLike)):
        module, filename = _load_file(module_or_path, lang)
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
            raise ExerciseLoadError(text("load.not_a_class", lang, source=shown, name=name,
                                         kind=type(value).__name__))
    if filename:
        filename = str(Path(filename).resolve())
    return found, filename, shown


def _shown(source, lang):
    return text("source.given", lang) if source is None else source


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
    lang = language(lang)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    if network:
        classes, filename, shown = _classes(module_or_path, ("TwoLayerNet",), lang)
        if "TwoLayerNet" not in classes:
            raise ExerciseLoadError(text("load.no_network", lang, source=_shown(shown, lang)))
        return check_network(classes["TwoLayerNet"], shown, lang, rng, filename)
    classes, filename, shown = _classes(module_or_path, LAYERS, lang)
    if not classes:
        raise ExerciseLoadError(text("load.no_layers", lang, source=_shown(shown, lang), layers=", ".join(LAYERS)))
    report = CheckReport(shown, lang=lang, missing=tuple(n for n in LAYERS if n not in classes))
    for name in LAYERS:
        if name in classes:
            report.rows.extend(check_layer(name, classes[name], rng, filename))
    return report
