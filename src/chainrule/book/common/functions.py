"""``common.functions``: chainrule's functions under the book's module name."""

# What `from common.X import *` gives with the book's module: its own imports too (scripts rely on `np`).
import numpy as np  # noqa: F401

from chainrule.functions import (  # noqa: F401
    cross_entropy_error,
    identity_function,
    mean_squared_error,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_loss,
    step_function,
    sum_squared_error,
)
