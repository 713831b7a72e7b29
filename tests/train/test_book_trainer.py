"""BookTrainer (the book runner's ``common.trainer.Trainer``) behaves as the book's ``common/trainer.py``.

The book's rule: ``iter_per_epoch = max(train_size / batch_size, 1)``, ``max_iter = int(epochs * iter_per_epoch)``,
an evaluation after every step whose index ``i`` has ``i % iter_per_epoch == 0``. With a copy of the book's
repository (``CHAINRULE_BOOK_REPO``), the book's own Trainer runs beside it on the same seed and network, and
everything printed and recorded must be the same.
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import chainrule
from chainrule.train import BookTrainer, Trainer

BOOK_REPO = os.environ.get("CHAINRULE_BOOK_REPO")

# A small network with the book's interface (params, gradient, loss, accuracy), the same in both processes.
NETWORK = textwrap.dedent("""
    import numpy as np

    class SoftmaxNet:
        def __init__(self, d, c, seed=0):
            rng = np.random.default_rng(seed)
            self.params = {'W': 0.1 * rng.standard_normal((d, c)), 'b': np.zeros(c)}
            self.accuracy_calls = []

        def predict(self, x):
            return x @ self.params['W'] + self.params['b']

        def _probs(self, x):
            s = self.predict(x)
            e = np.exp(s - s.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)

        def loss(self, x, t):
            return float(-np.mean(np.log(self._probs(x)[np.arange(len(t)), t] + 1e-7)))

        def gradient(self, x, t):
            dy = self._probs(x)
            dy[np.arange(len(t)), t] -= 1
            dy /= len(t)
            return {'W': x.T @ dy, 'b': dy.sum(axis=0)}

        def accuracy(self, x, t):
            self.accuracy_calls.append(len(x))
            return float(np.mean(np.argmax(self._probs(x), axis=1) == t))
""")
namespace = {}
exec(NETWORK, namespace)
SoftmaxNet = namespace["SoftmaxNet"]


def data(n_train, n_test=40, d=6, c=3, seed=1):
    rng = np.random.default_rng(seed)
    centers = 2 * rng.standard_normal((c, d))
    t = rng.integers(0, c, n_train + n_test)
    x = centers[t] + rng.standard_normal((n_train + n_test, d))
    return x[:n_train], t[:n_train], x[n_train:], t[n_train:]


def book_rule(train_size, batch_size, epochs):
    """How many evaluations the book's Trainer makes (its own arithmetic, in floats as it does it)."""
    iter_per_epoch = max(train_size / batch_size, 1)
    return int(epochs * iter_per_epoch), sum(1 for i in range(int(epochs * iter_per_epoch)) if i % iter_per_epoch == 0)


SETTINGS = [  # (train_size, batch_size, epochs, evaluate_sample_num_per_epoch)
    (600, 100, 20, None),  # whole epochs: `epochs` entries (ch07/train_convnet.py's 60000 / 100 in small)
    (600, 100, 3, 50),
    (250, 100, 3, None),  # 2.5 iterations per epoch: evaluations at steps 0 and 5 only
    (1000, 300, 4, 20),  # 3.33...: only step 0 is a multiple
    (50, 100, 5, None),  # fewer samples than a minibatch: iter_per_epoch is 1, every step
    (400, 100, 50, 100),  # ch06/hyperparameter_optimization.py's validation split: 50 entries
    (300, 100, 301, None),  # ch06/overfit_dropout.py: 301 entries
]


@pytest.mark.parametrize("train_size, batch_size, epochs, sample", SETTINGS)
def test_lists_have_the_books_lengths(train_size, batch_size, epochs, sample, capsys):
    x, t, xt, tt = data(train_size)
    net = SoftmaxNet(x.shape[1], 3)
    trainer = BookTrainer(net, x, t, xt, tt, epochs=epochs, mini_batch_size=batch_size, optimizer="sgd",
                          optimizer_param={"lr": 0.1}, evaluate_sample_num_per_epoch=sample, verbose=False, rng=0)
    trainer.train()
    max_iter, evaluations = book_rule(train_size, batch_size, epochs)
    assert trainer.max_iter == max_iter
    assert len(trainer.train_loss_list) == max_iter
    assert len(trainer.train_acc_list) == len(trainer.test_acc_list) == trainer.current_epoch == evaluations
    n = len(x) if sample is None else min(sample, len(x))
    m = len(xt) if sample is None else min(sample, len(xt))
    assert net.accuracy_calls == [n, m] * evaluations + [len(xt)]  # then the final test accuracy on all of it
    assert capsys.readouterr().out == ""


