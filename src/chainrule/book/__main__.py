"""``python -m chainrule.book [OPTIONS] SCRIPT [ARGS...]``: run one of the book's scripts on chainrule."""

import ast
import sys
import warnings
from pathlib import Path

from ..io.pickles import PickleFileError
from . import SHIM_DIR, PackagesBesideWarning, compile_script, packages_beside, run

USAGE = """usage: python -m chainrule.book [OPTIONS] SCRIPT [ARGS...]
       python -m chainrule.book --path

Runs a script of Deep Learning from Scratch (for example ch07/train_convnet.py) from
its folder, with its `common` and `dataset` imports resolved to chainrule. While it
runs, pickle.load reads weights only (NumPy arrays, dicts, lists, tuples, strings,
numbers): the book's .pkl files load, a pickle naming anything else is refused.

options (before SCRIPT):
  --seed N              np.random.seed(N) first (the book's code draws from NumPy's
                        global generator): the same seed gives the same run
  --mnist TRAIN,TEST    dataset.mnist.load_mnist gives the first TRAIN training and
                        TEST test images only (a shorter run on less data)
  --set NAME=VALUE      the script's top-level `NAME = ...` assigns VALUE (a Python
                        literal) instead, e.g. --set iters_num=100; may be repeated
  --local-packages      use common/ or dataset/ found beside the script instead of
                        chainrule's (without it they are skipped, with a warning)
  --path                print the folder of chainrule's common and dataset (for PYTHONPATH)"""


class _Usage(Exception):
    pass


def _parse(argv):
    """``(options, script, script_args)``: the options come before the script, the rest is the script's."""
    options = {"seed": None, "mnist": None, "overrides": {}, "local_packages": False}
    argv = list(argv)
    while argv and argv[0].startswith("-"):
        flag = argv.pop(0)
        if flag == "--local-packages":
            options["local_packages"] = True
            continue
        if flag not in ("--seed", "--mnist", "--set") or not argv:
            raise _Usage(f"unknown option {flag}" if flag not in ("--seed", "--mnist", "--set")
                         else f"{flag} needs a value")
        value = argv.pop(0)
        try:
            if flag == "--seed":
                options["seed"] = int(value)
            elif flag == "--mnist":
                n_train, n_test = (int(n) for n in value.split(","))
                if min(n_train, n_test) < 1:
                    raise ValueError
                options["mnist"] = (n_train, n_test)
            else:
                name, _, literal = value.partition("=")
                if not name.isidentifier() or not literal:
                    raise ValueError
                options["overrides"][name] = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            raise _Usage(f"bad value for {flag}: {value!r}") from None
    if not argv:
        raise _Usage("no script given")
    return options, Path(argv[0]), argv[1:]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    if argv[0] == "--path":
        print(SHIM_DIR)
        return 0
    try:
        options, script, args = _parse(argv)
    except _Usage as exc:
        print(f"chainrule.book: {exc}\n{USAGE.splitlines()[0]}", file=sys.stderr)
        return 2
    if not script.is_file() or script.suffix != ".py":
        print(f"chainrule.book: {script} is not a Python script file", file=sys.stderr)
        return 2
    try:
        compile_script(script, options["overrides"])  # a --set NAME the script does not assign: said now
    except ValueError as exc:
        print(f"chainrule.book: {exc}", file=sys.stderr)
        return 2
    beside = packages_beside(script)
    if beside and not options["local_packages"]:
        folders = " and ".join(f"{script.parent / name}/" for name in beside)
        print(f"chainrule.book: warning: {folders} beside the script {'is' if len(beside) == 1 else 'are'} not used; "
              "chainrule's are (--local-packages uses the script's own)", file=sys.stderr)
    warnings.simplefilter("ignore", PackagesBesideWarning)  # said just above
    try:
        run(script, args, **options)
    except PickleFileError as exc:  # one line, not the traceback through the script
        print(f"chainrule.book: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
