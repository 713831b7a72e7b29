"""The book's ``common/trainer.py`` Trainer, behaviour for behaviour (the book runner's ``common.trainer.Trainer``).

chainrule's :class:`~chainrule.train.Trainer` takes the book's arguments but trains its
own way (every sample once per epoch, an evaluation before training, a line per epoch,
the final accuracies on the whole sets). The book's scripts count on the book's way:
``ch07/train_convnet.py`` plots ``train_acc_list`` against ``np.arange(max_epochs)``.
:class:`BookTrainer` is that way, for the scripts run by ``python -m chainrule.book``.
"""

from __future__ import annotations

import numpy as np

from ..optimizers import make_optimizer

__all__ = ["BookTrainer"]


class BookTrainer:
    """Train as the book's ``Trainer`` does, with its arguments, attributes and printed lines.

    * ``iter_per_epoch = max(train_size / mini_batch_size, 1)`` (a float) and
      ``max_iter = int(epochs * iter_per_epoch)``;
    * each step draws ``mini_batch_size`` samples with replacement
      (``np.random.choice(train_size, mini_batch_size)``), updates, then appends
      ``network.loss`` of that minibatch (after the update) to ``train_loss_list``;
    * after a step whose index (0, 1, ...) is a multiple of ``iter_per_epoch`` (the first
      step, then every ``iter_per_epoch`` steps where that is a whole number), it appends
      ``network.accuracy`` of the first ``evaluate_sample_num_per_epoch`` samples of each
      set (all, if None) to ``train_acc_list`` and ``test_acc_list``: ``epochs`` entries
      when ``train_size`` is a multiple of ``mini_batch_size``;
    * ``verbose`` prints ``train loss:<loss>`` after every step,
      ``=== epoch:<n>, train acc:<a>, test acc:<b> ===`` at every evaluation and, at the
      end, ``=============== Final Test Accuracy ===============`` and
      ``test acc:<accuracy on the whole test set>``.

    Parameters
    ----------
    network : an object with ``params``, ``gradient(x, t)``, ``loss(x, t)``, ``accuracy(x, t)``
    x_train, t_train, x_test, t_test : ndarray
        As the network takes them (they are indexed, never converted).
    epochs, mini_batch_size, optimizer, optimizer_param, evaluate_sample_num_per_epoch, verbose
        The book's (optimizer by name, case-insensitive: sgd, momentum, nesterov, adagrad,
        rmsprop, adam; ``optimizer_param`` by default ``{'lr': 0.01}``).
    rng : numpy.random.Generator, int or None
        Draws the minibatches. None (default): NumPy's global generator, as the book's code
        does, so ``np.random.seed(0)`` before a script repeats the book's run.
    """

    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
                 optimizer="SGD", optimizer_param=None, evaluate_sample_num_per_epoch=None, verbose=True, *,
                 rng=None):
        self.network = network
        self.verbose = verbose
        self.x_train, self.t_train, self.x_test, self.t_test = x_train, t_train, x_test, t_test
        self.epochs = epochs
        self.batch_size = mini_batch_size
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.optimizer = make_optimizer(optimizer, **({"lr": 0.01} if optimizer_param is None else optimizer_param))
        self.train_size = x_train.shape[0]
        self.iter_per_epoch = max(self.train_size / mini_batch_size, 1)
        self.max_iter = int(epochs * self.iter_per_epoch)
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list = []
        self.train_acc_list = []
        self.test_acc_list = []
        self._choice = np.random.choice if rng is None else np.random.default_rng(rng).choice  # noqa: NPY002

    def train_step(self):
        """One step: a minibatch, gradient, update, the loss; an evaluation at the steps described above."""
        batch_mask = self._choice(self.train_size, self.batch_size)
        x_batch = self.x_train[batch_mask]
        t_batch = self.t_train[batch_mask]
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        loss = self.network.loss(x_batch, t_batch)
        self.train_loss_list.append(loss)
        if self.verbose:
            print("train loss:" + str(loss))
        if self.current_iter % self.iter_per_epoch == 0:
            self.current_epoch += 1
            n = self.evaluate_sample_num_per_epoch
            x_train, t_train = (self.x_train, self.t_train) if n is None else (self.x_train[:n], self.t_train[:n])
            x_test, t_test = (self.x_test, self.t_test) if n is None else (self.x_test[:n], self.t_test[:n])
            train_acc = self.network.accuracy(x_train, t_train)
            test_acc = self.network.accuracy(x_test, t_test)
            self.train_acc_list.append(train_acc)
            self.test_acc_list.append(test_acc)
            if self.verbose:
                print("=== epoch:" + str(self.current_epoch) + ", train acc:" + str(train_acc) + ", test acc:"
                      + str(test_acc) + " ===")
        self.current_iter += 1

    def train(self):
        """``max_iter`` steps, then the accuracy on the whole test set (printed when ``verbose``)."""
        for _ in range(self.max_iter):
            self.train_step()
        test_acc = self.network.accuracy(self.x_test, self.t_test)
        if self.verbose:
            print("=============== Final Test Accuracy ===============")
            print("test acc:" + str(test_acc))
