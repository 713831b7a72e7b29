"""The ``chainrule`` command: train, evaluate, predict, gradcheck, data, graph, bench.

Every subcommand is a pair of functions: ``_add_<name>(subparsers)`` builds its
parser (the options and help texts of the built-in ones are in ``_cli_args``) and
``_run_<name>(args) -> int`` does the work; this module is the one that prints. Errors a user can cause
(a missing file, a bad option, a damaged model, no data) end as one line on
stderr, ``chainrule: error: ...``, and a non-zero exit status; set
``CHAINRULE_DEBUG=1`` to see the traceback instead. Optional dependencies
(tqdm, matplotlib, Pillow, the graph and dataset modules) are imported only by
the subcommands that use them.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import secrets
import sys
from pathlib import Path

import numpy as np

from ._cli_args import (
    PROG,
    bench_parser,
    data_parser,
    evaluate_parser,
    gradcheck_parser,
    graph_parser,
    predict_parser,
    train_parser,
)
from ._cli_args import Formatter as _Formatter  # noqa: F401  (the options' building blocks, for any subcommand)
from ._cli_args import Parser as _Parser
from ._cli_args import add_data_options as _add_data_options  # noqa: F401
from ._cli_args import arg_type as _arg_type
from ._cli_args import non_negative_float as _non_negative_float  # noqa: F401
from ._cli_args import positive_float as _positive_float  # noqa: F401
from ._cli_args import positive_int as _positive_int  # noqa: F401
from ._cli_args import seed as _seed  # noqa: F401

__all__ = ["CLIError", "build_parser", "main"]

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader went away


class CLIError(Exception):
    """An error to report as ``chainrule: error: <message>`` (exit status 1)."""


class _DeferredWarnings(logging.Handler):
    """Holds chainrule's logged warnings (a data source that failed, say) until we know
    whether they matter: shown as ``chainrule: warning: ...`` once the data has loaded, or
    dropped when the command fails with an error that already says it all."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def show(self):
        for record in self.records:
            print(f"{PROG}: warning: {_one_line(record.getMessage())}", file=sys.stderr)
        self.records.clear()

    def drop(self):
        self.records.clear()


_warnings = _DeferredWarnings()


