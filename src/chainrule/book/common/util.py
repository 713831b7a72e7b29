"""``common.util``: chainrule.util under the book's module name."""

# What `from common.X import *` gives with the book's module: its own imports too (scripts rely on `np`).
import numpy as np  # noqa: F401

from chainrule.util import col2im, conv_output_size, im2col, shuffle_dataset, smooth_curve  # noqa: F401
