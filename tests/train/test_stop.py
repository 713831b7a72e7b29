"""chainrule.train.stop: every way a run ends early goes through Trainer.stop().

Ctrl-C (and SIGTERM, SIGHUP) call it and a second signal raises KeyboardInterrupt; a
callback or another thread may call it; a loss that is not finite calls it and the network
goes back to its last finite weights; signals can be held back while a run is saved.
"""

import math
import os
import signal
import threading

import numpy as np
import pytest

from chainrule import SGD, TwoLayerNet
from chainrule.train import Trainer, TrainingDiverged, evaluate
from chainrule.train.stop import STOP_SIGNALS, LastFinite, deferred_signals, interrupting, stop_on_signals
from tests.cli.helpers import fake_mnist
from tests.train.helpers import net32


class Stoppable:
    """What stop_on_signals needs of a trainer: ``stop_reason`` and ``stop()``."""

    def __init__(self):
        self.stop_reason = None
        self.calls = []

    def stop(self, reason):
        self.calls.append(reason)
        if self.stop_reason is None:
            self.stop_reason = reason


# -- Trainer.stop ------------------------------------------------------------------------------

def test_stop_from_a_callback_ends_the_run_after_that_iteration_and_train_continues_it(data):
    x, t, xt, tt = data
    net = net32()

    def stop_after_epoch_2(trainer, record):
        if record["epoch"] == 2:
            trainer.stop("enough")

    trainer = Trainer(net, x, t, xt, tt, epochs=6, mini_batch_size=50, rng=0, verbose=False,
                      callback=stop_after_epoch_2, background_eval=False)
    h = trainer.train()
    assert trainer.stop_reason == "enough" and h.interrupted
    assert h.iterations_done == 16 and h.iteration == [0, 8, 16]  # no step after the stop
    assert h.final_test_acc == h.test_acc[-1] == evaluate(net, xt, tt)
    trainer.callback = None
    h = trainer.train()  # a stopped run goes on where it stopped
    assert trainer.stop_reason is None and not h.interrupted
    assert h.iterations_done == 48 and h.iteration == [0, 8, 16, 24, 32, 40, 48]


def test_the_first_reason_is_kept(data):
    x, t, _, _ = data
    trainer = Trainer(net32(), x, t, iters=5, mini_batch_size=50, rng=0, verbose=False)
    trainer.stop("first")
    trainer.stop("second")
    assert trainer.stop_reason == "first"


def test_stop_from_another_thread(data):
    x, t, xt, tt = data
    net = net32()
    started = threading.Event()
    calls = []

    class Waiting(SGD):  # the 5th update waits until another thread has asked for a stop
        def update(self, params, grads):
            calls.append(1)
            if len(calls) == 5:
                started.set()
                stopper.join(timeout=30)
            super().update(params, grads)

    trainer = Trainer(net, x, t, xt, tt, epochs=10, mini_batch_size=50, optimizer=Waiting(lr=0.1), rng=0,
                      verbose=False)
    stopper = threading.Thread(target=lambda: (started.wait(30), trainer.stop("from a thread")))
    stopper.start()
    h = trainer.train()
    assert trainer.stop_reason == "from a thread" and h.interrupted and h.iterations_done == 5


def test_ctrl_c_stops_cleanly_and_keeps_what_was_learned(data):
    x, t, xt, tt = data
    net = net32()
    before = net.params["W1"].copy()
    old_handler = signal.getsignal(signal.SIGINT)

    def press_ctrl_c(trainer, record):
        if record["epoch"] == 1:
            os.kill(os.getpid(), signal.SIGINT)

    trainer = Trainer(net, x, t, xt, tt, epochs=10, mini_batch_size=50, rng=0, verbose=False,
                      callback=press_ctrl_c)
    h = trainer.train()
    assert h.interrupted and trainer.stop_reason is signal.SIGINT
    assert h.iterations_done == 8 < h.iterations  # stopped right after the first epoch
    assert h.iteration == [0, 8]
    assert h.final_test_acc == h.test_acc[-1] == evaluate(net, xt, tt)
    assert not np.array_equal(net.params["W1"], before)  # what it learned is kept
    assert net.layers["Affine1"].need_dx is True
    assert signal.getsignal(signal.SIGINT) is old_handler  # the usual Ctrl-C is back


def test_without_catch_sigint_ctrl_c_is_python_s(data):
    x, t, _, _ = data
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # whatever this process inherited

    def press_ctrl_c(trainer, record):
        if record["epoch"] == 1:
            os.kill(os.getpid(), signal.SIGINT)

    trainer = Trainer(net32(), x, t, epochs=10, mini_batch_size=50, rng=0, verbose=False, callback=press_ctrl_c,
                      catch_sigint=False)
    try:
        h = trainer.train()  # the KeyboardInterrupt is caught by train(): interrupted, not stopped
    finally:
        signal.signal(signal.SIGINT, previous)
    assert h.interrupted and trainer.stop_reason is None and h.iterations_done == 8


def test_keyboard_interrupt_mid_epoch_still_evaluates_the_final_network(data):
    x, t, xt, tt = data
    net = net32()
    calls = []

    class Interrupting(SGD):
        def update(self, params, grads):
            calls.append(1)
            if len(calls) == 13:
                raise KeyboardInterrupt
            super().update(params, grads)

    h = Trainer(net, x, t, xt, tt, epochs=10, mini_batch_size=50, optimizer=Interrupting(lr=0.1), rng=0,
                verbose=False).train()
    assert h.interrupted
    assert h.iterations_done == 12
    assert h.iteration == [0, 8, 12]  # a last evaluation where it stopped
    assert h.final_test_acc == evaluate(net, xt, tt)


