"""``chainrule data``: fetch (or find) MNIST or Fashion-MNIST, verify it, store it, print its label counts."""

from __future__ import annotations

import numpy as np

from .common import Formatter, data_error, deferred_warnings
from .messages import SAY


def add(sub):
    p = sub.add_parser("data", help="download (or find) and verify MNIST / Fashion-MNIST",
                       description="Get the dataset into the chainrule cache and verify it.",
                       formatter_class=Formatter)
    from ..datasets import SPECS

    p.add_argument("--kind", choices=list(SPECS), default="mnist", help="mnist (default) or fashion")
    p.add_argument("--data-dir", "--dir", dest="dir", metavar="DIR", default=None,
                   help="a folder holding the four IDX files to use (raw or .gz)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run)
    return p


def run(args):
    from ..datasets import SPECS, fetch

    try:
        (x_train, t_train, x_test, t_test), source, location = fetch(args.kind, args.dir, progress=not args.quiet)
    except OSError as exc:
        raise data_error(exc, args.kind) from None
    print(SAY.text("data.verified", None, dataset=SPECS[args.kind].title))
    print(SAY.text("data.source", None, source=source))
    if location is None:  # fetched, but the cache could not be written: the warning says why
        deferred_warnings.show()
        print(SAY.text("data.not_stored"))
    else:
        print(SAY.text("data.stored", None, location=location))
    for split, x, t in (("train", x_train, t_train), ("test", x_test, t_test)):
        counts = " ".join(map(str, np.bincount(t, minlength=10)))
        print(SAY.text(f"data.{split}", None, count=len(x), height=x.shape[1], width=x.shape[2], counts=counts))
    return 0
