"""BatchNormalization whose dgamma is not summed over the batch."""

import numpy as np  # noqa: F401
from correct_chapter6_layers import BatchNormalization, Dropout  # noqa: F401


class BatchNormalization(BatchNormalization):  # noqa: F811
    def _backward(self, dout):
        dx = super()._backward(dout)
        self.dgamma = self.xn * dout
        return dx
