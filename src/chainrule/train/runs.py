"""A training run's folder, for ``chainrule train`` (cli prints; how the run stops is :mod:`.stop`'s).

* :func:`reserve_folder` checks, before anything is trained, that the output folder can be
  written and holds no earlier run (unless it may be replaced), and creates it (empty);
  :func:`release_folder` removes it again if the run never came.
* :func:`save_run` writes the run (model, history, curves) into it all at once.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ..io.files import OutputError, check_folder, temp_suffix

__all__ = ["RUN_FILES", "RunFolderError", "release_folder", "reserve_folder", "save_run"]

#: What a run folder holds; ``--force`` replaces a folder holding nothing else.
RUN_FILES = ("model.npz", "history.json", "history.csv", "accuracy.png", "loss.png")


class RunFolderError(OutputError):
    """The output folder cannot be used; the message says why."""


def reserve_folder(out, *, replace=False):
    """Check ``out`` can take a run and create it (empty) if absent; return True if it was created.

    Raises :class:`RunFolderError` (an :class:`~chainrule.io.files.OutputError`) when ``out`` is
    anything but a folder (a file, a symbolic link even to a folder, a named pipe: the output rule
    of :mod:`chainrule.io.files`), holds files (and ``replace`` is False) or cannot be created or
    written.
    """
    try:
        out = check_folder(out, force=True)  # what it holds is judged below, in a run's words
    except OutputError as exc:
        raise RunFolderError(str(exc)) from None
    held = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    if held and not replace:
        raise RunFolderError(f"--out {out} already holds files (a run?); choose another folder, or pass "
                             "--force to replace it")
    others = [name for name in held if name not in RUN_FILES]
    if others:  # --force replaces a run, never a folder of other things (--out . --force, say)
        raise RunFolderError(f"--out {out} holds files that are not a run's ({', '.join(others[:3])}"
                             f"{', ...' if len(others) > 3 else ''}); --force replaces only a run folder")
    created = False
    try:
        if not out.is_dir():
            out.mkdir(parents=True)
            created = True
        # the run is written into a temporary folder beside it, then renamed: that must work too
        probe = tempfile.mkdtemp(prefix=f".{out.name}.probe.", suffix=temp_suffix(),
                                 dir=out.parent if str(out.parent) else ".")
        os.rmdir(probe)
    except OSError as exc:
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()
        reason = exc.strerror or str(exc)
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(out) else ""
        raise RunFolderError(f"cannot write the output folder {out}: {reason}{where}") from None
    return created


def release_folder(out):
    """Remove ``out`` if it is an empty folder (one :func:`reserve_folder` made for a run that never came)."""
    with contextlib.suppress(OSError):
        Path(out).rmdir()


def save_run(out, network, history, meta, *, plots=True, replace=False):
    """Write a run into ``out`` as one folder: model.npz, history.json, history.csv, the curves.

    Written into a hidden temporary folder beside ``out``, then renamed (see
    :func:`chainrule.files.atomic_folder`): ``out`` holds the complete run or nothing of it.
    Returns ``(written, note)``: the file names, and why there are no plots (or None).
    """
    from ..io import save
    from ..io.files import atomic_folder

    written, note = [], None
    with atomic_folder(out, replace=replace) as tmp:
        save(network, tmp / "model.npz", metadata=meta)
        history.save_json(tmp / "history.json")
        history.save_csv(tmp / "history.csv")
        written += ["model.npz", "history.json", "history.csv"]
        if plots and history.train_acc:
            try:
                from .plot import accuracy_curves, loss_curve

                accuracy_curves(history, tmp / "accuracy.png")
                written.append("accuracy.png")
                if history.loss:
                    loss_curve(history, tmp / "loss.png")
                    written.append("loss.png")
            except ImportError as exc:
                note = f"(no plots: {exc})"
    return written, note
