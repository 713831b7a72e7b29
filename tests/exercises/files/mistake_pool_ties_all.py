"""Pooling sending the gradient to every tied maximum."""

import numpy as np  # noqa: F401
from correct_chapter7 import Convolution, Pooling, col2im, im2col  # noqa: F401


class Pooling(Pooling):  # noqa: F811
    def forward(self, x):
        out = super().forward(x)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad).reshape(-1, self.pool_h * self.pool_w)
        self.is_max = col == col.max(axis=1, keepdims=True)
        return out

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        dmax = self.is_max * dout.reshape(-1, 1)
        dcol = dmax.reshape(-1, self.pool_h * self.pool_w * dout.shape[3])
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
