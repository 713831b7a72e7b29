"""Dropout that does not scale in test mode."""

import numpy as np  # noqa: F401
from correct_chapter6_layers import BatchNormalization, Dropout  # noqa: F401


class Dropout(Dropout):  # noqa: F811
    def forward(self, x, train_flg=True):
        if train_flg:
            return super().forward(x, True)
        return x
