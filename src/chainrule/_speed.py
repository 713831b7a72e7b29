"""What makes training fast without changing its numbers: BLAS threads, minibatch gathering,
evaluation in the background, the buffers of the layers' fast formulation. Private:
:class:`~chainrule.train.Trainer` uses it, :meth:`~chainrule.networks.Sequential.gradient`
takes the one-thread limit from it, and the layers' ``_forward_fast``/``_backward_fast``
keep their arrays in a :class:`Buffers`.

BLAS threads. The products of a training step are small (100x784 @ 784x50 takes about
90 us), and with two BLAS threads a step gets *slower*: the worker thread is woken for
every product. So training steps run on one BLAS thread, and evaluations, which multiply
thousands of rows at a time, on the BLAS default (``benchmarks/README.md``).
"""

from __future__ import annotations

import contextlib
import functools
import time

import numpy as np

__all__ = ["CHUNK_BYTES", "BackgroundEvaluation", "Buffers", "Converter", "blas_threads", "check_inputs", "chunks",
           "cores", "exp_span",
           "input_scale_for", "network_dtype", "one_blas_thread_from_now_on", "plain_labels", "positive_int",
           "share"]

_blas = {}  # "controller": threadpoolctl's, "default": BLAS threads before chainrule limited them, "process": the limit


def _controller():
    if "controller" not in _blas:
        from threadpoolctl import ThreadpoolController

        controller = ThreadpoolController()
        _blas["default"] = max((lib.num_threads for lib in controller.select(user_api="blas").lib_controllers),
                               default=1)
        _blas["controller"] = controller
    return _blas["controller"]


@contextlib.contextmanager
def blas_threads(threads=None):
    """Inside the block BLAS uses ``threads`` threads (None: the BLAS default, as it was before
    chainrule limited it); the limits in effect before come back after the block."""
    controller = _controller()
    limiter = controller.limit(limits=_blas["default"] if threads is None else threads, user_api="blas")
    try:
        yield
    finally:
        limiter.restore_original_limits()


def one_blas_thread_from_now_on():
    """Limit BLAS to one thread for the rest of the process (the first call does it; later calls cost a lookup).

    The book's loop calls ``network.gradient`` on minibatches of 100, whose products are
    too small to gain from a second thread and lose time waking it; this gives that loop
    what :class:`~chainrule.train.Trainer` does for its training steps. ``Trainer``'s
    evaluations and :meth:`~chainrule.networks.Sequential.accuracy` on large sets still use the
    BLAS default inside their own block; ``threadpoolctl.threadpool_limits`` overrides it.
    """
    if "process" not in _blas:
        _blas["process"] = _controller().limit(limits=1, user_api="blas")


def cores():
    """How many threads chainrule may compute on: the BLAS threads allowed when chainrule first looked
    (``threadpoolctl.threadpool_limits`` around a run, or ``OPENBLAS_NUM_THREADS``, sets it)."""
    _controller()
    return _blas["default"]


#: A chunk of images takes about this many bytes of work arrays (the gathered windows of a convolution,
#: the inputs of a pooling): they stay in the cache from one operation to the next.
CHUNK_BYTES = 1 << 22


