"""``chainrule check``: exercise mode, a learner's own layers against chainrule's."""

from __future__ import annotations

import argparse
import sys
import time

from .common import PROG, Formatter, one_line, positive_float, seed

CHECK_EPILOG = """\
Write the book's classes yourself in a .py file: the layers of chapter 5 (MulLayer, AddLayer,
Relu, Sigmoid, Affine, SoftmaxWithLoss), the optimizers of chapter 6 (SGD, Momentum, Nesterov,
AdaGrad, RMSprop, Adam), BatchNormalization and Dropout, and chapter 7's Convolution, Pooling,
im2col and col2im, any of them. Each runs on random shapes and edge cases beside chainrule's
and numerical differentiation, one row per tensor. A wrong tensor shows the first element that
differs and a hint naming the usual mistake.
Your code runs in a separate Python process, each case within the time limit
(--timeout); what it prints is shown after the report (its start and end when long).
Exit status: 0 all right, 1 something is wrong (or stopped), 2 the file cannot be loaded.

examples:
  chainrule check my_layers.py
  chainrule check --lang ko my_optimizers.py
  chainrule check --network my_two_layer_net.py
  chainrule check --network my_simple_convnet.py
(starter files: examples/exercises/)
"""

#: Seconds a check runs before its progress is shown (a fast check prints nothing but its report).
PROGRESS_AFTER = 2.0


def language(text):
    """``--lang``: what :func:`chainrule.check` accepts (``ko``, ``KO``, ``zh-CN``, ``ja_JP.UTF-8``)."""
    from ..exercises.messages import language as normalise

    try:
        return normalise(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add(sub):
    p = sub.add_parser("check", help="check your own layers (or TwoLayerNet) against chainrule's: exercise mode",
                       description="Check the book's layers, optimizers and networks you wrote yourself against "
                                   "chainrule's and numerical differentiation.",
                       epilog=CHECK_EPILOG, formatter_class=Formatter)
    p.add_argument("file", metavar="FILE", help="your .py file with the book's classes (or a network)")
    p.add_argument("--network", action="store_true",
                   help="check the file's TwoLayerNet, SimpleConvNet or MultiLayerNetExtend: each parameter's "
                        "gradient, and the layer where it first goes wrong")
    p.add_argument("--lang", type=language, default=None, metavar="{en,ko,zh,ja}",
                   help="language of the report: en, ko, zh or ja, or a locale such as zh-CN "
                        "(default: from LC_ALL / LC_MESSAGES / LANG)")
    p.add_argument("--seed", type=seed, default=0, help="seed of the random inputs (default 0)")
    p.add_argument("--timeout", type=positive_float, default=None, metavar="SECONDS",
                   help="seconds one case may take before it is stopped (default 5)")
    p.set_defaults(func=run)
    return p


class Progress:
    """``progress(name, i, n)`` for :func:`chainrule.check`: a line on stderr once the check is slow."""

    def __init__(self, stream=None, after=None):
        self.stream = stream or sys.stderr
        self.after = PROGRESS_AFTER if after is None else after
        self.start = time.monotonic()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = 0

    def __call__(self, name, i, n):
        if time.monotonic() - self.start < self.after:
            return
        line = f"{PROG}: checking {name}: case {i + 1} of {n}"
        if self.tty:
            self.stream.write("\r" + line.ljust(self.shown))
            self.shown = max(self.shown, len(line))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def clear(self):
        if self.tty and self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()


def printable(report, stream):
    """The report as ``stream`` can show it: in English and ASCII symbols on a terminal that shows only ASCII."""
    from ..exercises.render import ascii_only

    text = str(report)
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        pass
    note = ""
    if report.lang != "en":
        note, text = "(this terminal shows only ASCII: the report is in English)\n", report.render("en")
    text = note + text
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        return ascii_only(text)


def run(args):
    """0 when every tensor is right, 1 when one is not, 2 when the file cannot be loaded."""
    from ..exercises import TIMEOUT, ExerciseLoadError, check

    progress = Progress()
    try:
        report = check(args.file, network=args.network, lang=args.lang, rng=args.seed,
                       timeout=args.timeout or TIMEOUT, progress=progress)
    except ExerciseLoadError as exc:
        progress.clear()
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    progress.clear()
    print(printable(report, sys.stdout))
    return 0 if report.ok else 1