def test_whole_epochs_give_epochs_entries_where_chainrules_trainer_gives_one_more():
    x, t, xt, tt = data(600)
    book = BookTrainer(SoftmaxNet(6, 3), x, t, xt, tt, epochs=4, verbose=False, rng=0)
    book.train()
    ours = Trainer(SoftmaxNet(6, 3), x, t, xt, tt, epochs=4, verbose=False, rng=0, progress=False)
    ours.train()
    assert len(book.train_acc_list) == 4
    assert len(ours.train_acc_list) == 5  # chainrule's also evaluates before training
    assert chainrule.Trainer is Trainer


def test_verbose_prints_the_books_lines(capsys):
    x, t, xt, tt = data(200)
    trainer = BookTrainer(SoftmaxNet(6, 3), x, t, xt, tt, epochs=2, mini_batch_size=100, optimizer="Adam",
                          optimizer_param={"lr": 0.01}, rng=0)
    trainer.train()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 + 2 + 2
    assert [line.split(":")[0] for line in lines] == [
        "train loss", "=== epoch", "train loss", "train loss", "=== epoch", "train loss",
        "=============== Final Test Accuracy ===============", "test acc"]
    assert lines[0] == f"train loss:{trainer.train_loss_list[0]}"
    assert lines[1] == (f"=== epoch:1, train acc:{trainer.train_acc_list[0]}, test acc:{trainer.test_acc_list[0]} "
                        "===")
    assert lines[-1] == f"test acc:{trainer.network.accuracy(xt, tt)}"


def test_minibatches_come_from_the_global_generator_by_default():
    x, t, xt, tt = data(300)
    runs = []
    for _ in range(2):
        np.random.seed(5)  # noqa: NPY002 - what a script run by the book runner does (--seed 5)
        trainer = BookTrainer(SoftmaxNet(6, 3), x, t, xt, tt, epochs=2, verbose=False)
        trainer.train()
        runs.append(trainer.train_loss_list)
    assert runs[0] == runs[1]
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        BookTrainer(SoftmaxNet(6, 3), x, t, xt, tt, optimizer="lbfgs")


RUN = """
import json, sys
import numpy as np
sys.path[:0] = [{where!r}]
exec({network!r})
from common.trainer import Trainer
rng = np.random.default_rng(1)
centers = 2 * rng.standard_normal((3, 6))
t = rng.integers(0, 3, {n} + 40)
x = centers[t] + rng.standard_normal(({n} + 40, 6))
np.random.seed(0)
trainer = Trainer(SoftmaxNet(6, 3), x[:{n}], t[:{n}], x[{n}:], t[{n}:], epochs={epochs}, mini_batch_size={batch},
                  optimizer={optimizer!r}, optimizer_param={param!r}, evaluate_sample_num_per_epoch={sample})
trainer.train()
print(json.dumps([trainer.train_loss_list, trainer.train_acc_list, trainer.test_acc_list, trainer.current_epoch]))
"""


@pytest.mark.skipif(not BOOK_REPO, reason="set CHAINRULE_BOOK_REPO to a copy of the book's repository")
@pytest.mark.parametrize("train_size, batch_size, epochs, sample", SETTINGS[:5])
@pytest.mark.parametrize("optimizer, param", [("SGD", {"lr": 0.1}), ("Adam", {"lr": 0.01})])
def test_the_same_run_as_the_books_own_trainer(train_size, batch_size, epochs, sample, optimizer, param):
    """The book's common/trainer.py and chainrule's shim, each in a fresh process, on the same seed."""
    from chainrule.book import SHIM_DIR

    outputs = []
    for where in (BOOK_REPO, str(SHIM_DIR)):
        code = RUN.format(where=where, network=NETWORK, n=train_size, epochs=epochs, batch=batch_size,
                          optimizer=optimizer, param=param, sample=sample)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    book, ours = outputs
    assert ours.splitlines()[:-1] == book.splitlines()[:-1]  # every printed line, the losses included
    losses, train_acc, test_acc, epochs_seen = json.loads(ours.splitlines()[-1])
    book_losses, book_train, book_test, book_epochs = json.loads(book.splitlines()[-1])
    assert (len(train_acc), len(test_acc), epochs_seen) == (len(book_train), len(book_test), book_epochs)
    np.testing.assert_allclose(losses, book_losses, rtol=1e-12)
    assert train_acc == book_train and test_acc == book_test
