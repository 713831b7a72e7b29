"""The book's gradient_check.py (section 5.7.3): backprop against numerical gradients.

Uses the real MNIST (see ``chainrule data``); when it cannot be loaded, says how
to get it and checks on random data of the same shape instead.
The book prints averages between 1e-13 and 1e-10 for every parameter.
"""

import numpy as np

from chainrule import TwoLayerNet, load_mnist

try:
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
except (OSError, RuntimeError) as exc:
    print(f"MNIST is not available ({exc}).")
    print("Get it with `chainrule data` or set CHAINRULE_DATA to a folder with the four IDX files.")
    print("Checking on random data of the same shape instead.\n")
    rng = np.random.default_rng(0)
    x_train = rng.random((3, 784))
    t_train = np.eye(10)[rng.integers(0, 10, size=3)]

# rng=0 fixes the starting weights (the book draws new ones every run). About one start
# in eight puts a hidden unit of these 3 images within h = 1e-4 of ReLU's kink: the
# numerical gradient of b1 is then off by 1e-6 to 1e-5 there (backprop is still exact).
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, rng=0)

x_batch = x_train[:3]
t_batch = t_train[:3]

grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)

for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
