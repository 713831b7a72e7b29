"""``chainrule evaluate``: a saved model's test accuracy and confusion matrix."""

from __future__ import annotations

import numpy as np

from . import common  # common.load_data: the one place data is loaded (tests stand in for it)
from .common import (
    CLIError,
    Formatter,
    accuracy_line,
    add_data_options,
    class_names,
    describe,
    image_shape,
    load_model,
    title,
)


def add(sub):
    p = sub.add_parser("evaluate", help="test accuracy and confusion matrix of a saved model",
                       description="Measure a saved model on the test set: accuracy and confusion matrix.",
                       epilog="example:\n  chainrule evaluate runs/20250101-120000/model.npz --plot confusion.png",
                       formatter_class=Formatter)
    p.add_argument("model", metavar="MODEL", help="a model file written by chainrule train (model.npz)")
    add_data_options(p)
    p.add_argument("--plot", metavar="FILE", default=None,
                   help="also draw the confusion matrix to FILE (.png, .svg or .pdf; needs matplotlib)")
    p.add_argument("--force", action="store_true", help="replace the --plot file if it exists")
    p.set_defaults(func=run)
    return p


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


def run(args):
    from ..datasets import SPECS
    from ..io.files import check_output
    from ..train.metrics import EVAL_CHUNK, confusion_matrix, predict_labels

    if args.plot:
        check_output(args.plot, force=args.force, inputs=(args.model,), how="--force")
    network, meta = load_model(args.model)
    kind = args.kind or meta.get("kind") or "mnist"
    if not isinstance(kind, str) or kind not in SPECS:
        raise CLIError(f"{args.model} says its images are {kind!r}, a dataset chainrule does not know: choose one "
                       f"with --kind ({' or '.join(SPECS)})")
    _, (x_test, t_test) = common.load_data(kind, args.data_dir, progress=True)
    x_test = x_test.reshape(len(x_test), -1)
    shape = image_shape(network)
    if x_test.shape[1] != int(np.prod(shape)):
        raise CLIError(f"{args.model} expects {'x'.join(map(str, shape))} inputs per image but {title(kind)} "
                       f"images have {x_test.shape[1]} pixels")
    x_test = x_test.reshape(len(x_test), *shape)
    pred = predict_labels(network, x_test, chunk_size=500 if x_test.ndim == 4 else EVAL_CHUNK)
    n_classes = network.config["output_size"]
    cm = confusion_matrix(t_test, pred, n_classes)
    acc = float(np.trace(cm)) / len(t_test)
    names = class_names(kind, n_classes)
    print(f"{args.model}: {describe(network)}, {title(kind)} test set")
    print(accuracy_line(acc, len(t_test)))
    print()
    print(_confusion_table(cm, names))
    if args.plot:
        from ..train.plot import confusion_matrix_figure

        confusion_matrix_figure(cm, args.plot, labels=names, title=f"{title(kind)} test set: accuracy {acc:.4f}",
                                force=args.force)
        print(f"saved {args.plot}")
    return 0
