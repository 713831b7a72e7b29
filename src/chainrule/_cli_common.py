"""What the ``chainrule`` command's modules share: its error, its warnings, loading data and models.

Part of the app room with :mod:`chainrule.cli` and :mod:`chainrule._cli_tools`: these
modules (and only these) print to the terminal.
"""

from __future__ import annotations

import logging
import sys

import numpy as np

from ._cli_args import PROG

__all__ = ["CLIError", "DeferredWarnings", "class_names", "data_error", "deferred_warnings", "describe",
           "load_data", "load_model", "one_line", "os_message", "title"]


class CLIError(Exception):
    """An error to report as ``chainrule: error: <message>`` (exit status 1).

    ``details``: further lines, printed indented below it (a list of sources, say).
    """

    def __init__(self, message, details=()):
        super().__init__(message)
        self.details = tuple(details)


class DeferredWarnings(logging.Handler):
    """Holds chainrule's logged warnings (a data source that failed, say) until we know
    whether they matter: shown as ``chainrule: warning: ...`` once the data has loaded, or
    dropped when the command fails with an error that already says it all. Two kinds are
    shown at once: a warning that says what happens next (a failing ``--data-dir``: "trying
    the other sources") and the INFO record of a dataset fetched from the network (where
    it came from and where it is stored)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.records = []

    def emit(self, record):
        data = getattr(record, "chainrule_data", None)
        if data == "fetched":
            print(f"{PROG}: {one_line(record.getMessage())}", file=sys.stderr, flush=True)
        elif record.levelno < logging.WARNING:
            return
        elif data == "falling back":
            print(f"{PROG}: warning: {one_line(record.getMessage())}", file=sys.stderr, flush=True)
        else:
            self.records.append(record)

    def show(self):
        for record in self.records:
            print(f"{PROG}: warning: {one_line(record.getMessage())}", file=sys.stderr)
        self.records.clear()

    def drop(self):
        self.records.clear()


deferred_warnings = DeferredWarnings()


def one_line(text):
    """A possibly multi-line message as one line."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def load_data(kind, data_dir, progress):
    """MNIST (or Fashion-MNIST) as stored: ``((x_train, t_train), (x_test, t_test))``, uint8, flat."""
    from .datasets import load_mnist

    try:
        data = load_mnist(normalize=False, flatten=True, one_hot_label=False, kind=kind,
                          data_dir=data_dir, progress=progress)
    except (OSError, RuntimeError, ValueError) as exc:
        deferred_warnings.drop()  # the error lists every source that failed
        raise data_error(exc, kind) from None
    deferred_warnings.show()
    return data


def data_error(exc, kind):
    """The error of a dataset that no source had, its sources and fixes one a line, in the CLI's words."""
    from .datasets import DataUnavailableError

    if isinstance(exc, DataUnavailableError):
        first, *rest = exc.describe(directory="--data-dir DIR").splitlines()
        return CLIError(first, rest)
    return CLIError(f"{title(kind)} is not available: {exc}")


def title(kind):
    from .datasets import SPECS

    return SPECS[kind].title if kind in SPECS else str(kind)


def class_names(kind, n):
    from .datasets import SPECS

    classes = SPECS[kind].classes if kind in SPECS else ()
    return list(classes) if len(classes) == n else [str(i) for i in range(n)]


def describe(network):
    cfg = network.config
    if "input_dim" in cfg:  # a convolutional network
        return f"{cfg['class']} {'x'.join(map(str, cfg['input_dim']))} -> {cfg['output_size']} " \
               f"({np.dtype(network.dtype).name})"
    sizes = [cfg["input_size"], *(cfg.get("hidden_size_list") or [cfg.get("hidden_size")]), cfg["output_size"]]
    return f"{cfg['class']} {'-'.join(map(str, sizes))} ({np.dtype(network.dtype).name})"


def load_model(path):
    from .io import load, read_metadata

    network = load(path)
    if not all(np.isfinite(v).all() for v in network.params.values()):
        raise CLIError(f"{path} holds non-finite weights (NaN or infinity: a training run that diverged?); "
                       "it cannot classify anything")
    meta = read_metadata(path).get("metadata") or {}
    return network, meta if isinstance(meta, dict) else {}


def os_message(exc):
    return f"{exc.strerror or exc}: {exc.filename}"
