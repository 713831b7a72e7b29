"""The fast formulation of Convolution and Pooling gives the readable formulation's numbers
(outputs, dx, dW, db) on random shapes, strides and pads, in float64 and float32, on one
thread and on two, in one chunk of images and in many; a SimpleConvNet trained inside
``fast_training`` takes the same steps as the readable one, and a DeepConvNet gets the same
gradients."""

import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule import DeepConvNet, SimpleConvNet, _blas
from chainrule.convolution import Convolution, Pooling

DTYPES = [np.float64, np.float32]


def tol(dtype):
    """"The same numbers": a few roundings apart (BLAS may sum in another order)."""
    return {"rtol": 1e-12, "atol": 1e-13} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}


def run(layer, x, dout):
    out = np.array(layer.forward(x), copy=True)  # copied: the fast path overwrites it next call
    dx = layer.backward(dout)
    return out, None if dx is None else np.array(dx, copy=True)


def conv_cases(seed, count=12):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        fh, fw = (int(v) for v in rng.integers(1, 5, 2))
        stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        h, w = (int(v) for v in rng.integers(max(fh, fw), 11, 2))
        n, c, fn = (int(v) for v in rng.integers(1, 5, 3))
        yield n, c, h, w, fn, fh, fw, stride, pad


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("need_dx", [True, False])
def test_convolution_fast_equals_readable(dtype, need_dx):
    rng = np.random.default_rng(0)
    for n, c, h, w, fn, fh, fw, stride, pad in conv_cases(1):
        W = rng.standard_normal((fn, c, fh, fw)).astype(dtype)
        b = rng.standard_normal(fn).astype(dtype)
        readable, quick = Convolution(W, b, stride, pad), Convolution(W, b, stride, pad)
        quick.reuse_buffers = True
        readable.need_dx = quick.need_dx = need_dx
        for batch in (n, n + 2, 1):  # the buffers grow and shrink with the batch
            x = rng.standard_normal((batch, c, h, w))  # float64 input: a float32 layer casts it
            out_h, out_w = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
            dout = rng.standard_normal((batch, fn, out_h, out_w)).astype(dtype)
            a, b_ = run(readable, x, dout), run(quick, x, dout)
            case = f"x{x.shape} W{W.shape} stride {stride} pad {pad}"
            assert b_[0].shape == a[0].shape == (batch, fn, out_h, out_w) and b_[0].dtype == dtype, case
            np.testing.assert_allclose(b_[0], a[0], **tol(dtype), err_msg=case)
            if need_dx:
                assert b_[1].shape == x.shape and b_[1].dtype == dtype, case
                np.testing.assert_allclose(b_[1], a[1], **tol(dtype), err_msg=case)
            else:
                assert a[1] is None and b_[1] is None
            assert quick.dW.shape == W.shape and quick.db.shape == b.shape and quick.dW.dtype == dtype
            np.testing.assert_allclose(quick.dW, readable.dW, **tol(dtype), err_msg=case)
            np.testing.assert_allclose(quick.db, readable.db, **tol(dtype), err_msg=case)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pooling_fast_equals_readable(dtype):
    rng = np.random.default_rng(2)
    cases = [(2, 2, 2, 0), (3, 3, 1, 0), (3, 2, 2, 1), (2, 3, 3, 2), (1, 1, 1, 0), (4, 4, 1, 1)]  # overlapping too
    for ph, pw, stride, pad in cases:
        for shape in [(3, 2, 8, 9), (5, 2, 8, 9), (1, 3, 5, 4)]:
            if shape[2] + 2 * pad < ph or shape[3] + 2 * pad < pw:
                continue
            readable, quick = Pooling(ph, pw, stride, pad), Pooling(ph, pw, stride, pad)
            quick.reuse_buffers = True
            x = rng.standard_normal(shape).astype(dtype)
            x[0, 0, :2, :2] = 0.5  # ties: both send the gradient to the first maximum
            out_h, out_w = (shape[2] + 2 * pad - ph) // stride + 1, (shape[3] + 2 * pad - pw) // stride + 1
            dout = rng.standard_normal((shape[0], shape[1], out_h, out_w)).astype(dtype)
            a, b = run(readable, x, dout), run(quick, x, dout)
            case = f"x{shape} window {ph}x{pw} stride {stride} pad {pad}"
            assert b[0].shape == a[0].shape and b[0].dtype == dtype and b[1].dtype == dtype, case
            np.testing.assert_array_equal(b[0], a[0], err_msg=case)  # max picks, no arithmetic
            np.testing.assert_allclose(b[1], a[1], **tol(dtype), err_msg=case)


