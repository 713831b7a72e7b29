"""``python -m chainrule.book SCRIPT [ARGS...]``: run one of the book's scripts on chainrule."""

import sys
from pathlib import Path

from . import SHIM_DIR, run

USAGE = """usage: python -m chainrule.book SCRIPT [ARGS...]
       python -m chainrule.book --path

Runs a script of Deep Learning from Scratch (for example ch07/train_convnet.py) from
its folder, with its `common` and `dataset` imports resolved to chainrule.
--path prints the folder of those packages (for PYTHONPATH)."""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    if argv[0] == "--path":
        print(SHIM_DIR)
        return 0
    script = Path(argv[0])
    if not script.is_file() or script.suffix != ".py":
        print(f"chainrule.book: {script} is not a Python script file", file=sys.stderr)
        return 2
    run(script, argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
