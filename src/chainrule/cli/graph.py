"""``chainrule graph``: draw one of the book's computational graphs (DOT, SVG, PNG)."""

from __future__ import annotations

from .common import Formatter


def add(sub):
    p = sub.add_parser("graph", help="draw one of the book's computational graphs",
                       description="Draw a computational graph of chapter 5 with its forward values and "
                                   "backward derivatives.",
                       formatter_class=Formatter)
    from ..graph import FIGURES

    p.add_argument("figure", choices=list(FIGURES), help="which graph")
    p.add_argument("--out", metavar="FILE", required=True,
                   help="the file to write: .svg or .png (need graphviz's dot) or .dot")
    p.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    p.set_defaults(func=run)
    return p


def run(args):
    from ..graph import draw_figure
    from ..io.files import check_output

    check_output(args.out, force=args.force, how="--force")
    print(f"wrote {draw_figure(args.figure, args.out, force=args.force)}")
    return 0
