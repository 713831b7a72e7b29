"""``common.optimizer``: chainrule's optimizers under the book's module name."""

# What `from common.X import *` gives with the book's module: its own imports too (scripts rely on `np`).
import numpy as np  # noqa: F401

from chainrule.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401
