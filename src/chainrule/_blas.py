"""BLAS threads: one for the small products of a training step, the BLAS default for evaluations.

The products of a training step are small (100x784 @ 784x50 takes about 90 us), and with
two BLAS threads a step gets *slower*: the worker thread is woken for every product. So
training steps run on one BLAS thread, and evaluations, which multiply thousands of rows at
a time, on the BLAS default (``benchmarks/README.md``). Private: used by
:meth:`~chainrule.networks.Sequential.gradient` (the book's own loop gets the limit too) and
by :class:`~chainrule.train.Trainer`.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

__all__ = ["CHUNK_BYTES", "SPLIT_PRODUCT", "alone", "blas_threads", "chunks", "cores", "dot",
           "one_blas_thread_from_now_on", "share"]

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


# -- threads of chainrule's own: the chunks of images of the convolutional layers' fast formulation --
def cores():
    """How many threads chainrule may compute on: the BLAS threads allowed when chainrule first looked
    (``threadpoolctl.threadpool_limits`` around a run, or ``OPENBLAS_NUM_THREADS``, sets it); one inside
    :func:`alone`."""
    _controller()
    return 1 if getattr(_this_thread, "alone", False) else _blas["default"]


_this_thread = threading.local()


@contextlib.contextmanager
def alone():
    """Inside the block this thread computes alone: the layers share no work with other threads (the
    background evaluation runs so, on the core the training steps leave it)."""
    before = getattr(_this_thread, "alone", False)
    _this_thread.alone = True
    try:
        yield
    finally:
        _this_thread.alone = before


#: A chunk of images takes about this many bytes of work arrays (the gathered windows of a convolution,
#: the inputs of a pooling): they stay in the cache from one operation to the next.
CHUNK_BYTES = 1 << 21


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


#: A product of at least this many multiply-adds is split among the cores (by rows); the MLP's
#: (100x784 @ 784x50: 3.9 million) are not: waking a thread costs them more than it saves.
SPLIT_PRODUCT = 1 << 24


def dot(a, b, out):
    """``np.dot(a, b, out=out)`` for 2-D arrays; a large product is split by rows of ``a`` (and of ``out``)
    among the cores (:func:`share`)."""
    m = a.shape[0]
    if m * a.shape[1] * b.shape[1] < SPLIT_PRODUCT or m < 2 or cores() < 2:
        return np.dot(a, b, out=out)
    step = -(-m // cores())
    share(lambda part, rows: np.dot(a[rows], b, out=out[rows]), [slice(lo, lo + step) for lo in range(0, m, step)])
    return out


def share(work, items):
    """Call ``work(part, item)`` for every item, on this thread (part 0) and, when :func:`cores` allows,
    on worker threads (parts 1, 2, ...) at the same time; returns the set of parts that did some.

    Each thread takes the next item when it is done with one, so a worker that starts late (its core
    busy) takes fewer, and a worker that has not started when the items run out is not waited for.
    NumPy releases the GIL in its products and copies, so the parts run on separate cores; each part
    must write to arrays of its own (or to separate rows of one). Each part's products run on one
    BLAS thread (BLAS threads on top of these would fight them for the cores).
    """
    items = list(items)
    workers = min(cores(), len(items)) - 1
    items = iter(items)
    if workers < 1:
        return {0} if _drain(work, 0, items) else set()
    if _blas_now() > 1:
        with blas_threads(1):
            return _share(work, items, workers)
    return _share(work, items, workers)


def _blas_now():
    if "libs" not in _blas:
        _blas["libs"] = _controller().select(user_api="blas").lib_controllers
    return max((lib.num_threads for lib in _blas["libs"]), default=1)


def _share(work, items, workers):
    if "pool" not in _blas:
        from concurrent.futures import ThreadPoolExecutor

        _blas["pool"] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chainrule-part")
    futures = [_blas["pool"].submit(_drain, work, part, items) for part in range(1, workers + 1)]
    try:
        parts = {0} if _drain(work, 0, items) else set()
    finally:  # the workers are done (or never started) before this returns or raises
        done = [not future.cancel() and future.result() for future in futures]
    return parts | {part for part, did in enumerate(done, start=1) if did}


def _drain(work, part, items):
    did = False
    for item in items:  # next() on a shared iterator: each item goes to one thread
        work(part, item)
        did = True
    return did