def test_fast_layers_do_not_change_their_inputs_and_reuse_their_arrays():
    rng = np.random.default_rng(3)
    conv = Convolution(rng.standard_normal((4, 2, 3, 3)), np.zeros(4), stride=1, pad=1)
    pool = Pooling(2, 2)
    conv.reuse_buffers = pool.reuse_buffers = True
    x = rng.standard_normal((5, 2, 6, 6))
    keep = x.copy()
    first = conv.forward(x)
    out, dx = first.copy(), conv.backward(np.ones_like(first)).copy()
    readable = Convolution(conv.W, conv.b, stride=1, pad=1)
    np.testing.assert_allclose(out, readable.forward(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, readable.backward(np.ones_like(first)), rtol=1e-12, atol=1e-12)
    # the second step, in the arrays the first one used: the same numbers again
    np.testing.assert_array_equal(conv.forward(x), out)
    np.testing.assert_array_equal(conv.backward(np.ones_like(first)), dx)
    np.testing.assert_array_equal(conv.dW, readable.dW)
    assert np.shares_memory(conv.dW, conv.buffers.get("dW", conv.W.shape, conv.W.dtype))
    np.testing.assert_array_equal(x, keep)
    out = pool.forward(first)
    pool.backward(np.ones_like(out))
    assert np.shares_memory(pool.forward(first), out)  # the same output array, overwritten
    assert dx.shape == x.shape


def test_fast_layers_keep_the_readable_errors():
    conv = Convolution(np.zeros((2, 3, 3, 3)), np.zeros(2))
    conv.reuse_buffers = True
    with pytest.raises(ValueError, match=r"input has 1 channels .* W expects 3"):
        conv.forward(np.zeros((2, 1, 5, 5)))
    with pytest.raises(RuntimeError):
        Pooling(2, 2).backward(np.zeros((1, 1, 1, 1)))
    pool = Pooling(2, 2)
    pool.reuse_buffers = True
    pool.forward(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"dout has shape \(1, 1, 3, 3\) but the forward output had shape"):
        pool.backward(np.zeros((1, 1, 3, 3)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_simple_convnet_fast_training_takes_the_readable_steps(dtype):
    rng = np.random.default_rng(4)
    conv_param = {"filter_num": 6, "filter_size": 3, "pad": 1, "stride": 1}
    nets = [SimpleConvNet((1, 10, 10), conv_param, 12, 5, 0.1, dtype=dtype, rng=5) for _ in range(2)]
    x = rng.random((8, 1, 10, 10))
    t = rng.integers(0, 5, 8)
    readable, quick = nets
    with quick.fast_training():
        assert quick.layers["Conv1"].need_dx is False and quick.layers["Pool1"].reuse_buffers
        for _ in range(3):
            a, b = readable.gradient(x, t), quick.gradient(x, t)
            for k in a:
                np.testing.assert_allclose(b[k], a[k], **tol(dtype), err_msg=k)
                readable.params[k] -= 0.1 * a[k]
                quick.params[k] -= 0.1 * b[k]
    assert quick.layers["Conv1"].need_dx is True and not quick.layers["Pool1"].reuse_buffers
    np.testing.assert_allclose(quick.predict(x), readable.predict(x), **tol(dtype))


@pytest.fixture(params=[1, 2], ids=["1 thread", "2 threads"])
def threads(request, monkeypatch):
    """The threads the fast formulation may compute on (as threadpoolctl's limit would set them)."""
    _blas.cores()  # the controller looks once; then the test sets what it found
    monkeypatch.setitem(_blas._blas, "default", request.param)
    return request.param


@st.composite
def conv_layer_case(draw):
    """Odd sizes, strides that do not divide them, pads up to beyond the filter (whose rows are all zeros)."""
    fh, fw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 4))
    h, w = draw(st.integers(max(1, fh - 2 * pad), 9)), draw(st.integers(max(1, fw - 2 * pad), 9))
    n, c, fn = draw(st.integers(1, 5)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return n, c, h, w, fn, fh, fw, stride, pad, draw(st.integers(0, 2**32 - 1))


def channels_last(a):
    """The same numbers, stored (N, H, W, C) as the fast layers store theirs."""
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=conv_layer_case(), chunk_bytes=st.sampled_from([1, 1 << 22]), layout=st.booleans())
def test_convolution_fast_equals_readable_in_float64_for_any_window(threads, case, chunk_bytes, layout):
    n, c, h, w, fn, fh, fw, stride, pad, seed = case
    rng = np.random.default_rng(seed)
    W, b = rng.standard_normal((fn, c, fh, fw)), rng.standard_normal(fn)
    readable, quick = Convolution(W, b, stride, pad), Convolution(W, b, stride, pad)
    quick.reuse_buffers = True
    x = rng.standard_normal((n, c, h, w))
    out_h, out_w = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    dout = rng.standard_normal((n, fn, out_h, out_w))
    if layout:  # inputs as a fast layer before would hand them over
        x, dout = channels_last(x), channels_last(dout)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_blas, "CHUNK_BYTES", chunk_bytes)  # 1: a chunk per image
        for _ in range(2):  # the second step reuses the arrays (the spread gradient's zeros stay zeros)
            a, b_ = run(readable, x, dout), run(quick, x, dout)
            case = f"x{x.shape} W{W.shape} stride {stride} pad {pad}"
            np.testing.assert_allclose(b_[0], a[0], rtol=1e-12, atol=1e-12, err_msg=case)
            np.testing.assert_allclose(b_[1], a[1], rtol=1e-12, atol=1e-12, err_msg=case)
            np.testing.assert_allclose(quick.dW, readable.dW, rtol=1e-12, atol=1e-12, err_msg=case)
            np.testing.assert_allclose(quick.db, readable.db, rtol=1e-12, atol=1e-12, err_msg=case)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(window=st.tuples(st.integers(1, 3), st.integers(1, 3)), stride=st.integers(1, 3), pad=st.integers(0, 1),
       shape=st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(3, 9), st.integers(3, 9)),
       layout=st.booleans(), seed=st.integers(0, 2**32 - 1), chunk_bytes=st.sampled_from([1, 1 << 22]))
