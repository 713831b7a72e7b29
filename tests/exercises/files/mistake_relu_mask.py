"""Relu whose mask points the wrong way (x > 0 instead of x <= 0)."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class Relu(Relu):  # noqa: F811
    def forward(self, x):
        self.mask = (x > 0)
        out = x.copy()
        out[self.mask] = 0
        return out
