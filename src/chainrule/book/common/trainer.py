"""``common.trainer``: chainrule's Trainer under the book's module name."""

# What `from common.X import *` gives with the book's module: its own imports too (scripts rely on `np`).
import os  # noqa: F401
import sys  # noqa: F401

import numpy as np  # noqa: F401

from chainrule.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401
from chainrule.train import Trainer  # noqa: F401
