"""The fast formulation (``reuse_buffers``, ``need_dx``, ``fast_training``) gives the
readable formulation's numbers, in float64 and float32, for single layers, whole
networks and several steps of training; and it keeps its own promises (reused
arrays, switches restored, fallbacks for unusual inputs)."""

import contextlib

import numpy as np
import pytest

from chainrule import Affine, MultiLayerNet, Relu, Sigmoid, SoftmaxWithLoss, TwoLayerNet

DTYPES = [np.float64, np.float32]


def tol(dtype):
    """Tolerance for "the same numbers": a few roundings apart (BLAS may sum in another order)."""
    return {"rtol": 1e-12, "atol": 1e-14} if dtype == np.float64 else {"rtol": 2e-5, "atol": 1e-7}


def fast(layer):
    layer.reuse_buffers = True
    return layer


def run(layer, x, dout):
    out = np.array(layer.forward(x), copy=True)  # copied: the fast path overwrites it next call
    dx = layer.backward(dout)
    return out, None if dx is None else np.array(dx, copy=True)


# -- single layers ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make", [Relu, Sigmoid], ids=["Relu", "Sigmoid"])
def test_activation_layers_fast_equals_readable(make, dtype):
    rng = np.random.default_rng(0)
    readable, quick = make(), fast(make())
    for shape in [(7, 5), (3, 5), (9, 5), (2, 3, 4)]:  # buffers must follow the shape, grow and shrink
        x = (rng.standard_normal(shape) * 30).astype(dtype)  # Sigmoid: both tails
        x.flat[0] = 0.0  # ReLU's kink: both paths give 0 there
        dout = rng.standard_normal(shape).astype(dtype)
        a, b = run(readable, x, dout), run(quick, x, dout)
        assert b[0].dtype == a[0].dtype == dtype and b[1].dtype == dtype
        np.testing.assert_allclose(b[0], a[0], **tol(dtype))
        np.testing.assert_allclose(b[1], a[1], **tol(dtype))


@pytest.fixture(params=[False, True], ids=["one thread", "products split over two threads"])
def split(request, monkeypatch):
    """Large products split by rows among two threads (every product is large here), or none."""
    from chainrule import _blas

    _blas.cores()
    monkeypatch.setitem(_blas._blas, "default", 2 if request.param else 1)
    monkeypatch.setattr(_blas, "SPLIT_PRODUCT", 1)
    return request.param


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("need_dx", [True, False])
def test_affine_fast_equals_readable(dtype, need_dx, split):
    rng = np.random.default_rng(1)
    W = rng.standard_normal((12, 5)).astype(dtype)
    b = rng.standard_normal(5).astype(dtype)
    readable, quick = Affine(W, b), fast(Affine(W, b))
    readable.need_dx = quick.need_dx = need_dx
    for x_shape in [(8, 12), (3, 12), (20, 12), (4, 3, 2, 2), (12,)]:
        x = rng.standard_normal(x_shape)  # float64 input: a float32 layer casts it
        dout = rng.standard_normal((x_shape[0], 5) if len(x_shape) > 1 else (5,)).astype(dtype)
        a, b_ = run(readable, x, dout), run(quick, x, dout)
        assert b_[0].dtype == dtype and b_[0].shape == a[0].shape
        np.testing.assert_allclose(b_[0], a[0], **tol(dtype))
        if need_dx:
            assert b_[1].shape == x.shape
            np.testing.assert_allclose(b_[1], a[1], **tol(dtype))
        else:
            assert a[1] is None and b_[1] is None
        np.testing.assert_allclose(quick.dW, readable.dW, **tol(dtype))
        np.testing.assert_allclose(quick.db, readable.db, **tol(dtype))
        assert quick.dW.dtype == quick.db.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_fast_equals_readable(dtype, one_hot):
    rng = np.random.default_rng(2)
    readable, quick = SoftmaxWithLoss(), fast(SoftmaxWithLoss())
    for n, scale in [(6, 1.0), (2, 1.0), (11, 1.0), (5, 500.0)]:  # 500: scores far beyond exp's range
        x = (rng.standard_normal((n, 4)) * scale).astype(dtype)
        labels = rng.integers(0, 4, size=n)
        t = np.eye(4)[labels] if one_hot else labels
        loss_a, loss_b = readable.forward(x, t), quick.forward(x, t)
        assert np.isfinite(loss_b) and loss_b.dtype == dtype
        assert loss_b == pytest.approx(loss_a, rel=tol(dtype)["rtol"], abs=tol(dtype)["atol"])
        np.testing.assert_allclose(quick.y, readable.y, **tol(dtype))
        np.testing.assert_allclose(quick.backward(2.5), readable.backward(2.5), **tol(dtype))


