"""``common.trainer``: the book's Trainer behaviour (chainrule's BookTrainer) under the book's names."""

# What `from common.X import *` gives with the book's module: its own imports too (scripts rely on `np`).
import os  # noqa: F401
import sys  # noqa: F401

import numpy as np  # noqa: F401

from chainrule.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401
from chainrule.train import BookTrainer as Trainer  # noqa: F401
