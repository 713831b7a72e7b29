"""The rest of the book's common/functions.py: sigmoid_grad, relu_grad, squared error, softmax_loss."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainrule import numerical_gradient
from chainrule.functions import (
    cross_entropy_error,
    mean_squared_error,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_loss,
    sum_squared_error,
)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(-30, 30)))
def test_sigmoid_grad_is_the_derivative(x):
    numeric = numerical_gradient(lambda v: np.sum(sigmoid(v)), x.copy())
    np.testing.assert_allclose(sigmoid_grad(x), numeric, rtol=1e-6, atol=1e-10)


def test_sigmoid_grad_values_and_dtype():
    np.testing.assert_allclose(sigmoid_grad(np.array([0.0, 1000.0, -1000.0])), [0.25, 0.0, 0.0])
    assert sigmoid_grad(np.zeros(2, np.float32)).dtype == np.float32


def test_relu_grad_is_the_books_step_at_zero_included():
    np.testing.assert_array_equal(relu_grad(np.array([-1.0, 0.0, 2.0])), [0.0, 1.0, 1.0])


def test_squared_error_prints_the_books_numbers():
    t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    assert abs(mean_squared_error(y, t) - 0.09750000000000003) < 1e-15  # chapter 4
    y2 = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])
    assert abs(sum_squared_error(y2, t) - 0.5975) < 1e-15


def test_softmax_loss_is_cross_entropy_of_softmax():
    x = np.random.default_rng(0).standard_normal((4, 5))
    t = np.array([0, 4, 2, 2])
    assert softmax_loss(x, t) == cross_entropy_error(softmax(x), t)


def test_a_column_of_labels_is_read_as_labels():
    """ch07/gradient_check.py gives its label as np.array([1]).reshape((1, 1))."""
    from chainrule.functions import as_labels

    np.testing.assert_array_equal(as_labels(np.array([[1], [3]]), 10, 2), [1, 3])
    y = softmax(np.array([[0.0, 1.0, 2.0]]))
    assert cross_entropy_error(y, np.array([[2]])) == cross_entropy_error(y, np.array([2]))
    np.testing.assert_array_equal(as_labels(np.array([[1.0]]), 1, 1), [0])  # one class: still one-hot
