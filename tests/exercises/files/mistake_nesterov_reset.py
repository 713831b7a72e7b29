"""Nesterov whose velocity starts from zero at every update."""

import numpy as np  # noqa: F401
from correct_optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401


class Nesterov(Nesterov):  # noqa: F811
    def update(self, params, grads):
        self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= (1 + self.momentum) * self.lr * grads[key]
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]