def _one_line(text):
    """A possibly multi-line message as one line."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


# -- argument types --------------------------------------------------------------------

# -- shared helpers --------------------------------------------------------------------

def _load_data(kind, data_dir, progress):
    """MNIST (or Fashion-MNIST) as stored: ``((x_train, t_train), (x_test, t_test))``, uint8, flat."""
    from .datasets import load_mnist

    try:
        data = load_mnist(normalize=False, flatten=True, one_hot_label=False, kind=kind,
                          data_dir=data_dir, progress=progress)
    except (OSError, RuntimeError, ValueError) as exc:
        _warnings.drop()  # the error lists every source that failed
        raise CLIError(f"{_title(kind)} is not available: {exc}") from None
    _warnings.show()
    return data


def _title(kind):
    from .datasets import SPECS

    return SPECS[kind].title if kind in SPECS else str(kind)


def _class_names(kind, n):
    from .datasets import SPECS

    classes = SPECS[kind].classes if kind in SPECS else ()
    return list(classes) if len(classes) == n else [str(i) for i in range(n)]


def _describe(network):
    cfg = network.config
    if "input_dim" in cfg:  # a convolutional network
        return f"{cfg['class']} {'x'.join(map(str, cfg['input_dim']))} -> {cfg['output_size']} " \
               f"({np.dtype(network.dtype).name})"
    sizes = [cfg["input_size"], *(cfg.get("hidden_size_list") or [cfg.get("hidden_size")]), cfg["output_size"]]
    return f"{cfg['class']} {'-'.join(map(str, sizes))} ({np.dtype(network.dtype).name})"


def _load_model(path):
    from .io import load, read_metadata

    network = load(path)
    meta = read_metadata(path).get("metadata") or {}
    return network, meta if isinstance(meta, dict) else {}


def _accuracy_line(acc, n):
    return f"test accuracy: {acc:.4f} ({round(acc * n)}/{n} correct)"


def _epochs(n):
    return f"{n:.4g} epoch{'' if n == 1 else 's'}"


def _new_run_dir(base="runs"):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(base) / stamp
    k = 2
    while path.exists():
        path = Path(base) / f"{stamp}-{k}"
        k += 1
    return path


# -- train -----------------------------------------------------------------------------

def _add_train(sub):
    train_parser(sub).set_defaults(func=_run_train)


def _image_shape(network):
    """The shape one image takes for ``network``: ``(D,)``, or ``(C, H, W)`` for a convolutional one."""
    cfg = network.config
    return tuple(cfg["input_dim"]) if "input_dim" in cfg else (network.params["W1"].shape[0],)


def _as_images(network, x, model):
    """``x`` (N, pixels) reshaped for ``network``, or a CLIError when its images have another size."""
    shape = _image_shape(network)
    if int(np.prod(shape)) != x[0].size:
        raise CLIError(f"{model} expects {'x'.join(map(str, shape))} inputs per image but the images have "
                       f"{x[0].size} pixels")
    return x.reshape(len(x), *shape)


def _build_network(args, input_size, output_size, rng):
    from .networks import MultiLayerNet, TwoLayerNet
    from .train import BOOK_RUN

    dtype = np.dtype(args.dtype)
    if args.net == "simpleconv":
        from .convnets import SIMPLECONV_RUN, SimpleConvNet

        side = int(round(np.sqrt(input_size)))
        return SimpleConvNet((1, side, side), SIMPLECONV_RUN["conv_param"], SIMPLECONV_RUN["hidden_size"],
                             output_size, SIMPLECONV_RUN["weight_init_std"], dtype=dtype, rng=rng)
    if len(args.hidden) == 1 and args.activation == "relu" and args.weight_decay == 0 \
            and not isinstance(args.weight_init_std, str):
        std = BOOK_RUN["weight_init_std"] if args.weight_init_std is None else args.weight_init_std
        return TwoLayerNet(input_size, args.hidden[0], output_size, weight_init_std=std, dtype=dtype, rng=rng)
    std = args.activation if args.weight_init_std is None else args.weight_init_std
    return MultiLayerNet(input_size, args.hidden, output_size, activation=args.activation,
                         weight_init_std=std, weight_decay_lambda=args.weight_decay, dtype=dtype, rng=rng)


def _run_train(args):
    from .io import save
    from .metrics import EVAL_CHUNK
    from .optimizers import make_optimizer
    from .train import BOOK_RUN, Trainer

    kind = args.kind or "mnist"
    run = BOOK_RUN
    if args.net == "simpleconv":  # the book's ch07/train_convnet.py settings
        from .convnets import SIMPLECONV_RUN as run
    args.optimizer = args.optimizer or run["optimizer"]
    lr = args.lr if args.lr is not None else (run["lr"] if args.optimizer == run["optimizer"] else None)
    optimizer = make_optimizer(args.optimizer, **({} if lr is None else {"lr": lr}))
    out = Path(args.out) if args.out else _new_run_dir()
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    (x_train, t_train), (x_test, t_test) = _load_data(kind, args.data_dir, progress=not args.quiet)
    x_train = x_train.reshape(len(x_train), -1)
    x_test = x_test.reshape(len(x_test), -1)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**32)
    rng = np.random.default_rng(seed)
    n_classes = int(max(t_train.max(), t_test.max())) + 1
    network = _build_network(args, x_train.shape[1], n_classes, rng)
    x_train, x_test = _as_images(network, x_train, "the network"), _as_images(network, x_test, "the network")
    iters = args.iters if args.iters is not None or args.epochs is not None else run.get("iters")
    epochs = args.epochs if args.iters is not None or args.epochs is not None else run.get("epochs")
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=epochs, mini_batch_size=args.batch_size,
                      optimizer=optimizer, evaluate_sample_num_per_epoch=args.eval_samples,
                      verbose=not args.quiet, iters=iters, sampling=args.sampling, rng=rng,
                      progress=False if args.quiet else None, lr_decay=args.lr_decay,
                      eval_chunk_size=run.get("eval_chunk_size", EVAL_CHUNK))
    if not args.quiet:
        print(f"training {_describe(network)} on {_title(kind)} ({len(x_train)} images): {optimizer!r}, "
              f"batch {args.batch_size}, {trainer.max_iter} iterations ({_epochs(trainer.epochs)}), "
              f"{args.sampling}, seed {seed}", flush=True)
    start_lr = optimizer.lr
    history = trainer.train()
    n_test, iter_per_epoch = len(x_test), trainer.iter_per_epoch
    # The images are not needed any more. Freed now, before the plots, matplotlib's tens of MB
    # do not come on top of them (chainrule train with its defaults peaks near 110 MB, not 190).
    del trainer, x_train, t_train, x_test, t_test
    history.config.update({"kind": kind, "seed": seed, "network": network.config, "optimizer": args.optimizer,
                           "lr": start_lr, "command": " ".join([PROG, *getattr(args, "argv", [])])})

    out.mkdir(parents=True, exist_ok=True)
    written = []
    meta = {"kind": kind, "input": "uint8 pixels / 255", "test_acc": history.final_test_acc,
            "train_acc": history.final_train_acc, "iterations": history.iterations_done, "seed": seed,
            "interrupted": history.interrupted}
    save(network, out / "model.npz", metadata=meta)
    written.append("model.npz")
    history.save_json(out / "history.json")
    history.save_csv(out / "history.csv")
    written += ["history.json", "history.csv"]
    note = None
    if not args.no_plots and history.train_acc:
        try:
            from .plot import accuracy_curves, loss_curve

            accuracy_curves(history, out / "accuracy.png")
            written.append("accuracy.png")
            if history.loss:
                loss_curve(history, out / "loss.png")
                written.append("loss.png")
        except ImportError as exc:
            note = f"(no plots: {exc})"
    if history.final_test_acc is not None:
        print(_accuracy_line(history.final_test_acc, n_test)
              + f"; train accuracy: {history.final_train_acc:.4f}")
    print(f"{history.iterations_done} iterations ({_epochs(history.iterations_done / iter_per_epoch)}) "
          f"in {history.total_seconds:.1f} s")
    print(f"saved to {out}/: {' '.join(written)}")
    if note:
        print(note)
    if history.interrupted:
        print(f"{PROG}: interrupted after {history.iterations_done} of {history.iterations} iterations; "
              "saved what was learned", file=sys.stderr)
        return EXIT_INTERRUPTED
    return 0


# -- evaluate --------------------------------------------------------------------------

def _add_evaluate(sub):
    evaluate_parser(sub).set_defaults(func=_run_evaluate)


def _confusion_table(cm, names):
    width = max(5, *(len(s) for s in names)) + 1
    col = min(max(7, *(len(s) + 1 for s in names)), 12)
    rows = ["confusion matrix (rows: true class, columns: predicted class)",
            " " * width + "".join(f"{s[:col - 1]:>{col}}" for s in names) + "   total  recall"]
    for i, name in enumerate(names):
        total = int(cm[i].sum())
        recall = f"{cm[i, i] / total:.3f}" if total else "    -"
        rows.append(f"{name:<{width}}" + "".join(f"{int(v):>{col}}" for v in cm[i]) + f"  {total:>6}  {recall:>6}")
    return "\n".join(rows)


def _run_evaluate(args):
    from .metrics import EVAL_CHUNK, confusion_matrix, predict_labels

    network, meta = _load_model(args.model)
    kind = args.kind or meta.get("kind") or "mnist"
    _, (x_test, t_test) = _load_data(kind, args.data_dir, progress=True)
    x_test = _as_images(network, x_test.reshape(len(x_test), -1), args.model)
    pred = predict_labels(network, x_test, chunk_size=500 if x_test.ndim == 4 else EVAL_CHUNK)
    n_classes = network.config["output_size"]
    cm = confusion_matrix(t_test, pred, n_classes)
    acc = float(np.trace(cm)) / len(t_test)
    names = _class_names(kind, n_classes)
    print(f"{args.model}: {_describe(network)}, {_title(kind)} test set")
    print(_accuracy_line(acc, len(t_test)))
    print()
    print(_confusion_table(cm, names))
    if args.plot:
        from .plot import confusion_matrix_figure

        confusion_matrix_figure(cm, args.plot, labels=names, title=f"{_title(kind)} test set: accuracy {acc:.4f}")
        print(f"saved {args.plot}")
    return 0


# -- predict ---------------------------------------------------------------------------

def _add_predict(sub):
    predict_parser(sub).set_defaults(func=_run_predict)


def _run_predict(args):
    from .datasets import read_digit
    from .functions import softmax

    network, meta = _load_model(args.model)
    shape = _image_shape(network)
    if int(np.prod(shape)) != 28 * 28:
        raise CLIError(f"{args.model} expects {'x'.join(map(str, shape))} inputs, not a 28x28 picture")
    names = _class_names(meta.get("kind"), network.config["output_size"])
    for path in args.images:
        digit = read_digit(path)
        x = digit.reshape(1, *shape).astype(network.dtype) * network.dtype.type(1 / 255)
        p = softmax(network.predict(x))[0]
        k = int(np.argmax(p))
        print(f"{path}: {names[k]} ({p[k]:.1%})")
        cells = [f"{names[i]}: {p[i]:.4f}" for i in range(len(p))]
        for start in range(0, len(cells), 5):
            print("    " + "  ".join(cells[start:start + 5]))
    return 0


# -- gradcheck -------------------------------------------------------------------------

def _add_gradcheck(sub):
    gradcheck_parser(sub).set_defaults(func=_run_gradcheck)


def _run_gradcheck(args):
    from .gradient import gradient_check
    from .networks import TwoLayerNet

    kind = args.kind or "mnist"
    (x_train, t_train), _ = _load_data(kind, args.data_dir, progress=True)
    x = x_train[:3].reshape(3, -1).astype(np.float64) / 255.0
    t = t_train[:3]
    network = TwoLayerNet(x.shape[1], 50, 10, dtype=np.float64, rng=args.seed)
    print(f"gradient check: backprop vs numerical gradients, {_describe(network)}, "
          f"the first 3 {_title(kind)} training images (labels {t.tolist()})", flush=True)
    report = gradient_check(network, x, t)
    print(report)
    return 0 if report.ok else 1


# -- data, graph (implemented in chainrule.datasets and chainrule.graph) -------------------

def _add_data(sub):
    data_parser(sub).set_defaults(func=_run_data)


def _run_data(args):
    from .datasets import SPECS, fetch

    (x_train, t_train, x_test, t_test), source, location = fetch(args.kind, args.dir, progress=not args.quiet)
    print(f"{SPECS[args.kind].title}: verified (SHA-256 of the four IDX files)")
    print(f"  source: {source}")
    print(f"  stored: {location}")
    for split, x, t in (("train", x_train, t_train), ("test", x_test, t_test)):
        counts = " ".join(map(str, np.bincount(t, minlength=10)))
        print(f"  {split + ':':6} {len(x)} images {x.shape[1]}x{x.shape[2]}, label counts 0-9: {counts}")
    return 0


def _add_graph(sub):
    graph_parser(sub).set_defaults(func=_run_graph)


def _run_graph(args):
    from .graph import draw_figure

    print(f"wrote {draw_figure(args.figure, args.out)}")
    return 0


# -- explore (implemented in chainrule.explore) ------------------------------------------

EXPLORE_EPILOG = """\
examples:
  chainrule explore apple-orange --out apple.html
  chainrule explore runs/<date>-<time>/model.npz --out explore.html