def test_softmax_with_loss_fast_path_validates_labels_like_readable():
    layer = fast(SoftmaxWithLoss())
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"labels t must be in \[0, 3\); got 3 at index 1"):
        layer.forward(x, np.array([0, 3]))
    with pytest.raises(ValueError, match=r"got -1 at index 0"):
        layer.forward(x, np.array([-1, 0]))
    with pytest.raises(ValueError, match="batch sizes differ"):
        layer.forward(x, np.array([0, 1, 2]))
    assert layer.forward(np.array([0.0, 0.0, 0.0]), 1) == pytest.approx(np.log(3))  # one sample


def test_fast_path_falls_back_for_unusual_inputs():
    relu = fast(Relu())
    assert relu.forward(np.float64(-2.0)) == 0  # a scalar: readable path
    np.testing.assert_array_equal(relu.backward(np.float64(3.0)), 0)
    np.testing.assert_array_equal(relu.forward(np.array([[1, -1]])), [[1, 0]])  # integers: readable path
    np.testing.assert_array_equal(relu.backward(np.array([[2, 2]])), [[2, 0]])
    sig = fast(Sigmoid())
    np.testing.assert_allclose(sig.forward(np.array([0, 0])), [0.5, 0.5])


@pytest.mark.parametrize("make", [Relu, Sigmoid, lambda: Affine(np.ones((2, 3)), np.zeros(3))],
                         ids=["Relu", "Sigmoid", "Affine"])
def test_fast_path_does_not_mutate_its_arguments(make):
    layer = fast(make())
    x = np.array([[1.0, -2.0], [-3.0, 4.0]])
    x_before = x.copy()
    out = layer.forward(x)
    dout = np.ones_like(out)
    layer.backward(dout)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, 1)


def test_fast_path_backward_before_forward_is_a_clear_error():
    for layer in (Relu(), Sigmoid(), Affine(np.ones((2, 3)), np.zeros(3)), SoftmaxWithLoss()):
        with pytest.raises(RuntimeError, match=r"backward\(\) was called before forward\(\)"):
            fast(layer).backward(np.ones((1, 3)) if not isinstance(layer, SoftmaxWithLoss) else 1)


# -- networks -------------------------------------------------------------------------------
def make_nets(kind, dtype, seed):
    if kind == "two":
        return [TwoLayerNet(20, 9, 5, weight_init_std=0.3, dtype=dtype, rng=seed) for _ in range(2)]
    activation, decay = {"multi-relu": ("relu", 0.0), "multi-sigmoid": ("sigmoid", 0.05),
                         "multi-relu-decay": ("relu", 0.1)}[kind]
    return [MultiLayerNet(20, [9, 7], 5, activation=activation, weight_decay_lambda=decay,
                          dtype=dtype, rng=seed) for _ in range(2)]


