"""How a training run ends early: every way goes through :meth:`Trainer.stop() <chainrule.train.Trainer.stop>`.

``trainer.stop(reason)`` asks the run to end after its current iteration: the network keeps
what it learned, the final accuracies are computed, ``train()`` returns the history with
``interrupted`` True, and ``trainer.stop_reason`` tells why. What calls it:

* a signal, through :func:`stop_on_signals`: Ctrl-C (SIGINT) while ``Trainer.train`` runs
  (``catch_sigint=True``, the default), and also SIGTERM and SIGHUP (``timeout``, ``docker
  stop``, a closed terminal) while ``chainrule train`` trains. The reason is the signal
  (a :class:`signal.Signals`); the command exits with 128 + its number (130 for Ctrl-C).
  A signal that comes once a stop was asked for raises :class:`KeyboardInterrupt` instead,
  which skips the final evaluation: a second Ctrl-C is never ignored.
* a loss that is not finite (a learning rate too high): the reason ``"diverged"``; the
  network goes back to the last evaluation where its weights were finite (:class:`LastFinite`)
  and :class:`TrainingDiverged` is raised.
* any code that holds the trainer: a ``callback`` (the scikit-learn estimator's early
  stopping, reason ``"converged"``), another thread.

Around a run, ``chainrule train`` uses two more: :func:`interrupting` makes SIGTERM and SIGHUP
interrupt like Ctrl-C before training starts (while the data loads), and
:func:`deferred_signals` holds all three back while the run is saved, so the save is complete
before the command acts on them. Before the package is even imported, the console script's
launcher (``_chainrule_launch``, outside the package) turns a Ctrl-C into one line, exit 130.
"""

from __future__ import annotations

import contextlib
import signal
import threading

import numpy as np

__all__ = ["STOP_SIGNALS", "LastFinite", "TrainingDiverged", "deferred_signals", "interrupting",
           "stop_on_signals"]

#: The signals that stop a run (those this platform has): Ctrl-C, and SIGTERM and SIGHUP, which do what it does.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


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


@contextlib.contextmanager
def stop_on_signals(trainer, signums=STOP_SIGNALS):
    """While active (main thread only), each of ``signums`` calls ``trainer.stop(signal)``; one that
    comes when a stop was already asked for raises KeyboardInterrupt (the second Ctrl-C).

    Several of these may nest (``chainrule train`` adds SIGTERM and SIGHUP around the Trainer's
    own Ctrl-C): they share the one state, the trainer's ``stop_reason``.
    """

    def stop(signum, frame):
        if trainer.stop_reason is not None:
            raise KeyboardInterrupt
        trainer.stop(signal.Signals(signum))

    with _handlers(signums, stop):
        yield trainer


@contextlib.contextmanager
def interrupting(signums=STOP_SIGNALS[1:]):
    """While active (main thread only), SIGTERM and SIGHUP raise KeyboardInterrupt, as Ctrl-C does
    (before a run starts: the command ends with ``interrupted``)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    with _handlers(signums, interrupt):
        yield


@contextlib.contextmanager
def deferred_signals(signums=STOP_SIGNALS):
    """Hold SIGINT, SIGTERM and SIGHUP back (main thread only): yields the list of those received,
    for the caller to act on once what it protects (a save) is complete."""
    received = []
    with _handlers(signums, lambda signum, frame: received.append(signum)):
        yield received


@contextlib.contextmanager
def _handlers(signums, handler):
    """``handler`` for each of ``signums`` while active, the previous ones restored after. Only the main
    thread can set handlers: elsewhere this does nothing, and a handler not installed from Python
    (``signal.getsignal`` gives None) is left alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {}
    try:
        for signum in signums:
            if signal.getsignal(signum) is not None:
                old[signum] = signal.signal(signum, handler)
        yield
    finally:
        for signum, previous in old.items():
            signal.signal(signum, previous)
