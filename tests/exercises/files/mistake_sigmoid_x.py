"""Sigmoid whose backward uses the input x instead of the output."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class Sigmoid(Sigmoid):  # noqa: F811
    def forward(self, x):
        self.x = x
        return super().forward(x)

    def backward(self, dout):
        return dout * (1.0 - self.x) * self.x
