"""The ``chainrule`` command's entry point (the console script calls :func:`main`).

Importing chainrule (and NumPy) takes a moment; a Ctrl-C in that moment ends the
command with one line, as it does later, instead of a traceback from inside an import.
This module is outside the ``chainrule`` package so that nothing is imported before it.
"""

import sys


def main():
    """Import and run ``chainrule.cli.main``; return its exit status (130 when interrupted first)."""
    try:
        from chainrule.cli import main as run
    except KeyboardInterrupt:
        print("chainrule: interrupted", file=sys.stderr)
        return 130
    return run()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
