"""Dropout whose backward lets every gradient through."""

import numpy as np  # noqa: F401
from correct_chapter6_layers import BatchNormalization, Dropout  # noqa: F401


class Dropout(Dropout):  # noqa: F811
    def backward(self, dout):
        return dout
