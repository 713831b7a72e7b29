"""``chainrule convert``: the book's weight files (``.pkl``) as chainrule model files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import CLIError, Formatter, describe

CONVERT_EPILOG = """\
The book's weight files are pickles of a dict of arrays (W1, b1, W2, ...). They are read
by chainrule's weights-only reader: NumPy arrays, dicts and numbers are rebuilt, a pickle
that names anything else (a function to call) is refused. The network is told by the
arrays' shapes (--net auto): four-dimensional W1 and 3 weights: the SimpleConvNet of
chapter 7; 8 weights: the DeepConvNet of chapter 8 (its padding, on 28x28 images);
two-dimensional weights: a fully connected network, whose activation the file does not
hold (--activation; default relu).

examples:
  chainrule convert ch08/deep_convnet_params.pkl deep.npz && chainrule evaluate deep.npz
  chainrule convert ch07/params.pkl simple.npz
  chainrule convert ch03/sample_weight.pkl ch03.npz --activation sigmoid
      (chapter 3's network: 784-50-100-10 with sigmoid, 93.52% as in the book)

The model file goes to evaluate and predict like a trained one (and, for a fully
connected network, to explore and export).
"""

#: The book's DeepConvNet pads its convolutions so; the weights do not hold it.
_DEEP_PADS = (1, 1, 1, 2, 1, 1)


def add(sub):
    from ..datasets import SPECS

    p = sub.add_parser("convert", help="turn the book's weight file (.pkl) into a chainrule model file",
                       description="Read a weight file of the book (a pickled dict of arrays, such as "
                                   "ch07/params.pkl) with the weights-only reader and write it as a chainrule "
                                   "model file (.npz).",
                       epilog=CONVERT_EPILOG, formatter_class=Formatter)
    p.add_argument("weights", metavar="PKL", help="the book's weight file (its save_params pickle)")
    p.add_argument("out", metavar="OUT", help="the model file to write (.npz)")
    p.add_argument("--net", choices=("auto", "mlp", "simpleconv", "deepconv"), default="auto",
                   help="the network the weights belong to (default: told by their shapes)")
    p.add_argument("--activation", choices=("relu", "sigmoid"), default="relu",
                   help="activation of a fully connected network's hidden layers (default relu; chapter 3's "
                        "sample_weight.pkl is sigmoid)")
    p.add_argument("--kind", choices=list(SPECS), default="mnist",
                   help="the dataset the weights were trained on, stored with the model (default mnist)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists (a regular file only)")
    p.set_defaults(func=run)
    return p


def run(args):
    from ..io import save
    from ..io.files import check_output
    from ..io.pickles import read_weights

    source = Path(args.weights)
    out = check_output(args.out, force=args.force, inputs=[source], how="--force")  # before any work
    arrays = read_weights(source)
    network = network_from_weights(arrays, args.net, args.activation, source)
    save(network, out, metadata={"kind": args.kind, "converted_from": source.name,
                                 "note": "the book's weights, read as weights only"}, force=args.force)
    shapes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in arrays.items() if k.startswith("W"))
    print(f"read {source}: {len(arrays)} arrays ({shapes}) as weights only")
    print(f"wrote {out}: {describe(network)}; measure it with: chainrule evaluate {out}")
    return 0


def network_from_weights(arrays, net, activation, source):
    """A chainrule network holding ``arrays`` (the book's ``params`` dict), told by their shapes.

    Raises CLIError naming the file when the arrays are not one of the book's networks.
    """
    n = sum(1 for k in arrays if k.startswith("W"))
    names = [f"{p}{i}" for i in range(1, n + 1) for p in "Wb"]
    if n < 2 or sorted(arrays) != sorted(names):
        raise CLIError(f"{source} holds {sorted(arrays)}, not the parameters W1, b1, ..., Wn, bn of one of the "
                       "book's networks")
    ws = [arrays[f"W{i}"] for i in range(1, n + 1)]
    if any(a.dtype.kind != "f" for a in arrays.values()):
        raise CLIError(f"{source}: the parameters must be floating-point arrays")
    dtype = np.result_type(*arrays.values())
    dtype = dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)
    if net == "auto":
        net = ("simpleconv" if n == 3 else "deepconv" if n == 8 else "?") if ws[0].ndim == 4 else "mlp"
        if net == "?":
            raise CLIError(f"{source}: {n} weights with a convolution first are neither the book's SimpleConvNet "
                           "(3) nor its DeepConvNet (8)")
    try:
        network = _build(net, ws, activation, dtype)
        for k in names:
            network.params[k] = arrays[k]
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise CLIError(f"{source}: the weights do not fit {'an' if net == 'mlp' else 'a'} {net} network: "
                       f"{exc}") from None
    return network


def _build(net, ws, activation, dtype):
    from ..convnets import DeepConvNet, SimpleConvNet
    from ..networks import MultiLayerNet, TwoLayerNet

    if net == "mlp":
        if any(w.ndim != 2 for w in ws):
            raise ValueError(f"its weights have shapes {[w.shape for w in ws]}, not (inputs, outputs)")
        hidden = [w.shape[1] for w in ws[:-1]]
        if len(ws) == 2 and activation == "relu":
            return TwoLayerNet(ws[0].shape[0], hidden[0], ws[-1].shape[1], dtype=dtype, rng=0)
        return MultiLayerNet(ws[0].shape[0], hidden, ws[-1].shape[1], activation=activation, dtype=dtype, rng=0)
    first = ws[0]
    if first.ndim != 4 or first.shape[2] != first.shape[3]:
        raise ValueError(f"W1 has shape {first.shape}, not (filters, channels, size, size)")
    if net == "simpleconv":
        conv = {"filter_num": first.shape[0], "filter_size": first.shape[2], "pad": 0, "stride": 1}
        return SimpleConvNet((first.shape[1], 28, 28), conv, ws[1].shape[1], ws[2].shape[1], dtype=dtype, rng=0)
    convs = {f"conv_param_{i + 1}": {"filter_num": w.shape[0], "filter_size": w.shape[2], "pad": _DEEP_PADS[i],
                                     "stride": 1} for i, w in enumerate(ws[:6])}
    return DeepConvNet((first.shape[1], 28, 28), **convs, hidden_size=ws[6].shape[1], output_size=ws[7].shape[1],
                       dtype=dtype, rng=0)
