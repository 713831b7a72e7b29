"""BatchNormalization with momentum on the wrong term of the running averages."""

import numpy as np  # noqa: F401
from correct_chapter6_layers import BatchNormalization, Dropout  # noqa: F401


class BatchNormalization(BatchNormalization):  # noqa: F811
    def _forward(self, x, train_flg):
        if self.running_mean is None:
            self.running_mean, self.running_var = np.zeros(x.shape[1]), np.zeros(x.shape[1])
        mean, var = self.running_mean, self.running_var
        out = super()._forward(x, train_flg)
        if train_flg:
            mu = x.mean(axis=0)
            self.running_mean = (1 - self.momentum) * mean + self.momentum * mu
            self.running_var = (1 - self.momentum) * var + self.momentum * np.mean((x - mu)**2, axis=0)
        return out
