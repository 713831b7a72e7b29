"""The ``chainrule`` subcommands beside training: gradcheck, data, graph, explore, bench, check, export.

Each is a pair of functions: ``add_<name>(subparsers)`` builds its parser (options and help
texts in :mod:`chainrule._cli_args`) and ``run_<name>(args) -> int`` does the work and prints.
:mod:`chainrule.cli` lists them in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from ._cli_args import (
    PROG,
    bench_parser,
    check_parser,
    data_parser,
    explore_parser,
    export_parser,
    gradcheck_parser,
    graph_parser,
)
from ._cli_common import (
    CLIError,
    class_names,
    data_error,
    deferred_warnings,
    describe,
    load_data,
    load_model,
    one_line,
    title,
)

# -- gradcheck -------------------------------------------------------------------------

def add_gradcheck(sub):
    gradcheck_parser(sub).set_defaults(func=run_gradcheck)


def run_gradcheck(args):
    from .gradient import gradient_check
    from .networks import TwoLayerNet

    kind = args.kind or "mnist"
    (x_train, t_train), _ = load_data(kind, args.data_dir, progress=True)
    x = x_train[:3].reshape(3, -1).astype(np.float64) / 255.0
    t = t_train[:3]
    network = TwoLayerNet(x.shape[1], 50, 10, dtype=np.float64, rng=args.seed)
    print(f"gradient check: backprop vs numerical gradients, {describe(network)}, "
          f"the first 3 {title(kind)} training images (labels {t.tolist()})", flush=True)
    report = gradient_check(network, x, t)
    print(report)
    return 0 if report.ok else 1


# -- data, graph (implemented in chainrule.datasets and chainrule.graph) -------------------

def add_data(sub):
    data_parser(sub).set_defaults(func=run_data)


def run_data(args):
    from .datasets import SPECS, fetch

    try:
        (x_train, t_train, x_test, t_test), source, location = fetch(args.kind, args.dir, progress=not args.quiet)
    except OSError as exc:
        raise data_error(exc, args.kind) from None
    print(f"{SPECS[args.kind].title}: verified (SHA-256 of the four IDX files)")
    print(f"  source: {source}")
    if location is None:  # fetched, but the cache could not be written: the warning says why
        deferred_warnings.show()
        print("  not stored: the cache could not be written (see the warning)")
    else:
        print(f"  stored: {location}")
    for split, x, t in (("train", x_train, t_train), ("test", x_test, t_test)):
        counts = " ".join(map(str, np.bincount(t, minlength=10)))
        print(f"  {split + ':':6} {len(x)} images {x.shape[1]}x{x.shape[2]}, label counts 0-9: {counts}")
    return 0


def add_graph(sub):
    graph_parser(sub).set_defaults(func=run_graph)


def run_graph(args):
    from .graph import draw_figure

    print(f"wrote {draw_figure(args.figure, args.out)}")
    return 0


# -- explore (implemented in chainrule.explore) ------------------------------------------

def add_explore(sub):
    explore_parser(sub).set_defaults(func=run_explore)


def run_explore(args):
    from . import explore
    from .datasets import SPECS
    from .graph import FIGURES as GRAPH_FIGURES

    out = explore.check_out(args.out)
    if args.target in GRAPH_FIGURES or not (args.target.endswith(".npz") or Path(args.target).is_file()):
        if args.target not in GRAPH_FIGURES:
            raise CLIError(f"unknown figure {args.target!r}: choose one of {', '.join(GRAPH_FIGURES)}, "
                           "or give a model file (.npz)")
        path = explore.write_page(out, graphs=explore.figure_payloads(), initial=args.target)
        print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB): the book's graphs, {args.target} first")
        return 0
    network, meta = load_model(args.target)
    others = sorted({type(layer).__name__ for layer in network.layers.values()} - {"Affine", "Relu", "Sigmoid"})
    if others:  # the page draws chains of Affine, Relu and Sigmoid layers
        raise CLIError(f"{args.target} holds a {type(network).__name__} with {', '.join(others)} layers; explore "
                       "draws fully connected networks (Affine, Relu, Sigmoid): use evaluate or predict for this one")
    if network.params["W1"].shape[0] != 28 * 28:
        raise CLIError(f"{args.target} expects {network.params['W1'].shape[0]} inputs, not a 28x28 picture")
    kind = meta.get("kind") if meta.get("kind") in SPECS else "mnist"
    images, labels, note = explore.embedded_images(kind, args.images, args.data_dir)
    deferred_warnings.drop()  # a missing dataset is reported once, as the note below
    model = explore.model_payload(network, class_names=class_names(kind, network.config["output_size"]),
                                  images=images, labels=labels, note=note,
                                  title=f"{Path(args.target).name}: {describe(network)}")
    path = explore.write_page(out, model=model, title=f"chainrule explore: {Path(args.target).name}")
    count = 0 if images is None else len(images)
    print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB): {describe(network)}, "
          f"{count} {title(kind)} test image{'' if count == 1 else 's'}")
    if note:
        print(f"{PROG}: warning: {note}", file=sys.stderr)
    return 0


# -- bench (benchmarks/train_speed.py of a source checkout) ---------------------------

BENCH_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "train_speed.py"


def add_bench(sub):
    bench_parser(sub).set_defaults(func=run_bench)


def run_bench(args):
    import subprocess

    if not BENCH_SCRIPT.is_file():
        raise CLIError(f"chainrule bench runs benchmarks/train_speed.py from a source checkout, and there is none "
                       f"at {BENCH_SCRIPT}; clone the repository and pip install -e it")
    return subprocess.run([sys.executable, str(BENCH_SCRIPT), *args.options], check=False).returncode


# -- check: exercise mode (implemented in chainrule.exercises) ----------------------------------

def add_check(sub):
    check_parser(sub).set_defaults(func=run_check)


def run_check(args):
    """0 when every tensor is right, 1 when one is not, 2 when the file cannot be loaded."""
    from .exercises import ExerciseLoadError, check

    try:
        report = check(args.file, network=args.network, lang=args.lang, rng=args.seed)
    except ExerciseLoadError as exc:
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    print(report)
    return 0 if report.ok else 1


# -- export (implemented in chainrule.export) ---------------------------------------------------

def add_export(sub):
    export_parser(sub).set_defaults(func=run_export)


def run_export(args):
    from .export import export_command

    try:
        lines = export_command(args.model, args.to, args.out)
    except TypeError as exc:
        raise CLIError(str(exc)) from None
    print("\n".join(lines))
    return 0


