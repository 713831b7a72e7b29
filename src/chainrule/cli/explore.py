"""``chainrule explore``: write the offline page that shows the chain rule happening."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import PROG, CLIError, Formatter, arg_type, class_names, deferred_warnings, describe, load_model, title

EXPLORE_EPILOG = """\
examples:
  chainrule explore apple-orange --out apple.html
  chainrule explore runs/<date>-<time>/model.npz --out explore.html

The page is one file: no server, no network; open it in any browser (file://).
"""


def add(sub):
    from ..graph import FIGURES as GRAPH_FIGURES
    from ..graph import FIRST_FIGURE

    p = sub.add_parser("explore", help="write an offline HTML page that shows the chain rule happening",
                       description="Write one self-contained HTML page: step through the book's graphs (forward "
                                   "values above the edges, derivatives below, editable inputs), or draw a digit "
                                   "for a saved model and see its forward pass and the gradient down to the pixels.",
                       epilog=EXPLORE_EPILOG, formatter_class=Formatter)
    p.add_argument("target", nargs="?", default=FIRST_FIGURE, metavar="FIGURE|MODEL",
                   help=f"one of the book's graphs ({', '.join(GRAPH_FIGURES)}; the page holds all of them and "
                        f"opens this one; default {FIRST_FIGURE}) or a model file written by chainrule train")
    p.add_argument("--out", metavar="FILE", default="explore.html", help="the page to write (default explore.html)")
    p.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    p.add_argument("--images", type=arg_type(int, lambda v: 0 <= v <= 100, "an integer from 0 to 100"),
                   default=10, metavar="N", help="for a model: embed N test images to start from (default 10, "
                                                 "one per class; taken from data already on this computer)")
    p.add_argument("--data-dir", metavar="DIR", default=None, help="a folder holding the four IDX files")
    p.set_defaults(func=run)
    return p


def run(args):
    from .. import explore
    from ..datasets import SPECS
    from ..graph import FIGURES as GRAPH_FIGURES
    from ..graph import figure_payloads

    figure = args.target in GRAPH_FIGURES or not (args.target.endswith(".npz") or Path(args.target).is_file())
    out = explore.check_out(args.out, force=args.force, inputs=() if figure else (args.target,), how="--force")
    if figure:
        if args.target not in GRAPH_FIGURES:
            raise CLIError(f"unknown figure {args.target!r}: choose one of {', '.join(GRAPH_FIGURES)}, "
                           "or give a model file (.npz)")
        path = explore.write_page(out, graphs=figure_payloads(), initial=args.target, force=args.force)
        print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB): the book's graphs, {args.target} first")
        return 0
    network, meta = load_model(args.target)
    others = sorted({type(layer).__name__ for layer in network.layers.values()} - {"Affine", "Relu", "Sigmoid"})
    if others:  # the page draws chains of Affine, Relu and Sigmoid layers
        raise CLIError(f"{args.target} holds a {type(network).__name__} with {', '.join(others)} layers; explore "
                       "draws fully connected networks (Affine, Relu, Sigmoid): use evaluate or predict for this one")
    if network.params["W1"].shape[0] != 28 * 28:
        raise CLIError(f"{args.target} expects {network.params['W1'].shape[0]} inputs, not a 28x28 picture")
    kind = meta.get("kind") if isinstance(meta.get("kind"), str) and meta.get("kind") in SPECS else "mnist"
    images, labels, note = explore.embedded_images(kind, args.images, args.data_dir)
    deferred_warnings.drop()  # a missing dataset is reported once, as the note below
    model = explore.model_payload(network, class_names=class_names(kind, network.config["output_size"]),
                                  images=images, labels=labels, note=note,
                                  title=f"{Path(args.target).name}: {describe(network)}")
    path = explore.write_page(out, model=model, title=f"chainrule explore: {Path(args.target).name}", force=args.force)
    count = 0 if images is None else len(images)
    print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB): {describe(network)}, "
          f"{count} {title(kind)} test image{'' if count == 1 else 's'}")
    if note:
        print(f"{PROG}: warning: {note}", file=sys.stderr)
    return 0
