"""``chainrule gradcheck``: the book's gradient check (section 5.7.3) on 3 MNIST images."""

from __future__ import annotations

import numpy as np

from . import common  # common.load_data: the one place data is loaded (tests stand in for it)
from .common import Formatter, add_data_options, describe, seed, title
from .messages import SAY


def add(sub):
    p = sub.add_parser("gradcheck", help="the book's gradient check on 3 MNIST images",
                       description="Section 5.7.3: compare backpropagation's gradients with numerical ones "
                                   "(central differences) for a float64 TwoLayerNet 784-50-10 on the first "
                                   "3 training images. Exit status 0 when they agree.",
                       formatter_class=Formatter)
    add_data_options(p)
    p.add_argument("--seed", type=seed, default=0, help="seed for the network's weights (default 0)")
    p.set_defaults(func=run)
    return p


def run(args):
    from ..gradient import gradient_check
    from ..networks import TwoLayerNet

    kind = args.kind or "mnist"
    (x_train, t_train), _ = common.load_data(kind, args.data_dir, progress=True)
    x = x_train[:3].reshape(3, -1).astype(np.float64) / 255.0
    t = t_train[:3]
    network = TwoLayerNet(x.shape[1], 50, 10, dtype=np.float64, rng=args.seed)
    print(SAY.text("gradcheck.start", None, network=describe(network), dataset=title(kind), labels=t.tolist()),
          flush=True)
    report = gradient_check(network, x, t)
    print(report)
    return 0 if report.ok else 1
