"""SoftmaxWithLoss whose backward is missing the / batch_size."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class SoftmaxWithLoss(SoftmaxWithLoss):  # noqa: F811
    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            return self.y - self.t
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1
        return dx
