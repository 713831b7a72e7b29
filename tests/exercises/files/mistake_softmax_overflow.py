"""SoftmaxWithLoss with a softmax that does not subtract the maximum: exp(1000) overflows."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class SoftmaxWithLoss(SoftmaxWithLoss):  # noqa: F811
    def forward(self, x, t):
        self.t = t
        self.y = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
        batch_size = x.shape[0]
        labels = t.argmax(axis=1) if t.size == self.y.size else t
        self.loss = -np.sum(np.log(self.y[np.arange(batch_size), labels] + 1e-7)) / batch_size
        return self.loss
