"""The book's scripts run unchanged on chainrule: ``python -m chainrule.book SCRIPT``.

The scripts here are written by the tests, in the book's own import pattern
(``sys.path.append(os.pardir)``, then ``from common.layers import ...`` and
``from dataset.mnist import load_mnist``). Next to them lie decoy ``common``
and ``dataset`` packages that fail when imported, as the book's own would be
found there: the runner must resolve the imports to chainrule first.

The book's real scripts, every one of chapters 3-8, run in ``test_book_scripts.py`` when a copy of its
repository is named by ``CHAINRULE_BOOK_REPO``; no code of the book is kept here.
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

HEADER = """\
# coding: utf-8
import sys, os
sys.path.append(os.pardir)
import numpy as np
"""


def run_script(path, *args, timeout=300):
    """``python -m chainrule.book path args``: what it prints (it must exit 0)."""
    proc = subprocess.run([sys.executable, "-m", "chainrule.book", str(path), *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture
def book(tmp_path):
    """A folder laid out like the book's repository, with decoy ``common`` and ``dataset`` packages."""
    for package in ("common", "dataset"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(
            f"raise ImportError('the decoy {package} package was imported instead of chainrule')\n")

    def write(relpath, body):
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + textwrap.dedent(body))
        return path

    return write


