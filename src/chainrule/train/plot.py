"""Figures of a training run: accuracy curves (as the book draws them), loss, confusion matrix.

matplotlib is an optional extra (``pip install "chainrule[plot]"``), imported only
when a figure is drawn. The figures are built with matplotlib's object API on
the Agg canvas: no display is needed and pyplot's global state is left alone.
Each function returns the :class:`matplotlib.figure.Figure` and, given ``path``,
saves it atomically (the format follows the file's suffix: .png, .svg, .pdf) under the output
rule of :mod:`chainrule.io.files`, checked before anything is drawn: an existing file is
replaced only with ``force=True``, and only a regular file ever is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["accuracy_curves", "confusion_matrix_figure", "loss_curve"]


def _figure(figsize):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError('plotting needs matplotlib: pip install "chainrule[plot]"') from None
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _check(path, force):
    """The output rule, before any drawing (nothing to check without a path)."""
    if path is not None:
        from ..io.files import check_output

        check_output(path, force=force)


def _save(fig, path, dpi, force):
    if path is None:
        return
    from ..io.files import atomic_path

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    with atomic_path(path, force=force) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi)


def _field(history, name):
    if isinstance(history, dict):
        return history.get(name, [])
    return getattr(history, name)


def accuracy_curves(history, path=None, *, title=None, dpi=100, force=False):
    """Train (solid) and test (dashed) accuracy per epoch, as in the book's figure 4-12.

    Parameters
    ----------
    history : History or dict
        A :class:`chainrule.train.History` (or its ``to_dict()``/JSON) with
        ``epoch``, ``train_acc`` and optionally ``test_acc``.
    path : str or Path, optional
        Save the figure there (``force=True`` replaces an existing file).
    title : str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
        x "epochs", y "accuracy" from 0 to 1, legend at the lower right.
    """
    _check(path, force)
    train = list(_field(history, "train_acc"))
    if not train:
        raise ValueError("the history has no accuracies to plot (train_acc is empty)")
    test = list(_field(history, "test_acc"))
    epochs = list(_field(history, "epoch")) or list(range(len(train)))
    fig = _figure((6.4, 4.8))
    ax = fig.add_subplot()
    ax.plot(epochs, train, label="train acc")
    if test:
        ax.plot(epochs[: len(test)], test, label="test acc", linestyle="--")
    ax.set_xlabel("epochs")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.0)
    ax.legend(loc="lower right")
    if title:
        ax.set_title(title)
    _save(fig, path, dpi, force)
    return fig


def loss_curve(history, path=None, *, smooth=None, title=None, dpi=100, force=False):
    """The minibatch loss of every iteration (light) and its moving average (dark).

    Parameters
    ----------
    history : History or dict with ``loss`` (one value per iteration)
    path : str or Path, optional
        As for :func:`accuracy_curves` (and ``force``).
    smooth : int, optional
        Window of the moving average; default about one epoch (``iter_per_epoch``,
        at most a tenth of the run). 1 draws the raw curve only.

    Returns
    -------
    fig : matplotlib.figure.Figure
        x "iteration", y "loss".
    """
    _check(path, force)
    loss = np.asarray(_field(history, "loss"), dtype=float)
    if loss.size == 0:
        raise ValueError("the history has no losses to plot (loss is empty)")
    if smooth is None:
        ipe = int(_field(history, "iter_per_epoch") or 1)
        smooth = max(1, min(ipe, loss.size // 10))
    smooth = int(smooth)
    if smooth < 1:
        raise ValueError(f"smooth must be a positive integer; got {smooth}")
    it = np.arange(1, loss.size + 1)
    fig = _figure((6.4, 4.8))
    ax = fig.add_subplot()
    if smooth > 1 and loss.size >= smooth:
        ax.plot(it, loss, color="tab:blue", alpha=0.25, linewidth=0.6, label="loss")
        avg = np.convolve(loss, np.ones(smooth) / smooth, mode="valid")
        ax.plot(it[smooth - 1:], avg, color="tab:blue", label=f"moving average ({smooth})")
        ax.legend(loc="upper right")
    else:
        ax.plot(it, loss, color="tab:blue", label="loss")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title)
    _save(fig, path, dpi, force)
    return fig


def confusion_matrix_figure(cm, path=None, *, labels=None, title=None, dpi=100, force=False):
    """A confusion matrix as a heat map with the counts written in the cells.

    Parameters
    ----------
    cm : array_like of int, shape (C, C)
        ``cm[i, j]``: samples of true class ``i`` predicted as ``j``
        (see :func:`chainrule.train.confusion_matrix`).
    path : str or Path, optional
        As for :func:`accuracy_curves` (and ``force``).
    labels : list of str, optional
        Class names (default ``0 .. C-1``).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Rows "true", columns "predicted".
    """
    _check(path, force)
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix must be square (C, C); got shape {cm.shape}")
    c = cm.shape[0]
    labels = [str(i) for i in range(c)] if labels is None else [str(s) for s in labels]
    if len(labels) != c:
        raise ValueError(f"{len(labels)} labels for a {c}x{c} confusion matrix")
    size = max(4.8, 0.55 * c + 2)
    fig = _figure((size + 1, size))
    ax = fig.add_subplot()
    im = ax.imshow(cm, cmap="Blues")
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_xticks(range(c), labels, rotation=45 if max(map(len, labels)) > 2 else 0, ha="right"
                  if max(map(len, labels)) > 2 else "center")
    ax.set_yticks(range(c), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    top = cm.max() if cm.size else 0
    for i in range(c):
        for j in range(c):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if top and cm[i, j] > top / 2 else "black")
    if title:
        ax.set_title(title)
    _save(fig, path, dpi, force)
    return fig
