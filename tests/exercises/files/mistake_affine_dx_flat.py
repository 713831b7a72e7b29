"""Affine that flattens a 4-D input but returns dx flat."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class Affine(Affine):  # noqa: F811
    def backward(self, dout):
        dx = super().backward(dout)
        return dx.reshape(dx.shape[0], -1)
