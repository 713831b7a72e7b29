# Notebook 07: chapter 6, learning techniques: optimizers, weight initialization, Batch Normalization.
# English prose and code; the translations of the prose are in notebooks/locales (gettext catalogs).
CELLS = [
    ("md", """
# 7. Learning techniques (chapter 6)

Chapter 6 of *Deep Learning from Scratch* is about what makes the same backpropagation learn
faster and better: how the parameters are updated (SGD, Momentum, AdaGrad, Adam), how the
weights start (Xavier and He), and Batch Normalization. This notebook runs the book's
experiments on chainrule and draws the book's figures from them, in less time than the book
(fewer iterations, a subset of MNIST: each section says how much). At the end, you write an
optimizer yourself and `chainrule.check` runs it step by step beside chainrule's.
"""),
    ("md", """
## Four optimizers on f(x, y) = x²/20 + y²

The book's `optimizer_compare_naive.py`: starting from (-7, 2), each optimizer takes 30
steps down a valley that is steep in y and nearly flat in x. The parameters are two Python
numbers in a dict, `{"x": -7.0, "y": 2.0}`, updated with the book's `update(params, grads)`.
"""),
    ("code", """
from collections import OrderedDict

import matplotlib.pyplot as plt
import numpy as np

from chainrule import SGD, AdaGrad, Adam, Momentum


def f(x, y):
    return x**2 / 20.0 + y**2


def df(x, y):
    return x / 10.0, 2.0 * y


optimizers = OrderedDict()
optimizers["SGD"] = SGD(lr=0.95)
optimizers["Momentum"] = Momentum(lr=0.1)
optimizers["AdaGrad"] = AdaGrad(lr=1.5)
optimizers["Adam"] = Adam(lr=0.3)

paths = {}
for key, optimizer in optimizers.items():
    params = {"x": -7.0, "y": 2.0}
    grads = {}
    x_history, y_history = [], []
    for i in range(30):
        x_history.append(params["x"])
        y_history.append(params["y"])
        grads["x"], grads["y"] = df(params["x"], params["y"])
        optimizer.update(params, grads)
    paths[key] = (x_history, y_history)
    print(f"{key:9} after 30 steps: x = {params['x']:.4f}, y = {params['y']:.4f}")

X, Y = np.meshgrid(np.arange(-10, 10, 0.01), np.arange(-5, 5, 0.01))
Z = f(X, Y)
Z[Z > 7] = 0  # the book draws only the lower contours
fig, axes = plt.subplots(2, 2, figsize=(9, 6.5))
for ax, (key, (x_history, y_history)) in zip(axes.flat, paths.items()):
    ax.plot(x_history, y_history, "o-", color="red", markersize=3)
    ax.contour(X, Y, Z)
    ax.plot(0, 0, "+")
    ax.set_xlim(-10, 10)
    ax.set_ylim(-10, 10)
    ax.set_title(key)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
fig.tight_layout()
plt.show()
"""),
    ("md", """
SGD zigzags across the valley, because the gradient points mostly along y. Momentum rolls
like a ball and overshoots in x before it settles; AdaGrad's steps in y shrink fast, so it
walks straight along the valley; Adam combines both. The numbers above are where each one
stands after 30 steps (the minimum is at (0, 0)).

## The same four on MNIST

The book's `optimizer_compare_mnist.py` trains a five-layer network (four hidden layers of
100 ReLU units) with each optimizer on the same mini-batches. The book runs 2,000 iterations;
this notebook runs **200**, enough to see the order the book's figure shows.
"""),
    ("code", """
from chainrule import MultiLayerNet, load_mnist
from chainrule.util import smooth_curve

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)

max_iterations = 200  # the book: 2000
batch_size = 128
rng = np.random.default_rng(0)
optimizers = {"SGD": SGD(), "Momentum": Momentum(), "AdaGrad": AdaGrad(), "Adam": Adam()}
networks, train_loss = {}, {}
for key in optimizers:
    networks[key] = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100], output_size=10,
                                  dtype="float32", rng=0)
    train_loss[key] = []

for i in range(max_iterations):
    batch_mask = rng.choice(x_train.shape[0], batch_size)
    x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
    for key, optimizer in optimizers.items():
        grads = networks[key].gradient(x_batch, t_batch)
        optimizer.update(networks[key].params, grads)
        train_loss[key].append(networks[key].loss(x_batch, t_batch))

for key in optimizers:
    print(f"{key:9} mean loss of the last 50 iterations: {np.mean(train_loss[key][-50:]):.3f}, "
          f"test accuracy {networks[key].accuracy(x_test, t_test):.3f}")

for key, marker in zip(optimizers, "osDx"):
    plt.plot(smooth_curve(train_loss[key]), marker=marker, markevery=20, label=key)
plt.xlabel("iterations")
plt.ylabel("loss")
plt.ylim(0, 1.5)
plt.legend()
plt.show()
"""),
    ("md", """
Plain SGD is the slowest; Momentum, AdaGrad and Adam learn faster, as in the book's
figure 6-9 (which of the three leads changes with the hyperparameters).

## The activations behind the weight initialization

The book's `weight_init_activation_histogram.py`: 1,000 random inputs pass through five
layers of 100 neurons, and each layer's outputs are drawn as a histogram. With sigmoid and
weights of standard deviation 1, the outputs pile up at 0 and 1, where the gradient vanishes;
with 0.01 they all sit near 0.5 (every neuron says the same thing); with Xavier's
`1 / sqrt(n)` they stay spread out. ReLU with He's `sqrt(2 / n)` keeps the same spread in
every layer.
"""),
    ("code", """
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


rng = np.random.default_rng(0)
x = rng.standard_normal((1000, 100))
node_num = 100
settings = [("sigmoid, std 1", sigmoid, 1.0), ("sigmoid, std 0.01", sigmoid, 0.01),
            ("sigmoid, Xavier", sigmoid, np.sqrt(1.0 / node_num)), ("ReLU, He", relu, np.sqrt(2.0 / node_num))]

fig, rows = plt.subplots(4, 5, figsize=(12, 9))
for row, (title, activation, std) in zip(rows, settings):
    h = x
    spread = []
    for i, ax in enumerate(row):
        w = rng.standard_normal((node_num, node_num)) * std
        h = activation(h @ w)
        spread.append(h.std())
        ax.hist(h.flatten(), 30, range=(0, 1))
        ax.set_title(f"{i + 1}-layer")
        if activation is relu:
            ax.set_ylim(0, 7000)  # as the book's figure 6-14: the zeros of ReLU go far beyond
        if i:
            ax.set_yticks([])
    row[0].set_ylabel(title)
    print(f"{title:18} std of each layer's outputs:", np.round(spread, 3))
fig.tight_layout()
plt.show()
"""),
    ("md", """
## Batch Normalization

The book's `batch_norm_test.py`: the same five-layer network (`MultiLayerNetExtend`), with
and without a Batch Normalization layer after each Affine layer, trained with SGD on 1,000
images for 20 epochs, for several standard deviations of the initial weights. The book draws
sixteen, from 1 to 0.0001; here are three where the difference shows. (At 0.3 the plain
network learns as well as the normalized one; from about 0.5 on, its activations grow until
they overflow.)
"""),
    ("code", """
from chainrule import MultiLayerNetExtend

x_small, t_small = x_train[:1000], t_train[:1000]
max_epochs = 20
batch_size = 100
iter_per_epoch = x_small.shape[0] // batch_size


def train(weight_init_std, use_batchnorm):
    network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100], output_size=10,
                                  weight_init_std=weight_init_std, use_batchnorm=use_batchnorm,
                                  dtype="float32", rng=0)
    optimizer = SGD(lr=0.01)
    rng = np.random.default_rng(1)
    accuracies = []
    for i in range(max_epochs * iter_per_epoch):
        batch_mask = rng.choice(x_small.shape[0], batch_size)
        grads = network.gradient(x_small[batch_mask], t_small[batch_mask])
        optimizer.update(network.params, grads)
        if i % iter_per_epoch == 0:
            accuracies.append(network.accuracy(x_small, t_small))
    return accuracies


fig, axes = plt.subplots(1, 3, figsize=(12, 3.3))
for ax, weight_init_std in zip(axes, [0.1, 0.03, 0.01]):
    with_bn, without_bn = train(weight_init_std, True), train(weight_init_std, False)
    print(f"weight std {weight_init_std:4}: training accuracy after {max_epochs} epochs "
          f"{with_bn[-1]:.3f} with Batch Normalization, {without_bn[-1]:.3f} without")
    ax.plot(with_bn, label="Batch Normalization")
    ax.plot(without_bn, "--", label="Normal (without BN)")
    ax.set_title(f"W: {weight_init_std}")
    ax.set_ylim(0, 1.0)
    ax.set_xlabel("epochs")
axes[0].set_ylabel("accuracy")
axes[-1].legend(loc="lower right")
fig.tight_layout()
plt.show()
"""),
    ("md", """
With Batch Normalization (solid) the network learns from each of these starting scales, and
fast; without it (dashed) it learns slowly at 0.1 and not at all from smaller weights, stuck at
chance level (about 0.1): the signal fades a little more in every layer.

## Your turn: write an optimizer

Here is a Momentum with one of the mistakes learners make most often. `chainrule.check`
makes it with the book's arguments, calls `update` three times on the same parameters with
new gradients each time, and compares the parameters after every step with chainrule's.
"""),
    ("code", """
import chainrule


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        self.v = {}
        for key, val in params.items():
            self.v[key] = np.zeros_like(val)
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


report = chainrule.check({"Momentum": Momentum})
print(report)
"""),
    ("md", """
The first step is right, the second is not: the velocity starts from zero at every update,
so this Momentum is plain SGD. Create `self.v` only once (`if self.v is None:`) and run the
check again. The starter files `examples/exercises/my_optimizers.py` and
`my_chapter6_layers.py` hold the six optimizers, `BatchNormalization` and `Dropout` with
their bodies left blank: `chainrule check my_optimizers.py` in a terminal.

Next: [8. Convolutional networks](08_convolutional_networks.ipynb).
"""),
]