def chunks(n, item_bytes):
    """Slices of ``n`` items (images) in chunks of about :data:`CHUNK_BYTES` (``item_bytes`` each); when
    there is enough work to pay for waking a thread, as many chunks as a multiple of :func:`cores`, so
    that the threads of :func:`share` get equal shares."""
    count = -(-n // max(1, CHUNK_BYTES // max(1, item_bytes)))
    if n * item_bytes > CHUNK_BYTES // 4:
        parts = cores()
        count = min(n, -(-count // parts) * parts)
    step = -(-n // count)
    return [slice(lo, min(lo + step, n)) for lo in range(0, n, step)]


def share(work, items):
    """Call ``work(part, item)`` for every item, on this thread (part 0) and, when :func:`cores` allows,
    on worker threads (parts 1, 2, ...) at the same time; returns the set of parts that did some.

    Each thread takes the next item when it is done with one, so a worker that starts late (its core
    busy) takes fewer, and a worker that has not started when the items run out is not waited for.
    NumPy releases the GIL in its products and copies, so the parts run on separate cores; each part
    must write to arrays of its own (or to separate rows of one).
    """
    items = list(items)
    workers = min(cores(), len(items)) - 1
    items = iter(items)
    if workers < 1:
        return {0} if _drain(work, 0, items) else set()
    if "pool" not in _blas:
        from concurrent.futures import ThreadPoolExecutor

        _blas["pool"] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chainrule-part")
    futures = [_blas["pool"].submit(_drain, work, part, items) for part in range(1, workers + 1)]
    parts = {0} if _drain(work, 0, items) else set()
    for part, future in enumerate(futures, start=1):
        if not future.cancel() and future.result():
            parts.add(part)
    return parts


def _drain(work, part, items):
    did = False
    for item in items:  # next() on a shared iterator: each item goes to one thread
        work(part, item)
        did = True
    return did


def positive_int(name, value):
    """``value`` as an int, or a ValueError naming ``name`` when it is not a positive integer."""
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def input_scale_for(x):
    """The factor that turns stored inputs into network inputs: 1/255 for uint8 pixels, else 1."""
    return 1.0 / 255.0 if np.asarray(x).dtype == np.uint8 else 1.0


def check_inputs(x, name):
    """``x`` as an array of uint8 pixels or floats with one row per sample, or a clear error."""
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if x.dtype != np.uint8 and not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must be uint8 pixels (0..255) or floats; got dtype {x.dtype}")
    if x.ndim < 2:
        raise ValueError(f"{name} must have one row per sample, shape (N, D) or (N, C, H, W); got shape {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {x.shape})")
    return x


def network_dtype(network):
    """The floating dtype a network computes in."""
    dtype = getattr(network, "dtype", None)
    if dtype is None:
        dtype = next(iter(network.params.values())).dtype
    return np.dtype(dtype)
class Converter:
    """Copies rows of stored inputs into a reused buffer of the network's dtype, scaled.

    ``x`` uint8 (or any dtype differing from the network's, or a scale other than 1):
    ``np.take`` into a buffer of ``x``'s dtype, then a cast into the float buffer and
    a multiplication in place. ``x`` already in the network's dtype with scale 1: ``np.take``
    straight into the float buffer.
    """

    def __init__(self, x, rows, dtype, scale, *, gather=True, share=None):
        self.x = x
        self.dtype = np.dtype(dtype)
        self.scale = self.dtype.type(scale)  # a scalar of the network's dtype: no promotion
        self.direct = x.dtype == self.dtype and scale == 1
        shape = (rows, *x.shape[1:])
        self.out = self.raw = None
        if share is not None and share.out is not None and share.out.shape[0] >= rows \
                and share.out.shape[1:] == shape[1:] and share.out.dtype == self.dtype:
            self.out = share.out  # one buffer for the evaluation of both sets
            if share.raw is not None and share.raw.dtype == x.dtype:
                self.raw = share.raw
        if self.out is None and (gather or not self.direct):  # slice() of a direct input is a view: no buffer
            self.out = np.empty(shape, dtype=self.dtype)
        if self.raw is None and not self.direct:
            self.raw = np.empty(shape, dtype=x.dtype)

    def take(self, idx):
        """Rows ``idx`` of ``x``, converted: a view of the buffer, shape ``(len(idx), ...)``."""
        k = len(idx)
        out = self.out[:k]
        if self.direct:
            np.take(self.x, idx, axis=0, out=out, mode="clip")  # idx is always in range
        else:
            raw = self.raw[:k]
            np.take(self.x, idx, axis=0, out=raw, mode="clip")
            self._convert(raw, out)
        return out

    def _convert(self, src, out):
        # cast, then scale in place: the same numbers as np.multiply(src, scale, out=out, casting="unsafe"),
        # in two loops that are each faster than that one mixed-type loop
        np.copyto(out, src, casting="unsafe")
        if self.scale != 1:
            np.multiply(out, self.scale, out=out)

    def slice(self, start, stop):
        """Rows ``start:stop`` of ``x``, converted (a view of the buffer)."""
        src = self.x[start:stop]
        if self.direct:
            return src  # already the network's dtype: nothing to convert
        out = self.out[: stop - start]
        self._convert(src, out)
        return out



class BackgroundEvaluation:
    """One evaluation at a time of a copy of the network, in a worker thread.

    ``start`` copies the parameters into the copy (so training may go on changing
    the network) and hands the copy to the worker; ``result`` waits for it. NumPy
    releases the GIL in its matrix products and conversions, so the worker runs on
    another core; BLAS keeps the one thread the training steps use.
    """

    def __init__(self, accuracies, copy):
        from concurrent.futures import ThreadPoolExecutor

        self.accuracies = accuracies  # accuracies(network) -> (train_acc, test_acc)
        self.copy = copy
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chainrule-eval")
        self._future = None

    @property
    def running(self):
        """Whether an evaluation was started and not yet collected by :meth:`result`."""
        return self._future is not None

    @property
    def done(self):
        """Whether an evaluation was started and has finished."""
        return self._future is not None and self._future.done()

    def start(self, network, iteration):
        """Copy ``network``'s parameters and ``state`` (running statistics) into the copy and evaluate it."""
        for mine, theirs in ((network.params, self.copy.params),
                             (getattr(network, "state", {}), getattr(self.copy, "state", {}))):
            for key in mine:
                theirs[key] = mine[key]
        self._future = self._pool.submit(self._evaluate, iteration)

    def _evaluate(self, iteration):
        t0 = time.perf_counter()
        fast = self.copy.fast_training() if hasattr(self.copy, "fast_training") else contextlib.nullcontext()
        with fast:  # no thread limit of its own: BLAS keeps the one thread the training steps use
            accuracies = self.accuracies(self.copy)
        finished = time.perf_counter()
        return iteration, accuracies, finished - t0, finished

    def result(self):
        """``(iteration, (train_acc, test_acc), seconds spent, perf_counter at the end)``."""
        future, self._future = self._future, None
        return future.result()

    def close(self):
        self._pool.shutdown(wait=True, cancel_futures=True)


# -- the layers' fast formulation -------------------------------------------------------------
class Buffers:
    """Arrays one layer reuses from step to step, by name: its fast formulation's outputs and gradients.

    ``get(name, shape, dtype)`` keeps one array per name, grown when a call needs more
    rows than any before (an evaluation chunk after training batches); smaller calls
    get a view of its first rows, which is contiguous like a fresh array.
    """

    __slots__ = ("_arrays", "_views", "_ones", "_rows")

    def __init__(self):
        self._arrays = {}  # name -> array
        self._views = {}  # (name, shape) -> view of it, the common case
        self._ones = None
        self._rows = None

    def get(self, name, shape, dtype, zeros=False):
        """A reusable array of ``shape`` and ``dtype`` (``zeros``: filled with zeros when allocated,
        for a constant the layer only reads)."""
        view = self._views.get((name, shape))
        if view is not None and view.dtype == dtype:
            return view
        buf = self._arrays.get(name)
        if buf is None or buf.dtype != dtype or buf.shape[1:] != shape[1:] or buf.shape[:1] < shape[:1] \
                or buf.ndim != len(shape):
            buf = self._arrays[name] = (np.zeros if zeros else np.empty)(shape, dtype=dtype)
            for key in [key for key in self._views if key[0] == name]:  # views of the old array
                del self._views[key]
        view = self._views[(name, shape)] = buf if buf.shape == shape else buf[: shape[0]]
        return view

    def like(self, name, x, dtype=None, zeros=False):
        """A reusable array of ``x``'s shape laid out in memory as ``x`` is (a channels-last view of
        images gets a channels-last array), so elementwise passes over both run in memory order."""
        dtype = x.dtype if dtype is None else dtype
        if x.flags.c_contiguous or x.ndim < 2:
            return self.get(name, x.shape, dtype, zeros)
        order = sorted(range(x.ndim), key=lambda axis: -abs(x.strides[axis]))  # outermost first
        buf = self.get(name, tuple(x.shape[axis] for axis in order), dtype, zeros)
        return buf.transpose(np.argsort(order))

    def ones(self, n, dtype):
        """``ones(n)``, kept: sums as products (``ones(N) @ dout`` is ``dout.sum(axis=0)``, in one BLAS call)."""
        if self._ones is None or self._ones.shape[0] < n or self._ones.dtype != dtype:
            self._ones = np.ones(n, dtype=dtype)
        return self._ones[:n]

    def rows(self, n):
        """``arange(n)``, kept: the row index that picks each sample's target column."""
        if self._rows is None or self._rows.shape[0] < n:
            self._rows = np.arange(n)
        return self._rows[:n]


@functools.lru_cache(maxsize=8)
def exp_span(dtype):
    """How far below a shift a score may lie and keep ``exp(score - shift)`` a normal number.

    ``-log(tiny) - 8``: 79 for float32, 700 for float64 (a margin of e^8 below the smallest
    normal number, so sums and quotients of these exponentials stay normal too).
    """
    return float(-np.log(np.finfo(dtype).tiny) - 8)


def plain_labels(t, n_classes, n_samples):
    """Whether ``t`` already is what ``as_labels`` returns: intp labels ``(N,)`` in ``[0, C)``.

    One reduction (seen as unsigned, a negative label is huge, so one maximum checks
    both ends of the range), where the full validation takes several; anything
    else goes through ``as_labels`` (which converts, or says what is wrong).
    """
    return (isinstance(t, np.ndarray) and t.dtype == np.intp and t.shape == (n_samples,)
            and n_samples > 0 and t.view(np.uintp).max() < n_classes)
