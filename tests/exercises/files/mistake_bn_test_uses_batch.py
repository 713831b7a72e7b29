"""BatchNormalization normalizing with the batch's statistics in test mode too."""

import numpy as np  # noqa: F401
from correct_chapter6_layers import BatchNormalization, Dropout  # noqa: F401


class BatchNormalization(BatchNormalization):  # noqa: F811
    def _forward(self, x, train_flg):
        if train_flg:
            return super()._forward(x, True)
        xc = x - x.mean(axis=0)
        xn = xc / np.sqrt(np.mean(xc**2, axis=0) + 10e-7)
        return self.gamma * xn + self.beta
