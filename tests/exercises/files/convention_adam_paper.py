"""Adam in the paper's form (bias-corrected m and v, epsilon added last): right."""

import numpy as np  # noqa: F401
from correct_optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401


class Adam(Adam):  # noqa: F811
    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = {}, {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)
                self.v[key] = np.zeros_like(val)
        self.iter += 1
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key]**2 - self.v[key])
            m_hat = self.m[key] / (1 - self.beta1**self.iter)
            v_hat = self.v[key] / (1 - self.beta2**self.iter)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-7)
