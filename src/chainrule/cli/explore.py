"""``chainrule explore``: write the offline page that shows the chain rule happening."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import PROG, CLIError, Formatter, arg_type, class_names, deferred_warnings, describe, load_model, title

EXPLORE_EPILOG = """\
examples:
  chainrule explore apple-orange --out apple.html
  chainrule explore batch-norm --out bn.html
  chainrule explore optimizers --out optimizers.html
  chainrule explore runs/<date>-<time>/model.npz --out explore.html

The page is one file: no server, no network; open it in any browser (file://).
"""


def _figures():  # the book's graphs, then the views of chapter 6
    from ..explore import VIEWS
    from ..graph import FIGURES

    return [*FIGURES, *VIEWS]


def add(sub):
    from ..graph import FIRST_FIGURE
    from ..i18n import LANGUAGES

    p = sub.add_parser("explore", help="write an offline HTML page that shows the chain rule happening",
                       description="Write one self-contained HTML page: step through the book's graphs (forward "
                                   "values above the edges, derivatives below, editable inputs), Batch "
                                   "Normalization's graph, the optimizers' paths and the activation histograms of "
                                   "chapter 6; or draw a digit for a saved model (an MLP, SimpleConvNet, DeepConvNet, "
                                   "MultiLayerNetExtend) and see every layer forward and the gradient down to the "
                                   "pixels.",
                       epilog=EXPLORE_EPILOG, formatter_class=Formatter)
    p.add_argument("target", nargs="?", default=FIRST_FIGURE, metavar="FIGURE|MODEL",
                   help=f"one of the book's figures ({', '.join(_figures())}; the page holds all of them and "
                        f"opens this one; default {FIRST_FIGURE}) or a model file written by chainrule train")
    p.add_argument("--out", metavar="FILE", default="explore.html", help="the page to write (default explore.html)")
    p.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    p.add_argument("--images", type=arg_type(int, lambda v: 0 <= v <= 100, "an integer from 0 to 100"),
                   default=10, metavar="N", help="for a model: embed N test images to start from (default 10, "
                                                 "one per class; taken from data already on this computer)")
    p.add_argument("--data-dir", metavar="DIR", default=None, help="a folder holding the four IDX files")
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help="language of the page: en, ko, zh or ja (default: from LC_ALL / LC_MESSAGES / LANG)")
    p.set_defaults(func=run)
    return p


def run(args):
    from .. import explore
    from ..datasets import SPECS
    from ..graph import figure_payloads

    figures = _figures()
    figure = args.target in figures or not (args.target.endswith(".npz") or Path(args.target).is_file())
    out = explore.check_out(args.out, force=args.force, inputs=() if figure else (args.target,), how="--force")
    if figure:
        if args.target not in figures:
            raise CLIError(f"unknown figure {args.target!r}: choose one of {', '.join(figures)}, "
                           "or give a model file (.npz)")
        path = explore.write_page(out, graphs=figure_payloads(args.lang), views=explore.VIEWS, initial=args.target,
                                  lang=args.lang, force=args.force)
        print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB): the book's figures, {args.target} first")
        return 0
    network, meta = load_model(args.target)
    kind = meta.get("kind") if isinstance(meta.get("kind"), str) and meta.get("kind") in SPECS else "mnist"
    try:  # what the page cannot draw is refused before anything is written
        explore.model_payload(network)
    except ValueError as exc:
        raise CLIError(f"{args.target} holds a {describe(network)}: {exc}; evaluate and predict can use it") from None
    images, labels, note = explore.embedded_images(kind, args.images, args.data_dir, args.lang)
    deferred_warnings.drop()  # a missing dataset is reported once, as the note below
    model = explore.model_payload(network, class_names=class_names(kind, network.config["output_size"]),
                                  images=images, labels=labels, note=note,
                                  title=f"{Path(args.target).name}: {describe(network)}")
    path = explore.write_page(out, model=model, title=f"chainrule explore: {Path(args.target).name}", lang=args.lang,
                              force=args.force)
    count = 0 if images is None else len(images)
    print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB): {describe(network)}, "
          f"{count} {title(kind)} test image{'' if count == 1 else 's'}")
    if note:
        print(f"{PROG}: warning: {note}", file=sys.stderr)
    return 0
