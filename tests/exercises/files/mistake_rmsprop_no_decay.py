"""RMSprop whose old average never decays."""

import numpy as np  # noqa: F401
from correct_optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401


class RMSprop(RMSprop):  # noqa: F811
    def update(self, params, grads):
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)
        for key in params.keys():
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)
