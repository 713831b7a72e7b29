"""Nesterov without the (1 + momentum) factor of the gradient step."""

import numpy as np  # noqa: F401
from correct_optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401


class Nesterov(Nesterov):  # noqa: F811
    def update(self, params, grads):
        if self.v is None:
            self.v = {}
            for key, val in params.items():
                self.v[key] = np.zeros_like(val)
        for key in params.keys():
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= self.lr * grads[key]
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]
