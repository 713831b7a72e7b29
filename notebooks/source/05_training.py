# Notebook 05: training the two-layer net on MNIST with backprop (section 5.7.4).
# English prose and code; the translations of the prose are in notebooks/locales (gettext catalogs).
CELLS = [
    ("md", """
# 5. Training on MNIST with backpropagation

*Deep Learning from Scratch*, section 5.7.4: the book's `train_neuralnet.py`. Each
iteration draws a mini-batch of 100 images, computes the gradient by backpropagation and
takes one step of stochastic gradient descent (learning rate 0.1). Once per epoch (600
iterations: 60,000 images / 100) it measures the accuracy on the training and the test data.

**Fewer iterations than the book.** The book runs 10,000 iterations (about 16 epochs) and
reaches a test accuracy of about 0.97. This notebook runs **3,000** (5 epochs) so that it
finishes in seconds every time the project's tests execute it; it reaches about 0.95. Set
`iters_num = 10000` to run the book's full training, or run `chainrule train` in a terminal.
"""),
    ("md", """
The loop is the book's, with three small changes: `rng=0` fixes the starting weights, the
mini-batches come from `np.random.default_rng(0)` instead of NumPy's global random state (so
every run prints the same numbers), and `dtype="float32"` keeps the weights in the images'
float32, which makes each accuracy measurement several times faster than mixing float32
images with the book's float64 weights (the accuracy agrees to about three digits). The
update `network.params[key] -= learning_rate * grad[key]` changes the arrays the layers
hold (notebook 4).
"""),
    ("code", """
import numpy as np

from chainrule import TwoLayerNet, load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)

network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, dtype="float32", rng=0)

iters_num = 3000  # the book: 10000
train_size = x_train.shape[0]
batch_size = 100
learning_rate = 0.1
rng = np.random.default_rng(0)

train_loss_list = []
train_acc_list = []
test_acc_list = []

iter_per_epoch = max(train_size / batch_size, 1)

for i in range(iters_num):
    batch_mask = rng.choice(train_size, batch_size)
    x_batch = x_train[batch_mask]
    t_batch = t_train[batch_mask]

    grad = network.gradient(x_batch, t_batch)

    for key in ("W1", "b1", "W2", "b2"):
        network.params[key] -= learning_rate * grad[key]

    loss = network.loss(x_batch, t_batch)
    train_loss_list.append(loss)

    if i % iter_per_epoch == 0:
        train_acc = network.accuracy(x_train, t_train)
        test_acc = network.accuracy(x_test, t_test)
        train_acc_list.append(train_acc)
        test_acc_list.append(test_acc)
        print("train acc, test acc | " + str(train_acc) + ", " + str(test_acc))

print("after", iters_num, "iterations: test acc", network.accuracy(x_test, t_test))
"""),
    ("md", """
## The accuracy plot

As in the book's figure, the training accuracy (solid) and the test accuracy (dashed) rise
together: the network is not overfitting.
"""),
    ("code", """
import matplotlib.pyplot as plt

x = np.arange(len(train_acc_list))
plt.plot(x, train_acc_list, marker="o", label="train acc")
plt.plot(x, test_acc_list, marker="s", label="test acc", linestyle="--")
plt.xlabel("epochs")
plt.ylabel("accuracy")
plt.ylim(0, 1.0)
plt.legend(loc="lower right")
plt.show()
"""),
    ("md", """
## The loss of every mini-batch

Each mini-batch gives a slightly different loss, so the curve is noisy, but it falls fast
in the first few hundred iterations and keeps going down.
"""),
    ("code", """
plt.plot(train_loss_list, linewidth=0.7)
plt.xlabel("iteration")
plt.ylabel("loss")
plt.show()
"""),
    ("md", """
## What the network says about a few test images

The first twelve test images with the predicted digit above each one (red when it is wrong).
"""),
    ("code", """
y = network.predict(x_test[:12]).argmax(axis=1)
labels = t_test[:12].argmax(axis=1)
fig, axes = plt.subplots(1, 12, figsize=(12, 1.6))
for ax, image, pred, label in zip(axes, x_test[:12], y, labels):
    ax.imshow(image.reshape(28, 28), cmap="gray_r")
    ax.set_title(str(pred), color="black" if pred == label else "red")
    ax.axis("off")
plt.show()
print("predicted:", y)
print("labels:   ", labels)
"""),
    ("md", """
## Try it

- Set `iters_num = 10000` for the book's run (about 0.97), or change `learning_rate` to 0.01
  and to 1.0 and compare the curves.
- `chainrule train` runs the book's full training (10,000 iterations in float32) in a few
  seconds and saves the model and the curves; `chainrule train --help` lists the options.

Next: [6. Exercises: write the layers yourself](06_exercises.ipynb).
"""),
]
