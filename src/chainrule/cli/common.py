"""What the ``chainrule`` command's subcommands share: the parser's look, argument types, the
command's error and warnings, loading data and models.

Part of the command's room (:mod:`chainrule.cli`): its modules, and only they, print to the terminal.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys

import numpy as np

__all__ = ["EXIT_INTERRUPTED", "PROG", "CLIError", "DeferredWarnings", "Formatter", "Parser", "accuracy_line",
           "add_data_options", "arg_type", "as_images", "class_names", "data_error", "decay", "deferred_warnings",
           "describe", "image_shape", "init_std", "load_data", "load_model", "non_negative_float", "one_line",
           "os_message", "positive_float", "positive_int", "printable", "seed", "title"]

PROG = "chainrule"


class Parser(argparse.ArgumentParser):
    """argparse with chainrule's one-line errors."""

    def error(self, message):
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


class Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=30)


def arg_type(convert, ok, expected):
    """An argparse ``type``: ``convert`` the text, then check it with ``ok``; else say what was expected."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


positive_int = arg_type(int, lambda v: v >= 1, "a positive integer")
positive_float = arg_type(float, lambda v: np.isfinite(v) and v > 0, "a positive number")
non_negative_float = arg_type(float, lambda v: np.isfinite(v) and v >= 0, "a number >= 0")
seed = arg_type(int, lambda v: v >= 0, "a non-negative integer")
decay = arg_type(float, lambda v: 0 < v <= 1, "a number in (0, 1]")


def init_std(text):
    if text.lower() in ("he", "relu", "xavier", "sigmoid"):
        return text.lower()
    try:
        return positive_float(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a positive number, 'he' or 'xavier', got {text!r}") from None


def add_data_options(p):
    from ..datasets import SPECS

    g = p.add_argument_group("data")

    g.add_argument("--kind", choices=list(SPECS), default=None,
                   help="the dataset: mnist (handwritten digits, default) or fashion (Fashion-MNIST)")
    g.add_argument("--data-dir", metavar="DIR", default=None,
                   help="a folder holding the four IDX files (raw or .gz); default: CHAINRULE_DATA, "
                        "the chainrule cache, then a download")


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
    """A possibly multi-line message as one line, printable (see :func:`printable`)."""
    return " ".join(printable(part.strip()) for part in str(text).splitlines() if part.strip())


#: Characters a file's text must not send to a terminal: C0 controls but the newline, DEL, C1 controls
#: (ANSI escapes start with ESC or CSI), and the bidirectional overrides that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text):
    """``text`` as a terminal shows it harmlessly: control characters (ANSI escapes included) as ``\\x1b``."""
    return _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), str(text))


def load_data(kind, data_dir, progress):
    """MNIST (or Fashion-MNIST) as stored: ``((x_train, t_train), (x_test, t_test))``, uint8, flat."""
    from ..datasets import load_mnist

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
    from ..datasets import DataUnavailableError

    if isinstance(exc, DataUnavailableError):
        first, *rest = exc.describe(directory="--data-dir DIR").splitlines()
        return CLIError(first, rest)
    return CLIError(f"{title(kind)} is not available: {exc}")


def title(kind):
    from ..datasets import SPECS

    return SPECS[kind].title if isinstance(kind, str) and kind in SPECS else printable(kind)


def class_names(kind, n):
    from ..datasets import SPECS

    classes = SPECS[kind].classes if isinstance(kind, str) and kind in SPECS else ()
    return list(classes) if len(classes) == n else [str(i) for i in range(n)]


def describe(network):
    cfg = network.config
    if "input_dim" in cfg:  # a convolutional network
        return f"{cfg['class']} {'x'.join(map(str, cfg['input_dim']))} -> {cfg['output_size']} " \
               f"({np.dtype(network.dtype).name})"
    sizes = [cfg["input_size"], *(cfg.get("hidden_size_list") or [cfg.get("hidden_size")]), cfg["output_size"]]
    return f"{cfg['class']} {'-'.join(map(str, sizes))} ({np.dtype(network.dtype).name})"


def load_model(path):
    from ..io import load_with_metadata

    network, meta = load_with_metadata(path)
    if not all(np.isfinite(v).all() for v in network.params.values()):
        raise CLIError(f"{path} holds non-finite weights (NaN or infinity: a training run that diverged?); "
                       "it cannot classify anything")
    return network, meta


def os_message(exc):
    return f"{exc.strerror or exc}: {exc.filename}"


EXIT_INTERRUPTED = 130


def accuracy_line(acc, n):
    return f"test accuracy: {acc:.4f} ({round(acc * n)}/{n} correct)"


def image_shape(network):
    """The shape one image takes for ``network``: ``(D,)``, or ``(C, H, W)`` for a convolutional one."""
    cfg = network.config
    return tuple(cfg["input_dim"]) if "input_dim" in cfg else (network.params["W1"].shape[0],)


def as_images(network, x, model):
    """``x`` (N, pixels) reshaped for ``network``, or a CLIError when its images have another size."""
    shape = image_shape(network)
    if int(np.prod(shape)) != x[0].size:
        raise CLIError(f"{model} expects {'x'.join(map(str, shape))} inputs per image but the images have "
                       f"{x[0].size} pixels")
    return x.reshape(len(x), *shape)
