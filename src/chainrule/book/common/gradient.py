"""``common.gradient``: chainrule's numerical gradient under the book's module name."""

# What `from common.X import *` gives with the book's module: its own imports too (scripts rely on `np`).
import numpy as np  # noqa: F401

from chainrule.gradient import numerical_gradient  # noqa: F401
