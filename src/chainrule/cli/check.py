"""``chainrule check``: exercise mode, a learner's own layers against chainrule's."""

from __future__ import annotations

import sys

from .common import PROG, Formatter, one_line, seed

CHECK_EPILOG = """\
Write the book's layers yourself (any of MulLayer, AddLayer, Relu, Sigmoid, Affine,
SoftmaxWithLoss) in a .py file; each one runs on random shapes and edge cases beside
chainrule's layer and numerical differentiation, one row per tensor. A wrong tensor
shows the first element that differs and a hint naming the usual mistake.
Exit status: 0 all right, 1 something is wrong, 2 the file cannot be loaded.

examples:
  chainrule check my_layers.py
  chainrule check --lang ko my_layers.py
  chainrule check --network my_two_layer_net.py
(starter files: examples/exercises/)
"""


def add(sub):
    from ..exercises.messages import LANGUAGES

    p = sub.add_parser("check", help="check your own layers (or TwoLayerNet) against chainrule's: exercise mode",
                       description="Check the book's layers you wrote yourself against chainrule's layers "
                                   "and numerical differentiation.",
                       epilog=CHECK_EPILOG, formatter_class=Formatter)
    p.add_argument("file", metavar="FILE", help="your .py file with the book's layer classes (or a TwoLayerNet)")
    p.add_argument("--network", action="store_true",
                   help="check the file's TwoLayerNet: each parameter's gradient, and the layer where it "
                        "first goes wrong")
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help="language of the report: en, ko, zh or ja (default: from LC_ALL / LC_MESSAGES / LANG)")
    p.add_argument("--seed", type=seed, default=0, help="seed of the random inputs (default 0)")
    p.set_defaults(func=run)
    return p


def run(args):
    """0 when every tensor is right, 1 when one is not, 2 when the file cannot be loaded."""
    from ..exercises import ExerciseLoadError, check

    try:
        report = check(args.file, network=args.network, lang=args.lang, rng=args.seed)
    except ExerciseLoadError as exc:
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    print(report)
    return 0 if report.ok else 1