def numbers(text):
    return [float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", text)]


def test_functions_and_layers_of_chapters_4_and_5(book):
    script = book("ch04/check.py", """
        from common.functions import sigmoid, sigmoid_grad, softmax, cross_entropy_error
        from common.layers import *
        from common.gradient import numerical_gradient
        x = np.array([-1.0, 0.0, 2.0])
        print(sigmoid_grad(x).tolist())
        f = lambda v: np.sum(sigmoid(v))
        print(numerical_gradient(f, x.copy()).tolist())
        t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
        print(cross_entropy_error(y, t))
        print(type(Convolution).__name__, Relu.__module__)
    """)
    out = run_script(script).splitlines()
    analytic, numeric = np.array(eval(out[0])), np.array(eval(out[1]))
    np.testing.assert_allclose(analytic, [0.19661193324148185, 0.25, 0.10499358540350662])
    np.testing.assert_allclose(numeric, analytic, rtol=1e-7)
    assert out[2] == "0.510825457099338"  # the book's printed value
    assert out[3] == "type chainrule.layers"


def test_optimizer_on_float_parameters_as_in_chapter_6(book):
    script = book("ch06/naive.py", """
        from common.optimizer import *
        del np  # the book's star import brings numpy too (ch06/optimizer_compare_mnist.py relies on it)
        from common.optimizer import *
        print(np.__name__)
        def df(x, y):
            return x / 10.0, 2.0 * y
        for opt in (SGD(lr=0.95), Momentum(lr=0.1)):
            params = {'x': -7.0, 'y': 2.0}
            grads = {'x': 0, 'y': 0}
            for i in range(30):
                grads['x'], grads['y'] = df(params['x'], params['y'])
                opt.update(params, grads)
            print(type(params['x']).__name__, repr(params['x']), repr(params['y']))
    """)
    out = run_script(script).splitlines()
    assert out.pop(0) == "numpy"
    x, y = -7.0, 2.0
    for _ in range(30):
        gx, gy = x / 10.0, 2.0 * y
        x, y = x - 0.95 * gx, y - 0.95 * gy
    assert out[0] == f"float {x!r} {y!r}"
    assert out[1].startswith("float ")


def test_convolution_pooling_and_a_local_network_module_as_in_chapter_7(book, tmp_path):
    book("ch07/tiny_net.py", """
        from collections import OrderedDict
        from common.layers import *
        class TinyNet:
            def __init__(self):
                rng = np.random.default_rng(0)
                self.params = {'W1': 0.1 * rng.standard_normal((3, 1, 3, 3)), 'b1': np.zeros(3),
                               'W2': 0.1 * rng.standard_normal((27, 4)), 'b2': np.zeros(4)}
                self.layers = OrderedDict()
                self.layers['Conv1'] = Convolution(self.params['W1'], self.params['b1'], 1, 1)
                self.layers['Relu1'] = Relu()
                self.layers['Pool1'] = Pooling(pool_h=2, pool_w=2, stride=2)
                self.layers['Affine1'] = Affine(self.params['W2'], self.params['b2'])
                self.last_layer = SoftmaxWithLoss()
            def loss(self, x, t):
                for layer in self.layers.values():
                    x = layer.forward(x)
                return self.last_layer.forward(x, t)
    """)
    (tmp_path / "ch07" / "input.txt").write_text("6\n")  # read relative to the script's folder
    script = book("ch07/train_tiny.py", """
        from tiny_net import TinyNet
        from common.util import im2col
        from common.optimizer import SGD
        x1 = np.random.rand(1, 3, 7, 7)
        print(im2col(x1, 5, 5, stride=1, pad=0).shape)
        x2 = np.random.rand(10, 3, 7, 7)
        print(im2col(x2, 5, 5, stride=1, pad=0).shape)
        n = int(open('input.txt').read())
        net = TinyNet()
        x = np.random.default_rng(1).random((8, 1, n, n))
        t = np.arange(8) % 4
        first = net.loss(x, t)
        opt = SGD(lr=0.5)
        for i in range(50):
            net.loss(x, t)
            dout = net.last_layer.backward(1)
            for layer in reversed(list(net.layers.values())):
                dout = layer.backward(dout)
            grads = {'W1': net.layers['Conv1'].dW, 'b1': net.layers['Conv1'].db,
                     'W2': net.layers['Affine1'].dW, 'b2': net.layers['Affine1'].db}
            opt.update(net.params, grads)
        print(first, net.loss(x, t))
    """)
    out = run_script(script).splitlines()
    assert out[:2] == ["(9, 75)", "(90, 75)"]  # the shapes chapter 7 prints
    first, last = numbers(out[2])
    assert abs(first - np.log(4)) < 0.05 and last < 0.5 * first


def test_multilayer_net_extend_trainer_and_util_as_in_chapter_6(book):
    script = book("ch06/extend.py", """
        from common.multi_layer_net_extend import MultiLayerNetExtend
        from common.trainer import Trainer
        from common.util import smooth_curve, shuffle_dataset
        rng = np.random.default_rng(0)
        centers = rng.standard_normal((3, 20)) * 2
        t = rng.integers(0, 3, 400)
        x = centers[t] + rng.standard_normal((400, 20))
        x, t = shuffle_dataset(x, t)
        net = MultiLayerNetExtend(input_size=20, hidden_size_list=[30, 30], output_size=3,
                                  use_dropout=True, dropout_ration=0.2, use_batchnorm=True)
        trainer = Trainer(net, x[:300], t[:300], x[300:], t[300:], epochs=5, mini_batch_size=50,
                          optimizer='Adam', optimizer_param={'lr': 0.01}, verbose=False)
        trainer.train()
        print(len(smooth_curve(trainer.train_loss_list)), len(trainer.train_loss_list))
        print(trainer.test_acc_list[-1])
    """)
    out = run_script(script).splitlines()
    assert out[0] == "30 30"
    assert float(out[1]) > 0.9


@pytest.mark.mnist
def test_dataset_mnist_is_chainrules_loader(book, real_mnist_env):
    script = book("ch03/shapes.py", """
        from dataset.mnist import load_mnist
        (x_train, t_train), (x_test, t_test) = load_mnist(flatten=True, normalize=False)
        print(x_train.shape, t_train.shape, x_test.shape, t_test.shape, x_train.dtype)
        (x_train, t_train), _ = load_mnist(flatten=False, one_hot_label=True)
        print(x_train.shape, t_train.shape, float(x_train.max()))
    """)
    assert run_script(script).splitlines() == [
        "(60000, 784) (60000,) (10000, 784) (10000,) uint8", "(60000, 1, 28, 28) (60000, 10) 1.0"]


def test_runner_usage_and_path(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chainrule.book", "--path"], capture_output=True, text=True)
    shim = Path(proc.stdout.strip())
    assert (shim / "common" / "layers.py").is_file() and (shim / "dataset" / "mnist.py").is_file()
    proc = subprocess.run([sys.executable, "-m", "chainrule.book", str(tmp_path / "nope.py")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"chainrule.book: {tmp_path / 'nope.py'} is not a Python script file"
    proc = subprocess.run([sys.executable, "-m", "chainrule.book"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout.startswith("usage: python -m chainrule.book [OPTIONS] SCRIPT")


def test_shim_holds_no_implementation():
    """Every module of the shim only imports from chainrule (no def, no class)."""
    from chainrule.book import SHIM_DIR

    files = sorted((SHIM_DIR / "common").glob("*.py")) + sorted((SHIM_DIR / "dataset").glob("*.py"))
    assert len(files) == 11
    for path in files:
        text = path.read_text()
        assert not re.search(r"^\s*(def|class) ", text, re.M), path
        assert "chainrule" in text or path.name == "__init__.py", path


# The book's own scripts, from a copy of its repository (CHAINRULE_BOOK_REPO): tests/book/test_book_scripts.py.


def test_a_network_whose_layers_are_a_list_as_in_chapter_8(book):
    """ch08/deep_convnet.py keeps its layers in a list; the Trainer takes it."""
    script = book("ch08/listnet.py", """
        from common.layers import *
        from common.trainer import Trainer
        class ListNet:
            def __init__(self):
                rng = np.random.default_rng(0)
                self.params = {'W1': 0.1 * rng.standard_normal((4, 3)), 'b1': np.zeros(3)}
                self.layers = [Affine(self.params['W1'], self.params['b1'])]
                self.last_layer = SoftmaxWithLoss()
            def predict(self, x):
                for layer in self.layers:
                    x = layer.forward(x)
                return x
            def loss(self, x, t):
                return self.last_layer.forward(self.predict(x), t)
            def accuracy(self, x, t):
                return float(np.mean(np.argmax(self.predict(x), axis=1) == t))
            def gradient(self, x, t):
                self.loss(x, t)
                dout = self.layers[0].backward(self.last_layer.backward(1))
                return {'W1': self.layers[0].dW, 'b1': self.layers[0].db}
        rng = np.random.default_rng(1)
        t = rng.integers(0, 3, 300)
        x = np.eye(4)[t] * 3 + 0.1 * rng.standard_normal((300, 4))
        net = ListNet()
        trainer = Trainer(net, x, t, x, t, epochs=5, mini_batch_size=30, optimizer='SGD',
                          optimizer_param={'lr': 0.5}, verbose=False)
        trainer.train()
        print(trainer.test_acc_list[-1])
    """)
    assert float(run_script(script)) > 0.95
