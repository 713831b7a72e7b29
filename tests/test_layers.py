"""Every layer: the book's numbers, backward against numerical gradients (hypothesis),
no mutation of inputs, backward-before-forward, and clear errors on bad shapes."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainrule import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss, numerical_gradient

SETTINGS = settings(max_examples=40, deadline=None)
finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


def numeric_grad_of(forward, x, dout):
    """Numerical gradient of sum(forward(x) * dout) with respect to x, in float64."""
    x = np.array(x, dtype=np.float64)
    return numerical_gradient(lambda _x: np.sum(forward(x) * dout), x)


# -- the book's numbers ------------------------------------------------------------------
def test_sigmoid_layer_book_values():
    layer = Sigmoid()
    out = layer.forward(np.array([[1.0, -0.5], [-2.0, 3.0]]))
    np.testing.assert_allclose(out, [[0.73105858, 0.37754067], [0.11920292, 0.95257413]], atol=1e-8)
    dx = layer.backward(np.ones((2, 2)))
    np.testing.assert_allclose(dx, [[0.19661193, 0.23500371], [0.10499359, 0.04517666]], atol=1e-8)


def test_relu_layer_book_values():
    layer = Relu()
    x = np.array([[1.0, -0.5], [-2.0, 3.0]])
    np.testing.assert_array_equal(layer.forward(x), [[1.0, 0.0], [0.0, 3.0]])
    np.testing.assert_array_equal(layer.mask, [[False, True], [True, False]])
    np.testing.assert_array_equal(layer.backward(np.array([[5.0, 6.0], [7.0, 8.0]])), [[5.0, 0.0], [0.0, 8.0]])


def test_mul_add_scalars_give_python_numbers():
    mul = MulLayer()
    assert mul.forward(100, 2) == 200
    assert mul.backward(1.1) == (pytest.approx(2.2), pytest.approx(110))
    add = AddLayer()
    assert add.forward(200, 450) == 650
    assert add.backward(1.1) == (1.1, 1.1)


def test_softmax_with_loss_values():
    x = np.array([[0.3, 2.9, 4.0], [1.0, 1.0, 1.0]])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, np.array([2, 0]))
    y0 = np.array([0.01821127, 0.24519181, 0.73659691])
    assert loss == pytest.approx((-np.log(y0[2]) + np.log(3)) / 2, abs=1e-7)
    dx = layer.backward()
    np.testing.assert_allclose(dx, (np.vstack([y0, np.full(3, 1 / 3)]) - np.eye(3)[[2, 0]]) / 2, atol=1e-8)
    # dout scales the gradient
    np.testing.assert_allclose(layer.backward(3.0), 3 * dx)


# -- hypothesis: backward == numerical gradient ------------------------------------------
@st.composite
def broadcast_pair(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    # y's shape: a suffix of shape, with some sides set to 1
    k = draw(st.integers(0, len(shape)))
    yshape = tuple(1 if draw(st.booleans()) else n for n in shape[len(shape) - k:])
    x = draw(hnp.arrays(np.float64, shape, elements=finite))
    y = draw(hnp.arrays(np.float64, yshape, elements=finite))
    if draw(st.booleans()):
        x, y = y, x
    return x, y


@SETTINGS
@given(broadcast_pair(), st.data())
def test_mul_layer_gradients(pair, data):
    x, y = pair
    layer = MulLayer()
    out = layer.forward(x, y)
    dout = data.draw(hnp.arrays(np.float64, np.shape(out), elements=finite))
    dx, dy = layer.backward(dout)
    assert np.shape(dx) == np.shape(x) and np.shape(dy) == np.shape(y)
    np.testing.assert_allclose(dx, numeric_grad_of(lambda v: v * y, x, dout), atol=1e-6)
    np.testing.assert_allclose(dy, numeric_grad_of(lambda v: x * v, y, dout), atol=1e-6)


@SETTINGS
@given(broadcast_pair(), st.data())
def test_add_layer_gradients(pair, data):
    x, y = pair
    layer = AddLayer()
    out = layer.forward(x, y)
    dout = data.draw(hnp.arrays(np.float64, np.shape(out), elements=finite))
    dx, dy = layer.backward(dout)
    assert np.shape(dx) == np.shape(x) and np.shape(dy) == np.shape(y)
    np.testing.assert_allclose(dx, numeric_grad_of(lambda v: v + y, x, dout), atol=1e-6)
    np.testing.assert_allclose(dy, numeric_grad_of(lambda v: x + v, y, dout), atol=1e-6)


# values kept away from ReLU's kink at 0, where the derivative does not exist
away_from_zero = st.one_of(st.floats(0.01, 5), st.floats(-5, -0.01))


@SETTINGS
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=5), elements=away_from_zero), st.data())
def test_relu_layer_gradients(x, data):
    layer = Relu()
    out = layer.forward(x)
    dout = data.draw(hnp.arrays(np.float64, out.shape, elements=finite))
    np.testing.assert_allclose(layer.backward(dout), numeric_grad_of(Relu().forward, x, dout), atol=1e-6)


@SETTINGS
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=5), elements=finite), st.data())
def test_sigmoid_layer_gradients(x, data):
    layer = Sigmoid()
    out = layer.forward(x)
    dout = data.draw(hnp.arrays(np.float64, out.shape, elements=finite))
    np.testing.assert_allclose(layer.backward(dout), numeric_grad_of(Sigmoid().forward, x, dout), atol=1e-7)


@SETTINGS
@given(
    st.integers(1, 4), st.sampled_from([(3,), (2, 3), (1, 2, 2)]), st.integers(1, 4), st.data()
)
def test_affine_layer_gradients_2d_and_4d(n, feature_shape, m, data):
    d = int(np.prod(feature_shape))
    x = data.draw(hnp.arrays(np.float64, (n, *feature_shape), elements=finite))
    W = data.draw(hnp.arrays(np.float64, (d, m), elements=finite))
    b = data.draw(hnp.arrays(np.float64, (m,), elements=finite))
    dout = data.draw(hnp.arrays(np.float64, (n, m), elements=finite))
    layer = Affine(W, b)
    out = layer.forward(x)
    assert out.shape == (n, m)
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, numeric_grad_of(Affine(W, b).forward, x, dout), atol=1e-6)
    np.testing.assert_allclose(layer.dW, numeric_grad_of(lambda w: Affine(w, b).forward(x), W, dout), atol=1e-6)
    np.testing.assert_allclose(layer.db, numeric_grad_of(lambda v: Affine(W, v).forward(x), b, dout), atol=1e-6)
    assert layer.grads["W"] is layer.dW and layer.params["W"] is W


@SETTINGS
@given(st.integers(1, 5), st.integers(2, 6), st.booleans(), st.floats(0.1, 3), st.data())
def test_softmax_with_loss_gradients(n, c, one_hot, dout, data):
    x = data.draw(hnp.arrays(np.float64, (n, c), elements=st.floats(-10, 10)))
    labels = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    t = np.eye(c)[labels] if one_hot else labels
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward(dout)

    def loss(v):
        return dout * SoftmaxWithLoss().forward(v, t)

    np.testing.assert_allclose(dx, numerical_gradient(loss, x.copy()), atol=1e-7)


# -- the book's pitfalls -----------------------------------------------------------------
def _run(layer, inputs, dout):
    layer.forward(*inputs)
    return layer.backward(dout)


LAYER_CASES = [
    ("Relu", lambda: Relu(), (np.array([[1.0, -2.0], [-3.0, 4.0]]),), np.array([[1.0, 2.0], [3.0, 4.0]])),
    ("Sigmoid", lambda: Sigmoid(), (np.array([[1.0, -2.0]]),), np.array([[1.0, 2.0]])),
    ("Affine", lambda: Affine(np.ones((2, 3)), np.zeros(3)), (np.array([[1.0, -2.0]]),), np.ones((1, 3))),
    ("Mul", lambda: MulLayer(), (np.array([1.0, -2.0]), np.array([3.0, 4.0])), np.array([1.0, 2.0])),
    ("Add", lambda: AddLayer(), (np.array([1.0, -2.0]), np.array([[3.0], [4.0]])), np.ones((2, 2))),
    ("SoftmaxWithLoss", lambda: SoftmaxWithLoss(), (np.array([[1.0, -2.0]]), np.array([1])), 1.0),
]


@pytest.mark.parametrize("name, make, inputs, dout", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_no_layer_mutates_its_arguments(name, make, inputs, dout):
    before = [np.copy(a) for a in (*inputs, dout)]
    _run(make(), inputs, dout)
    for a, b in zip((*inputs, dout), before, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name, make, inputs, dout", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_backward_before_forward_is_a_clear_error(name, make, inputs, dout):
    with pytest.raises(RuntimeError, match=r"backward\(\) was called before forward\(\)"):
        make().backward(dout)


def test_relu_backward_result_is_not_dout():
    layer = Relu()
    layer.forward(np.array([-1.0, 1.0]))
    dout = np.array([1.0, 1.0])
    dx = layer.backward(dout)
    assert not np.shares_memory(dx, dout)


def test_softmax_with_loss_extreme_scores_are_finite():
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]])
    layer = SoftmaxWithLoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = layer.forward(x, np.array([1, 2]))
        dx = layer.backward()
    assert loss == pytest.approx(1000.0)  # (2000 + 0) / 2
    assert np.all(np.isfinite(dx))
    np.testing.assert_allclose(dx, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


# -- clear errors ------------------------------------------------------------------------
def test_affine_width_mismatch():
    layer = Affine(np.zeros((784, 50)), np.zeros(50))
    with pytest.raises(ValueError, match=r"has 10 features per sample \(shape \(3, 10\)\) but W has shape \(784, 50\)"):
        layer.forward(np.zeros((3, 10)))


def test_affine_dout_shape_mismatch():
    layer = Affine(np.zeros((4, 2)), np.zeros(2))
    layer.forward(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"dout has shape \(3, 5\) but the forward output had shape \(3, 2\)"):
        layer.backward(np.zeros((3, 5)))


def test_affine_bad_parameters():
    with pytest.raises(ValueError, match=r"b must have shape \(2,\)"):
        Affine(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="2-D float array"):
        Affine(np.zeros((3, 2), dtype=int), np.zeros(2, dtype=int))


def test_affine_one_sample_and_float32():
    W = np.arange(6, dtype=np.float32).reshape(3, 2)
    layer = Affine(W, np.ones(2, dtype=np.float32))
    out = layer.forward(np.array([1.0, 0.0, 1.0]))  # float64 input, float32 layer
    assert out.shape == (2,) and out.dtype == np.float32
    np.testing.assert_array_equal(out, [5.0, 7.0])
    dx = layer.backward(np.ones(2, dtype=np.float32))
    assert dx.shape == (3,) and dx.dtype == np.float32 and layer.dW.dtype == np.float32


def test_affine_skip_input_gradient():
    layer = Affine(np.ones((3, 2)), np.zeros(2))
    layer.need_dx = False
    layer.forward(np.ones((4, 3)))
    assert layer.backward(np.ones((4, 2))) is None
    np.testing.assert_array_equal(layer.dW, np.full((3, 2), 4.0))


@pytest.mark.parametrize(
    "t, match",
    [
        (np.zeros((2, 4)), r"one-hot t has 4 columns but the predictions have 3 classes"),
        (np.array([0, 3]), r"labels t must be in \[0, 3\); got 3 at index 1"),
        (np.array([0, 1, 2]), r"batch sizes differ: predictions have 2 rows but t has 3"),
        (np.array([0.0, 1.5]), r"must be integers"),
    ],
)
def test_softmax_with_loss_bad_targets(t, match):
    with pytest.raises((ValueError, TypeError), match=match):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), t)


def test_mul_layer_dout_shape_mismatch():
    layer = MulLayer()
    layer.forward(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"dout has shape \(4,\) but the forward output had shape \(3,\)"):
        layer.backward(np.ones(4))
