"""``chainrule bench``: run ``benchmarks/train_speed.py`` of a source checkout with the options given."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import CLIError, Formatter

BENCH_SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "train_speed.py"


def add(sub):
    p = sub.add_parser("bench", help="time chainrule train against the book's code, PyTorch and scikit-learn "
                                     "(from a source checkout)", add_help=False,
                       description="Runs benchmarks/train_speed.py of the source checkout this chainrule is "
                                   "installed from (pip install -e .), with the options given; "
                                   "'chainrule bench --help' lists them.",
                       formatter_class=Formatter)
    p.add_argument("options", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=run)
    return p


def run(args):
    import subprocess

    if not BENCH_SCRIPT.is_file():
        raise CLIError(f"chainrule bench runs benchmarks/train_speed.py from a source checkout, and there is none "
                       f"at {BENCH_SCRIPT}; clone the repository and pip install -e it")
    return subprocess.run([sys.executable, str(BENCH_SCRIPT), *args.options], check=False).returncode
