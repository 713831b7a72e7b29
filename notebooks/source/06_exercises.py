# Notebook 06: exercises, write the layers yourself and let `chainrule check` point at the wrong tensor.
# English prose and code; the translations of the prose are in notebooks/locales (gettext catalogs).
CELLS = [
    ("md", """
# 6. Exercises: write the layers yourself

Reading backprop is one thing; writing it is where the chain rule sinks in. Here you write the
book's layers yourself, and `chainrule.check` runs each of your layers next to chainrule's own
and against numerical differentiation, on random shapes and on the edge cases where the usual
mistakes show (negative inputs to ReLU, a bias broadcast over a batch, 4-D input to Affine,
one-hot and label targets). It prints one row per tensor:

- **verdict**: *exact* (the same numbers as chainrule's), *close* (the same up to rounding) or
  *wrong*; **max |diff|** against chainrule's layer and **vs numerical** against central
  differences;
- **shape**: right or not; **changes input**: whether your code wrote into an array it was given;
- for a wrong tensor: the first element that differs and a **hint** naming the usual mistake its
  numbers match.

The messages come in the language of your system's locale; `lang="en"`, `"ko"`, `"zh"` or
`"ja"` chooses one. This notebook was run with an English locale.

In this notebook the classes are written in cells and passed as `{"Relu": Relu, ...}`. To work
in files instead, copy the starter `examples/exercises/my_layers.py` (method bodies left blank)
and run `chainrule check my_layers.py` in a terminal.
"""),
    ("md", """
## Exercise 1: ReLU and Sigmoid

Here is a first attempt. The `Relu` is the book's own; the `Sigmoid` has a mistake. Run the
check and read the rows.
"""),
    ("code", """
import numpy as np

import chainrule


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = (1.0 - self.out) * self.out
        return dx
"""),
    ("code", """
report = chainrule.check({"Relu": Relu, "Sigmoid": Sigmoid})
print(report)
print(report.ok)
"""),
    ("md", """
Two findings. `Relu`'s numbers are right, but its backward *changes its input*: the book's
`dout[self.mask] = 0` writes into the caller's array (notebook 2). And `Sigmoid`'s `dx` is
wrong: the local derivative `y * (1 - y)` was never multiplied by the `dout` that flows in
from upstream. Fix both and check again:
"""),
    ("code", """
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out
        return dx


report = chainrule.check({"Relu": Relu, "Sigmoid": Sigmoid})
print(report)
print(report.ok)
"""),
    ("md", """
## Exercise 2: MulLayer, Affine and Softmax-with-Loss

Three more layers, with three of the mistakes learners make most often. Before you run the
check, try to find them yourself.
"""),
    ("code", """
class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        return out

    def backward(self, dout):
        dx = dout * self.x
        dy = dout * self.y
        return dx, dy


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out = np.dot(self.x, self.W) + self.b
        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=1)
        dx = dx.reshape(*self.original_x_shape)
        return dx


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        if self.t.size == self.y.size:
            dx = self.y - self.t
        else:
            dx = self.y.copy()
            dx[np.arange(self.t.shape[0]), self.t] -= 1
        return dx
"""),
    ("code", """
report = chainrule.check({"MulLayer": MulLayer, "Affine": Affine, "SoftmaxWithLoss": SoftmaxWithLoss})
print(report)
print(report.ok)
"""),
    ("md", """
Each wrong tensor says where it differs and why. `MulLayer` gives 110 where the book's apple
example expects 2.2: `x` and `y` are swapped (each input gets the *other* input). `Affine`'s
`db` has the wrong shape: the sum must run over the batch, `axis=0`. `SoftmaxWithLoss`'s `dx`
is `N` times too large: the loss is a mean, so the derivative is divided by the batch size.

## Exercise 3: the whole network

A learner's `TwoLayerNet` in the book's form, built on the layers above. `check(...,
network=True)` gives it small random weights, compares the loss and the gradient of every
parameter with chainrule's and with numerical differentiation, and, walking backward from
the loss, names the layer where the gradient first goes wrong.
"""),
    ("code", """
from collections import OrderedDict


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        rng = np.random.default_rng(0)
        self.params = {}
        self.params["W1"] = weight_init_std * rng.standard_normal((input_size, hidden_size))
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = weight_init_std * rng.standard_normal((hidden_size, output_size))
        self.params["b2"] = np.zeros(output_size)

        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = 1
        dout = self.lastLayer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
        grads = {}
        grads["W1"], grads["b1"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads


report = chainrule.check({"TwoLayerNet": TwoLayerNet}, network=True)
print(report)
print(report.ok)
"""),
    ("md", """
Every parameter is wrong, but the cause is a single place: the check walks backward from the
loss and stops at `lastLayer`, the missing `/ batch_size`, because every derivative after it
inherits the error. Fix the earliest wrong layer first.

## Your turn

1. Fix `MulLayer`, `Affine` and `SoftmaxWithLoss` in the cell of exercise 2 (one line each),
   run it, and run the two checks again until `report.ok` is `True`.
2. Write `AddLayer` yourself and check it with `chainrule.check({"AddLayer": AddLayer})`.
3. Break something on purpose (drop the `.T` in `dW`, return `dout` from `Relu.backward`) and
   see which hint you get.

On your own machine, the same checks run on files:

```bash
cp examples/exercises/my_layers.py examples/exercises/my_two_layer_net.py .
chainrule check my_layers.py                       # --lang en|ko|zh|ja
chainrule check --network my_two_layer_net.py
```
"""),
]
