"""BLAS threads chosen per phase of training (through threadpoolctl, when it is installed).

Measured on a 2-core machine (see ``benchmarks/README.md``): the products of a
training step are small (100x784 @ 784x50 takes 90 us), and with two BLAS threads
the step gets *slower*, because the worker thread is woken for every product; so
training runs on one thread. Evaluation multiplies thousands of rows at a time,
where a second core can pay off, unless another process is busy on it; so an
evaluation times a chunk on one thread and one on all cores, and runs the rest
on whichever was faster. Trying all cores costs little on an idle
machine and a lot on a busy one (OpenBLAS's woken threads spin for a while), so
after one thread has won, the next three evaluations keep it without trying.

Without threadpoolctl nothing is limited and BLAS uses its own default.
"""

from __future__ import annotations

import contextlib
import os
import time

__all__ = ["BlasThreads"]


class BlasThreads:
    """Limits of the BLAS thread pool for the phases of a training run."""

    #: after one thread has won, evaluations that keep it before all cores are tried again
    RETRY_AFTER = 3

    def __init__(self):
        self.cpus = os.cpu_count() or 1
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            self._controller = None
        else:
            self._controller = ThreadpoolController()
        #: threads the last evaluation settled on (None before the first)
        self.evaluation_threads = None
        self._untried = 0  # evaluations since all cores were last tried

    @property
    def available(self):
        """Whether the thread count can be controlled (threadpoolctl is installed)."""
        return self._controller is not None

    @contextlib.contextmanager
    def limit(self, threads):
        """Inside the block BLAS uses at most ``threads`` threads (the previous limits come back after)."""
        if self._controller is None:
            yield
            return
        limiter = self._controller.limit(limits=threads, user_api="blas")
        try:
            yield
        finally:
            limiter.restore_original_limits()

    def training(self):
        """The limit for training steps: one thread."""
        return self.limit(1)

    def evaluation_chunks(self, starts):
        """Yield ``starts`` (offsets of equal chunks) with BLAS limited for evaluation.

        The caller does a chunk's work between two iterations. The first chunk
        runs on all cores (waking BLAS's threads), the second on one thread, the
        third on all cores, the rest on whichever of the last two took less time.
        """
        starts = list(starts)
        if self._controller is None or self.cpus == 1 or len(starts) < 4:
            with self.limit(self.cpus):
                yield from starts
            return
        if self.evaluation_threads == 1 and self._untried < self.RETRY_AFTER:
            self._untried += 1
            with self.limit(1):
                yield from starts
            return
        self._untried = 0
        # chunk 0 on all cores wakes BLAS's sleeping threads (untimed: that wake-up is no measure of
        # the speed); chunk 1 timed on one thread, chunk 2 timed on all cores
        seconds = []
        for threads, start in zip((self.cpus, 1, self.cpus), starts[:3], strict=True):
            with self.limit(threads):
                t0 = time.perf_counter()
                yield start
                seconds.append(time.perf_counter() - t0)
        self.evaluation_threads = 1 if seconds[1] <= seconds[2] else self.cpus
        with self.limit(self.evaluation_threads):
            yield from starts[3:]
