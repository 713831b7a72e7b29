"""Exercise: build chapter 7's SimpleConvNet on your own layers, then let chainrule check it.

Fill in each method below (delete the `raise NotImplementedError` line), then run

    chainrule check --network my_simple_convnet.py

chainrule builds the net small (input_dim (1, 6, 6), 3 filters of 3x3, hidden_size 5,
output_size 3), writes random weights into your params, compares the loss and each
parameter's gradient with its own and with numerical differentiation, and, when a
gradient is wrong, names the layer where it first goes wrong, walking backward from the
loss. Your layers come from my_layers.py and my_chapter7.py in this folder (or write
`from chainrule import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss` to try the net on
chainrule's).
"""

from collections import OrderedDict  # noqa: F401  (self.layers is an OrderedDict)

import numpy as np  # noqa: F401
from my_chapter7 import Convolution, Pooling  # noqa: F401
from my_layers import Affine, Relu, SoftmaxWithLoss  # noqa: F401


class SimpleConvNet:
    """conv - relu - pool - affine - relu - affine - softmax."""

    def __init__(self, input_dim=(1, 28, 28), conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},  # noqa: B006
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        # the size after the convolution: (input_size - filter_size + 2*pad) / stride + 1; after the 2x2
        # pooling: half of it, so W2 has filter_num * (conv_output_size/2)**2 rows.
        # self.params: 'W1' (filter_num, C, filter_size, filter_size), 'b1', 'W2', 'b2', 'W3', 'b3';
        # self.layers: 'Conv1', 'Relu1', 'Pool1' (pool_h=2, pool_w=2, stride=2), 'Affine1', 'Relu2', 'Affine2',
        # each built on the arrays of self.params; self.last_layer = SoftmaxWithLoss()
        raise NotImplementedError

    def predict(self, x):
        raise NotImplementedError

    def loss(self, x, t):
        raise NotImplementedError

    def gradient(self, x, t):
        # forward: self.loss(x, t); backward from self.last_layer.backward(1) through every layer in reverse;
        # return {'W1': self.layers['Conv1'].dW, 'b1': ..., 'W2': self.layers['Affine1'].dW, ..., 'b3': ...}
        raise NotImplementedError
