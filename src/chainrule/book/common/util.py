"""``common.util``: chainrule.util under the book's module name."""

from chainrule.util import col2im, conv_output_size, im2col, shuffle_dataset, smooth_curve  # noqa: F401
