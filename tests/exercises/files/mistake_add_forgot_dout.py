"""AddLayer that forgot dout: returns the local derivative 1 alone."""

import numpy as np  # noqa: F401
from correct_layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class AddLayer(AddLayer):  # noqa: F811
    def backward(self, dout):
        dx = 1
        dy = 1
        return dx, dy
