"""AdaGrad with one h for every parameter."""

import numpy as np  # noqa: F401
from correct_optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401


class AdaGrad(AdaGrad):  # noqa: F811
    def update(self, params, grads):
        if self.h is None:
            self.h = 0
        for key in params.keys():
            self.h = self.h + grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h) + 1e-7)
