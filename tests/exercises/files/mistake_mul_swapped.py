"""MulLayer with x and y swapped in backward."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class MulLayer(MulLayer):  # noqa: F811
    def backward(self, dout):
        dx = dout * self.x
        dy = dout * self.y
        return dx, dy
