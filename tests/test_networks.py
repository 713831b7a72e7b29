"""TwoLayerNet and MultiLayerNet: the book's API, parameter sharing, dtype and seeds."""

import numpy as np
import pytest

from chainrule import MultiLayerNet, Sequential, TwoLayerNet, gradient_check
from chainrule.layers import Affine, Relu


def data(n=8, d=12, c=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, d)), rng.integers(0, c, size=n)


def test_two_layer_net_structure_like_the_book():
    net = TwoLayerNet(784, 50, 10, rng=0)
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (784, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert type(net.lastLayer).__name__ == "SoftmaxWithLoss"
    assert net.params["W1"] is net.layers["Affine1"].W
    assert net.params["b2"] is net.layers["Affine2"].b
    assert np.all(net.params["b1"] == 0)
    assert net.params["W1"].std() == pytest.approx(0.01, rel=0.02)
    assert net.dtype == np.float64


def test_predict_loss_accuracy():
    x, t = data()
    net = TwoLayerNet(12, 6, 4, weight_init_std=0.5, rng=1)
    y = net.predict(x)
    assert y.shape == (8, 4)
    # loss = mean of -log softmax at the targets
    logp = y - y.max(axis=1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(axis=1, keepdims=True))
    assert net.loss(x, t) == pytest.approx(-logp[np.arange(8), t].mean())
    acc = net.accuracy(x, t)
    assert acc == np.mean(y.argmax(axis=1) == t)
    assert net.accuracy(x, np.eye(4)[t]) == acc


def test_gradient_equals_numerical_gradient():
    x, t = data()
    net = TwoLayerNet(12, 6, 4, weight_init_std=0.5, rng=2)
    num = net.numerical_gradient(x, t)
    bp = net.gradient(x, t)
    for k in net.params:
        np.testing.assert_allclose(bp[k], num[k], atol=1e-8)


@pytest.mark.parametrize("style", ["inplace", "rebind"])
def test_both_update_styles_reach_the_layers(style):
    x, t = data()
    net = TwoLayerNet(12, 6, 4, weight_init_std=0.5, rng=3)
    reference = TwoLayerNet(12, 6, 4, weight_init_std=0.5, rng=3)
    losses = []
    for _ in range(5):
        grad = net.gradient(x, t)
        ref_grad = reference.gradient(x, t)
        for k in net.params:
            if style == "inplace":
                net.params[k] -= 0.5 * grad[k]
            else:
                net.params[k] = net.params[k] - 0.5 * grad[k]
            reference.layers[f"Affine{k[1]}"].__dict__[k[0]] -= 0.5 * ref_grad[k]
        losses.append(net.loss(x, t))
    assert losses[-1] < losses[0]  # it learns
    for k in net.params:
        np.testing.assert_array_equal(net.params[k], reference.params[k])
        assert net.params[k] is net.params.owner(k)[0].__dict__[k[0]]


def test_params_assignment_is_validated():
    net = TwoLayerNet(4, 3, 2, rng=0)
    msg = r"params\['W1'\] has shape \(4, 3\); cannot assign an array of shape \(3, 4\)"
    with pytest.raises(ValueError, match=msg):
        net.params["W1"] = np.zeros((3, 4))
    with pytest.raises(KeyError, match="no parameter 'W9'"):
        net.params["W9"] = np.zeros(1)
    with pytest.raises(TypeError):
        del net.params["W1"]


def test_float32_end_to_end():
    x, t = data()
    net = TwoLayerNet(12, 6, 4, dtype=np.float32, rng=0)
    assert all(p.dtype == np.float32 for p in net.params.values())
    assert net.predict(x).dtype == np.float32  # float64 input, float32 network
    assert net.loss(x, t).dtype == np.float32
    grads = net.gradient(x, t)
    assert all(g.dtype == np.float32 for g in grads.values())
    for k in net.params:
        net.params[k] -= 0.1 * grads[k]
        net.params[k] = net.params[k] - np.float64(0.1) * grads[k]
    assert all(p.dtype == np.float32 for p in net.params.values())


def test_same_seed_same_weights_and_dtypes_agree():
    a = TwoLayerNet(10, 5, 3, rng=7)
    b = TwoLayerNet(10, 5, 3, rng=np.random.default_rng(7))
    c = TwoLayerNet(10, 5, 3, rng=8)
    f32 = TwoLayerNet(10, 5, 3, rng=7, dtype=np.float32)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    np.testing.assert_array_equal(a.params["W1"].astype(np.float32), f32.params["W1"])


def test_astype_copies():
    net = TwoLayerNet(10, 5, 3, rng=7, dtype=np.float32)
    n64 = net.astype(np.float64)
    assert n64.dtype == np.float64 and net.dtype == np.float32
    np.testing.assert_array_equal(n64.params["W2"], net.params["W2"].astype(np.float64))


def test_bad_constructor_arguments():
    with pytest.raises(TypeError, match="floating"):
        TwoLayerNet(4, 3, 2, dtype=np.int32)
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        TwoLayerNet(4, 0, 2)
    with pytest.raises(ValueError, match="activation must be one of"):
        MultiLayerNet(4, [3], 2, activation="tanh")


def test_network_bad_input_shapes():
    net = TwoLayerNet(784, 50, 10, rng=0)
    with pytest.raises(ValueError, match=r"W has shape \(784, 50\)"):
        net.predict(np.zeros((2, 100)))
    with pytest.raises(ValueError, match="batch sizes differ"):
        net.loss(np.zeros((2, 784)), np.array([1, 2, 3]))
    with pytest.raises(ValueError, match=r"labels t must be in \[0, 10\); got 10"):
        net.accuracy(np.zeros((2, 784)), np.array([1, 10]))


def test_four_d_input_is_flattened():
    rng = np.random.default_rng(0)
    x = rng.random((3, 1, 4, 4))
    net = TwoLayerNet(16, 5, 3, weight_init_std=0.5, rng=1)
    np.testing.assert_allclose(net.predict(x), net.predict(x.reshape(3, 16)))


@pytest.mark.parametrize("activation, init", [("relu", "he"), ("sigmoid", "xavier"), ("relu", 0.1)])
@pytest.mark.parametrize("decay", [0.0, 0.1])
def test_multi_layer_net_gradient_check(activation, init, decay):
    rng = np.random.default_rng(4)
    net = MultiLayerNet(10, [7, 5], 3, activation=activation, weight_init_std=init,
                        weight_decay_lambda=decay, rng=rng)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert list(net.layers)[1] == "Activation_function1"
    x = rng.random((4, 10))
    gradient_check(net, x, np.array([0, 2, 1, 2]), raise_on_failure=True)


def test_multi_layer_net_init_scales():
    he = MultiLayerNet(800, [400], 10, weight_init_std="he", rng=0)
    xavier = MultiLayerNet(800, [400], 10, weight_init_std="xavier", rng=0)
    assert he.params["W1"].std() == pytest.approx(np.sqrt(2 / 800), rel=0.02)
    assert xavier.params["W1"].std() == pytest.approx(np.sqrt(1 / 800), rel=0.02)
    assert he.params["W2"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)


def test_weight_decay_adds_to_loss():
    x, t = data()
    plain = MultiLayerNet(12, [6], 4, rng=5)
    decayed = MultiLayerNet(12, [6], 4, weight_decay_lambda=0.1, rng=5)
    penalty = 0.05 * sum(np.sum(plain.params[k] ** 2) for k in ("W1", "W2"))
    assert decayed.loss(x, t) == pytest.approx(plain.loss(x, t) + penalty)


def test_weight_decay_is_sequentials_for_every_network():
    """One weight decay: a plain Sequential given a lambda, MultiLayerNet and MultiLayerNetExtend
    (without Dropout or Batch Normalization) compute the same loss and gradients on the same weights."""
    from chainrule import MultiLayerNetExtend

    x, t = data()
    net = MultiLayerNet(12, [6, 5], 4, weight_decay_lambda=0.3, rng=5)
    extend = MultiLayerNetExtend(12, [6, 5], 4, weight_decay_lambda=0.3, rng=5)
    plain = Sequential([Affine(net.params[f"W{k}"].copy(), net.params[f"b{k}"].copy()) if i % 2 == 0 else Relu()
                        for i, k in enumerate((1, 1, 2, 2, 3))])
    plain.weight_decay_lambda = 0.3
    penalty = 0.15 * sum(np.sum(net.params[k] ** 2) for k in ("W1", "W2", "W3"))
    data_loss = MultiLayerNet(12, [6, 5], 4, rng=5).loss(x, t)
    for other in (net, extend, plain):
        assert other.regularization() == pytest.approx(penalty, rel=1e-12)
        assert other.loss(x, t) == pytest.approx(data_loss + penalty, rel=1e-12)
    expected = net.gradient(x, t)
    assert set(expected) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    for other in (extend, plain):
        got = other.gradient(x, t)
        for k in expected:
            np.testing.assert_allclose(got[k], expected[k], rtol=1e-12, atol=1e-15, err_msg=k)
    np.testing.assert_allclose(expected["W2"] - net.layers["Affine2"].dW, 0.3 * net.params["W2"], rtol=1e-12)
    np.testing.assert_array_equal(expected["b2"], net.layers["Affine2"].db)  # biases do not decay
    gradient_check(plain, x, t, raise_on_failure=True)


def test_sequential_from_a_list():
    rng = np.random.default_rng(0)
    net = Sequential([Affine(rng.normal(size=(5, 4)), np.zeros(4)), Relu(),
                      Affine(rng.normal(size=(4, 3)), np.zeros(3))])
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    assert list(net.layers) == ["Affine1", "Relu2", "Affine3"]
    x = rng.random((6, 5))
    gradient_check(net, x, np.array([0, 1, 2, 0, 1, 2]), raise_on_failure=True)


def test_accuracy_of_an_empty_batch_is_a_clear_error():
    net = TwoLayerNet(4, 3, 2, rng=0)
    for batch_size in (None, 10):
        with pytest.raises(ValueError, match=r"accuracy of an empty batch \(x has shape \(0, 4\)\) is undefined"):
            net.accuracy(np.zeros((0, 4)), np.zeros(0, dtype=int), batch_size=batch_size)


def test_accuracy_is_one_loop_whatever_the_batch_size():
    rng = np.random.default_rng(0)
    net = MultiLayerNet(6, [5], 3, rng=1)
    x, t = rng.random((11, 6)), rng.integers(0, 3, size=11)
    expected = np.mean(np.argmax(net.predict(x), axis=1) == t)
    for batch_size in (None, 1, 4, 11, 50):
        assert net.accuracy(x, t, batch_size=batch_size) == expected
        assert net.accuracy(x, np.eye(3)[t], batch_size=batch_size) == expected
    assert net.accuracy(x[0], t[0]) == float(np.argmax(net.predict(x[0])) == t[0])
    with pytest.raises(ValueError, match="batch_size must be a positive integer; got 0"):
        net.accuracy(x, t, batch_size=0)
