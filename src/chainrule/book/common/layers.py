"""``common.layers``: chainrule's layers (and functions, as ``from common.layers import *`` gives them)."""

# What `from common.X import *` gives with the book's module: its own imports too (scripts rely on `np`).
import numpy as np  # noqa: F401

from chainrule import (  # noqa: F401
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Pooling,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
)
from chainrule.functions import *  # noqa: F401,F403
from chainrule.util import col2im, im2col  # noqa: F401
