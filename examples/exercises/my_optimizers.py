"""Exercise: write chapter 6's optimizers yourself, then let chainrule check them.

Fill in each update() below (delete the `raise NotImplementedError` line), then run

    chainrule check my_optimizers.py        (add --lang ko, zh or ja for Korean, Chinese, Japanese)

Each optimizer is made with the book's arguments and its update(params, grads) is called
a few times on the same params dict, with new gradients each step, as a training loop
does; the parameters after every step are compared with chainrule's optimizers. Update
params[key] in place (params[key] -= ...): the network's layers hold those very arrays.
A wrong parameter shows the first step and element that differ and a hint naming the
usual mistake. Delete a class you do not want checked. Use NumPy only.
"""

import numpy as np  # noqa: F401


class SGD:
    """Stochastic gradient descent: W <- W - lr * dW."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        # move every parameter against its gradient, in place
        raise NotImplementedError


class Momentum:
    """Momentum: v <- momentum * v - lr * dW;  W <- W + v."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None  # one velocity per parameter, created at the first update

    def update(self, params, grads):
        # the first time: self.v = {key: zeros of that parameter's shape}; then update v, then the parameter
        raise NotImplementedError


class Nesterov:
    """Nesterov's accelerated gradient (the book's repository, corrected in 2021):
    W <- W + momentum**2 * v - (1 + momentum) * lr * dW;  v <- momentum * v - lr * dW."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        # move the parameter with the velocity of the previous step first, then update the velocity
        raise NotImplementedError


class AdaGrad:
    """AdaGrad: h <- h + dW * dW;  W <- W - lr * dW / (sqrt(h) + 1e-7)."""

    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None  # one sum of squared gradients per parameter

    def update(self, params, grads):
        # the first time: self.h = {key: zeros}; add the squared gradient, then take the step
        raise NotImplementedError


class RMSprop:
    """RMSprop: h <- decay_rate * h + (1 - decay_rate) * dW * dW;  W <- W - lr * dW / (sqrt(h) + 1e-7)."""

    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        # a moving average of the squared gradients instead of AdaGrad's sum
        raise NotImplementedError


class Adam:
    """Adam, in the book's form: iter <- iter + 1;  lr_t = lr * sqrt(1 - beta2**iter) / (1 - beta1**iter);
    m <- m + (1 - beta1) * (dW - m);  v <- v + (1 - beta2) * (dW**2 - v);  W <- W - lr_t * m / (sqrt(v) + 1e-7)."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        # count this update once (not once per parameter), then update m, v and every parameter
        raise NotImplementedError
