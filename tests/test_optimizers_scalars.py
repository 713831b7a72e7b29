"""Optimizers on the book's 2-D examples: parameters that are Python floats or NumPy scalars."""

import numpy as np
import pytest

from chainrule.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

OPTIMIZERS = [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam]


def df(x, y):
    """Gradient of the book's f(x, y) = x**2 / 20 + y**2 (ch06/optimizer_compare_naive.py)."""
    return x / 10.0, 2.0 * y


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda c: c.__name__)
def test_float_parameters_follow_the_same_path_as_arrays(cls):
    scalars = {"x": -7.0, "y": 2.0}
    arrays = {"x": np.array([-7.0]), "y": np.array([2.0])}
    opt_s, opt_a = cls(lr=0.1), cls(lr=0.1)
    for _ in range(30):
        gx, gy = df(scalars["x"], scalars["y"])
        opt_s.update(scalars, {"x": gx, "y": gy})
        gx, gy = df(arrays["x"], arrays["y"])
        opt_a.update(arrays, {"x": gx, "y": gy})
        assert type(scalars["x"]) is float and type(scalars["y"]) is float
        assert scalars["x"] == arrays["x"][0] and scalars["y"] == arrays["y"][0]
    assert abs(scalars["x"]) < 7.0  # it moved toward the minimum


def test_numpy_scalars_keep_their_type_and_0d_arrays_are_updated_in_place():
    params = {"a": np.float32(1.0), "b": np.array(1.0)}
    b = params["b"]
    SGD(lr=0.5).update(params, {"a": np.float32(1.0), "b": 1.0})
    assert type(params["a"]) is np.float32 and params["a"] == 0.5
    assert params["b"] is b and b == 0.5


def test_real_mistakes_are_still_caught():
    with pytest.raises(TypeError, match=r"params\['x'\] must be a floating NumPy array"):
        SGD().update({"x": [1.0, 2.0]}, {"x": [1.0, 1.0]})
    with pytest.raises(TypeError, match=r"params\['x'\] must be a floating NumPy array"):
        SGD().update({"x": True}, {"x": 1.0})
    with pytest.raises(TypeError, match=r"params\['x'\] must be a floating NumPy array"):
        SGD().update({"x": np.array([1, 2])}, {"x": np.array([1, 1])})
    with pytest.raises(ValueError, match=r"grads\['x'\] has shape \(2,\) but params\['x'\] is a scalar"):
        SGD().update({"x": 1.0}, {"x": np.ones(2)})
    with pytest.raises(KeyError, match="grads has no 'y'"):
        SGD().update({"x": 1.0, "y": 2.0}, {"x": 1.0})
    params = {"x": 1.0}
    with pytest.raises(KeyError):
        SGD().update(params, {})
    assert params == {"x": 1.0}  # left as it was
