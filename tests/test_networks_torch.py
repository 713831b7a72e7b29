"""Loss and every gradient equal PyTorch autograd's, in float64, for random networks.

Random TwoLayerNet and MultiLayerNet (sizes, depth, relu/sigmoid, weight decay,
labels or one-hot targets), on both formulations (readable and ``fast_training``).
Skipped when PyTorch is not installed.
"""

import numpy as np
import pytest

from chainrule import MultiLayerNet, TwoLayerNet
from chainrule.layers import Affine, Relu, Sigmoid

torch = pytest.importorskip("torch")

CASES = 40


def torch_loss(net, x, labels):
    """The network's loss, rebuilt from its layers in PyTorch; returns (loss, {name: leaf tensor})."""
    leaves = {k: torch.tensor(np.array(v), dtype=torch.float64, requires_grad=True) for k, v in net.params.items()}
    h = torch.tensor(x, dtype=torch.float64)
    k = 0
    for layer in net.layers.values():
        if isinstance(layer, Affine):
            k += 1
            h = h @ leaves[f"W{k}"] + leaves[f"b{k}"]
        elif isinstance(layer, Relu):
            h = torch.relu(h)
        elif isinstance(layer, Sigmoid):
            h = torch.sigmoid(h)
        else:  # pragma: no cover - the networks here have no other layers
            raise TypeError(type(layer).__name__)
    loss = torch.nn.functional.cross_entropy(h, torch.tensor(labels, dtype=torch.long))
    decay = getattr(net, "weight_decay_lambda", 0.0)
    if decay:
        loss = loss + 0.5 * decay * sum((w * w).sum() for name, w in leaves.items() if name.startswith("W"))
    loss.backward()
    return loss, leaves


def random_case(seed):
    rng = np.random.default_rng(seed)
    d, c, n = int(rng.integers(1, 30)), int(rng.integers(2, 12)), int(rng.integers(1, 25))
    if rng.random() < 0.4:
        net = TwoLayerNet(d, int(rng.integers(1, 30)), c, weight_init_std=float(rng.uniform(0.01, 1.0)),
                          rng=rng)
    else:
        hidden = [int(h) for h in rng.integers(1, 20, size=int(rng.integers(1, 4)))]
        net = MultiLayerNet(d, hidden, c, activation=str(rng.choice(["relu", "sigmoid"])),
                            weight_init_std=str(rng.choice(["he", "xavier"])),
                            weight_decay_lambda=float(rng.choice([0.0, 0.0, 0.01, 0.3])), rng=rng)
    for k in net.params:  # non-zero biases, so their gradients are exercised from the first step
        if k.startswith("b"):
            net.params[k] = rng.normal(0, 0.5, size=net.params[k].shape)
    x = rng.normal(0, 2, size=(n, d))
    labels = rng.integers(0, c, size=n)
    t = np.eye(c)[labels] if rng.random() < 0.5 else labels
    return net, x, labels, t


@pytest.mark.parametrize("fast", [False, True], ids=["readable", "fast"])
@pytest.mark.parametrize("seed", range(CASES))
def test_loss_and_gradients_equal_torch_autograd(seed, fast):
    net, x, labels, t = random_case(seed)
    expected_loss, leaves = torch_loss(net, x, labels)
    if fast:
        with net.fast_training():
            loss = net.loss(x, t)
            grads = {k: g.copy() for k, g in net.gradient(x, t).items()}
    else:
        loss = net.loss(x, t)
        grads = net.gradient(x, t)
    assert np.asarray(loss).dtype == np.float64
    assert float(loss) == pytest.approx(expected_loss.item(), rel=1e-12, abs=1e-13)
    assert list(grads) == list(leaves)
    for k, leaf in leaves.items():
        assert grads[k].dtype == np.float64 and grads[k].shape == tuple(leaf.shape)
        np.testing.assert_allclose(grads[k], leaf.grad.numpy(), rtol=1e-10, atol=1e-13, err_msg=k)
