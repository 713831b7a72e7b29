"""The ``chainrule`` command: train, evaluate, predict, gradcheck, data, graph.

Every subcommand is a pair of functions: ``_add_<name>(subparsers)`` builds its
parser and ``_run_<name>(args) -> int`` does the work. Errors a user can cause
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

__all__ = ["CLIError", "build_parser", "main"]

PROG = "chainrule"
FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
GRAPH_FIGURES = ("apple", "apple-orange", "sigmoid", "two-layer-net")
KINDS = ("mnist", "fashion")
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


class _Parser(argparse.ArgumentParser):
    """argparse with chainrule's one-line errors."""

    def error(self, message):
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=30)


# -- argument types --------------------------------------------------------------------

def _arg_type(convert, ok, expected):
    """An argparse ``type``: ``convert`` the text, then check it with ``ok``; else say what was expected."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive_int = _arg_type(int, lambda v: v >= 1, "a positive integer")
_positive_float = _arg_type(float, lambda v: np.isfinite(v) and v > 0, "a positive number")
_non_negative_float = _arg_type(float, lambda v: np.isfinite(v) and v >= 0, "a number >= 0")
_seed = _arg_type(int, lambda v: v >= 0, "a non-negative integer")
_decay = _arg_type(float, lambda v: 0 < v <= 1, "a number in (0, 1]")


def _init_std(text):
    if text.lower() in ("he", "relu", "xavier", "sigmoid"):
        return text.lower()
    try:
        return _positive_float(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a positive number, 'he' or 'xavier', got {text!r}") from None


def _add_data_options(p):
    g = p.add_argument_group("data")
    g.add_argument("--kind", choices=KINDS, default=None,
                   help="the dataset: mnist (handwritten digits, default) or fashion (Fashion-MNIST)")
    g.add_argument("--data-dir", metavar="DIR", default=None,
                   help="a folder holding the four IDX files (raw or .gz); default: CHAINRULE_DATA, "
                        "the chainrule cache, then a download")


# -- shared helpers --------------------------------------------------------------------

def _load_data(kind, data_dir, progress):
    """MNIST (or Fashion-MNIST) as stored: ``((x_train, t_train), (x_test, t_test))``, uint8, flat."""
    try:
        from .datasets import load_mnist
    except ImportError as exc:
        raise CLIError(f"this chainrule has no dataset loader (chainrule.datasets): {exc}") from None
    try:
        data = load_mnist(normalize=False, flatten=True, one_hot_label=False, kind=kind,
                          data_dir=data_dir, progress=progress)
    except (OSError, RuntimeError, ValueError) as exc:
        _warnings.drop()  # the error lists every source that failed
        raise CLIError(f"{_title(kind)} is not available: {exc}") from None
    _warnings.show()
    return data


def _title(kind):
    return {"mnist": "MNIST", "fashion": "Fashion-MNIST"}.get(kind, str(kind))


def _class_names(kind, n):
    if kind == "fashion" and n == len(FASHION_CLASSES):
        return list(FASHION_CLASSES)
    return [str(i) for i in range(n)]


def _describe(network):
    cfg = network.config
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

TRAIN_EPILOG = """\
The defaults are the book's run (section 5.7.4): TwoLayerNet 784-50-10 with ReLU,
weights 0.01 * N(0, 1), SGD with learning rate 0.1, minibatches of 100,
10000 iterations (about 17 epochs); it reaches about 97% test accuracy.

examples:
  chainrule train
  chainrule train --hidden 100 100 --optimizer adam --lr 0.001 --lr-decay 0.9 --weight-decay 0.001 --epochs 30
      (a MultiLayerNet 784-100-100-10 with Adam: about 98.1% test accuracy)
  chainrule train --kind fashion --epochs 30 --out runs/fashion
  chainrule train --iters 600 --quiet --out /tmp/quick