KINDS = ["two", "multi-relu", "multi-sigmoid", "multi-relu-decay"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", KINDS)
def test_network_gradient_fast_equals_readable(kind, dtype):
    rng = np.random.default_rng(3)
    readable, quick = make_nets(kind, dtype, seed=4)
    x = rng.random((13, 20)).astype(dtype)
    labels = rng.integers(0, 5, size=13)
    for t in (labels, np.eye(5)[labels]):
        expected = readable.gradient(x, t)
        with quick.fast_training():
            got = quick.gradient(x, t)
            assert quick.loss(x, t) == pytest.approx(readable.loss(x, t), rel=tol(dtype)["rtol"])
        assert list(got) == list(expected)
        for k in expected:
            assert got[k].dtype == dtype
            np.testing.assert_allclose(got[k], expected[k], **tol(dtype))
        # the layers' own gradients agree too (with weight decay: the data's gradient, without lambda * W)
        for name, layer in readable.layers.items():
            for attr in layer.param_names:
                mine = getattr(quick.layers[name], "d" + attr)
                np.testing.assert_allclose(mine, getattr(layer, "d" + attr), **tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", KINDS)
def test_training_steps_fast_equal_readable(kind, dtype):
    """Twenty SGD steps on random batches (varying sizes) end at the same parameters."""
    readable, quick = make_nets(kind, dtype, seed=5)
    data_rng = np.random.default_rng(6)
    x_all = data_rng.random((200, 20)).astype(dtype)
    t_all = np.argmax(x_all @ data_rng.standard_normal((20, 5)), axis=1)  # learnable labels
    start = readable.loss(x_all, t_all)
    lr = dtype(0.5)
    with quick.fast_training():
        for step in range(20):
            idx = data_rng.integers(0, 200, size=16 if step % 3 else 7)
            g_readable = readable.gradient(x_all[idx], t_all[idx])
            g_fast = quick.gradient(x_all[idx], t_all[idx])
            for k in readable.params:
                readable.params[k] -= lr * g_readable[k]
                quick.params[k] -= lr * g_fast[k]
    for k in readable.params:
        np.testing.assert_allclose(quick.params[k], readable.params[k], rtol=tol(dtype)["rtol"] * 10,
                                   atol=tol(dtype)["atol"] * 10)
    assert quick.loss(x_all, t_all) < start  # and they learned


def test_fast_training_reuses_arrays_and_restores_the_switches():
    net = TwoLayerNet(20, 9, 5, rng=0)
    rng = np.random.default_rng(1)
    x, t = rng.random((4, 20)), rng.integers(0, 5, size=4)
    first = net.layers["Affine1"]
    assert not first.reuse_buffers and first.need_dx
    g1 = net.gradient(x, t)
    g2 = net.gradient(x, t)
    assert g1["W1"] is not g2["W1"]  # the book's behaviour: fresh arrays every call
    with net.fast_training() as same:
        assert same is net
        assert all(layer.reuse_buffers for layer in [*net.layers.values(), net.lastLayer])
        assert not first.need_dx and net.layers["Affine2"].need_dx
        g3 = net.gradient(x, t)
        g4 = net.gradient(x + 1, t)
        assert g3["W1"] is g4["W1"] and g3["W1"] is first.dW  # one array, overwritten
        assert first.backward(np.ones((4, 9))) is None  # the input gradient is skipped
    assert not first.reuse_buffers and first.need_dx and not net.lastLayer.reuse_buffers
    assert first.backward(np.ones((4, 9))).shape == (4, 20)


def test_fast_training_restores_the_switches_after_an_error():
    net = TwoLayerNet(20, 9, 5, rng=0)
    with pytest.raises(ValueError, match="features per sample"), net.fast_training():
        net.predict(np.zeros((2, 3)))
    assert not net.layers["Affine1"].reuse_buffers and net.layers["Affine1"].need_dx


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_size", [1, 7, 50, 1000])
def test_chunked_accuracy_equals_whole(dtype, batch_size):
    rng = np.random.default_rng(7)
    net = TwoLayerNet(20, 9, 5, weight_init_std=0.5, dtype=dtype, rng=8)
    x, labels = rng.random((103, 20)).astype(dtype), rng.integers(0, 5, size=103)
    expected = net.accuracy(x, labels)
    assert net.accuracy(x, labels, batch_size=batch_size) == expected
    assert net.accuracy(x, np.eye(5)[labels], batch_size=batch_size) == expected
    with net.fast_training():
        assert net.accuracy(x, labels, batch_size=batch_size) == expected
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        net.accuracy(x, labels, batch_size=0.5)


def test_fast_path_keeps_float32():
    net = TwoLayerNet(20, 9, 5, dtype=np.float32, rng=0)
    rng = np.random.default_rng(1)
    x, t = rng.random((4, 20)), rng.integers(0, 5, size=4)  # float64 data: cast once, into a buffer
    with net.fast_training():
        assert net.predict(x).dtype == np.float32
        assert net.loss(x, t).dtype == np.float32
        assert all(g.dtype == np.float32 for g in net.gradient(x, t).values())


# -- the Trainer runs on the fast path ----------------------------------------------------------------
def test_trainer_trains_on_the_fast_path_with_the_readable_numbers():
    """Trainer (fast formulation, float32, uint8 inputs) against the book's loop on the readable path."""
    from chainrule.train import Trainer

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(300, 20), dtype=np.uint8)
    t = np.argmax(x.astype(np.float64) @ rng.standard_normal((20, 4)), axis=1)
    net, book = (TwoLayerNet(20, 10, 4, weight_init_std=0.1, dtype=np.float32, rng=3) for _ in range(2))
    Trainer(net, x, t, x, t, iters=30, mini_batch_size=16, sampling="choice", optimizer="sgd",
            optimizer_param={"lr": 0.5}, rng=11, verbose=False, progress=False).train()
    draws = np.random.default_rng(11)
    xf = x.astype(np.float32) * np.float32(1 / 255)
    for _ in range(30):
        idx = draws.integers(0, 300, size=16)
        grad = book.gradient(xf[idx], t[idx])
        for key in book.params:
            book.params[key] -= 0.5 * grad[key]
    for key in net.params:
        np.testing.assert_allclose(net.params[key], book.params[key], rtol=1e-4, atol=1e-6)
    layers = [*net.layers.values(), net.lastLayer]
    assert not any(layer.reuse_buffers for layer in layers) and net.layers["Affine1"].need_dx


def test_sgd_updates_in_place_without_touching_the_gradients():
    from chainrule.optimizers import SGD

    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((3, 2)).astype(np.float32), "b": np.zeros(2, np.float32)}
    grads = {k: rng.standard_normal(v.shape).astype(np.float32) for k, v in params.items()}
    before = {k: v.copy() for k, v in grads.items()}
    arrays = dict(params)
    expected = {k: params[k] - np.float32(0.1) * grads[k] for k in params}
    SGD(lr=0.1).update(params, grads)
    for k in params:
        assert params[k] is arrays[k] and params[k].dtype == np.float32
        np.testing.assert_array_equal(params[k], expected[k])
        np.testing.assert_array_equal(grads[k], before[k])


