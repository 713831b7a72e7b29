"""Optimizers: the book's formulas step by step, in place, dtype-preserving; PyTorch where installed."""

import numpy as np
import pytest

from chainrule import TwoLayerNet
from chainrule.optimizers import OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop, make_optimizer

P0 = np.array([1.0, -2.0])
G = np.array([0.5, -1.0])


def steps(optimizer, n, p0=P0, g=G):
    params = {"W": p0.copy()}
    out = []
    for _ in range(n):
        optimizer.update(params, {"W": g.copy()})
        out.append(params["W"].copy())
    return out


def test_sgd_first_steps():
    s1, s2 = steps(SGD(lr=0.1), 2)
    np.testing.assert_allclose(s1, [0.95, -1.9], rtol=0, atol=1e-15)
    np.testing.assert_allclose(s2, [0.90, -1.8], rtol=0, atol=1e-15)


def test_momentum_first_steps():
    # v1 = -0.1 g = [-0.05, 0.1]; v2 = 0.9 v1 - 0.1 g = [-0.095, 0.19]
    s1, s2 = steps(Momentum(lr=0.1, momentum=0.9), 2)
    np.testing.assert_allclose(s1, [0.95, -1.9], rtol=0, atol=1e-15)
    np.testing.assert_allclose(s2, [0.855, -1.71], rtol=0, atol=1e-15)


def test_nesterov_first_steps_are_the_book_repositorys_corrected_code():
    # W += 0.81 v - 0.19 g with the velocity before this step: v0 = 0, v1 = -0.1 g = [-0.05, 0.1]
    s1, s2 = steps(Nesterov(lr=0.1, momentum=0.9), 2)
    np.testing.assert_allclose(s1, [0.905, -1.81], rtol=0, atol=1e-15)
    np.testing.assert_allclose(s2, [0.7695, -1.539], rtol=0, atol=1e-15)


def test_adagrad_first_steps():
    # h1 = g^2 = [0.25, 1]; h2 = [0.5, 2]
    s1, s2 = steps(AdaGrad(lr=0.1), 2)
    expect1 = np.array([1 - 0.1 * 0.5 / (0.5 + 1e-7), -2 + 0.1 * 1 / (1 + 1e-7)])
    expect2 = expect1 - 0.1 * G / (np.sqrt([0.5, 2.0]) + 1e-7)
    np.testing.assert_allclose(s1, expect1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(s2, expect2, rtol=0, atol=1e-15)
    assert s1 == pytest.approx([0.9, -1.9], abs=1e-7)  # AdaGrad's first step is lr * sign(g)


def test_rmsprop_first_steps():
    # h1 = 0.01 g^2 = [0.0025, 0.01], sqrt = [0.05, 0.1]: the step is 0.1 * g / sqrt(h1) = [1, -1]
    s1, s2 = steps(RMSprop(lr=0.1, decay_rate=0.99), 2)
    np.testing.assert_allclose(s1, [1 - 0.1 * 0.5 / (0.05 + 1e-7), -2 + 0.1 / (0.1 + 1e-7)], rtol=0, atol=1e-14)
    h2 = 0.99 * 0.01 * G**2 + 0.01 * G**2  # = 0.0199 g^2
    np.testing.assert_allclose(s2, s1 - 0.1 * G / (np.sqrt(h2) + 1e-7), rtol=0, atol=1e-14)
    assert s1 == pytest.approx([0.0, -1.0], abs=1e-5)


def test_adam_first_steps():
    # step 1: lr_t = 0.001 * sqrt(0.001) / 0.1, m = 0.1 g, v = 0.001 g^2, so the step is lr * sign(g)
    opt = Adam(lr=0.001)
    s1, s2, s3 = steps(opt, 3)
    assert opt.iter == 3
    expect1 = P0 - 0.001 * np.sqrt(0.001) / 0.1 * (0.1 * G) / (np.sqrt(0.001 * G**2) + 1e-7)
    np.testing.assert_allclose(s1, expect1, rtol=0, atol=1e-15)
    # a constant gradient is exactly undone by the bias correction: every step is lr * sign(g)
    np.testing.assert_allclose([s1, s2, s3], [P0 - k * 0.001 * np.sign(G) for k in (1, 2, 3)], atol=1e-9)
    np.testing.assert_allclose(opt.m["W"], (1 - 0.9**3) * G, rtol=1e-12)
    np.testing.assert_allclose(opt.v["W"], (1 - 0.999**3) * G**2, rtol=1e-12)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_updates_in_place_keep_float32_and_reach_the_layers(name):
    rng = np.random.default_rng(0)
    net = TwoLayerNet(6, 5, 3, weight_init_std=0.5, dtype=np.float32, rng=1)
    arrays = {k: net.params[k] for k in net.params}
    before = {k: v.copy() for k, v in arrays.items()}
    x, t = rng.random((8, 6)), rng.integers(0, 3, size=8)
    lr = np.float64(OPTIMIZERS[name]().lr)  # the book's default; a NumPy float64 must not promote float32
    opt = make_optimizer(name, lr=lr)
    loss0 = net.loss(x, t)
    for _ in range(3):
        opt.update(net.params, net.gradient(x, t))
    for k in net.params:
        assert net.params[k] is arrays[k]  # in place: the layers' own arrays
        assert net.params[k].dtype == np.float32
        assert not np.array_equal(net.params[k], before[k])
    for store in ("v", "h", "m"):
        for state in getattr(opt, store, {}).values():
            assert state.dtype == np.float32
    assert net.loss(x, t) < loss0


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_plain_dict_params_like_the_book(name):
    params = {"W1": P0.copy(), "b1": np.zeros(2)}
    grads = {"W1": G.copy(), "b1": np.array([1.0, 0.0])}
    W1 = params["W1"]
    make_optimizer(name).update(params, grads)
    assert params["W1"] is W1
    assert params["W1"][0] < 1.0 and params["b1"][0] < 0.0 and params["b1"][1] == 0.0
    np.testing.assert_array_equal(grads["W1"], G)  # gradients are not modified


def test_make_optimizer_and_validation():
    assert isinstance(make_optimizer("Adam", lr=0.01), Adam)
    sgd = SGD(0.1)
    assert make_optimizer(sgd) is sgd
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'; choose one of sgd, momentum"):
        make_optimizer("adamw")
    with pytest.raises(TypeError, match="only be given with an optimizer name"):
        make_optimizer(sgd, lr=0.1)
    with pytest.raises(TypeError, match="object with update"):
        make_optimizer(42)
    with pytest.raises(ValueError, match="lr must be a positive number; got -0.1"):
        SGD(lr=-0.1)
    with pytest.raises(TypeError, match="lr must be a number; got 'fast'"):
        SGD(lr="fast")
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\); got 1.0"):
        Momentum(momentum=1.0)
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\); got 1.5"):
        Adam(beta2=1.5)


