"""``chainrule predict``: classify your own pictures of digits with a saved model."""

from __future__ import annotations

import sys

import numpy as np

from .common import PROG, CLIError, Formatter, class_names, image_shape, load_model, one_line, os_message


def add(sub):
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
    p.set_defaults(func=run)
    return p


def run(args):
    from ..datasets import read_digit
    from ..functions import softmax

    network, meta = load_model(args.model)
    shape = image_shape(network)
    if int(np.prod(shape)) != 28 * 28:
        raise CLIError(f"{args.model} expects {'x'.join(map(str, shape))} inputs, not a 28x28 picture")
    names = class_names(meta.get("kind"), network.config["output_size"])
    failed = 0
    for path in args.images:
        try:  # a picture that cannot be read is reported on its own line; the others are still classified
            digit = read_digit(path)
        except (OSError, ValueError) as exc:
            message = str(exc) if not isinstance(exc, OSError) or not exc.filename else os_message(exc)
            print(f"{PROG}: error: {one_line(message)}", file=sys.stderr, flush=True)
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
