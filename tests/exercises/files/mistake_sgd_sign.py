"""SGD stepping uphill (params += lr * grad)."""

import numpy as np  # noqa: F401
from correct_optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401


class SGD(SGD):  # noqa: F811
    def update(self, params, grads):
        for key in params.keys():
            params[key] += self.lr * grads[key]
