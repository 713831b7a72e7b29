"""Exercise: build chapter 5's TwoLayerNet on your own layers (my_layers.py), then let chainrule check it.

Fill in each method below (delete the `raise NotImplementedError` line), then run

    chainrule check --network my_two_layer_net.py

chainrule gives the net small random weights (written into your params), compares the
loss and each parameter's gradient with its own and with numerical differentiation,
and, when a gradient is wrong, names the layer where it first goes wrong, walking
backward from the loss. Your layers come from my_layers.py in this folder (or write
`from chainrule import Affine, Relu, SoftmaxWithLoss` to try the net on chainrule's).
"""

from collections import OrderedDict  # noqa: F401  (self.layers is an OrderedDict)

import numpy as np  # noqa: F401
from my_layers import Affine, Relu, SoftmaxWithLoss  # noqa: F401

from chainrule import numerical_gradient  # noqa: F401  (numerical_gradient(f, x), the book's)


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        # self.params: a dict with 'W1' (input_size, hidden_size) = weight_init_std * random normal numbers
        # (rng = np.random.default_rng(); rng.standard_normal(shape)), 'b1' zeros (hidden_size,),
        # 'W2' (hidden_size, output_size) and 'b2' zeros (output_size,).
        # self.layers: an OrderedDict: 'Affine1' = Affine(self.params['W1'], self.params['b1']) (the same
        # arrays, so the layer sees every update of params), 'Relu1' = Relu(), 'Affine2' likewise.
        # self.lastLayer = SoftmaxWithLoss()
        raise NotImplementedError

    def predict(self, x):
        # run x through every layer's forward, in order; return the scores
        raise NotImplementedError

    def loss(self, x, t):
        # the scores of predict(x) through lastLayer.forward(scores, t)
        raise NotImplementedError

    def accuracy(self, x, t):
        # the fraction of samples whose highest score is the target (t: labels or one-hot)
        raise NotImplementedError

    def numerical_gradient(self, x, t):
        # {'W1': numerical_gradient(lambda W: self.loss(x, t), self.params['W1']), ... for b1, W2, b2}
        raise NotImplementedError

    def gradient(self, x, t):
        # forward: self.loss(x, t); backward: dout = self.lastLayer.backward(1), then every layer's
        # backward in reverse order; return {'W1': self.layers['Affine1'].dW, 'b1': ..., 'W2': ..., 'b2': ...}
        raise NotImplementedError
