"""What a model page embeds (chainrule.explore.model): every layer of chapters 5-8 with its settings and
float32 parameters, the input's shape, and a one-line refusal for what the page cannot draw."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from chainrule import DeepConvNet, MultiLayerNetExtend, SimpleConvNet, TwoLayerNet
from chainrule.explore import model_payload
from chainrule.explore.model import input_shape


def floats(b64, shape):
    return np.frombuffer(base64.b64decode(b64), dtype="<f4").reshape(shape)


def test_model_payload_weights_round_trip_as_float32():
    net = TwoLayerNet(784, 50, 10, dtype=np.float32, rng=1)
    p = model_payload(net)
    assert [layer["type"] for layer in p["layers"]] == ["affine", "relu", "affine"]
    w1 = np.frombuffer(base64.b64decode(p["layers"][0]["W"]), dtype="<f4").reshape(784, 50)
    np.testing.assert_array_equal(w1, net.params["W1"])
    assert p["classes"] == [str(i) for i in range(10)]
    with pytest.raises(ValueError, match="draws 28x28 grey digits; this network takes 10 inputs"):
        model_payload(TwoLayerNet(10, 5, 3))


def test_a_layer_the_page_does_not_know_is_refused_in_one_line():
    from chainrule.graph import Exp
    from chainrule.networks import Sequential

    net = TwoLayerNet(784, 5, 3, rng=0)
    layers = dict(net.layers)
    layers["Exp1"] = Exp()
    other = Sequential(layers, net.lastLayer)
    with pytest.raises(ValueError, match=r"^the page cannot draw Exp layers yet \(Exp1\)$"):
        model_payload(other)


def test_convolutional_payload_names_every_layer_its_settings_and_parameters():
    net = SimpleConvNet(dtype=np.float32, rng=0)
    p = model_payload(net)
    assert p["input"] == [1, 28, 28] == list(input_shape(net))
    assert [layer["type"] for layer in p["layers"]] == ["conv", "relu", "pool", "affine", "relu", "affine"]
    conv, pool = p["layers"][0], p["layers"][2]
    assert (conv["shape"], conv["stride"], conv["pad"]) == ([30, 1, 5, 5], 1, 0)
    np.testing.assert_array_equal(floats(conv["W"], conv["shape"]), net.params["W1"])
    assert (pool["pool"], pool["stride"], pool["pad"]) == ([2, 2], 2, 0)
    assert p["layers"][3]["shape"] == [30 * 12 * 12, 100]
    deep = model_payload(DeepConvNet(dtype=np.float32, rng=0))
    assert [layer["type"] for layer in deep["layers"]].count("conv") == 6
    assert deep["layers"][-1] == {"type": "dropout", "name": "Dropout2", "ratio": 0.5}


def test_batch_normalization_payload_carries_the_running_statistics():
    net = MultiLayerNetExtend(784, [20], 10, use_batchnorm=True, dtype=np.float32, rng=0)
    bn = net.layers["BatchNorm1"]
    bn.running_mean[:] = np.linspace(-1, 1, 20)
    bn.running_var[:] = np.linspace(0.5, 2, 20)
    entry = next(layer for layer in model_payload(net)["layers"] if layer["type"] == "batchnorm")
    assert entry["size"] == 20 and entry["eps"] == 10e-7
    np.testing.assert_array_equal(floats(entry["mean"], 20), bn.running_mean)
    np.testing.assert_array_equal(floats(entry["var"], 20), bn.running_var)
    np.testing.assert_array_equal(floats(entry["gamma"], 20), bn.gamma)


def test_images_must_be_784_bytes_each():
    net = TwoLayerNet(784, 5, 10, dtype=np.float32, rng=0)
    with pytest.raises(ValueError, match=r"images must be uint8 of shape \(K, 784\); got float64 \(2, 784\)"):
        model_payload(net, images=np.zeros((2, 784)), labels=[0, 1])