def test_pooling_fast_equals_readable_in_float64_for_any_window(threads, window, stride, pad, shape, layout, seed,
                                                                 chunk_bytes, monkeypatch):
    (ph, pw), rng = window, np.random.default_rng(seed)
    x = np.round(rng.standard_normal(shape), 1)  # rounded: ties, where the first maximum takes the gradient
    readable, quick = Pooling(ph, pw, stride, pad), Pooling(ph, pw, stride, pad)
    quick.reuse_buffers = True
    out_h, out_w = (shape[2] + 2 * pad - ph) // stride + 1, (shape[3] + 2 * pad - pw) // stride + 1
    dout = rng.standard_normal((shape[0], shape[1], out_h, out_w))
    if layout:
        x, dout = channels_last(x), channels_last(dout)
    monkeypatch.setattr(_blas, "CHUNK_BYTES", chunk_bytes)  # 1: a chunk per image
    for _ in range(2):
        a, b = run(readable, x, dout), run(quick, x, dout)
        np.testing.assert_array_equal(b[0], a[0])
        np.testing.assert_allclose(b[1], a[1], rtol=1e-12, atol=1e-12)


def test_relu_on_large_images_in_chunks_equals_readable(threads, monkeypatch):
    from chainrule import Relu

    monkeypatch.setattr(_blas, "CHUNK_BYTES", 64)  # every image "large": chunks of rows on the threads
    rng = np.random.default_rng(9)
    x, dout = channels_last(rng.standard_normal((6, 3, 5, 4))), rng.standard_normal((6, 3, 5, 4))
    readable, quick = Relu(), Relu()
    quick.reuse_buffers = True
    a, b = run(readable, x, dout), run(quick, x, dout)
    np.testing.assert_array_equal(b[0], a[0])
    np.testing.assert_array_equal(b[1], a[1])
    assert quick.out.transpose(0, 2, 3, 1).flags.c_contiguous  # laid out as its input


def test_relu_keeps_only_the_last_forwards_mask(threads, monkeypatch):
    """Large images keep out > 0 from forward; a smaller batch after them (one pass, no chunks) must not
    reuse it, nor a large batch of uneven chunks read zeros beyond its own."""
    from chainrule import Relu

    rng = np.random.default_rng(10)
    readable, quick = Relu(), Relu()
    quick.reuse_buffers = True
    monkeypatch.setattr(_blas, "CHUNK_BYTES", 1000)
    for n in (7, 1, 5):  # images of 480 bytes; 7: chunks of 2, 2, 2 and 1; 1: one pass; 5: chunks of 2, 2 and 1
        x, dout = channels_last(rng.standard_normal((n, 3, 5, 4))), rng.standard_normal((n, 3, 5, 4))
        a, b = run(readable, x, dout), run(quick, x, dout)
        np.testing.assert_array_equal(b[0], a[0])
        np.testing.assert_array_equal(b[1], a[1])


