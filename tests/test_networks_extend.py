"""MultiLayerNetExtend: the book's layer order and parameter names, train/test modes, gradient checks."""

import numpy as np
import pytest

from chainrule import Graph, MultiLayerNetExtend, Trainer, gradient_check
from chainrule.batchnorm import BatchNormalization
from chainrule.dropout import Dropout


def data(n=6, d=5, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


def test_layers_and_params_in_the_books_order():
    net = MultiLayerNetExtend(5, [4, 3], 2, use_dropout=True, dropout_ration=0.3, use_batchnorm=True, rng=0)
    assert list(net.layers) == ["Affine1", "BatchNorm1", "Activation_function1", "Dropout1",
                                "Affine2", "BatchNorm2", "Activation_function2", "Dropout2", "Affine3"]
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3", "gamma1", "beta1", "gamma2", "beta2"]
    assert net.params["gamma2"] is net.layers["BatchNorm2"].gamma
    np.testing.assert_array_equal(net.params["gamma1"], np.ones(4))
    assert net.layers["Dropout1"].dropout_ratio == 0.3
    plain = MultiLayerNetExtend(5, [4], 2, rng=0)
    assert list(plain.layers) == ["Affine1", "Activation_function1", "Affine2"]


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("decay", [0.0, 0.1])
def test_batchnorm_network_gradient_check(activation, decay):
    """The book's ch06/batch_norm_gradient_check.py, on a small network and a batch of 6."""
    x, t = data()
    net = MultiLayerNetExtend(5, [4, 4], 3, activation=activation, weight_decay_lambda=decay,
                              use_batchnorm=True, rng=1)
    report = gradient_check(net, x, t)
    assert report.ok, str(report)
    assert {row.name for row in report.rows} >= {"gamma1", "beta2"}
    book_way = net.numerical_gradient(x, t)
    grads = net.gradient(x, t)
    for k in grads:
        assert np.abs(book_way[k] - grads[k]).mean() < 1e-8, k


def test_test_mode_and_train_mode_differ_as_they_should():
    x, t = data(n=50)
    net = MultiLayerNetExtend(5, [20], 3, use_dropout=True, use_batchnorm=True, rng=2)
    y1, y2 = net.predict(x), net.predict(x)
    np.testing.assert_array_equal(y1, y2)  # test mode: deterministic
    assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))  # fresh masks
    assert net.loss(x, t) != net.loss(x, t, train_flg=True)
    assert net.training_loss(x, t) > 0


def test_dropout_masks_follow_the_rng():
    x, t = data()
    a = MultiLayerNetExtend(5, [8], 3, use_dropout=True, rng=3)
    b = MultiLayerNetExtend(5, [8], 3, use_dropout=True, rng=3)
    ga, gb = a.gradient(x, t), b.gradient(x, t)
    for k in ga:
        np.testing.assert_array_equal(ga[k], gb[k])


def test_astype_keeps_running_statistics():
    x, t = data(n=20)
    net = MultiLayerNetExtend(5, [6], 3, use_batchnorm=True, rng=4)
    net.gradient(x, t)
    assert list(net.state) == ["running_mean1", "running_var1"]
    assert np.any(net.state["running_mean1"] != 0) and np.any(net.state["running_var1"] != 0)
    copy = net.astype(np.float32)
    assert copy.dtype == np.float32
    np.testing.assert_allclose(copy.state["running_var1"], net.state["running_var1"], rtol=1e-6)
    np.testing.assert_allclose(copy.predict(x.astype(np.float32)), net.predict(x), rtol=1e-4, atol=1e-5)
    no_bn = MultiLayerNetExtend(5, [6], 3, use_dropout=True, rng=4)
    assert len(no_bn.state) == 0 and no_bn.astype(np.float32).dtype == np.float32


def test_save_and_load_keep_batchnorm_running_statistics(tmp_path):
    from chainrule import load, save

    x, t = data(n=20)
    net = MultiLayerNetExtend(5, [6, 4], 3, use_batchnorm=True, use_dropout=True, dtype=np.float32, rng=4)
    for _ in range(3):
        net.gradient(x, t)
    other = load(save(net, tmp_path / "bn.npz"))
    assert type(other) is MultiLayerNetExtend and other.config == net.config
    for k in net.state:
        np.testing.assert_array_equal(other.state[k], net.state[k])
    np.testing.assert_array_equal(other.predict(x), net.predict(x))  # test mode: the running statistics


def test_trainer_learns_with_batchnorm_and_dropout():
    rng = np.random.default_rng(5)
    centers = rng.standard_normal((3, 10)) * 3
    t = rng.integers(0, 3, 600)
    x = centers[t] + rng.standard_normal((600, 10))
    net = MultiLayerNetExtend(10, [16, 16], 3, use_batchnorm=True, use_dropout=True, dropout_ration=0.1, rng=6)
    trainer = Trainer(net, x[:500], t[:500], x[500:], t[500:], epochs=3, mini_batch_size=50,
                      optimizer="adam", optimizer_param={"lr": 0.01}, verbose=False, rng=0, progress=False)
    trainer.train()
    assert trainer.test_acc_list[-1] > 0.9
    assert trainer.test_acc_list[-1] == net.accuracy(x[500:], t[500:])


def test_graph_records_batchnorm_and_dropout_layers():
    x, _ = data()
    g = Graph()
    bn = BatchNormalization(np.ones(5), np.zeros(5))
    drop = Dropout(0.5, rng=0)
    xv = g.input(x, name="x")
    with g.trace(bn, drop):
        h = bn.forward(xv.data, train_flg=True)
        out = drop.forward(h, train_flg=True)
    assert [type(node.layer) for node in g.nodes] == [BatchNormalization, Dropout]
    assert len(g.nodes[0].inputs) == 1  # the keyword is a setting, not an input
    dout = np.random.default_rng(1).standard_normal(out.shape)
    g.backward(g.nodes[-1].output, dout)
    np.testing.assert_allclose(xv.grad, bn.backward(drop.backward(dout)))
    np.testing.assert_allclose(g["gamma1"].grad, bn.dgamma)


def test_constructor_errors():
    with pytest.raises(ValueError, match="activation must be one of"):
        MultiLayerNetExtend(5, [4], 2, activation="tanh")
    with pytest.raises(ValueError, match=r"dropout_ratio must be a number in \[0, 1\)"):
        MultiLayerNetExtend(5, [4], 2, use_dropout=True, dropout_ration=1.0)
    with pytest.raises(ValueError, match="weight_decay_lambda must be >= 0"):
        MultiLayerNetExtend(5, [4], 2, weight_decay_lambda=-1)


def test_divergence_restores_the_running_statistics_too():
    from chainrule.train import TrainingDiverged

    rng = np.random.default_rng(7)
    x, t = rng.random((200, 10)), rng.integers(0, 3, 200)
    net = MultiLayerNetExtend(10, [8], 3, use_batchnorm=True, dtype=np.float32, rng=1)
    start = {k: v.copy() for k, v in {**net.params, **net.state}.items()}
    trainer = Trainer(net, x, t, x[:50], t[:50], iters=30, mini_batch_size=20, optimizer="sgd",
                      optimizer_param={"lr": 1e30}, verbose=False, rng=0, progress=False, background_eval=False)
    with pytest.raises(TrainingDiverged):
        trainer.train()
    assert trainer.history.kept_iteration == 0
    for k, v in start.items():  # the network of iteration 0: weights and running statistics
        np.testing.assert_array_equal({**net.params, **net.state}[k], v, err_msg=k)
