"""Momentum with one velocity for every parameter."""

import numpy as np  # noqa: F401
from correct_optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401


class Momentum(Momentum):  # noqa: F811
    def update(self, params, grads):
        if self.v is None:
            self.v = 0
        for key in params.keys():
            self.v = self.momentum * self.v - self.lr * grads[key]
            params[key] += self.v
