"""``chainrule train``: train a network on MNIST (the book's run by default) and save the run."""

from __future__ import annotations

import datetime
import secrets
import signal
import sys
from pathlib import Path

import numpy as np

from . import common  # common.load_data: the one place data is loaded (tests stand in for it)
from .common import (
    PROG,
    CLIError,
    Formatter,
    add_data_options,
    as_images,
    decay,
    describe,
    init_std,
    non_negative_float,
    positive_float,
    positive_int,
    seed,
    title,
)
from .messages import SAY

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
  chainrule train --net deepconv --out runs/deep
      (chapter 8's DeepConvNet as its train_deepnet.py: 20 epochs of Adam; the book reports over 99%)

Writes to the output folder: model.npz (chainrule evaluate / predict read it),
history.json and history.csv (loss per iteration, accuracies per epoch),
accuracy.png and loss.png (with matplotlib), all at once: the folder holds a
complete run or nothing. Ctrl-C, SIGTERM or SIGHUP stops early and still saves
what was learned (exit status 128 + the signal's number: 130 for Ctrl-C). A loss
that is not finite (a learning rate too high) stops training, saves the last
network with finite weights and exits with status 1.
"""


def add(sub):
    p = sub.add_parser("train", help="train a network on MNIST (the book's run by default)",
                       description="Train a network on MNIST with backpropagation and save the model, "
                                   "its history and its curves.",
                       epilog=TRAIN_EPILOG, formatter_class=Formatter)
    g = p.add_argument_group("network")
    from ..train import BOOK_RUN

    g.add_argument("--net", choices=("mlp", "simpleconv", "deepconv"), default="mlp",
                   help="mlp: fully connected layers (--hidden; default); simpleconv: chapter 7's SimpleConvNet "
                        "(conv 30 filters 5x5 - ReLU - pool 2x2 - 100 - 10) with the book's train_convnet.py "
                        "settings: Adam, lr 0.001, minibatches of 100, 20 epochs; deepconv: chapter 8's "
                        "DeepConvNet (6 convolutions 3x3, 3 poolings, 50 - dropout - 10 - dropout) with its "
                        "train_deepnet.py settings: the same, each epoch measured on 1000 images of each set")
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
    from ..optimizers import OPTIMIZERS

    g.add_argument("--optimizer", choices=list(OPTIMIZERS), default=None, type=str.lower,
                   help="update rule (default sgd; adam with --net simpleconv or deepconv)")
    g.add_argument("--lr", type=positive_float, default=None,
                   help="learning rate (default 0.1 for sgd as in the book; the book's default of each "
                        "other optimizer: 0.01, adam 0.001)")
    g.add_argument("--lr-decay", type=decay, default=None, metavar="GAMMA",
                   help="multiply the learning rate by GAMMA (0 < GAMMA <= 1) after every epoch "
                        "(default: constant, as in the book)")
    n = g.add_mutually_exclusive_group()
    n.add_argument("--iters", type=positive_int, default=None, metavar="N",
                   help="number of iterations (minibatches; default 10000, or 20 epochs with --net simpleconv or "
                        "deepconv)")
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
                        "(faster; the final accuracies always use all of them; default all, 1000 with --net "
                        "deepconv as in the book)")
    add_data_options(p)
    g = p.add_argument_group("output")
    g.add_argument("--out", metavar="DIR", default=None,
                   help="output folder (default runs/<date>-<time>); it must be new or empty, checked "
                        "before training")
    g.add_argument("--force", action="store_true", help="replace the run already in the --out folder")
    g.add_argument("--no-plots", action="store_true", help="do not draw accuracy.png and loss.png")
    g.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar and no per-epoch lines; only the result")
    p.set_defaults(func=run)
    return p


def _new_run_dir(base="runs"):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(base) / stamp
    k = 2
    while path.exists():
        path = Path(base) / f"{stamp}-{k}"
        k += 1
    return path


def _build_network(args, input_size, output_size, rng):
    from ..networks import MultiLayerNet, TwoLayerNet
    from ..train import BOOK_RUN

    dtype = np.dtype(args.dtype)
    if args.net == "simpleconv":
        from ..convnets import SIMPLECONV_RUN, SimpleConvNet

        side = int(round(np.sqrt(input_size)))
        return SimpleConvNet((1, side, side), SIMPLECONV_RUN["conv_param"], SIMPLECONV_RUN["hidden_size"],
                             output_size, SIMPLECONV_RUN["weight_init_std"], dtype=dtype, rng=rng)
    if args.net == "deepconv":
        from ..convnets import DeepConvNet

        side = int(round(np.sqrt(input_size)))
        return DeepConvNet((1, side, side), output_size=output_size, dtype=dtype, rng=rng)
    if len(args.hidden) == 1 and args.activation == "relu" and args.weight_decay == 0 \
            and not isinstance(args.weight_init_std, str):
        std = BOOK_RUN["weight_init_std"] if args.weight_init_std is None else args.weight_init_std
        return TwoLayerNet(input_size, args.hidden[0], output_size, weight_init_std=std, dtype=dtype, rng=rng)
    std = args.activation if args.weight_init_std is None else args.weight_init_std
    return MultiLayerNet(input_size, args.hidden, output_size, activation=args.activation,
                         weight_init_std=std, weight_decay_lambda=args.weight_decay, dtype=dtype, rng=rng)


def _mlp_only_options(args):
    """The options that shape a MultiLayerNet, as given (not at their defaults)."""
    from ..train import BOOK_RUN

    given = {"--hidden": args.hidden != [BOOK_RUN["hidden"]], "--activation": args.activation != "relu",
             "--weight-init-std": args.weight_init_std is not None, "--weight-decay": args.weight_decay != 0}
    return [name for name, on in given.items() if on]


def run(args):
    from ..train.runs import release_folder, reserve_folder
    from ..train.stop import interrupting

    if args.net != "mlp" and _mlp_only_options(args):
        name = "SimpleConvNet" if args.net == "simpleconv" else "DeepConvNet"
        raise CLIError(SAY.text("train.mlp_options", None, options=", ".join(_mlp_only_options(args)), net=args.net,
                                network=name))
    out = Path(args.out) if args.out else _new_run_dir()
    created = reserve_folder(out, replace=args.force)  # before anything is loaded or trained
    try:
        with interrupting():  # SIGTERM, SIGHUP: an interruption, as Ctrl-C, until training starts
            return _train_and_save(args, out)
    except BaseException:
        if created:
            release_folder(out)  # if still empty
        raise


def _epochs(n):
    return SAY.text("epochs.one") if n == 1 else SAY.text("epochs.many", None, n=f"{n:.4g}")


def _train_and_save(args, out):
    from ..optimizers import make_optimizer
    from ..train import BOOK_RUN, Trainer, TrainingDiverged
    from ..train.metrics import EVAL_CHUNK
    from ..train.runs import save_run
    from ..train.stop import deferred_signals, stop_on_signals

    kind = args.kind or "mnist"
    run = BOOK_RUN
    if args.net == "simpleconv":  # the book's ch07/train_convnet.py settings
        from ..convnets import SIMPLECONV_RUN as run
    elif args.net == "deepconv":  # the book's ch08/train_deepnet.py settings
        from ..convnets import DEEPCONV_RUN as run
    args.optimizer = args.optimizer or run["optimizer"]
    lr = args.lr if args.lr is not None else (run["lr"] if args.optimizer == run["optimizer"] else None)
    optimizer = make_optimizer(args.optimizer, **({} if lr is None else {"lr": lr}))
    (x_train, t_train), (x_test, t_test) = common.load_data(kind, args.data_dir, progress=not args.quiet)
    x_train = x_train.reshape(len(x_train), -1)
    x_test = x_test.reshape(len(x_test), -1)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**32)
    rng = np.random.default_rng(seed)
    n_classes = int(max(t_train.max(), t_test.max())) + 1
    network = _build_network(args, x_train.shape[1], n_classes, rng)
    x_train, x_test = as_images(network, x_train, "the network"), as_images(network, x_test, "the network")
    iters = args.iters if args.iters is not None or args.epochs is not None else run.get("iters")
    epochs = args.epochs if args.iters is not None or args.epochs is not None else run.get("epochs")
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=epochs, mini_batch_size=args.batch_size,
                      optimizer=optimizer, evaluate_sample_num_per_epoch=args.eval_samples or run.get("eval_samples"),
                      verbose=not args.quiet, iters=iters, sampling=args.sampling, rng=rng,
                      progress=False if args.quiet else None, lr_decay=args.lr_decay,
                      eval_chunk_size=run.get("eval_chunk_size", EVAL_CHUNK))
    if not args.quiet:
        sample = trainer.evaluate_sample_num_per_epoch
        print(SAY.text("train.start", None, network=describe(network), dataset=title(kind), images=len(x_train),
                       optimizer=repr(optimizer), batch=args.batch_size, iterations=trainer.max_iter,
                       epochs=_epochs(trainer.epochs), sampling=args.sampling, seed=seed)
              + ("" if sample is None else SAY.text("train.measured", None, n=sample)), flush=True)
    start_lr = optimizer.lr
    diverged = None
    # From here on no signal raises: Ctrl-C, SIGTERM and SIGHUP stop training cleanly (trainer.stop),
    # and whatever arrives after training waits until the run is saved.
    with deferred_signals() as late:
        with stop_on_signals(trainer):
            try:
                history = trainer.train()
            except TrainingDiverged as exc:
                history, diverged = exc.history, exc
        n_test, iter_per_epoch, stopped_by = len(x_test), trainer.iter_per_epoch, trainer.stop_reason
        # The images are not needed any more. Freed now, before the plots, matplotlib's tens of MB
        # do not come on top of them (chainrule train with its defaults peaks near 110 MB, not 190).
        del trainer, x_train, t_train, x_test, t_test
        history.config.update({"kind": kind, "seed": seed, "network": network.config, "optimizer": args.optimizer,
                               "lr": start_lr, "command": " ".join([PROG, *getattr(args, "argv", [])])})
        kept = history.iterations_done if diverged is None else history.kept_iteration
        meta = {"kind": kind, "input": "uint8 pixels / 255", "test_acc": history.final_test_acc,
                "train_acc": history.final_train_acc, "iterations": kept, "seed": seed,
                "interrupted": history.interrupted}
        written, note = save_run(out, network, history, meta, plots=not args.no_plots, replace=args.force)
        if history.final_test_acc is not None:
            acc = history.final_test_acc
            print(SAY.text("train.result", None, test=f"{acc:.4f}", correct=round(acc * n_test), n=n_test,
                           train=f"{history.final_train_acc:.4f}"))
        print(SAY.text("train.time", None, iterations=history.iterations_done,
                       epochs=_epochs(history.iterations_done / iter_per_epoch),
                       seconds=f"{history.total_seconds:.1f}"))
        print(SAY.text("train.saved", None, folder=out, files=" ".join(written)))
        if note:
            print(note)
        code = 0
        if history.interrupted:
            signum = stopped_by if isinstance(stopped_by, signal.Signals) else signal.SIGINT
            stop = {"done": history.iterations_done, "total": history.iterations}
            how = SAY.text("train.interrupted", None, **stop) if signum == signal.SIGINT \
                else SAY.text("train.stopped_by", None, signal=signum.name, **stop)
            print(f"{PROG}: {how}", file=sys.stderr)
            code = 128 + signum
        if late:
            print(f"{PROG}: {SAY.text('train.late', None, folder=out)}", file=sys.stderr)
            code = code or 128 + late[0]
        if diverged is not None:
            said = SAY.text("train.diverged_kept" if history.kept_iteration is not None else "train.diverged_never",
                            None, iteration=history.diverged, loss=history.loss[history.diverged - 1],
                            kept=history.kept_iteration)
            print(f"{PROG}: error: {said}", file=sys.stderr)
            code = code or 1
        return code