The page is one file: no server, no network; open it in any browser (file://).
"""


def _add_explore(sub):
    from .graph import FIGURES as GRAPH_FIGURES

    p = sub.add_parser("explore", help="write an offline HTML page that shows the chain rule happening",
                       description="Write one self-contained HTML page: step through the book's graphs (forward "
                                   "values above the edges, derivatives below, editable inputs), or draw a digit "
                                   "for a saved model and see its forward pass and the gradient down to the pixels.",
                       epilog=EXPLORE_EPILOG, formatter_class=_Formatter)
    p.add_argument("target", nargs="?", default="apple-orange", metavar="FIGURE|MODEL",
                   help=f"one of the book's graphs ({', '.join(GRAPH_FIGURES)}; the page holds all of them and "
                        "opens this one; default apple-orange) or a model file written by chainrule train")
    p.add_argument("--out", metavar="FILE", default="explore.html", help="the page to write (default explore.html)")
    p.add_argument("--images", type=_arg_type(int, lambda v: 0 <= v <= 100, "an integer from 0 to 100"),
                   default=10, metavar="N", help="for a model: embed N test images to start from (default 10, "
                                                 "one per class; taken from data already on this computer)")
    p.add_argument("--data-dir", metavar="DIR", default=None, help="a folder holding the four IDX files")
    p.set_defaults(func=_run_explore)


def _run_explore(args):
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
    network, meta = _load_model(args.target)
    others = sorted({type(layer).__name__ for layer in network.layers.values()} - {"Affine", "Relu", "Sigmoid"})
    if others:  # the page draws chains of Affine, Relu and Sigmoid layers
        raise CLIError(f"{args.target} holds a {type(network).__name__} with {', '.join(others)} layers; explore "
                       "draws fully connected networks (Affine, Relu, Sigmoid): use evaluate or predict for this one")
    if network.params["W1"].shape[0] != 28 * 28:
        raise CLIError(f"{args.target} expects {network.params['W1'].shape[0]} inputs, not a 28x28 picture")
    kind = meta.get("kind") if meta.get("kind") in SPECS else "mnist"
    images, labels, note = explore.embedded_images(kind, args.images, args.data_dir)
    _warnings.drop()  # a missing dataset is reported once, as the note below
    model = explore.model_payload(network, class_names=_class_names(kind, network.config["output_size"]),
                                  images=images, labels=labels, note=note,
                                  title=f"{Path(args.target).name}: {_describe(network)}")
    path = explore.write_page(out, model=model, title=f"chainrule explore: {Path(args.target).name}")
    count = 0 if images is None else len(images)
    print(f"wrote {path} ({path.stat().st_size / 1000:.0f} kB): {_describe(network)}, "
          f"{count} {_title(kind)} test image{'' if count == 1 else 's'}")
    if note:
        print(f"{PROG}: warning: {note}", file=sys.stderr)
    return 0



# -- bench (benchmarks/train_speed.py of a source checkout) ---------------------------

BENCH_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "train_speed.py"


def _add_bench(sub):
    bench_parser(sub).set_defaults(func=_run_bench)


def _run_bench(args):
    import subprocess

    if not BENCH_SCRIPT.is_file():
        raise CLIError(f"chainrule bench runs benchmarks/train_speed.py from a source checkout, and there is none "
                       f"at {BENCH_SCRIPT}; clone the repository and pip install -e it")
    return subprocess.run([sys.executable, str(BENCH_SCRIPT), *args.options], check=False).returncode


# Subcommands, in the order ``chainrule --help`` lists them. To add one, write ``_add_<name>(sub)``
# that builds its parser with ``set_defaults(func=...)`` and list it here.
SUBCOMMANDS = [_add_train, _add_evaluate, _add_predict, _add_gradcheck, _add_data, _add_graph, _add_bench,
               _add_explore]


# -- check: exercise mode (implemented in chainrule.exercises) ----------------------------------

CHECK_EPILOG = """\
Write the book's layers yourself (any of MulLayer, AddLayer, Relu, Sigmoid, Affine,
SoftmaxWithLoss) in a .py file; each one runs on random shapes and edge cases beside
chainrule's layer and numerical differentiation, one row per tensor. A wrong tensor
shows the first element that differs and a hint naming the usual mistake.
Exit status: 0 all right, 1 something is wrong, 2 the file cannot be loaded.

