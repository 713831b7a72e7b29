"""The progress bar (tqdm, an optional extra) of training and of downloads: one factory for both.

Private: used by :class:`~chainrule.train.Trainer` (iterations) and by
:mod:`chainrule.datasets.mnist` (bytes downloaded).
"""

from __future__ import annotations

import sys

__all__ = ["progress_bar", "stderr_is_terminal"]


def stderr_is_terminal():
    """Whether standard error is a terminal (where a bar is seen, not logged)."""
    return getattr(sys.stderr, "isatty", None) is not None and sys.stderr.isatty()


def progress_bar(total, show=None, **options):
    """A tqdm bar on standard error, or None.

    Parameters
    ----------
    total : int or None
        The count the bar fills up to (None: unknown).
    show : bool or None
        False: never; None: when standard error is a terminal; True: whenever tqdm is installed.
    **options
        For ``tqdm`` (``unit``, ``desc``, ...).

    Returns
    -------
    tqdm or None
        None when not shown, or when tqdm is not installed (the work goes on without a bar).
    """
    if show is False or (show is None and not stderr_is_terminal()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, file=sys.stderr, **options)
