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

__all__ = ["blas_threads", "one_blas_thread_from_now_on"]

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
