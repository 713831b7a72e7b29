"""Dropout keeping a fraction dropout_ratio instead of dropping it."""

import numpy as np  # noqa: F401
from correct_chapter6_layers import BatchNormalization, Dropout  # noqa: F401


class Dropout(Dropout):  # noqa: F811
    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) < self.dropout_ratio  # noqa: NPY002 (the book's draw)
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)