def test_update_errors_are_clear():
    opt = Momentum()
    with pytest.raises(KeyError, match="grads has no 'b1'"):
        opt.update({"W1": P0.copy(), "b1": np.zeros(2)}, {"W1": G})
    with pytest.raises(ValueError, match=r"grads\['W1'\] has shape \(3,\) but params\['W1'\] has shape \(2,\)"):
        opt.update({"W1": P0.copy()}, {"W1": np.zeros(3)})
    with pytest.raises(TypeError, match=r"params\['W1'\] must be a floating NumPy array"):
        opt.update({"W1": [1.0, 2.0]}, {"W1": G})
    opt.update({"W1": P0.copy()}, {"W1": G})
    with pytest.raises(ValueError, match="use a new optimizer for a different network"):
        opt.update({"W1": np.zeros(3)}, {"W1": np.zeros(3)})


# -- against PyTorch ---------------------------------------------------------------

TORCH_CASES = {
    "sgd": (lambda: SGD(lr=0.1), lambda torch, p: torch.optim.SGD(p, lr=0.1)),
    "momentum": (lambda: Momentum(lr=0.1, momentum=0.9),
                 lambda torch, p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    "nesterov": (lambda: Nesterov(lr=0.1, momentum=0.9),
                 lambda torch, p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    "adagrad": (lambda: AdaGrad(lr=0.1), lambda torch, p: torch.optim.Adagrad(p, lr=0.1, eps=1e-7)),
    "rmsprop": (lambda: RMSprop(lr=0.01, decay_rate=0.99),
                lambda torch, p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-7)),
    # the book adds eps before the bias correction, torch after it: with a tiny eps both agree
    "adam": (lambda: Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-12),
             lambda torch, p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-12)),
}


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_matches_torch_optim(name):
    torch = pytest.importorskip("torch")
    ours_factory, theirs_factory = TORCH_CASES[name]
    rng = np.random.default_rng(3)
    w0 = rng.normal(size=(4, 3))
    params = {"W": w0.copy()}
    tw = torch.tensor(w0.copy(), requires_grad=True)
    ours, theirs = ours_factory(), theirs_factory(torch, [tw])
    for _ in range(6):
        g = rng.normal(size=(4, 3))
        ours.update(params, {"W": g.copy()})
        tw.grad = torch.tensor(g)
        theirs.step()
        moved = tw.detach().numpy() - w0
        np.testing.assert_allclose(params["W"] - w0, moved, rtol=1e-8, atol=1e-14)


def test_nesterov_is_torchs_nesterov_and_not_the_first_printings():
    torch = pytest.importorskip("torch")
    w0 = P0.copy()
    tw = torch.tensor(w0.copy(), requires_grad=True)
    theirs = torch.optim.SGD([tw], lr=0.1, momentum=0.9, nesterov=True)
    tw.grad = torch.tensor(G)
    theirs.step()
    (ours,) = steps(Nesterov(lr=0.1, momentum=0.9), 1)
    np.testing.assert_allclose(ours - w0, tw.detach().numpy() - w0, rtol=1e-12)
    np.testing.assert_allclose(ours - w0, -(1 + 0.9) * 0.1 * G, rtol=1e-12)  # the first printing: 1 + 0.9 + 0.81
