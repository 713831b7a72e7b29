"""AdaGrad adding the squared gradient after the step."""

import numpy as np  # noqa: F401
from correct_optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401


class AdaGrad(AdaGrad):  # noqa: F811
    def update(self, params, grads):
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)
        for key in params.keys():
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)
            self.h[key] += grads[key] * grads[key]
