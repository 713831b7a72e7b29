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
    code = run()
    try:  # the command is over (its run saved, say): a late Ctrl-C must not turn into a traceback on the way out
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ImportError, ValueError):  # pragma: no cover - not the main thread
        pass
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
