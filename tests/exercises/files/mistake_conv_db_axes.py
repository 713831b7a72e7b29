"""Convolution summing db over the batch only."""

import numpy as np  # noqa: F401
from correct_chapter7 import Convolution, Pooling, col2im, im2col  # noqa: F401


class Convolution(Convolution):  # noqa: F811
    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        self.db = np.sum(dout, axis=0)
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW)
        dcol = np.dot(dout, self.col_W.T)
        dx = col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)
        return dx