examples:
  chainrule check my_layers.py
  chainrule check --lang ko my_layers.py
  chainrule check --network my_two_layer_net.py
(starter files: examples/exercises/)
"""


def _add_check(sub):
    from .exercise_messages import LANGUAGES

    p = sub.add_parser("check", help="check your own layers (or TwoLayerNet) against chainrule's: exercise mode",
                       description="Check the book's layers you wrote yourself against chainrule's layers "
                                   "and numerical differentiation.",
                       epilog=CHECK_EPILOG, formatter_class=_Formatter)
    p.add_argument("file", metavar="FILE", help="your .py file with the book's layer classes (or a TwoLayerNet)")
    p.add_argument("--network", action="store_true",
                   help="check the file's TwoLayerNet: each parameter's gradient, and the layer where it "
                        "first goes wrong")
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help="language of the report: en, ko, zh or ja (default: from LC_ALL / LC_MESSAGES / LANG)")
    p.add_argument("--seed", type=_seed, default=0, help="seed of the random inputs (default 0)")
    p.set_defaults(func=_run_check)


def _run_check(args):
    """0 when every tensor is right, 1 when one is not, 2 when the file cannot be loaded."""
    from .exercises import ExerciseLoadError, check

    try:
        report = check(args.file, network=args.network, lang=args.lang, rng=args.seed)
    except ExerciseLoadError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    print(report)
    return 0 if report.ok else 1


SUBCOMMANDS.append(_add_check)

# -- export (implemented in chainrule.export) ---------------------------------------------------

def _add_export(sub):
    p = sub.add_parser("export", help="write a saved model as an ONNX graph or PyTorch weights",
                       description="Write a saved model for a bigger engine, then run the written file in that "
                                   "engine on random inputs and compare with chainrule.\n"
                                   "onnx: an ONNX graph (input 'image' (N, 784), outputs 'probabilities' and "
                                   "'label'; needs pip install \"chainrule[onnx]\").\n"
                                   "torch: torch.save(state_dict) to OUT plus OUT's name with .json holding the "
                                   "architecture (needs pip install torch).",
                       epilog="examples:\n  chainrule export runs/20250101-120000/model.npz --to onnx model.onnx\n"
                              "  chainrule export runs/20250101-120000/model.npz --to torch model.pt",
                       formatter_class=_Formatter)
    p.add_argument("model", metavar="MODEL", help="a model file written by chainrule train (model.npz)")
    p.add_argument("--to", choices=("onnx", "torch"), required=True, help="the format to write")
    p.add_argument("out", metavar="OUT", help="the file to write (.onnx, or .pt for torch)")
    p.set_defaults(func=_run_export)


def _run_export(args):
    from .export import export_command

    try:
        lines = export_command(args.model, args.to, args.out)
    except TypeError as exc:
        raise CLIError(str(exc)) from None
    print("\n".join(lines))
    return 0


SUBCOMMANDS.append(_add_export)


def build_parser():
    """The ``chainrule`` argument parser with every subcommand."""
    from . import __version__

    parser = _Parser(prog=PROG, formatter_class=_Formatter,
                     description="Error backpropagation as chapter 5 of Deep Learning from Scratch teaches it.",
                     epilog="Run 'chainrule COMMAND --help' for the options of a command.\n\n"
                            "examples:\n  chainrule train\n  chainrule evaluate runs/<date>-<time>/model.npz\n"
                            "  chainrule predict runs/<date>-<time>/model.npz my_digit.png")
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv=None):
    """Run the ``chainrule`` command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # every option belongs to the benchmark script
        args = argparse.Namespace(func=_run_bench, options=argv[1:])
    else:
        args = parser.parse_args(argv)
    args.argv = argv
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    debug = bool(os.environ.get("CHAINRULE_DEBUG"))
    logger = logging.getLogger("chainrule")
    _warnings.drop()
    logger.addHandler(_warnings)
    try:
        code = int(args.func(args) or 0)
        _warnings.show()
        return code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `chainrule evaluate ... | head`: the reader left; stop quietly
        try:  # and Python's own flush at exit must not complain either
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        from .io import ModelFileError

        if debug or not isinstance(exc, (CLIError, OSError, ModelFileError, ValueError, RuntimeError, ImportError)):
            raise
        _warnings.drop()
        message = str(exc) if not isinstance(exc, OSError) or not exc.filename else _os_message(exc)
        print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)
        return 1
    finally:
        logger.removeHandler(_warnings)


def _os_message(exc):
    return f"{exc.strerror or exc}: {exc.filename}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
