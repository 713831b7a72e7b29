"""BatchNormalization normalizing each sample over its features (axis=1)."""

import numpy as np  # noqa: F401
from correct_chapter6_layers import BatchNormalization, Dropout  # noqa: F401


class BatchNormalization(BatchNormalization):  # noqa: F811
    def _forward(self, x, train_flg):
        out = super()._forward(x, train_flg)
        if not train_flg:
            return out
        xc = x - x.mean(axis=1, keepdims=True)
        xn = xc / np.sqrt(np.mean(xc**2, axis=1, keepdims=True) + 10e-7)
        return self.gamma * xn + self.beta
