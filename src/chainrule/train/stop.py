"""How training stops early, for :class:`~chainrule.train.Trainer` (private; the names are
re-exported by :mod:`chainrule.train`): Ctrl-C (:class:`StopOnSigint`), and a loss that is
not finite (:class:`TrainingDiverged`, with the weights kept by :class:`LastFinite`).
"""

from __future__ import annotations

import signal
import threading

import numpy as np

__all__ = ["LastFinite", "StopOnSigint", "TrainingDiverged"]


class TrainingDiverged(ArithmeticError):
    """Training stopped because a minibatch loss was not finite (NaN or infinity).

    The network was restored to ``history.kept_iteration``, the last evaluation at which all
    its weights were finite; ``history.diverged`` is the iteration whose loss was not finite.
    """

    def __init__(self, history):
        self.history = history
        loss = history.loss[history.diverged - 1]
        kept = (f"the network is restored to iteration {history.kept_iteration} (the last with finite weights)"
                if history.kept_iteration is not None else "the network's weights were not finite to begin with")
        super().__init__(f"training diverged: the loss of iteration {history.diverged} is {loss}; {kept}")


class LastFinite:
    """The weights at the last evaluation where all were finite: divergence goes back to them.

    :meth:`keep` is called once per evaluation (an ``isfinite`` scan and a copy of the
    parameters, nothing per training step).
    """

    def __init__(self):
        self.params = None
        self.iteration = None

    def keep(self, network, iteration):
        params = _weights_and_state(network)
        if not all(np.isfinite(v).all() for v in params.values()):
            return
        if self.params is None:
            self.params = {k: np.array(v, copy=True) for k, v in params.items()}
        else:
            for k, v in params.items():
                np.copyto(self.params[k], v)
        self.iteration = iteration

    def restore(self, network):
        """Copy the kept weights back into ``network`` (in place); return their iteration (None: none kept)."""
        params = _weights_and_state(network)
        for k, v in (self.params or {}).items():
            np.copyto(params[k], v)
        return self.iteration


def _weights_and_state(network):
    """The arrays a diverged run goes back to: the parameters and the ``state`` (running statistics)."""
    return {**network.params, **getattr(network, "state", {})}


class StopOnSigint:
    """While active (main thread): the first Ctrl-C sets ``requested``, a second raises KeyboardInterrupt."""

    def __init__(self, enabled=True):
        self.requested = False
        self.enabled = enabled
        self._old = None
        self._installed = False

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        if self.enabled and threading.current_thread() is threading.main_thread():
            old = signal.getsignal(signal.SIGINT)
            if old is not None:  # None: a handler not installed from Python; leave it alone
                self._old = signal.signal(signal.SIGINT, self._handle)
                self._installed = True
        return self

    def __exit__(self, *exc):
        if self._installed:
            signal.signal(signal.SIGINT, self._old)
            self._installed = False
        return False
