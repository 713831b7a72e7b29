"""Pooling reshaping its output without the transpose."""

import numpy as np  # noqa: F401
from correct_chapter7 import Convolution, Pooling, col2im, im2col  # noqa: F401


class Pooling(Pooling):  # noqa: F811
    def forward(self, x):
        out = super().forward(x)
        N, C, out_h, out_w = out.shape
        return out.transpose(0, 2, 3, 1).reshape(N, C, out_h, out_w)
