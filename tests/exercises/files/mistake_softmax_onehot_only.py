"""SoftmaxWithLoss as section 5.6.3 first writes it: one-hot targets only."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class SoftmaxWithLoss(SoftmaxWithLoss):  # noqa: F811
    def forward(self, x, t):
        self.t = t
        c = np.max(x, axis=1, keepdims=True)
        self.y = np.exp(x - c) / np.sum(np.exp(x - c), axis=1, keepdims=True)
        self.loss = -np.sum(t * np.log(self.y + 1e-7)) / x.shape[0]
        return self.loss

    def backward(self, dout=1):
        return (self.y - self.t) / self.t.shape[0]