def test_fast_layers_hand_images_over_channels_last():
    """Convolution, ReLU and Pooling keep (N, H, W, C) in memory behind (N, C, H, W) shapes: each product
    reads long contiguous rows and no layer transposes what the one before wrote."""
    from chainrule import Relu

    rng = np.random.default_rng(5)
    conv, relu, pool = Convolution(rng.standard_normal((6, 3, 3, 3)), np.zeros(6), 1, 1), Relu(), Pooling(2, 2)
    for layer in (conv, relu, pool):
        layer.reuse_buffers = True
    out = pool.forward(relu.forward(conv.forward(rng.standard_normal((4, 3, 8, 8)))))
    dx = conv.backward(relu.backward(pool.backward(np.ones(out.shape))))
    for a in (out, relu.out, dx):
        assert a.transpose(0, 2, 3, 1).flags.c_contiguous


@pytest.mark.parametrize("dtype", DTYPES)
def test_deep_convnet_fast_gradients_equal_readable(threads, dtype):
    rng = np.random.default_rng(6)
    readable, quick = DeepConvNet(dtype=dtype, rng=7), DeepConvNet(dtype=dtype, rng=7)  # the same Dropout draws
    x, t = rng.random((6, 1, 28, 28)), rng.integers(0, 10, 6)
    expected = readable.gradient(x, t)
    with quick.fast_training():
        got = quick.gradient(x, t)
        predicted = np.array(quick.predict(x), copy=True)
    assert list(got) == list(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], **tol(dtype), err_msg=k)
    np.testing.assert_allclose(predicted, readable.predict(x), **tol(dtype))


def test_share_gives_each_item_to_one_thread_and_names_the_parts(threads):
    seen, lock = [], threading.Lock()

    def work(part, item):
        with lock:
            seen.append((part, item, threading.get_ident()))

    parts = _blas.share(work, range(40))
    assert sorted(item for _, item, _ in seen) == list(range(40))
    assert parts == {part for part, _, _ in seen} and 0 in parts and parts <= set(range(threads))
    assert all(ident == threading.get_ident() for part, _, ident in seen if part == 0)
    assert _blas.share(work, []) == set()


def test_share_raises_what_a_part_raised(threads):
    def work(part, item):
        if item == 3:
            raise ValueError("item 3")

    with pytest.raises(ValueError, match="item 3"):
        _blas.share(work, range(6))


def test_convolution_sums_right_whichever_thread_took_the_chunks(monkeypatch):
    """The gradients are the same when another thread did every chunk (this thread's sums left from before)."""
    from chainrule import convolution

    rng = np.random.default_rng(8)
    W, b = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    readable, quick = Convolution(W, b, 1, 1), Convolution(W, b, 1, 1)
    quick.reuse_buffers = True
    x, dout = rng.standard_normal((4, 2, 5, 5)), rng.standard_normal((4, 3, 5, 5))
    run(quick, x, 2 * dout)  # this thread's sums hold another step's

    def all_to_part_1(work, items):
        for item in items:
            work(1, item)
        return {1}

    monkeypatch.setattr(convolution, "share", all_to_part_1)
    a, b_ = run(readable, x, dout), run(quick, x, dout)
    np.testing.assert_allclose(b_[1], a[1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(quick.dW, readable.dW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(quick.db, readable.db, rtol=1e-12, atol=1e-12)


def test_a_fast_convolution_takes_images_of_any_size_one_call_after_another():
    rng = np.random.default_rng(10)
    W, b = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    readable, quick = Convolution(W, b, 1, 1), Convolution(W, b, 1, 1)
    quick.reuse_buffers = True
    for size in (6, 9, 6, 7):  # the kept views follow the size
        x, dout = rng.standard_normal((4, 2, size, size)), rng.standard_normal((4, 3, size, size))
        a, b_ = run(readable, x, dout), run(quick, x, dout)
        np.testing.assert_allclose(b_[0], a[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(b_[1], a[1], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(quick.dW, readable.dW, rtol=1e-12, atol=1e-12)
