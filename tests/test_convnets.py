"""SimpleConvNet and DeepConvNet: the book's architecture, gradient checks, and safe parameter files."""

import os
import pickle

import numpy as np
import pytest

from chainrule import DeepConvNet, SimpleConvNet, gradient_check
from chainrule.convolution import Convolution, Pooling
from chainrule.dropout import Dropout
from chainrule.io import ModelFileError
from chainrule.layers import Affine, Relu

SMALL = {"input_dim": (1, 10, 10), "conv_param": {"filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1},
         "hidden_size": 10, "output_size": 10, "weight_init_std": 0.01}


def test_simple_convnet_is_the_books():
    net = SimpleConvNet(rng=0)
    assert list(net.layers) == ["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"]
    assert [type(layer) for layer in net.layers.values()] == [Convolution, Relu, Pooling, Affine, Relu, Affine]
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
    assert net.params["W1"] is net.layers["Conv1"].W  # shared, not copied
    assert abs(net.params["W2"].std() - 0.01) < 1e-4
    assert net.predict(np.zeros((2, 1, 28, 28))).shape == (2, 10)


def test_simple_convnet_gradient_check_as_in_chapter_7():
    """The book's ch07/gradient_check.py: a 10x10 input, 10 filters of 3x3, one sample, mean |numeric - backprop|."""
    net = SimpleConvNet(**SMALL, rng=0)
    x = np.random.default_rng(10).random(100).reshape((1, 1, 10, 10))
    t = np.array([1])
    numeric = net.numerical_gradient(x, t)  # the book's method: central differences with h = 1e-4
    grads = net.gradient(x, t)
    assert set(numeric) == set(grads) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    for key in numeric:
        assert np.abs(numeric[key] - grads[key]).mean() < 1e-9, key
    assert np.abs(grads["W1"]).max() > 1e-6  # not trivially zero


@pytest.mark.parametrize("seed", range(4))
def test_simple_convnet_gradient_check_with_a_small_step(seed):
    """With h = 1e-4, a ReLU or max-pooling kink within h of a value spoils the numerical side (the book's
    own SimpleConvNet shows W1 differences of 1e-6 to 1e-5 for most seeds, with backprop gradients equal to
    ours); h = 1e-6 steps over no kink here, and every parameter agrees to 1e-9."""
    net = SimpleConvNet(**SMALL, rng=seed)
    x = np.random.default_rng(seed + 10).random(100).reshape((1, 1, 10, 10))
    report = gradient_check(net, x, np.array([1]), h=1e-6, mean_tol=1e-9, rel_floor=1e-5)
    assert report.ok, str(report)


def test_simple_convnet_gradient_check_report_and_float32_copy():
    net = SimpleConvNet(input_dim=(2, 7, 7), conv_param={"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 2},
                        hidden_size=5, output_size=4, weight_init_std=0.3, dtype=np.float32, rng=3)
    x = np.random.default_rng(4).standard_normal((3, 2, 7, 7))
    report = gradient_check(net, x, np.array([0, 3, 1]))  # checked on a float64 copy (astype)
    assert report.ok, str(report)
    assert [row.name for row in report.rows] == ["W1", "b1", "W2", "b2", "W3", "b3"]


def test_deep_convnet_shapes_and_gradient_check():
    net = DeepConvNet(rng=0)
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (16, 1, 3, 3), "b1": (16,), "W2": (16, 16, 3, 3), "b2": (16,), "W3": (32, 16, 3, 3), "b3": (32,),
        "W4": (32, 32, 3, 3), "b4": (32,), "W5": (64, 32, 3, 3), "b5": (64,), "W6": (64, 64, 3, 3), "b6": (64,),
        "W7": (1024, 50), "b7": (50,), "W8": (50, 10), "b8": (10,)}
    assert abs(net.params["W7"].std() - np.sqrt(2 / 1024)) < 0.002
    assert net.predict(np.zeros((2, 1, 28, 28))).shape == (2, 10)

    small = {f"conv_param_{i}": {"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 1} for i in range(1, 7)}
    tiny = DeepConvNet(input_dim=(1, 8, 8), **small, hidden_size=4, output_size=3, rng=5)
    x = np.random.default_rng(6).standard_normal((2, 1, 8, 8))
    # biases away from 0: with zero biases and a ReLU output of exact zeros, Relu7 would sit on its kink
    for k in tiny.params:
        if k.startswith("b"):
            tiny.params[k] = np.random.default_rng(7).uniform(0.1, 0.5, tiny.params[k].shape)
    # a fixed Dropout mask, so that the loss is one function of the parameters
    masks = {}
    for name, layer in tiny.layers.items():
        if isinstance(layer, Dropout):
            masks[name] = layer.rng.random((2, 4 if name == "Dropout1" else 3))

            class Fixed:
                def __init__(self, values):
                    self.values = values

                def random(self, shape):
                    return self.values

            layer.rng = Fixed(masks[name])
    report = gradient_check(tiny, x, np.array([2, 0]))
    assert report.ok, str(report)
    assert len(report.rows) == 16


def test_predict_is_test_mode_and_gradient_is_train_mode():
    net = DeepConvNet(rng=0)
    x = np.random.default_rng(1).random((2, 1, 28, 28))
    np.testing.assert_array_equal(net.predict(x), net.predict(x))  # no dropout at test time
    net.gradient(x, np.array([1, 2]))
    assert net.layers["Dropout1"].train_flg is True and net.layers["Dropout1"].mask is not None


def test_save_and_load_params_round_trip(tmp_path):
    net = SimpleConvNet(**SMALL, rng=0)
    path = net.save_params(tmp_path / "params.npz")
    other = SimpleConvNet(**SMALL, rng=1)
    assert not np.array_equal(other.params["W1"], net.params["W1"])
    other.load_params(path)
    for k in net.params:
        np.testing.assert_array_equal(other.params[k], net.params[k])
    assert other.layers["Conv1"].W is other.params["W1"]  # loaded into the layer's own array
    x = np.random.default_rng(2).random((3, 1, 10, 10))
    np.testing.assert_array_equal(other.predict(x), net.predict(x))
    with np.load(path, allow_pickle=False) as npz:  # a plain npz without pickled objects
        assert "__chainrule__" in npz.files


def test_load_params_reads_a_plain_npz_of_arrays(tmp_path):
    net = DeepConvNet(rng=0)
    np.savez(tmp_path / "plain.npz", **{k: v * 2 for k, v in net.params.items()})
    other = DeepConvNet(rng=1)
    other.load_params(tmp_path / "plain.npz")
    np.testing.assert_array_equal(other.params["W8"], net.params["W8"] * 2)


def test_load_params_reads_the_books_pickle_and_nothing_else(tmp_path):
    """The book's save_params writes a pickled dict of arrays: read through the weights-only reader."""
    path = tmp_path / "params.pkl"
    trained = SimpleConvNet(**SMALL, rng=0)
    with open(path, "wb") as f:
        pickle.dump({k: np.array(v) for k, v in trained.params.items()}, f)
    net = SimpleConvNet(**SMALL, rng=1)
    net.load_params(path)
    x = np.random.default_rng(2).random((3, *SMALL["input_dim"]))
    assert np.array_equal(net.predict(x), trained.predict(x))
    assert net.params["W1"] is net.layers["Conv1"].W  # still the layer's own array

    class Canary:
        def __reduce__(self):
            return os.system, (f"touch {tmp_path / 'ran'}",)

    with open(path, "wb") as f:
        pickle.dump({"W1": Canary()}, f)
    with pytest.raises(ModelFileError) as info:
        net.load_params(path)
    assert "\n" not in str(info.value) and str(info.value).startswith(f"{path}: refused: it names ")
    assert not (tmp_path / "ran").exists()


def test_load_params_errors(tmp_path):
    net = SimpleConvNet(**SMALL, rng=0)
    path = net.save_params(tmp_path / "small.npz")
    with pytest.raises(ModelFileError, match="with another architecture"):
        SimpleConvNet(rng=0).load_params(path)
    with pytest.raises(ModelFileError, match="holds a 'SimpleConvNet', not a DeepConvNet"):
        DeepConvNet(rng=0).load_params(path)
    with pytest.raises(FileNotFoundError, match="parameter file not found"):
        net.load_params(tmp_path / "missing.npz")
    np.savez(tmp_path / "partial.npz", W1=net.params["W1"])
    with pytest.raises(ModelFileError, match=r"has arrays \['W1'\] but this SimpleConvNet has parameters"):
        net.load_params(tmp_path / "partial.npz")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ModelFileError, match="is not an .npz parameter file"):
        net.load_params(tmp_path / "text.npz")


def test_constructor_errors():
    with pytest.raises(ValueError, match="conv_param must be a dict with keys"):
        SimpleConvNet(conv_param={"filter_num": 3})
    with pytest.raises(ValueError, match="does not fit"):
        SimpleConvNet(input_dim=(1, 3, 3))
    with pytest.raises(TypeError, match="must be floating"):
        SimpleConvNet(dtype=np.int32)


def blobs(n, seed):
    """8x8 uint8 images of a bright 3x3 square in one of three corners (the class), over noise."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 3, n)
    x = rng.integers(0, 60, (n, 1, 8, 8)).astype(np.uint8)
    for i, (r, c) in enumerate([(0, 0), (5, 0), (5, 5)]):
        x[t == i, 0, r:r + 3, c:c + 3] = 255
    return x, t


def test_trainer_trains_a_simple_convnet_on_uint8_images():
    x, t = blobs(600, 0)
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 4, "filter_size": 3, "pad": 1, "stride": 1},
                        hidden_size=16, output_size=3, weight_init_std=0.1, dtype=np.float32, rng=1)
    from chainrule import Trainer

    trainer = Trainer(net, x[:500], t[:500], x[500:], t[500:], epochs=3, mini_batch_size=50, optimizer="adam",
                      optimizer_param={"lr": 0.01}, verbose=False, rng=0, progress=False)
    trainer.train()
    assert trainer.test_acc_list[0] < 0.6 < 0.95 < trainer.test_acc_list[-1]
    assert net.dtype == np.float32 and net.layers["Conv1"].dW.dtype == np.float32
    assert net.layers["Conv1"].need_dx is True  # restored after training


def test_graph_trace_loss_of_a_simple_convnet_gives_its_gradients():
    from chainrule import Graph

    net = SimpleConvNet(**SMALL, rng=0)
    x = np.random.default_rng(1).random((2, 1, 10, 10))
    t = np.array([3, 7])
    g = Graph()
    loss = g.trace_loss(net, x, t)
    assert [node.label for node in g.nodes] == ["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2",
                                                "SoftmaxWithLoss"]
    loss.backward()
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    for k in net.params:
        np.testing.assert_allclose(g[k].grad, grads[k], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("make", [
    lambda: SimpleConvNet(**SMALL, dtype=np.float32, rng=3),
    lambda: DeepConvNet(input_dim=(1, 12, 12), hidden_size=7, rng=4),
], ids=["SimpleConvNet", "DeepConvNet"])
def test_chainrule_load_opens_convnet_model_files(tmp_path, make):
    from chainrule import load, save
    from chainrule.networks import NETWORKS

    net = make()
    assert NETWORKS[type(net).__name__] is type(net)
    side = net.config["input_dim"][1]
    x = np.random.default_rng(5).random((4, 1, side, side)).astype(net.dtype)
    path = save(net, tmp_path / "conv.npz", metadata={"kind": "mnist"})
    other = load(path)
    assert type(other) is type(net) and other.config == net.config and other.dtype == net.dtype
    np.testing.assert_array_equal(other.predict(x), net.predict(x))
    again = type(net)(**{k: v for k, v in net.config.items() if k != "class"}, rng=9)
    again.load_params(net.save_params(tmp_path / "params.npz"))  # save_params writes the same model file
    np.testing.assert_array_equal(again.params["W1"], net.params["W1"])


@pytest.mark.parametrize("make", [lambda: SimpleConvNet(rng=0), lambda: DeepConvNet(rng=0)])
def test_images_of_another_size_are_a_clear_error_naming_the_shapes(make):
    net = make()
    name = type(net).__name__
    x, t = np.zeros((2, 1, 32, 32)), np.array([1, 2])  # DeepConvNet would even compute something for them
    calls = [lambda: net.predict(x), lambda: net.loss(x, t), lambda: net.accuracy(x, t),
             lambda: net.gradient(x, t)]
    for call in calls:
        with pytest.raises(ValueError) as info:
            call()
        assert str(info.value) == (f"{name} takes images of shape (N, 1, 28, 28) (its input_dim); "
                                   "got shape (2, 1, 32, 32)")
    with net.fast_training(), pytest.raises(ValueError, match=r"got shape \(2, 1, 32, 32\)"):
        net.gradient(x, t)
    with pytest.raises(ValueError, match=r"got shape \(2, 784\)"):
        net.predict(np.zeros((2, 784)))
    assert net.predict(np.zeros((2, 1, 28, 28))).shape == (2, 10)
