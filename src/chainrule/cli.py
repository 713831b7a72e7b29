"""The ``chainrule`` command: train, evaluate, predict here; gradcheck, data, graph, explore, bench,
check and export in :mod:`chainrule._cli_tools`.

Every subcommand is a pair of functions: ``_add_<name>(subparsers)`` builds its
parser (the options and help texts are in ``_cli_args``) and ``_run_<name>(args) -> int``
does the work; these modules (with ``_cli_common``) are the only ones that print. Errors a user can cause
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
import signal
import sys
from pathlib import Path

import numpy as np

from . import _cli_tools as _tools
from ._cli_args import PROG, evaluate_parser, predict_parser, train_parser
from ._cli_args import Formatter as _Formatter
from ._cli_args import Parser as _Parser
from ._cli_common import CLIError
from ._cli_common import class_names as _class_names
from ._cli_common import deferred_warnings as _warnings
from ._cli_common import describe as _describe
from ._cli_common import load_data as _load_data
from ._cli_common import load_model as _load_model
from ._cli_common import one_line as _one_line
from ._cli_common import os_message as _os_message
from ._cli_common import title as _title

__all__ = ["CLIError", "build_parser", "main"]

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a command whose reader went away


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


def _mlp_only_options(args):
    """The options that shape a MultiLayerNet, as given (not at their defaults)."""
    from .train import BOOK_RUN

    given = {"--hidden": args.hidden != [BOOK_RUN["hidden"]], "--activation": args.activation != "relu",
             "--weight-init-std": args.weight_init_std is not None, "--weight-decay": args.weight_decay != 0}
    return [name for name, on in given.items() if on]


def _run_train(args):
    from ._runs import release_folder, reserve_folder, stop_signals_as_ctrl_c

    if args.net == "simpleconv" and _mlp_only_options(args):
        raise CLIError(f"{', '.join(_mlp_only_options(args))} shape(s) the MLP and mean nothing with --net simpleconv "
                       "(the book's SimpleConvNet has its own fixed layers)")
    out = Path(args.out) if args.out else _new_run_dir()
    created = reserve_folder(out, replace=args.force)  # before anything is loaded or trained
    try:
        with stop_signals_as_ctrl_c([]) as received:  # SIGTERM, SIGHUP: what Ctrl-C does at that moment
            return _train_and_save(args, out, received)
    except BaseException:
        if created:
            release_folder(out)  # if still empty
        raise


def _train_and_save(args, out, received):
    from ._runs import deferred_signals, save_run, stop_signals_as_ctrl_c
    from .metrics import EVAL_CHUNK
    from .optimizers import make_optimizer
    from .train import BOOK_RUN, Trainer, TrainingDiverged

    kind = args.kind or "mnist"
    run = BOOK_RUN
    if args.net == "simpleconv":  # the book's ch07/train_convnet.py settings
        from .convnets import SIMPLECONV_RUN as run
    args.optimizer = args.optimizer or run["optimizer"]
    lr = args.lr if args.lr is not None else (run["lr"] if args.optimizer == run["optimizer"] else None)
    optimizer = make_optimizer(args.optimizer, **({} if lr is None else {"lr": lr}))
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
    diverged = None
    # From here on no signal raises: Ctrl-C stops training cleanly (the Trainer's handler), SIGTERM
    # and SIGHUP do the same, and whatever arrives after training waits until the run is saved.
    with deferred_signals() as late:
        with stop_signals_as_ctrl_c(received):
            try:
                history = trainer.train()
            except TrainingDiverged as exc:
                history, diverged = exc.history, exc
        n_test, iter_per_epoch = len(x_test), trainer.iter_per_epoch
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
            print(_accuracy_line(history.final_test_acc, n_test)
                  + f"; train accuracy: {history.final_train_acc:.4f}")
        print(f"{history.iterations_done} iterations ({_epochs(history.iterations_done / iter_per_epoch)}) "
              f"in {history.total_seconds:.1f} s")
        print(f"saved to {out}/: {' '.join(written)}")
        if note:
            print(note)
        code = 0
        if history.interrupted:
            how = f"stopped by {signal.Signals(received[0]).name}" if received else "interrupted"
            print(f"{PROG}: {how} after {history.iterations_done} of {history.iterations} iterations; "
                  "saved what was learned", file=sys.stderr)
            code = 128 + received[0] if received else EXIT_INTERRUPTED
        if late:
            print(f"{PROG}: interrupted while saving; the run was saved completely first: {out}", file=sys.stderr)
            code = code or 128 + late[0]
        if diverged is not None:
            weights = (f"the saved model is the network of iteration {history.kept_iteration} (the last with finite "
                       "weights)" if history.kept_iteration is not None else "the weights were never finite")
            print(f"{PROG}: error: training diverged: the loss of iteration {history.diverged} is "
                  f"{history.loss[history.diverged - 1]}; {weights}; try a smaller --lr", file=sys.stderr)
            code = code or 1
        return code


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
    x_test = x_test.reshape(len(x_test), -1)
    shape = _image_shape(network)
    if x_test.shape[1] != int(np.prod(shape)):
        raise CLIError(f"{args.model} expects {'x'.join(map(str, shape))} inputs per image but {_title(kind)} "
                       f"images have {x_test.shape[1]} pixels")
    x_test = x_test.reshape(len(x_test), *shape)
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
    failed = 0
    for path in args.images:
        try:  # a picture that cannot be read is reported on its own line; the others are still classified
            digit = read_digit(path)
        except (OSError, ValueError) as exc:
            message = str(exc) if not isinstance(exc, OSError) or not exc.filename else _os_message(exc)
            print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr, flush=True)
            failed += 1
            continue
        x = digit.reshape(1, *shape).astype(network.dtype) * network.dtype.type(1 / 255)
        with np.errstate(over="ignore", invalid="ignore"):
            p = softmax(network.predict(x))[0]
        if not np.isfinite(p).all():
            print(f"{PROG}: error: {path}: {args.model} gives no finite probabilities for it", file=sys.stderr)
            failed += 1
            continue
        k = int(np.argmax(p))
        print(f"{path}: {names[k]} ({p[k]:.1%})")
        cells = [f"{names[i]}: {p[i]:.4f}" for i in range(len(p))]
        for start in range(0, len(cells), 5):
            print("    " + "  ".join(cells[start:start + 5]))
    return 1 if failed else 0


# Subcommands, in the order ``chainrule --help`` lists them. To add one, write ``_add_<name>(sub)``
# that builds its parser with ``set_defaults(func=...)`` and list it here.
SUBCOMMANDS = [_add_train, _add_evaluate, _add_predict, _tools.add_gradcheck, _tools.add_data, _tools.add_graph,
               _tools.add_bench, _tools.add_explore, _tools.add_check, _tools.add_export]


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
    try:
        return _main(argv)
    except KeyboardInterrupt:  # while the parser is built, or the handlers are set up
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # every option belongs to the benchmark script
        args = argparse.Namespace(func=_tools.run_bench, options=argv[1:])
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
    level = logger.level
    logger.setLevel(logging.INFO)  # a dataset fetched from the network is announced (INFO)
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
        for line in getattr(exc, "details", ()):
            print(f"  {line}", file=sys.stderr)
        return 1
    finally:
        logger.removeHandler(_warnings)
        logger.setLevel(level)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