Writes to the output folder: model.npz (chainrule evaluate / predict read it),
history.json and history.csv (loss per iteration, accuracies per epoch),
accuracy.png and loss.png (with matplotlib). Ctrl-C stops early and still
saves what was learned (exit status 130).
"""


def _add_train(sub):
    p = sub.add_parser("train", help="train a network on MNIST (the book's run by default)",
                       description="Train a network on MNIST with backpropagation and save the model, "
                                   "its history and its curves.",
                       epilog=TRAIN_EPILOG, formatter_class=_Formatter)
    g = p.add_argument_group("network")
    g.add_argument("--hidden", type=_positive_int, nargs="+", default=[50], metavar="N",
                   help="hidden layer sizes: one size gives the book's TwoLayerNet (default 50); "
                        "several (e.g. --hidden 100 100) give a MultiLayerNet")
    g.add_argument("--activation", choices=("relu", "sigmoid"), default="relu",
                   help="activation of the hidden layers (default relu)")
    g.add_argument("--weight-init-std", type=_init_std, default=None, metavar="STD",
                   help="initial weight scale: a number, 'he' or 'xavier' (default 0.01 for one hidden "
                        "layer as in the book, He for ReLU / Xavier for sigmoid otherwise)")
    g.add_argument("--weight-decay", type=_non_negative_float, default=0.0, metavar="LAMBDA",
                   help="L2 weight decay lambda (MultiLayerNet; default 0)")
    g.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="floating type of the network (default float32: fast; float64 is the book's)")
    g = p.add_argument_group("training")
    from .optimizers import OPTIMIZERS

    g.add_argument("--optimizer", choices=list(OPTIMIZERS), default="sgd", type=str.lower,
                   help="update rule (default sgd)")
    g.add_argument("--lr", type=_positive_float, default=None,
                   help="learning rate (default 0.1 for sgd as in the book; the book's default of each "
                        "other optimizer: 0.01, adam 0.001)")
    g.add_argument("--lr-decay", type=_decay, default=None, metavar="GAMMA",
                   help="multiply the learning rate by GAMMA (0 < GAMMA <= 1) after every epoch "
                        "(default: constant, as in the book)")
    n = g.add_mutually_exclusive_group()
    n.add_argument("--iters", type=_positive_int, default=None, metavar="N",
                   help="number of iterations (minibatches; default 10000)")
    n.add_argument("--epochs", type=_positive_int, default=None, metavar="N",
                   help="number of epochs instead (one epoch = 60000 / batch size iterations)")
    g.add_argument("--batch-size", type=_positive_int, default=100, metavar="N",
                   help="minibatch size (default 100)")
    g.add_argument("--sampling", choices=("shuffle", "choice"), default="shuffle",
                   help="shuffle: every image once per epoch in a new order (default); "
                        "choice: random images with replacement, as the book's np.random.choice")
    g.add_argument("--seed", type=_seed, default=None,
                   help="seed for the initial weights and the minibatch order (default: random, "
                        "recorded in history.json); the same seed gives the same run")
    g.add_argument("--eval-samples", type=_positive_int, default=None, metavar="N",
                   help="per epoch, measure the accuracies on the first N images of each set only "
                        "(faster; the final accuracies always use all of them)")
    _add_data_options(p)
    g = p.add_argument_group("output")
    g.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default runs/<date>-<time>)")
    g.add_argument("--no-plots", action="store_true", help="do not draw accuracy.png and loss.png")
    g.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no per-epoch lines; only the result")
    p.set_defaults(func=_run_train)


def _build_network(args, input_size, output_size, rng):
    from .networks import MultiLayerNet, TwoLayerNet

    dtype = np.dtype(args.dtype)
    if len(args.hidden) == 1 and args.activation == "relu" and args.weight_decay == 0 \
            and not isinstance(args.weight_init_std, str):
        std = 0.01 if args.weight_init_std is None else args.weight_init_std
        return TwoLayerNet(input_size, args.hidden[0], output_size, weight_init_std=std, dtype=dtype, rng=rng)
    std = args.activation if args.weight_init_std is None else args.weight_init_std
    return MultiLayerNet(input_size, args.hidden, output_size, activation=args.activation,
                         weight_init_std=std, weight_decay_lambda=args.weight_decay, dtype=dtype, rng=rng)


def _run_train(args):
    from .io import save
    from .optimizers import make_optimizer
    from .train import Trainer

    kind = args.kind or "mnist"
    lr = args.lr if args.lr is not None else (0.1 if args.optimizer == "sgd" else None)
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
    iters = args.iters if args.iters is not None or args.epochs is not None else 10000
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=args.epochs, mini_batch_size=args.batch_size,
                      optimizer=optimizer, evaluate_sample_num_per_epoch=args.eval_samples,
                      verbose=not args.quiet, iters=iters, sampling=args.sampling, rng=rng,
                      progress=False if args.quiet else None, lr_decay=args.lr_decay)
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
    p = sub.add_parser("evaluate", help="test accuracy and confusion matrix of a saved model",
                       description="Measure a saved model on the test set: accuracy and confusion matrix.",
                       epilog="example:\n  chainrule evaluate runs/20250101-120000/model.npz --plot confusion.png",
                       formatter_class=_Formatter)
    p.add_argument("model", metavar="MODEL", help="a model file written by chainrule train (model.npz)")
    _add_data_options(p)
    p.add_argument("--plot", metavar="FILE", default=None,
                   help="also draw the confusion matrix to FILE (.png, .svg or .pdf; needs matplotlib)")
    p.set_defaults(func=_run_evaluate)


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
    from .train import confusion_matrix, predict_labels

    network, meta = _load_model(args.model)
    kind = args.kind or meta.get("kind") or "mnist"
    _, (x_test, t_test) = _load_data(kind, args.data_dir, progress=True)
    x_test = x_test.reshape(len(x_test), -1)
    need = network.params["W1"].shape[0]
    if x_test.shape[1] != need:
        raise CLIError(f"{args.model} expects {need} inputs per image but {_title(kind)} images have "
                       f"{x_test.shape[1]} pixels")
    pred = predict_labels(network, x_test)
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
    p = sub.add_parser(
        "predict", help="classify your own pictures of digits (PNG, JPEG)",
        description="Classify pictures of handwritten digits with a saved model. Each picture is prepared "
                    "as MNIST's digits were: grayscale, inverted if the background is light, cropped to "
                    "the ink, scaled to 20 px on its longer side and centred by centre of mass in 28x28. "
                    "Needs Pillow (pip install \"chainrule[image]\").",
        epilog="example:\n  chainrule predict runs/20250101-120000/model.npz my_seven.png",
        formatter_class=_Formatter)
    p.add_argument("model", metavar="MODEL", help="a model file written by chainrule train (model.npz)")
    p.add_argument("images", metavar="IMAGE", nargs="+", help="picture(s) of one digit each")
    p.set_defaults(func=_run_predict)


def _run_predict(args):
    from .functions import softmax
    from .io import read_digit

    network, meta = _load_model(args.model)
    need = network.params["W1"].shape[0]
    if need != 28 * 28:
        raise CLIError(f"{args.model} expects {need} inputs, not a 28x28 picture")
    names = _class_names(meta.get("kind"), network.config["output_size"])
    for path in args.images:
        digit = read_digit(path)
        x = digit.reshape(1, -1).astype(network.dtype) * network.dtype.type(1 / 255)
        p = softmax(network.predict(x))[0]
        k = int(np.argmax(p))
        print(f"{path}: {names[k]} ({p[k]:.1%})")
        cells = [f"{names[i]}: {p[i]:.4f}" for i in range(len(p))]
        for start in range(0, len(cells), 5):
            print("    " + "  ".join(cells[start:start + 5]))
    return 0


# -- gradcheck -------------------------------------------------------------------------

def _add_gradcheck(sub):
    p = sub.add_parser("gradcheck", help="the book's gradient check on 3 MNIST images",
                       description="Section 5.7.3: compare backpropagation's gradients with numerical ones "
                                   "(central differences) for a float64 TwoLayerNet 784-50-10 on the first "
                                   "3 training images. Exit status 0 when they agree.",
                       formatter_class=_Formatter)
    _add_data_options(p)
    p.add_argument("--seed", type=_seed, default=0, help="seed for the network's weights (default 0)")
    p.set_defaults(func=_run_gradcheck)


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
    p = sub.add_parser("data", help="download (or find) and verify MNIST / Fashion-MNIST",
                       description="Get the dataset into the chainrule cache and verify it.",
                       formatter_class=_Formatter)
    p.add_argument("--kind", choices=KINDS, default="mnist", help="mnist (default) or fashion")
    p.add_argument("--dir", metavar="DIR", default=None, help="a folder holding the four IDX files to use")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_run_data)


def _run_data(args):
    try:
        from .datasets.mnist import data_command
    except ImportError as exc:
        raise CLIError(f"this chainrule has no dataset module: {exc}") from None
    return data_command(args.kind, args.dir, not args.quiet)


def _add_graph(sub):
    p = sub.add_parser("graph", help="draw one of the book's computational graphs",
                       description="Draw a computational graph of chapter 5 with its forward values and "
                                   "backward derivatives.",
                       formatter_class=_Formatter)
    p.add_argument("figure", choices=GRAPH_FIGURES, help="which graph")
    p.add_argument("--out", metavar="FILE", required=True,
                   help="the file to write: .svg or .png (need graphviz's dot) or .dot")
    p.set_defaults(func=_run_graph)


def _run_graph(args):
    try:
        from .graph import graph_command
    except ImportError as exc:
        raise CLIError(f"this chainrule has no graph module: {exc}") from None
    return graph_command(args.figure, args.out)


# -- bench (implemented in chainrule.bench; also benchmarks/train_speed.py) -------------------

def _add_bench(sub):
    p = sub.add_parser("bench", help="time chainrule train against the book's code, PyTorch and scikit-learn",
                       description="The book's MNIST run side by side, in alternating rounds of fresh processes:\n"
                                   "(a) chainrule train with its defaults, (b) the book's float64 loop,\n"
                                   "(c) PyTorch eager on the CPU, (d) scikit-learn's MLPClassifier (c and d when\n"
                                   "installed). Prints median seconds, iterations per second, test accuracy and\n"
                                   "peak memory of each, the machine's lower bound for (a), and how (a)'s time\n"
                                   "grows with the hidden size, the batch size and the iterations.\n"
                                   "Takes about five minutes (--quick: about one).",
                       epilog="examples:\n  chainrule bench\n  chainrule bench --quick\n"
                              "  chainrule bench --only a,c --repeats 5 --scaling-iters 0",
                       formatter_class=_Formatter)
    from .bench import build_parser as bench_options

    bench_options(p)
    p.set_defaults(func=_run_bench)


def _run_bench(args):
    from .bench import run_benchmark

    return run_benchmark(args)


# Subcommands, in the order ``chainrule --help`` lists them. To add one, write ``_add_<name>(sub)``
# that builds its parser with ``set_defaults(func=...)`` and list it here.
SUBCOMMANDS = [_add_train, _add_evaluate, _add_predict, _add_gradcheck, _add_data, _add_graph, _add_bench]


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
