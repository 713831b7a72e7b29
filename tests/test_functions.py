"""The book's functions: values, shapes, dtypes and stability on extreme inputs."""

import warnings

import numpy as np
import pytest

from chainrule import cross_entropy_error, relu, sigmoid, softmax
from chainrule.functions import as_labels, log_softmax


def test_sigmoid_book_values():
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    np.testing.assert_allclose(
        sigmoid(x), [[0.73105858, 0.37754067], [0.11920292, 0.95257413]], atol=1e-8
    )


def test_softmax_book_values():
    # section 3.5.1: softmax([0.3, 2.9, 4.0])
    np.testing.assert_allclose(
        softmax(np.array([0.3, 2.9, 4.0])), [0.01821127, 0.24519181, 0.73659691], atol=1e-8
    )


def test_cross_entropy_book_values():
    # section 4.2.2: the book prints 0.510825457099 and 2.30258409299
    t = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]
    assert cross_entropy_error(np.array(y), np.array(t)) == pytest.approx(0.510825457099, abs=1e-12)
    y = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]
    assert cross_entropy_error(np.array(y), np.array(t)) == pytest.approx(2.30258409299, abs=1e-11)


def test_cross_entropy_labels_equal_one_hot():
    rng = np.random.default_rng(0)
    y = softmax(rng.normal(size=(5, 4)))
    labels = np.array([0, 3, 2, 1, 3])
    assert cross_entropy_error(y, labels) == pytest.approx(cross_entropy_error(y, np.eye(4)[labels]))
    assert cross_entropy_error(y, labels) == pytest.approx(-np.mean(np.log(y[np.arange(5), labels] + 1e-7)))
    # 1-D y with a scalar label
    assert cross_entropy_error(y[1], 3) == pytest.approx(-np.log(y[1, 3] + 1e-7))


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308])
def test_extreme_inputs_are_finite_without_warnings(x):
    arr = np.array([[x, 0.0, -x], [x, x, x]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(arr)
        p = softmax(arr)
        lp = log_softmax(arr)
        ce = cross_entropy_error(p, np.array([2, 0]))
    assert np.all(np.isfinite(s)) and np.all((s >= 0) & (s <= 1))
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1)
    assert not np.any(np.isnan(lp)) and np.all(lp <= 0)
    if abs(x) <= 1000:
        assert np.all(np.isfinite(lp))
    assert np.isfinite(ce)


def test_sigmoid_saturates_exactly():
    np.testing.assert_array_equal(sigmoid(np.array([1000.0, -1000.0])), [1.0, 0.0])


def test_cross_entropy_of_exact_zero_probability_is_finite():
    y = np.array([[0.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy_error(y, np.array([0]))
    assert loss == pytest.approx(-np.log(1e-7))


@pytest.mark.parametrize("fn", [sigmoid, softmax, relu, log_softmax])
def test_float32_stays_float32(fn):
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    assert fn(x).dtype == np.float32


def test_cross_entropy_float32():
    y = softmax(np.ones((2, 3), dtype=np.float32))
    assert cross_entropy_error(y, np.array([0, 1])).dtype == np.float32


def test_relu_values():
    np.testing.assert_array_equal(relu(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])


@pytest.mark.parametrize(
    "t, err, match",
    [
        (np.array([0, 10]), ValueError, r"labels t must be in \[0, 10\); got 10 at index 1"),
        (np.array([0, -1]), ValueError, r"got -1 at index 1"),
        (np.array([0.5, 1.0]), TypeError, r"must be integers; got 0.5 at index 0"),
        (np.array(["a", "b"]), TypeError, r"must be integers"),
        (np.zeros((2, 9)), ValueError, r"one-hot t has 9 columns but the predictions have 10 classes"),
        (np.array([[0, 1], [1, 1]]), ValueError, r"columns"),
        (np.array([1, 2, 3]), ValueError, r"batch sizes differ: predictions have 2 rows but t has 3"),
        (np.zeros((2, 10, 1)), ValueError, r"got shape \(2, 10, 1\)"),
    ],
)
def test_bad_targets_are_named(t, err, match):
    with pytest.raises(err, match=match):
        as_labels(t, 10, 2)


def test_not_one_hot_row():
    t = np.array([[0, 1, 0], [1, 1, 0]])
    with pytest.raises(ValueError, match=r"t row 1 is not one-hot: \[1, 1, 0\]"):
        as_labels(t, 3, 2)
