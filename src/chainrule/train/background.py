"""Evaluation in the background: each epoch's accuracies computed on a copy of the network, in a
worker thread on the other core, while training goes on (:class:`BackgroundEvaluation`).
"""

from __future__ import annotations

import contextlib
import time

from .._blas import alone

__all__ = ["BackgroundEvaluation"]


class BackgroundEvaluation:
    """One evaluation at a time of a copy of the network, in a worker thread.

    ``start`` copies the parameters into the copy (so training may go on changing
    the network) and hands the copy to the worker; ``result`` waits for it. NumPy
    releases the GIL in its matrix products and conversions, so the worker runs on
    another core, alone: BLAS keeps the one thread the training steps use, and the
    layers share none of its work with other threads (``_blas.alone``).
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
        with fast, alone():  # one core: BLAS keeps the training steps' one thread, the layers share nothing
            accuracies = self.accuracies(self.copy)
        finished = time.perf_counter()
        return iteration, accuracies, finished - t0, finished

    def result(self):
        """``(iteration, (train_acc, test_acc), seconds spent, perf_counter at the end)``."""
        future, self._future = self._future, None
        return future.result()

    def close(self):
        self._pool.shutdown(wait=True, cancel_futures=True)
