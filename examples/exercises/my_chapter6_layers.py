"""Exercise: write chapter 6's Batch Normalization and Dropout yourself, then let chainrule check them.

Fill in each method below (delete the `raise NotImplementedError` line), then run

    chainrule check my_chapter6_layers.py   (add --lang ko, zh or ja for Korean, Chinese, Japanese)

BatchNormalization runs a training step on a 2-D and a 4-D batch (with backward: dx,
dgamma, dbeta), keeps running statistics over three training steps, and normalizes in
test mode with them. Dropout runs in training (its output and dx are judged on your own
random mask: about 1 - dropout_ratio of the elements kept, a new mask at every forward)
and in test mode. Use NumPy only (np.random for the mask, as the book does).
"""

import numpy as np  # noqa: F401


class Dropout:
    """Dropout: in training, each element is dropped (set to 0) with probability dropout_ratio."""

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        # training: draw a new mask (True where kept) and return x * mask;
        # test: nothing is dropped, scale by the fraction kept in training
        raise NotImplementedError

    def backward(self, dout):
        # the gradient flows where the signal did
        raise NotImplementedError


class BatchNormalization:
    """Batch Normalization: each feature normalized over the batch, then out = gamma * xn + beta."""

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None  # 4-D for a convolution layer, 2-D for a fully connected one
        self.running_mean = running_mean  # used in test mode; zeros until the first training step
        self.running_var = running_var
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        # remember x.shape and work on x.reshape(N, -1); training: mu, xc = x - mu, var, std = sqrt(var + 10e-7),
        # xn = xc / std (keep what backward needs) and update the running statistics with momentum;
        # test: normalize with the running statistics. Return gamma * xn + beta in the input's shape.
        raise NotImplementedError

    def backward(self, dout):
        # follow the computational graph back: dbeta, dgamma, dxn, dxc, dstd, dvar, dmu;
        # keep self.dgamma and self.dbeta, and return dx in the input's shape
        raise NotImplementedError