def test_a_second_ctrl_c_skips_the_final_evaluation(data):
    x, t, xt, tt = data
    calls = []

    class Interrupting(SGD):  # Ctrl-C at the 13th step, and again while the last evaluation runs
        def update(self, params, grads):
            calls.append(1)
            if len(calls) == 13:
                os.kill(os.getpid(), signal.SIGINT)
            super().update(params, grads)

    trainer = Trainer(net32(), x, t, xt, tt, epochs=10, mini_batch_size=50, optimizer=Interrupting(lr=0.1),
                      rng=0, verbose=False, background_eval=False)
    evaluations = []
    original = trainer.accuracies

    def accuracies(limit=None):
        evaluations.append(trainer.current_iter)
        if trainer.stop_reason is not None:
            os.kill(os.getpid(), signal.SIGINT)
        return original(limit)

    trainer.accuracies = accuracies
    h = trainer.train()
    assert h.interrupted and trainer.stop_reason is signal.SIGINT and h.iterations_done == 13
    assert evaluations == [0, 8, 13] and h.iteration == [0, 8]  # the last one was cut short
    assert h.final_test_acc is None


# -- divergence ------------------------------------------------------------------------------

def test_trainer_raises_on_divergence_and_restores_the_last_finite_network():
    (x, t), (xt, tt) = fake_mnist(200, 50)
    net = TwoLayerNet(784, 20, 10, rng=0, dtype=np.float32)  # float32 overflows at once
    start = {k: v.copy() for k, v in net.params.items()}
    trainer = Trainer(net, x, t, xt, tt, iters=50, mini_batch_size=20, optimizer="sgd",
                      optimizer_param={"lr": 1e30}, verbose=False, rng=0, progress=False, background_eval=False)
    with pytest.raises(TrainingDiverged) as info:
        trainer.train()
    h = info.value.history
    assert h is trainer.history and h.diverged == len(h.loss) and not math.isfinite(h.loss[-1])
    assert trainer.stop_reason == "diverged" and not h.interrupted
    assert h.kept_iteration == 0  # the first epoch ends at iteration 10; it diverged before that
    assert all(np.array_equal(net.params[k], start[k]) for k in start)
    assert str(info.value).startswith(f"training diverged: the loss of iteration {h.diverged} is ")


def test_last_finite_keeps_only_finite_weights_and_restores_them_in_place():
    net = TwoLayerNet(3, 4, 2, rng=0)
    kept = LastFinite()
    assert kept.restore(net) is None  # nothing kept: nothing changes
    kept.keep(net, 5)
    good = {k: v.copy() for k, v in net.params.items()}
    net.params["W1"][0, 0] = np.nan
    kept.keep(net, 9)  # not finite: the iteration-5 weights stay kept
    net.params["W2"][...] = np.inf
    W2 = net.params["W2"]
    assert kept.restore(net) == 5
    assert net.params["W2"] is W2  # in place: the layers still hold these arrays
    for k in good:
        np.testing.assert_array_equal(net.params[k], good[k])


# -- signals ---------------------------------------------------------------------------------

def test_a_signal_asks_for_a_stop_and_the_next_one_raises():
    trainer = Stoppable()
    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    with stop_on_signals(trainer, (signal.SIGINT, signal.SIGTERM)):
        os.kill(os.getpid(), signal.SIGTERM)
        assert trainer.stop_reason is signal.SIGTERM
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert trainer.calls == [signal.SIGTERM]
    assert {s: signal.getsignal(s) for s in STOP_SIGNALS} == before


def test_nested_handlers_share_the_trainers_state():
    trainer = Stoppable()
    with stop_on_signals(trainer, (signal.SIGTERM,)), stop_on_signals(trainer, (signal.SIGINT,)):
        os.kill(os.getpid(), signal.SIGINT)
        with pytest.raises(KeyboardInterrupt):  # a SIGTERM after a Ctrl-C is the second signal
            os.kill(os.getpid(), signal.SIGTERM)
    assert trainer.stop_reason is signal.SIGINT


def test_a_stop_asked_for_otherwise_makes_the_first_signal_raise():
    trainer = Stoppable()
    trainer.stop("converged")
    with stop_on_signals(trainer, (signal.SIGINT,)), pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)


def test_signals_are_held_back_and_listed_while_deferred():
    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    with deferred_signals() as late:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            os.kill(os.getpid(), signum)
    assert late == [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
    assert {s: signal.getsignal(s) for s in STOP_SIGNALS} == before


def test_before_training_sigterm_and_sighup_interrupt_like_ctrl_c():
    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        with interrupting():
            assert signal.getsignal(signal.SIGINT) is before[signal.SIGINT]  # Ctrl-C itself is left as it was
            with pytest.raises(KeyboardInterrupt):
                os.kill(os.getpid(), signum)
    assert {s: signal.getsignal(s) for s in STOP_SIGNALS} == before


def test_outside_the_main_thread_no_handler_is_touched():
    seen = []

    def work():
        with stop_on_signals(Stoppable()), deferred_signals(), interrupting():
            seen.append({s: signal.getsignal(s) for s in STOP_SIGNALS})

    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [before]
