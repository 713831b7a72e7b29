"""Relu as printed in the book: backward writes into the dout it is given."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class Relu(Relu):  # noqa: F811
    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx
