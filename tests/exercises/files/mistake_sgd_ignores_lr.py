"""SGD ignoring the lr it is given (the default hard-coded)."""

import numpy as np  # noqa: F401
from correct_optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401


class SGD(SGD):  # noqa: F811
    def __init__(self, lr=0.01):
        self.lr = 0.01
