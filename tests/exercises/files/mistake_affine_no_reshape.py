"""Affine that does not flatten a 4-D input."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class Affine(Affine):  # noqa: F811
    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x
        return np.dot(self.x, self.W) + self.b
