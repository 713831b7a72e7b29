"""``chainrule gradcheck``: backpropagation against numerical differentiation on MNIST."""

import pytest

from tests.cli.helpers import run


@pytest.mark.mnist
def test_gradcheck_on_real_mnist(real_mnist_env, capsys):
    code, out, err = run(capsys, "gradcheck")
    assert code == 0, err + out
    lines = out.strip().splitlines()
    assert "TwoLayerNet 784-50-10 (float64), the first 3 MNIST training images (labels [5, 0, 4])" in lines[0]
    assert [ln.split()[0] for ln in lines[3:7]] == ["W1", "b1", "W2", "b2"]
    assert all(float(ln.split()[-4]) < 1e-7 for ln in lines[3:7])  # mean |a - n|: the book prints 1e-13..1e-10
    assert lines[-1].startswith("ok ")
