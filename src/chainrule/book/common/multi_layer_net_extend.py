"""``common.multi_layer_net_extend``: chainrule's MultiLayerNetExtend under the book's module name."""

# What `from common.X import *` gives with the book's module: its own imports too (scripts rely on `np`).
import os  # noqa: F401
import sys  # noqa: F401
from collections import OrderedDict  # noqa: F401

import numpy as np  # noqa: F401

from chainrule import Affine, BatchNormalization, Convolution, Dropout, Pooling, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401
from chainrule.functions import *  # noqa: F401,F403
from chainrule.gradient import numerical_gradient  # noqa: F401
from chainrule.networks_extend import MultiLayerNetExtend  # noqa: F401
