"""numerical_gradient and gradient_check."""

import numpy as np
import pytest

from chainrule import GradientCheckError, TwoLayerNet, gradient_check, numerical_gradient
from chainrule.layers import Relu


def test_numerical_gradient_book_values():
    # section 4.4: the gradient of x0^2 + x1^2 at (3, 4), (0, 2), (3, 0)
    def f(x):
        return np.sum(x**2)

    for point, expected in [((3.0, 4.0), (6.0, 8.0)), ((0.0, 2.0), (0.0, 4.0)), ((3.0, 0.0), (6.0, 0.0))]:
        np.testing.assert_allclose(numerical_gradient(f, np.array(point)), expected, atol=1e-8)


def test_numerical_gradient_any_shape_and_restores_x():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 4))
    original = x.copy()
    g = numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    np.testing.assert_allclose(g, np.cos(original), atol=1e-7)
    np.testing.assert_array_equal(x, original)
    # a non-contiguous view works too and is restored
    xt = original.copy().transpose(2, 0, 1)
    g = numerical_gradient(lambda v: np.sum(v**3), xt)
    np.testing.assert_allclose(g, 3 * xt**2, atol=1e-7)  # truncation error h**2 = 1e-8
    assert g.shape == xt.shape


def test_numerical_gradient_refuses_integers():
    with pytest.raises(TypeError, match=r"floating-point x; got dtype int64"):
        numerical_gradient(lambda v: np.sum(v**2), np.array([3, 4], dtype=np.int64))
    with pytest.raises(TypeError, match="NumPy float array"):
        numerical_gradient(lambda v: v**2, 3.0)


def _mnist_like(n, rng):
    x = rng.random((n, 784))
    t = np.eye(10)[rng.integers(0, 10, size=n)]
    return x, t


def test_gradient_check_two_layer_net_like_the_book():
    rng = np.random.default_rng(1)
    net = TwoLayerNet(784, 50, 10, rng=rng)
    x, t = _mnist_like(3, rng)
    report = gradient_check(net, x, t)
    assert [r.name for r in report.rows] == ["W1", "b1", "W2", "b2"]
    for row in report.rows:
        assert row.mean_abs < 1e-7, str(report)
    assert report.ok
    text = str(report)
    assert "W1" in text and "(784, 50)" in text and text.splitlines()[-1].startswith("ok")


def test_gradient_check_float32_network_is_checked_in_float64():
    rng = np.random.default_rng(2)
    net = TwoLayerNet(20, 5, 3, weight_init_std=0.5, dtype=np.float32, rng=rng)
    x = rng.random((4, 20))
    report = gradient_check(net, x, np.array([0, 1, 2, 1]))
    assert report.ok, str(report)
    assert net.dtype == np.float32  # the network itself is untouched


class _BrokenRelu(Relu):
    def backward(self, dout):
        return 2 * super().backward(dout)  # a wrong local derivative


def test_gradient_check_catches_a_wrong_backward():
    rng = np.random.default_rng(3)
    net = TwoLayerNet(6, 4, 3, weight_init_std=1.0, rng=rng)
    net.layers["Relu1"] = _BrokenRelu()
    x = rng.normal(size=(5, 6))
    report = gradient_check(net, x, np.array([0, 1, 2, 0, 1]))
    assert not report.ok
    failed = {r.name for r in report.failures()}
    assert failed == {"W1", "b1"}  # the layers below the broken node
    assert "FAIL" in str(report) and str(report).splitlines()[-1].startswith("FAILED")
    with pytest.raises(GradientCheckError, match=r"W1: mean \|a-n\|"):
        report.raise_if_failed()
    with pytest.raises(GradientCheckError):
        gradient_check(net, x, np.array([0, 1, 2, 0, 1]), raise_on_failure=True)


def test_gradient_check_function_form():
    def f(v):
        return np.sum(v**3)

    x = np.array([1.0, -2.0, 0.5])
    assert gradient_check(f, x, grad=lambda v: 3 * v**2).ok
    wrong = 3 * x**2
    wrong[1] += 0.1
    report = gradient_check(f, x, grad=wrong)
    assert not report.ok and report["x"].where == (1,)
    with pytest.raises(TypeError, match="analytic gradient"):
        gradient_check(f, x)
    with pytest.raises(TypeError, match="network"):
        gradient_check(42, x)


@pytest.mark.mnist
def test_gradient_check_on_real_mnist_like_the_book(real_mnist_env):
    from chainrule import load_mnist

    (x_train, t_train), _ = load_mnist(normalize=True, one_hot_label=True, progress=False)
    net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, rng=0)
    report = gradient_check(net, x_train[:3], t_train[:3])
    for row in report.rows:  # the book prints 1e-13 to 1e-10
        assert row.mean_abs < 1e-7, str(report)
    assert report.ok


@pytest.mark.mnist
def test_gradient_check_example_runs_on_mnist(real_mnist_env, capsys, monkeypatch):
    import runpy
    import sys
    from pathlib import Path

    monkeypatch.setattr(sys, "argv", ["gradient_check.py"])
    runpy.run_path(str(Path(__file__).parent.parent / "examples" / "gradient_check.py"), run_name="__main__")
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["W1", "b1", "W2", "b2"]
    assert all(float(line.split(":")[1]) < 1e-7 for line in lines)


# --- NaN anywhere is a failure ----------------------------------------------------------

def test_gradient_check_fails_on_nan_gradient():
    net = TwoLayerNet(4, 5, 3, rng=0)
    net.params["W1"][0, 0] = np.nan
    x, t = np.ones((3, 4)), np.array([0, 1, 2])
    report = gradient_check(net, x, t)
    assert report.ok is False
    assert [r.name for r in report.failures()] == ["W1", "b1", "W2", "b2"]
    table = str(report).splitlines()
    assert all(line.endswith("FAIL (not finite)") for line in table[2:6])
    assert table[-1].startswith("FAILED")
    with pytest.raises(GradientCheckError, match=r"(?s)W1: .*not finite.*b2: "):
        gradient_check(net, x, t, raise_on_failure=True)


def test_gradient_check_fails_when_only_the_analytic_gradient_has_a_nan():
    x = np.array([1.0, 2.0, 3.0])
    grad = 2 * x
    grad[1] = np.nan
    report = gradient_check(lambda v: np.sum(v**2), x, grad=grad)
    assert not report.ok and report["x"].nonfinite == 1
    with pytest.raises(GradientCheckError, match=r"x: 1 of 3 gradient values not finite"):
        report.raise_if_failed()


def test_gradient_check_fails_when_only_the_numerical_gradient_is_infinite():
    def f(v):
        return np.inf if v[0] > 1.00001 else float(np.sum(v**2))

    report = gradient_check(f, np.array([1.0, 2.0]), grad=lambda v: 2 * v)
    assert not report.ok
    assert str(report).splitlines()[2].endswith("FAIL (not finite)")
