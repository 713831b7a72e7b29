"""The ``chainrule`` command's parsers: options, their types and help texts.

Builds the argparse parser of each subcommand (``<name>_parser(subparsers)`` returns it);
:mod:`chainrule.cli` attaches what runs it, and is the module that prints.
"""

from __future__ import annotations

import argparse

import numpy as np

PROG = "chainrule"


class Parser(argparse.ArgumentParser):
    """argparse with chainrule's one-line errors."""

    def error(self, message):
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


class Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=30)


def arg_type(convert, ok, expected):
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


positive_int = arg_type(int, lambda v: v >= 1, "a positive integer")
positive_float = arg_type(float, lambda v: np.isfinite(v) and v > 0, "a positive number")
non_negative_float = arg_type(float, lambda v: np.isfinite(v) and v >= 0, "a number >= 0")
seed = arg_type(int, lambda v: v >= 0, "a non-negative integer")
decay = arg_type(float, lambda v: 0 < v <= 1, "a number in (0, 1]")


def init_std(text):
    if text.lower() in ("he", "relu", "xavier", "sigmoid"):
        return text.lower()
    try:
        return positive_float(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a positive number, 'he' or 'xavier', got {text!r}") from None


def add_data_options(p):
    g = p.add_argument_group("data")
    from .datasets import SPECS

    g.add_argument("--kind", choices=list(SPECS), default=None,
                   help="the dataset: mnist (handwritten digits, default) or fashion (Fashion-MNIST)")
    g.add_argument("--data-dir", metavar="DIR", default=None,
                   help="a folder holding the four IDX files (raw or .gz); default: CHAINRULE_DATA, "
                        "the chainrule cache, then a download")


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
  chainrule train --net simpleconv --out runs/cnn
      (chapter 7's SimpleConvNet for 20 epochs; the book reports about 98.8% test accuracy)

Writes to the output folder: model.npz (chainrule evaluate / predict read it),
history.json and history.csv (loss per iteration, accuracies per epoch),
accuracy.png and loss.png (with matplotlib), all at once: the folder holds a
complete run or nothing. Ctrl-C, SIGTERM or SIGHUP stops early and still saves
what was learned (exit status 128 + the signal's number: 130 for Ctrl-C). A loss
that is not finite (a learning rate too high) stops training, saves the last
network with finite weights and exits with status 1.
"""


def train_parser(sub):
    p = sub.add_parser("train", help="train a network on MNIST (the book's run by default)",
                       description="Train a network on MNIST with backpropagation and save the model, "
                                   "its history and its curves.",
                       epilog=TRAIN_EPILOG, formatter_class=Formatter)
    g = p.add_argument_group("network")
    from .train import BOOK_RUN

    g.add_argument("--net", choices=("mlp", "simpleconv"), default="mlp",
                   help="mlp: fully connected layers (--hidden; default); simpleconv: chapter 7's SimpleConvNet "
                        "(conv 30 filters 5x5 - ReLU - pool 2x2 - 100 - 10) with the book's train_convnet.py "
                        "settings: Adam, lr 0.001, minibatches of 100, 20 epochs")
    g.add_argument("--hidden", type=positive_int, nargs="+", default=[BOOK_RUN["hidden"]], metavar="N",
                   help="hidden layer sizes: one size gives the book's TwoLayerNet (default 50); "
                        "several (e.g. --hidden 100 100) give a MultiLayerNet")
    g.add_argument("--activation", choices=("relu", "sigmoid"), default="relu",
                   help="activation of the hidden layers (default relu)")
    g.add_argument("--weight-init-std", type=init_std, default=None, metavar="STD",
                   help="initial weight scale: a number, 'he' or 'xavier' (default 0.01 for one hidden "
                        "layer as in the book, He for ReLU / Xavier for sigmoid otherwise)")
    g.add_argument("--weight-decay", type=non_negative_float, default=0.0, metavar="LAMBDA",
                   help="L2 weight decay lambda (MultiLayerNet; default 0)")
    g.add_argument("--dtype", choices=("float32", "float64"), default=BOOK_RUN["dtype"],
                   help="floating type of the network (default float32: fast; float64 is the book's)")
    g = p.add_argument_group("training")
    from .optimizers import OPTIMIZERS

    g.add_argument("--optimizer", choices=list(OPTIMIZERS), default=None, type=str.lower,
                   help="update rule (default sgd; adam with --net simpleconv)")
    g.add_argument("--lr", type=positive_float, default=None,
                   help="learning rate (default 0.1 for sgd as in the book; the book's default of each "
                        "other optimizer: 0.01, adam 0.001)")
    g.add_argument("--lr-decay", type=decay, default=None, metavar="GAMMA",
                   help="multiply the learning rate by GAMMA (0 < GAMMA <= 1) after every epoch "
                        "(default: constant, as in the book)")
    n = g.add_mutually_exclusive_group()
    n.add_argument("--iters", type=positive_int, default=None, metavar="N",
                   help="number of iterations (minibatches; default 10000, or 20 epochs with --net simpleconv)")
    n.add_argument("--epochs", type=positive_int, default=None, metavar="N",
                   help="number of epochs instead (one epoch = 60000 / batch size iterations)")
    g.add_argument("--batch-size", type=positive_int, default=BOOK_RUN["batch_size"], metavar="N",
                   help="minibatch size (default 100)")
    g.add_argument("--sampling", choices=("shuffle", "choice"), default=BOOK_RUN["sampling"],
                   help="shuffle: every image once per epoch in a new order (default); "
                        "choice: random images with replacement, as the book's np.random.choice")
    g.add_argument("--seed", type=seed, default=None,
                   help="seed for the initial weights and the minibatch order (default: random, "
                        "recorded in history.json); the same seed gives the same run")
    g.add_argument("--eval-samples", type=positive_int, default=None, metavar="N",
                   help="per epoch, measure the accuracies on the first N images of each set only "
                        "(faster; the final accuracies always use all of them)")
    add_data_options(p)
    g = p.add_argument_group("output")
    g.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default runs/<date>-<time>); it must be new or empty, checked "
                        "before training")
    g.add_argument("--force", action="store_true", help="replace the run already in the --out folder")
    g.add_argument("--no-plots", action="store_true", help="do not draw accuracy.png and loss.png")
    g.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no per-epoch lines; only the result")
    return p


def evaluate_parser(sub):
    p = sub.add_parser("evaluate", help="test accuracy and confusion matrix of a saved model",
                       description="Measure a saved model on the test set: accuracy and confusion matrix.",
                       epilog="example:\n  chainrule evaluate runs/20250101-120000/model.npz --plot confusion.png",
                       formatter_class=Formatter)
    p.add_argument("model", metavar="MODEL", help="a model file written by chainrule train (model.npz)")
    add_data_options(p)
    p.add_argument("--plot", metavar="FILE", default=None,
                   help="also draw the confusion matrix to FILE (.png, .svg or .pdf; needs matplotlib)")
    return p


def predict_parser(sub):
    p = sub.add_parser(
        "predict", help="classify your own pictures of digits (PNG, JPEG)",
        description="Classify pictures of handwritten digits with a saved model. Each picture is prepared "
                    "as MNIST's digits were: grayscale, inverted if the background is light, cropped to "
                    "the ink, scaled to 20 px on its longer side and centred by centre of mass in 28x28. "
                    "Needs Pillow (pip install \"chainrule[image]\").",
        epilog="example:\n  chainrule predict runs/20250101-120000/model.npz my_seven.png",
        formatter_class=Formatter)
    p.add_argument("model", metavar="MODEL", help="a model file written by chainrule train (model.npz)")
    p.add_argument("images", metavar="IMAGE", nargs="+", help="picture(s) of one digit each")
    return p


def gradcheck_parser(sub):
    p = sub.add_parser("gradcheck", help="the book's gradient check on 3 MNIST images",
                       description="Section 5.7.3: compare backpropagation's gradients with numerical ones "
                                   "(central differences) for a float64 TwoLayerNet 784-50-10 on the first "
                                   "3 training images. Exit status 0 when they agree.",
                       formatter_class=Formatter)
    add_data_options(p)
    p.add_argument("--seed", type=seed, default=0, help="seed for the network's weights (default 0)")
    return p


def data_parser(sub):
    p = sub.add_parser("data", help="download (or find) and verify MNIST / Fashion-MNIST",
                       description="Get the dataset into the chainrule cache and verify it.",
                       formatter_class=Formatter)
    from .datasets import SPECS

    p.add_argument("--kind", choices=list(SPECS), default="mnist", help="mnist (default) or fashion")
    p.add_argument("--data-dir", "--dir", dest="dir", metavar="DIR", default=None,
                   help="a folder holding the four IDX files to use (raw or .gz)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    return p


def graph_parser(sub):
    p = sub.add_parser("graph", help="draw one of the book's computational graphs",
                       description="Draw a computational graph of chapter 5 with its forward values and "
                                   "backward derivatives.",
                       formatter_class=Formatter)
    from .graph import FIGURES

    p.add_argument("figure", choices=list(FIGURES), help="which graph")
    p.add_argument("--out", metavar="FILE", required=True,
                   help="the file to write: .svg or .png (need graphviz's dot) or .dot")
    return p


def bench_parser(sub):
    p = sub.add_parser("bench", help="time chainrule train against the book's code, PyTorch and scikit-learn "
                                     "(from a source checkout)", add_help=False,
                       description="Runs benchmarks/train_speed.py of the source checkout this chainrule is "
                                   "installed from (pip install -e .), with the options given; "
                                   "'chainrule bench --help' lists them.",
                       formatter_class=Formatter)
    p.add_argument("options", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return p


EXPLORE_EPILOG = """\
examples:
  chainrule explore apple-orange --out apple.html
  chainrule explore runs/<date>-<time>/model.npz --out explore.html

The page is one file: no server, no network; open it in any browser (file://).
"""


def explore_parser(sub):
    from .graph import FIGURES as GRAPH_FIGURES

    p = sub.add_parser("explore", help="write an offline HTML page that shows the chain rule happening",
                       description="Write one self-contained HTML page: step through the book's graphs (forward "
                                   "values above the edges, derivatives below, editable inputs), or draw a digit "
                                   "for a saved model and see its forward pass and the gradient down to the pixels.",
                       epilog=EXPLORE_EPILOG, formatter_class=Formatter)
    p.add_argument("target", nargs="?", default="apple-orange", metavar="FIGURE|MODEL",
                   help=f"one of the book's graphs ({', '.join(GRAPH_FIGURES)}; the page holds all of them and "
                        "opens this one; default apple-orange) or a model file written by chainrule train")
    p.add_argument("--out", metavar="FILE", default="explore.html", help="the page to write (default explore.html)")
    p.add_argument("--images", type=arg_type(int, lambda v: 0 <= v <= 100, "an integer from 0 to 100"),
                   default=10, metavar="N", help="for a model: embed N test images to start from (default 10, "
                                                 "one per class; taken from data already on this computer)")
    p.add_argument("--data-dir", metavar="DIR", default=None, help="a folder holding the four IDX files")
    return p


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


def check_parser(sub):
    from .exercises.messages import LANGUAGES

    p = sub.add_parser("check", help="check your own layers (or TwoLayerNet) against chainrule's: exercise mode",
                       description="Check the book's layers you wrote yourself against chainrule's layers "
                                   "and numerical differentiation.",
                       epilog=CHECK_EPILOG, formatter_class=Formatter)
    p.add_argument("file", metavar="FILE", help="your .py file with the book's layer classes (or a TwoLayerNet)")
    p.add_argument("--network", action="store_true",
                   help="check the file's TwoLayerNet: each parameter's gradient, and the layer where it "
                        "first goes wrong")
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help="language of the report: en, ko, zh or ja (default: from LC_ALL / LC_MESSAGES / LANG)")
    p.add_argument("--seed", type=seed, default=0, help="seed of the random inputs (default 0)")
    return p


def export_parser(sub):
    p = sub.add_parser("export", help="write a saved model as an ONNX graph or PyTorch weights",
                       description="Write a saved model for a bigger engine, then run the written file in that "
                                   "engine on random inputs and compare with chainrule.\n"
                                   "onnx: an ONNX graph (input 'image' (N, 784), outputs 'probabilities' and "
                                   "'label'; needs pip install \"chainrule[onnx]\").\n"
                                   "torch: torch.save(state_dict) to OUT plus OUT's name with .json holding the "
                                   "architecture (needs pip install torch).",
                       epilog="examples:\n  chainrule export runs/20250101-120000/model.npz --to onnx model.onnx\n"
                              "  chainrule export runs/20250101-120000/model.npz --to torch model.pt",
                       formatter_class=Formatter)
    p.add_argument("model", metavar="MODEL", help="a model file written by chainrule train (model.npz)")
    p.add_argument("--to", choices=("onnx", "torch"), required=True, help="the format to write")
    p.add_argument("out", metavar="OUT", help="the file to write (.onnx, or .pt for torch)")
    return p
