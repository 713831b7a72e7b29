"""What the export tests share: tolerances, and running a network through each engine in chunks.

Every engine is fed ``chunk`` images at a time (a float64 convolution graph holds each
image's windows, ``OH*OW x C*FH*FW`` values per layer, so 10,000 images at once would
take gigabytes) and gives ``(probabilities, labels)`` for all of them. Every engine runs
on one thread, as chainrule's BLAS does once a test has trained: on a busy machine
(CI runners, shared cores) the spinning thread pools of PyTorch and ONNX Runtime make
them tens of times slower, and the numbers do not depend on it.
"""

from contextlib import contextmanager

import numpy as np
import pytest

from chainrule import softmax

TOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}
DTYPES = [np.float32, np.float64]


def needs(module, extra):
    return pytest.importorskip(module, reason=f"{module} is not installed ({extra})")


def chunked(fn, x, chunk):
    """``fn`` on ``chunk`` rows of ``x`` at a time; its outputs (a tuple) concatenated."""
    parts = [fn(x[i:i + chunk]) for i in range(0, len(x), chunk)]
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))


def chainrule_outputs(net, x, chunk=200):
    """chainrule's own ``(softmax(predict(x)), argmax)``, in test mode (the book's ``predict``)."""
    def run(xb):
        scores = net.predict(xb)
        return softmax(scores), np.argmax(scores, axis=1)

    return chunked(run, x, chunk)


def onnx_runtime_outputs(path, x, chunk=500):
    ort = needs("onnxruntime", "chainrule[onnx]")
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return chunked(lambda xb: tuple(session.run(["probabilities", "label"], {"image": xb})), x, chunk)


def reference_outputs(path, x, chunk=500, *, vectorized_maxpool=True):
    """ONNX's reference evaluator (``onnx.reference``), with its MaxPool vectorized unless told otherwise.

    The reference MaxPool walks every output value in Python when the stride is not 1
    (minutes for 10,000 images of a CNN); :func:`maxpool_class` computes the same maxima
    with NumPy, and ``test_the_vectorized_maxpool_is_the_references_own`` shows the two
    give the same bits. Every other operator is the reference's own.
    """
    onnx = needs("onnx", "chainrule[onnx]")
    from onnx.reference import ReferenceEvaluator

    session = ReferenceEvaluator(onnx.load(str(path)), new_ops=[maxpool_class()] if vectorized_maxpool else None)
    with np.errstate(over="ignore", invalid="ignore"):  # its Sigmoid computes both sides of a where(), inf/inf too
        return chunked(lambda xb: tuple(session.run(["probabilities", "label"], {"image": xb})), x, chunk)


def torch_outputs(module, x, chunk=1000):
    torch = needs("torch", "pip install torch")

    def run(xb):
        with torch.no_grad():
            scores = module(torch.from_numpy(xb))
        return torch.softmax(scores, dim=1).numpy(), scores.argmax(dim=1).numpy()

    with one_torch_thread(torch):
        return chunked(run, x, chunk)


@contextmanager
def one_torch_thread(torch):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def maxpool_class():
    """An ``onnx.reference`` MaxPool for what chainrule's graphs use (no pads, no dilation, floor mode):
    the maximum over the ``kh * kw`` strided views of the input, one NumPy pass each."""
    from onnx.reference.op_run import OpRun

    class MaxPool(OpRun):
        op_domain = ""

        def _run(self, x, auto_pad=None, ceil_mode=None, dilations=None, kernel_shape=None, pads=None,
                 storage_order=None, strides=None):
            if any(pads or ()) or any(d != 1 for d in dilations or ()) or ceil_mode or auto_pad not in (None,
                                                                                                          "NOTSET"):
                raise NotImplementedError("only MaxPool without pads, dilation or ceil_mode")
            (kh, kw), (sh, sw) = kernel_shape, strides or (1, 1)
            oh, ow = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
            out = None
            for i in range(kh):
                for j in range(kw):
                    view = x[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
                    out = view.copy() if out is None else np.maximum(out, view, out=out)
            return (out,)

    return MaxPool


def assert_agree(engine, ours, dtype, what):
    """Probabilities within the dtype's tolerance and the very same labels, on every image."""
    probs, labels = engine
    assert probs.dtype == dtype and probs.shape == ours[0].shape, what
    diff = float(np.max(np.abs(probs - ours[0])))
    assert diff <= TOL[np.dtype(dtype)], f"{what}: probabilities differ by {diff:.2e}"
    np.testing.assert_array_equal(labels, ours[1], err_msg=what)
    return diff
