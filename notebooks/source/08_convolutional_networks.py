# Notebook 08: chapter 7, convolutional networks: im2col, SimpleConvNet, the first layer's filters.
# English prose and code; the translations of the prose are in notebooks/locales (gettext catalogs).
CELLS = [
    ("md", """
# 8. Convolutional networks (chapter 7)

A convolution layer slides small filters over an image; a pooling layer keeps the largest
value of each window. Chapter 7 writes both with one trick, `im2col`, which copies every
window into a row so that the whole convolution is one matrix product, and its backward is the
Affine layer's backward followed by `col2im`. This notebook shows the trick, trains the book's
`SimpleConvNet` on part of MNIST, and draws its first layer's filters before and after
training (the book's figure 7-24). At the end you check your own `Pooling`.
"""),
    ("md", """
## im2col

The book's example: one image of 3 channels, 7×7, and a 5×5 filter with stride 1 give 9
windows (3×3 positions) of 3×5×5 = 75 values each; ten images give 90 rows.
"""),
    ("code", """
import matplotlib.pyplot as plt
import numpy as np

from chainrule import im2col

rng = np.random.default_rng(0)
x1 = rng.random((1, 3, 7, 7))
col1 = im2col(x1, 5, 5, stride=1, pad=0)
print(col1.shape)

x2 = rng.random((10, 3, 7, 7))
col2 = im2col(x2, 5, 5, stride=1, pad=0)
print(col2.shape)
"""),
    ("md", """
The first row of `col1` is the window at the top left, channel by channel:
"""),
    ("code", """
print(np.array_equal(col1[0], x1[0, :, 0:5, 0:5].reshape(-1)))
print(np.array_equal(col1[1], x1[0, :, 0:5, 1:6].reshape(-1)))  # one step to the right
"""),
    ("md", """
## SimpleConvNet on MNIST

The book's `train_convnet.py`: conv (30 filters of 5×5) - ReLU - pool (2×2) - Affine (100) -
ReLU - Affine (10) - softmax, trained with Adam (learning rate 0.001) on mini-batches of 100.
The book trains on all 60,000 images for 20 epochs and reaches a test accuracy of about 0.99;
this notebook trains on **3,000** images for **3** epochs, in seconds, and tests on 1,000.
"""),
    ("code", """
from chainrule import SimpleConvNet, Trainer, load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
x_train, t_train = x_train[:3000], t_train[:3000]
x_test, t_test = x_test[:1000], t_test[:1000]

network = SimpleConvNet(input_dim=(1, 28, 28),
                        conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                        hidden_size=100, output_size=10, weight_init_std=0.01, dtype="float32", rng=0)
filters_before = network.params["W1"].copy()

trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=3, mini_batch_size=100,
                  optimizer="Adam", optimizer_param={"lr": 0.001}, evaluate_sample_num_per_epoch=1000,
                  verbose=False, rng=0)
trainer.train()
for epoch, (train_acc, test_acc) in enumerate(zip(trainer.train_acc_list, trainer.test_acc_list)):
    print(f"epoch {epoch}: train acc {train_acc:.3f}, test acc {test_acc:.3f}")

plt.plot(trainer.train_acc_list, marker="o", label="train")
plt.plot(trainer.test_acc_list, marker="s", label="test")
plt.xlabel("epochs")
plt.ylabel("accuracy")
plt.ylim(0, 1.0)
plt.legend(loc="lower right")
plt.show()
"""),
    ("md", """
## The first layer's filters, before and after

Each of the 30 filters is 5×5 (one input channel), drawn in gray. Before training they are
random noise; after it, even this short training gives them structure: light and dark
regions side by side, the edge and blob detectors of the book's figure 7-24.
"""),
    ("code", """
def filter_show(filters, title, nx=10):
    fig, axes = plt.subplots(len(filters) // nx, nx, figsize=(nx, 1.1 * len(filters) // nx))
    for ax, w in zip(axes.flat, filters):
        ax.imshow(w[0], cmap="gray_r", interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title)
    plt.show()


filter_show(filters_before, "before training")
filter_show(network.params["W1"], "after training")
change = np.abs(network.params["W1"] - filters_before).mean() / np.abs(filters_before).mean()
print(f"mean change of the filters relative to their starting size: {change:.1f}")
"""),
    ("md", """
## What the first layer sees

The book's `apply_filter.py`: the trained filters applied to a test digit with the network's
own `Convolution` layer. Each output is where that filter responds: the strokes of one
orientation, or of one side of the digit.
"""),
    ("code", """
conv1 = network.layers["Conv1"]
feature_maps = conv1.forward(x_test[:1])[0]
fig, axes = plt.subplots(2, 6, figsize=(10, 3.6))
axes[0, 0].imshow(x_test[0, 0], cmap="gray_r")
axes[0, 0].set_title("input")
for ax, i in zip(axes.flat[1:], range(11)):
    ax.imshow(feature_maps[i], cmap="gray_r")
    ax.set_title(f"filter {i}")
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()
print(feature_maps.shape)
"""),
    ("md", """
## Your turn: check a Pooling layer

A `Pooling` in the book's form, with a mistake in its backward. `chainrule.check` runs it on
random inputs, on overlapping windows, on a rectangular window and on windows with ties (the
book sends the gradient to the first maximum), beside chainrule's `Pooling` and numerical
differentiation. This file's `im2col` and `col2im` are chainrule's, imported.
"""),
    ("code", """
import chainrule
from chainrule import col2im, im2col


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None
        self.arg_max = None

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        self.arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)
        self.x = x
        return out

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.repeat(dout.reshape(-1, 1), pool_size, axis=1)
        dcol = dmax.reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


report = chainrule.check({"Pooling": Pooling})
print(report)
"""),
    ("md", """
The forward is right, the backward sends the gradient to every position of each window.
Only the maximum influenced the output, so only it gets the gradient: replace the `np.repeat`
line with the book's `dmax = np.zeros((dout.size, pool_size))` and
`dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()`, and check
again. `examples/exercises/my_chapter7.py` is the starter file for `im2col`, `col2im`,
`Convolution` and `Pooling`, and `my_simple_convnet.py` for the network
(`chainrule check --network my_simple_convnet.py`).

Next: [9. Deep learning](09_deep_learning.ipynb).
"""),
]
