"""Exercise: write chapter 5's layers yourself, then let chainrule check them.

Fill in each forward() and backward() below (delete the `raise NotImplementedError`
line), then run

    chainrule check my_layers.py            (add --lang ko, zh or ja for Korean, Chinese, Japanese)

Each layer runs on random inputs and edge cases next to chainrule's own layer and
numerical differentiation; every tensor gets a row: exact / close / wrong, and for a
wrong one the first element that differs and a hint naming the usual mistake.
Layers you have not written yet show as "not implemented yet"; delete a class you
do not want checked. Use NumPy only (and the softmax / cross_entropy_error below).
"""

import numpy as np


def softmax(x):
    """Softmax over the last axis (the book's, made safe for large scores)."""
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    """Mean cross-entropy error over the batch; t one-hot (N, C) or labels (N,)."""
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class MulLayer:
    """Multiplication node: out = x * y."""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        # keep x and y (backward needs them) and return their product
        raise NotImplementedError

    def backward(self, dout):
        # the chain rule: multiply dout by the local derivative of x * y with respect to each input;
        # return dx, dy
        raise NotImplementedError


class AddLayer:
    """Addition node: out = x + y."""

    def __init__(self):
        pass

    def forward(self, x, y):
        # return the sum
        raise NotImplementedError

    def backward(self, dout):
        # the local derivative of x + y is 1 for both inputs; return dx, dy
        raise NotImplementedError


class Relu:
    """ReLU: out = x where x > 0, else 0."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        # keep a boolean mask of the inputs that become 0 (x <= 0) and return the output
        # (do not write into x: copy it first)
        raise NotImplementedError

    def backward(self, dout):
        # pass dout on where the input was positive, 0 where the mask is set
        # (do not write into dout: work on a copy)
        raise NotImplementedError


class Sigmoid:
    """Sigmoid: out = 1 / (1 + exp(-x))."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        # compute the output, keep it in self.out (backward needs it) and return it
        raise NotImplementedError

    def backward(self, dout):
        # the derivative of the sigmoid, written with its output y: y * (1 - y); times dout
        raise NotImplementedError


class Affine:
    """Affine (fully connected) layer: out = x · W + b, with W (D, M) and b (M,)."""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None  # gradient of W, set by backward
        self.db = None  # gradient of b, set by backward

    def forward(self, x):
        # x may be (N, D) or (N, C, H, W): remember x.shape, flatten x to (N, D), keep it in self.x,
        # return x · W + b
        raise NotImplementedError

    def backward(self, dout):
        # dout is (N, M). Set self.dW (shape of W) and self.db (shape of b: b went to every sample),
        # and return dx in the shape the input had
        raise NotImplementedError


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy error: forward(x, t) returns the mean loss."""

    def __init__(self):
        self.loss = None
        self.y = None  # softmax output
        self.t = None  # targets: one-hot (N, C) or labels (N,)

    def forward(self, x, t):
        # keep t, compute self.y = softmax(x) and self.loss = cross_entropy_error(self.y, t); return the loss
        raise NotImplementedError

    def backward(self, dout=1):
        # the gradient of the mean loss with respect to x: softmax output minus target, per sample, over
        # the batch size (for label targets: subtract 1 at each sample's label)
        raise NotImplementedError
