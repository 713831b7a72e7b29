# Notebook 09: chapter 8, deep learning: DeepConvNet, backprop through many layers, misclassified digits,
# data augmentation, half precision.
# English prose and code; the translations of the prose are in notebooks/locales (gettext catalogs).
CELLS = [
    ("md", """
# 9. Deep learning (chapter 8)

Chapter 8 stacks the layers of chapters 5-7 deeper: the book's `DeepConvNet` has six
convolution layers of 3×3 filters, three pooling layers, two Affine layers and Dropout, and
reaches a test accuracy of about 0.994 on MNIST after hours of training. This notebook does
not train it (that takes far longer than a notebook should); it builds it, follows an image
through its layers, and checks that backpropagation through all of them gives the right
gradient. Then a smaller network, trained in seconds, shows the chapter's other points: the
digits a convolutional network gets wrong, data augmentation, and computing in half
precision.
"""),
    ("md", """
## DeepConvNet, layer by layer

One image (1×28×28) through the network: the shape after each layer and the number of
parameters of each.
"""),
    ("code", """
import matplotlib.pyplot as plt
import numpy as np

from chainrule import DeepConvNet, load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)

network = DeepConvNet(rng=0)
h = x_test[:1].astype(np.float64)
for name, layer in network.layers.items():
    h = layer.forward(h, False) if name.startswith("Dropout") else layer.forward(h)
    size = sum(getattr(layer, attr).size for attr in ("W", "b") if hasattr(layer, attr))
    print(f"{name:9} {str(h.shape):18} {size:7d} parameters")
print("in all:", sum(p.size for p in network.params.values()), "parameters")
"""),
    ("md", """
## Backpropagation through 20 layers

The gradient of a few weights of the first, a middle and the last layers, by backpropagation
and by central differences on the network's own loss (float64, four test images). Dropout
drops at random in training, so for this comparison its ratio is set to 0. The step `h` is
1e-6 rather than the book's 1e-4: among the thousands of ReLU inputs of a network this deep,
a step of 1e-4 carries a few across 0, where the function bends (notebook 4).
"""),
    ("code", """
for name, layer in network.layers.items():
    if name.startswith("Dropout"):
        layer.dropout_ratio = 0.0

x, t = x_test[:4].astype(np.float64), t_test[:4]
grads = network.gradient(x, t)
rng = np.random.default_rng(0)
h = 1e-6
worst = 0.0
for key in ("W1", "W4", "W7", "W8"):
    param = network.params[key]
    for _ in range(3):
        idx = tuple(int(rng.integers(n)) for n in param.shape)
        saved = param[idx]
        param[idx] = saved + h
        loss_plus = network.loss(x, t, train_flg=True)
        param[idx] = saved - h
        loss_minus = network.loss(x, t, train_flg=True)
        param[idx] = saved
        numerical = (loss_plus - loss_minus) / (2 * h)
        worst = max(worst, abs(numerical - grads[key][idx]))
        print(f"{key} {str(idx):16} backprop {grads[key][idx]: .8f}   numerical {numerical: .8f}")
print("every difference below 1e-6:", worst < 1e-6)
"""),
    ("md", """
## A smaller network, trained in seconds

For the rest of the notebook, the `SimpleConvNet` of chapter 7 with 16 filters, trained with
Adam on 3,000 training images for 3 epochs (the book's `DeepConvNet`, trained on all 60,000
images, gets about 0.994).
"""),
    ("code", """
from chainrule import SimpleConvNet, Trainer

network = SimpleConvNet(conv_param={"filter_num": 16, "filter_size": 5, "pad": 0, "stride": 1},
                        hidden_size=100, output_size=10, dtype="float32", rng=0)
trainer = Trainer(network, x_train[:3000], t_train[:3000], x_test[:2000], t_test[:2000], epochs=3,
                  mini_batch_size=100, optimizer="Adam", optimizer_param={"lr": 0.001},
                  evaluate_sample_num_per_epoch=1000, verbose=False, rng=0)
trainer.train()
test_acc = network.accuracy(x_test[:2000], t_test[:2000])
print(f"test accuracy on 2,000 images: {test_acc:.3f}")
"""),
    ("md", """
## The digits it gets wrong

The book's `misclassified_mnist.py` (figure 8-3): the first test images the network
misclassifies, each with its label and, in red, what the network said. This short training
gets more of them wrong than the book's network; some would make a person hesitate too.
"""),
    ("code", """
predicted = network.predict(x_test[:2000]).argmax(axis=1)
wrong = np.flatnonzero(predicted != t_test[:2000])[:20]
fig, axes = plt.subplots(2, 10, figsize=(10, 2.6))
for ax, i in zip(axes.flat, wrong):
    ax.imshow(x_test[i, 0], cmap="gray_r")
    ax.set_title(f"{t_test[i]}: {predicted[i]}", color="red")
    ax.axis("off")
plt.show()
print("misclassified:", len(np.flatnonzero(predicted != t_test[:2000])), "of 2000")
"""),
    ("md", """
## Data augmentation

Section 8.1.2: more training images made from the ones there are, by small changes that do
not change the digit. Here a digit shifted by up to two pixels and rotated by up to 15
degrees (NumPy only: each new pixel takes the value of the nearest pixel of the original).
"""),
    ("code", """
def shift(image, dy, dx):
    out = np.zeros_like(image)
    h, w = image.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \\
        image[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def rotate(image, degrees):
    h, w = image.shape
    angle = np.deg2rad(degrees)
    y, x = np.mgrid[0:h, 0:w] - np.array([(h - 1) / 2, (w - 1) / 2])[:, None, None]
    src_y = np.rint(np.cos(angle) * y - np.sin(angle) * x + (h - 1) / 2).astype(int)
    src_x = np.rint(np.sin(angle) * y + np.cos(angle) * x + (w - 1) / 2).astype(int)
    inside = (src_y >= 0) & (src_y < h) & (src_x >= 0) & (src_x < w)
    out = np.zeros_like(image)
    out[inside] = image[src_y[inside], src_x[inside]]
    return out


digit = x_train[0, 0]
variants = [("original", digit), ("shift up", shift(digit, -2, 0)), ("shift right", shift(digit, 0, 2)),
            ("shift left, down", shift(digit, 2, -2)), ("rotate 15°", rotate(digit, 15)),
            ("rotate -15°", rotate(digit, -15))]
fig, axes = plt.subplots(1, len(variants), figsize=(10, 2))
for ax, (title, image) in zip(axes, variants):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(title)
    ax.axis("off")
plt.show()
print("the network's answers:", network.predict(np.stack([v for _, v in variants])[:, None]).argmax(axis=1))
"""),
    ("md", """
## Half precision

The book's `half_float_network.py` (section 8.3.4): deep learning does not need many digits.
The same trained network, its weights and inputs cast to 16-bit floats, classifies the test
images (1,000 here: NumPy has no fast matrix product in 16 bits) as well as in 32 bits.
"""),
    ("code", """
half = network.astype(np.float16)
print(half.params["W1"].dtype)
print(f"float32 accuracy: {network.accuracy(x_test[:1000], t_test[:1000]):.3f}")
print(f"float16 accuracy: {half.accuracy(x_test[:1000].astype(np.float16), t_test[:1000]):.3f}")
"""),
    ("md", """
## Your turn

- Train the small network longer (`epochs=10`, all 60,000 images) and look at the
  misclassified digits again.
- Add the augmented digits to the training data and see whether the test accuracy moves.
- `chainrule check --network my_simple_convnet.py` checks a `SimpleConvNet` you write yourself
  on your own layers, naming the first layer where its gradient goes wrong, and
  `chainrule train --net simpleconv` trains the book's `SimpleConvNet` on all of MNIST.
"""),
]
