"""The book's train_neuralnet.py (section 5.7.4): TwoLayerNet learns MNIST by backpropagation.

Minibatches of 100 by random choice, 10000 iterations, learning rate 0.1; once per
epoch it prints "train acc, test acc | 0.xx, 0.xx" (the book reaches about 0.97),
and at the end it saves the accuracy plot to train_neuralnet.png. This is the
book's code as the book writes it (including its global np.random.choice);
`chainrule train` does the same run faster, with a seed, files and a progress bar.
"""

import matplotlib.pyplot as plt
import numpy as np

from chainrule import TwoLayerNet, load_mnist

# データの読み込み (load the data)
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)

network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

iters_num = 10000
train_size = x_train.shape[0]
batch_size = 100
learning_rate = 0.1

train_loss_list = []
train_acc_list = []
test_acc_list = []

iter_per_epoch = max(train_size / batch_size, 1)

for i in range(iters_num):
    batch_mask = np.random.choice(train_size, batch_size)  # noqa: NPY002 (the book's global random state)
    x_batch = x_train[batch_mask]
    t_batch = t_train[batch_mask]

    # 勾配 (gradient, by backpropagation)
    # grad = network.numerical_gradient(x_batch, t_batch)
    grad = network.gradient(x_batch, t_batch)

    # 更新 (update)
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

# グラフの描画 (draw the graph; saved to a file instead of plt.show())
markers = {"train": "o", "test": "s"}
x = np.arange(len(train_acc_list))
plt.plot(x, train_acc_list, label="train acc")
plt.plot(x, test_acc_list, label="test acc", linestyle="--")
plt.xlabel("epochs")
plt.ylabel("accuracy")
plt.ylim(0, 1.0)
plt.legend(loc="lower right")
plt.savefig("train_neuralnet.png")
