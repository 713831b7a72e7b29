"""Exercise: write chapter 7's im2col, col2im, Convolution and Pooling yourself, then let chainrule check them.

Fill in each function and method below (delete the `raise NotImplementedError` line), then run

    chainrule check my_chapter7.py          (add --lang ko, zh or ja for Korean, Chinese, Japanese)

Each runs with strides 1 and 2, padding 0 and 1, and a rectangular input and filter
(so that a height and a width swapped show); Pooling also with overlapping windows and
ties. Convolution and Pooling use the im2col and col2im of this file. Use NumPy only.
"""

import numpy as np  # noqa: F401


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """(N, C, H, W) images -> (N*out_h*out_w, C*filter_h*filter_w): one row per window."""
    # out_h = (H + 2*pad - filter_h)//stride + 1 (out_w alike); pad the images with np.pad; copy each
    # window's values into col (N, C, filter_h, filter_w, out_h, out_w); then transpose and reshape
    raise NotImplementedError


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """The backward of im2col: each row added back onto the window it came from (overlaps add up)."""
    # reshape and transpose col back to (N, C, filter_h, filter_w, out_h, out_w), add each part into a padded
    # image, and return the image without its padding
    raise NotImplementedError


class Convolution:
    """Convolution: FN filters W (FN, C, FH, FW) slid over the input with stride and pad, plus b (FN,)."""

    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.x = None
        self.col = None
        self.col_W = None
        self.dW = None
        self.db = None

    def forward(self, x):
        # col = im2col(x, ...); col_W: one column per filter; out = col · col_W + b,
        # reshaped to (N, FN, out_h, out_w)
        raise NotImplementedError

    def backward(self, dout):
        # dout (N, FN, out_h, out_w) into one row per window position; set self.db, self.dW (W's shape),
        # and return dx = col2im(dcol, ...)
        raise NotImplementedError


class Pooling:
    """Max pooling: the largest value of each pool_h x pool_w window, per channel."""

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None
        self.arg_max = None

    def forward(self, x):
        # im2col, one row per window and channel; keep where the maximum of each row is; return the maxima
        # as (N, C, out_h, out_w)
        raise NotImplementedError

    def backward(self, dout):
        # each gradient goes to the position that was its window's maximum, nowhere else; then col2im
        raise NotImplementedError
