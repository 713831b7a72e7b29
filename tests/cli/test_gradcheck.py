"""``chainrule gradcheck``: backpropagation against numerical differentiation on MNIST."""

import pytest

from tests.cli.helpers import fake_mnist, run


@pytest.mark.mnist
def test_gradcheck_on_real_mnist(real_mnist_env, capsys):
    code, out, err = run(capsys, "gradcheck")
    assert code == 0, err + out
    lines = out.strip().splitlines()
    assert "TwoLayerNet 784-50-10 (float64), the first 3 MNIST training images (labels [5, 0, 4])" in lines[0]
    assert [ln.split()[0] for ln in lines[3:7]] == ["W1", "b1", "W2", "b2"]
    assert all(float(ln.split()[-4]) < 1e-7 for ln in lines[3:7])  # mean |a - n|: the book prints 1e-13..1e-10
    assert lines[-1].startswith("ok ")


def test_a_wrong_backward_fails_the_check_with_exit_status_1(capsys, fake_data, monkeypatch):
    from chainrule.layers import Relu

    backward = Relu.backward
    monkeypatch.setattr(Relu, "backward", lambda self, dout: 2 * backward(self, dout))  # a wrong local derivative
    code, out, err = run(capsys, "gradcheck", "--seed", "1")
    assert code == 1 and err == ""
    lines = out.strip().splitlines()
    labels = [int(v) for v in fake_mnist()[0][1][:3]]
    assert lines[0] == ("gradient check: backprop vs numerical gradients, TwoLayerNet 784-50-10 (float64), the "
                        f"first 3 MNIST training images (labels {labels})")
    failing = {ln.split()[0] for ln in lines[3:7] if "FAIL" in ln.upper()}
    assert failing == {"W1", "b1"}  # below the ReLU, and only there