@pytest.mark.parametrize("dtype", DTYPES)
def test_weight_decay_is_added_where_the_gradients_are_returned(dtype):
    """dW of a layer is the data's gradient on both paths; the returned gradient adds lambda * W (the book's
    ``layers['Affine1'].dW + lambda * layers['Affine1'].W``), and the network writes into no layer buffer."""
    readable, quick = make_nets("multi-relu-decay", dtype, seed=8)
    rng = np.random.default_rng(9)
    x, t = rng.random((6, 20)).astype(dtype), rng.integers(0, 5, size=6)
    for net, fast_path in ((readable, False), (quick, True)):
        context = net.fast_training() if fast_path else contextlib.nullcontext()
        with context:
            grads = net.gradient(x, t)
            for i in (1, 2, 3):
                layer = net.layers[f"Affine{i}"]
                np.testing.assert_allclose(grads[f"W{i}"], layer.dW + dtype(0.1) * layer.W, **tol(dtype))
                assert grads[f"W{i}"] is not layer.dW and grads[f"b{i}"] is layer.db
                assert not any(grads[f"W{i}"] is buf for buf in layer.buffers._arrays.values())
    assert readable.regularization() == pytest.approx(
        0.5 * 0.1 * sum(float(np.sum(readable.params[f"W{i}"] ** 2)) for i in (1, 2, 3)), rel=1e-6)
