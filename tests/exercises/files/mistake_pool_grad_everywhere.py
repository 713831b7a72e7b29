"""Pooling sending the gradient to every position of the window."""

import numpy as np  # noqa: F401
from correct_chapter7 import Convolution, Pooling, col2im, im2col  # noqa: F401


class Pooling(Pooling):  # noqa: F811
    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dcol = np.repeat(dout.reshape(-1, 1), pool_size, axis=1)
        dcol = dcol.reshape(-1, pool_size * dout.shape[3])
        dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
        return dx
