"""The ``chainrule`` command: one module per subcommand, each holding its options and its runner.

Every subcommand module (:mod:`~chainrule.cli.train`, ``evaluate``, ``predict``, ``gradcheck``,
``data``, ``graph``, ``bench``, ``explore``, ``check``, ``export``, ``convert``) has ``add(subparsers)``, which
builds its parser with ``set_defaults(func=run)``, and ``run(args) -> int``, which does the work;
what they share is in :mod:`~chainrule.cli.common`. This package is the only code that prints.
Errors a user can cause (a missing file, a bad option, a damaged model, no data) end as one
line on stderr, ``chainrule: error: ...``, and a non-zero exit status; set
``CHAINRULE_DEBUG=1`` to see the traceback instead. Optional dependencies (tqdm, matplotlib,
Pillow, the graph and dataset modules) are imported only by the subcommands that use them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .._version import __version__
from . import bench, check, convert, data, evaluate, explore, export, gradcheck, graph, predict, train
from .common import (
    EXIT_INTERRUPTED,
    PROG,
    CLIError,
    Formatter,
    Parser,
    deferred_warnings,
    one_line,
    os_message,
    printable,
)

__all__ = ["CLIError", "build_parser", "main"]

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader went away

#: The subcommands, in the order ``chainrule --help`` lists them. To add one, write a module with
#: ``add(sub)`` (its parser, ``set_defaults(func=run)``) and ``run(args)``, and list it here.
SUBCOMMANDS = [train, evaluate, predict, gradcheck, data, graph, bench, explore, check, export, convert]


def build_parser():
    """The ``chainrule`` argument parser with every subcommand."""
    parser = Parser(prog=PROG, formatter_class=Formatter,
                     description="Error backpropagation as chapter 5 of Deep Learning from Scratch teaches it.",
                     epilog="Run 'chainrule COMMAND --help' for the options of a command.\n\n"
                            "examples:\n  chainrule train\n  chainrule evaluate runs/<date>-<time>/model.npz\n"
                            "  chainrule predict runs/<date>-<time>/model.npz my_digit.png")
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    for command in SUBCOMMANDS:
        command.add(sub)
    return parser


def main(argv=None):
    """Run the ``chainrule`` command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # while the parser is built, or the handlers are set up
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # every option belongs to the benchmark script
        args = argparse.Namespace(func=bench.run, options=argv[1:])
    else:
        args = parser.parse_args(argv)
    args.argv = argv
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    debug = bool(os.environ.get("CHAINRULE_DEBUG"))
    logger = logging.getLogger("chainrule")
    deferred_warnings.drop()
    logger.addHandler(deferred_warnings)
    level = logger.level
    logger.setLevel(logging.INFO)  # a dataset fetched from the network is announced (INFO)
    try:
        code = int(args.func(args) or 0)
        deferred_warnings.show()
        return code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `chainrule evaluate ... | head`: the reader left; stop quietly
        try:  # and Python's own flush at exit must not complain either
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        from ..io import ModelFileError

        if debug or not isinstance(exc, (CLIError, OSError, ModelFileError, ValueError, RuntimeError, ImportError)):
            raise
        deferred_warnings.drop()
        message = str(exc) if not isinstance(exc, OSError) or not exc.filename else os_message(exc)
        print(f"{PROG}: error: {one_line(message)}", file=sys.stderr)
        for line in getattr(exc, "details", ()):
            print(f"  {printable(line)}", file=sys.stderr)
        return 1
    finally:
        logger.removeHandler(deferred_warnings)
        logger.setLevel(level)

