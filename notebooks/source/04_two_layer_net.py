# Notebook 04: the two-layer net built from layers, and the gradient check (sections 5.7.1-5.7.3).
# English prose and code; the translations of the prose are in notebooks/locales (gettext catalogs).
CELLS = [
    ("md", """
# 4. The two-layer net and the gradient check

*Deep Learning from Scratch*, sections 5.7.1-5.7.3. `TwoLayerNet` stacks `Affine1 → Relu1 →
Affine2` and ends in `SoftmaxWithLoss`. Its `gradient()` runs forward once and backward once
through the layers; `numerical_gradient()` nudges every one of its 39,760 parameters. The
gradient check compares the two on three MNIST images: if backprop is right they agree to
about 1e-10 or better.

MNIST comes from `chainrule.load_mnist`, which works offline once the data is cached
(`chainrule data` fetches and verifies it; see the README).
"""),
    ("code", """
import numpy as np

from chainrule import TwoLayerNet, load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
print(x_train.shape, t_train.shape, x_test.shape, t_test.shape)

network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, rng=0)
for key, value in network.params.items():
    print(key, value.shape)
print(list(network.layers), "->", type(network.lastLayer).__name__)
"""),
    ("md", """
`rng=0` fixes the starting weights, so this notebook prints the same numbers every time (the
book draws new random weights on every run).

## The network as a computational graph

Tracing `network.loss` on the three images records each layer call as a node, with the
array shapes on the edges (forward above, the derivative's shape below). The derivative of
each parameter has the parameter's own shape, and it is exactly what `network.gradient`
returns.
"""),
    ("code", """
from IPython.display import display

from chainrule.graph import Graph

x_batch = x_train[:3]
t_batch = t_train[:3]

g = Graph()
loss = g.trace_loss(network, x_batch, t_batch)
loss.backward()
print("loss:", loss.data)
print(np.array_equal(g["W1"].grad, network.gradient(x_batch, t_batch)["W1"]))
display(g, exclude=["text/html"])  # the static drawing (g alone: the interactive page)
"""),
    ("md", """
## The gradient check (the book's `gradient_check.py`)

The book prints the mean absolute difference between the two gradients for each parameter.
The numerical gradient takes seconds here; backprop takes well under a millisecond.
"""),
    ("code", """
grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)

for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
"""),
    ("md", """
Differences of 1e-10 to 1e-13 mean the two agree: the numerical gradient itself is only
accurate to about `h² = 1e-8` relative, and rounding adds about `1e-16 / h`. A wrong
backward is off by the size of the gradient itself.

## When the difference is large but backprop is right: ReLU's kink

ReLU bends at 0. If a hidden unit's input lies within `h = 1e-4` of 0, the central
difference steps across the bend and mixes the two slopes, while backprop uses the one slope
that applies. Below we move hidden unit 0 of the first image to `5e-5`, just above the kink,
and compare the gradients of `b1`: that one unit is off by 4e-4 (its gradient is -1.6e-3), which
lifts the book's mean for `b1` to about 1e-5, while the other units still agree to about
1e-12. It is the *numerical* gradient that is wrong: with a step `h = 1e-6`, which no longer
crosses the kink, the difference falls back to the usual size.
"""),
    ("code", """
from chainrule import numerical_gradient

a1 = x_batch @ network.params["W1"] + network.params["b1"]  # inputs of Relu1
network.params["b1"][0] -= a1[0, 0] - 5e-5                   # unit 0 of image 0 now sits at 5e-5

loss_b1 = lambda b1: network.loss(x_batch, t_batch)
bp_b1 = network.gradient(x_batch, t_batch)["b1"]
diff = np.abs(bp_b1 - numerical_gradient(loss_b1, network.params["b1"]))
print("b1:" + str(diff.mean()))
print("largest difference:", diff.max(), "at unit", diff.argmax(), "where the gradient is", bp_b1[diff.argmax()])
print("mean difference over the other units:", np.delete(diff, diff.argmax()).mean())
diff_small_h = np.abs(bp_b1 - numerical_gradient(loss_b1, network.params["b1"], h=1e-6))
print("with h = 1e-6, largest difference:", diff_small_h.max())
"""),
    ("md", """
`chainrule.gradient_check(network, x, t)` does the whole comparison in float64 and prints
a table per parameter: mean and max difference, max relative error, and *where* the largest
one is. On this network it marks `W1` and `b1` as FAIL and points at hidden unit 0, which is
where to look (here: the kink). `chainrule gradcheck` runs the check on MNIST from the
command line.

## `params` and the layers share the same arrays

The layers were built from `network.params`, so updating a parameter in place
(`network.params["W1"] -= lr * grad["W1"]`, as the book's training loop does) reaches the
layer. In the book's code, *rebinding* the key instead
(`network.params["W1"] = network.params["W1"] - lr * grad["W1"]`) makes a new array that
the layer never sees, and the network silently stops learning. chainrule's `params` passes a
rebinding on to the layer, so both forms train:
"""),
    ("code", """
grad = network.gradient(x_batch, t_batch)
print(network.params["W1"] is network.layers["Affine1"].W)
network.params["W1"] = network.params["W1"] - 0.1 * grad["W1"]
print(network.params["W1"] is network.layers["Affine1"].W)

book_params = {"W1": np.zeros((2, 2))}  # the book's params is a plain dict
layer_W = book_params["W1"]             # what Affine1 holds
book_params["W1"] = book_params["W1"] - 0.1
print(book_params["W1"] is layer_W, layer_W.sum())
"""),
    ("md", """
## Try it

- Replace `rng=0` by other seeds and rerun the gradient check: how often does a kink show up?
- Put a deliberate bug in a layer (for example drop the `/ batch_size`) and see how large the
  differences become. Notebook 6 turns this into exercises.

Next: [5. Training on MNIST](05_training.ipynb).
"""),
]
