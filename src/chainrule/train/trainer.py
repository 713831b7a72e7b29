"""Training: forward, backward, update, repeated over minibatches (the book's ``Trainer``).

The loop at the heart of it is the book's::

    for i in range(iters):
        x_batch, t_batch = <a minibatch>
        grads = network.gradient(x_batch, t_batch)    # forward + backward
        optimizer.update(network.params, grads)       # update
        # every epoch: train and test accuracy

:class:`Trainer` adds what a practitioner needs around it, without changing it:

* sampling by shuffling each epoch (default) or by random choice with
  replacement (``sampling="choice"``, the book's ``np.random.choice``);
* inputs as stored (MNIST's uint8 pixels, scaled by 1/255 on the fly) or as floats,
  gathered into one preallocated minibatch buffer of the network's dtype;
* the layers' fast formulation during training (``network.fast_training()``: outputs and
  gradients in reused arrays, the first layer's unused input gradient skipped; the same
  numbers as the readable formulation);
* one BLAS thread for the small products of a step, the BLAS default for evaluations;
  with several cores, each evaluation runs on a copy of the network in a background
  thread while training goes on (the same accuracies; the machinery is in :mod:`~chainrule.train.background`);
* accuracy per epoch, in cache-sized chunks (:mod:`chainrule.train.metrics`);
* a :class:`~chainrule.history.History`, saved as JSON or CSV;
* a tqdm progress bar when tqdm is installed and the output is a terminal;
* :meth:`Trainer.stop` ends a run after the current iteration, keeping what was learned: Ctrl-C
  calls it, and so does a loss that is not finite, which also restores the last finite weights
  and raises :class:`TrainingDiverged` (:mod:`~chainrule.train.stop`);
* one ``rng`` for every random choice: the same seed gives the same history.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import time

import numpy as np

from .._blas import blas_threads, one_blas_thread_from_now_on
from .._progress import progress_bar
from ..functions import as_labels, positive_int
from ..networks import count_correct
from ..optimizers import make_optimizer
from .background import BackgroundEvaluation
from .batches import Converter, check_inputs, input_scale_for, network_dtype
from .history import History
from .metrics import EVAL_CHUNK
from .stop import LastFinite, TrainingDiverged, stop_on_signals

__all__ = ["BOOK_RUN", "Trainer"]

_SAMPLINGS = ("shuffle", "choice")

#: The book's run (section 5.7.4, in float32): what ``chainrule train`` does without options and
#: what benchmarks/train_speed.py times.
BOOK_RUN = {"hidden": 50, "weight_init_std": 0.01, "optimizer": "sgd", "lr": 0.1, "batch_size": 100,
            "iters": 10000, "sampling": "shuffle", "dtype": "float32"}


class Trainer:
    """Train a network on minibatches: forward, backward, update; evaluate every epoch.

    The book's ``common/trainer.py`` interface (its positional arguments and
    ``train()``, ``train_loss_list``, ``train_acc_list``, ``test_acc_list``), plus
    what is described in the module docstring.

    Parameters
    ----------
    network : TwoLayerNet, MultiLayerNet, or any network with ``params``, ``gradient``, ``predict``
    x_train : ndarray, shape (N, D) or (N, C, H, W)
        uint8 pixels 0..255 (scaled by 1/255 on the fly; MNIST as stored) or floats.
    t_train : ndarray, shape (N,) labels or (N, C) one-hot
    x_test, t_test : ndarray, optional
        The test set, evaluated every epoch (same forms as the training set).
    epochs : int, optional
        How many epochs to train (default 20, the book's Trainer's), unless ``iters`` is given.
    mini_batch_size : int
        Samples per iteration (100).
    optimizer : str or optimizer object
        ``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``
        (case-insensitive; see :mod:`chainrule.optimizers`) or an object with ``update(params, grads)``.
    optimizer_param : dict, optional
        Arguments for the named optimizer, e.g. ``{"lr": 0.1}``.
    evaluate_sample_num_per_epoch : int, optional
        Evaluate each epoch on the first this-many samples of each set only (faster);
        the final accuracies are always on the whole sets.
    verbose : bool
        Print a line per evaluation: ``epoch 1 | train acc, test acc | 0.9034, 0.9071 | ...``.
    iters : int, optional
        Train this many iterations instead of a number of epochs (the book's run: 10000).
    sampling : "shuffle" or "choice"
        "shuffle" (default): each epoch visits every sample once, in a new random
        order; the last minibatch of an epoch may be smaller. "choice": every
        minibatch is ``mini_batch_size`` random samples drawn with replacement (the book's
        ``np.random.choice(train_size, batch_size)``).
    rng : numpy.random.Generator, int or None
        Seeds every random choice of training (the order of the samples).
    progress : bool or None
        Show a tqdm progress bar: None (default) when stderr is a terminal and tqdm is
        installed; False never; True whenever tqdm is installed.
    callback : callable, optional
        ``callback(trainer, record)`` after every evaluation, with ``record`` a dict
        (``iteration``, ``epoch``, ``train_acc``, ``test_acc``, ``loss``, ``seconds``);
        it may end the run with ``trainer.stop()`` (early stopping).
    eval_chunk_size : int
        Rows per forward pass when evaluating (2000).
    input_scale : float, optional
        Multiplies the inputs (default 1/255 for uint8, 1 for floats).
    eval_at_start : bool
        Also evaluate before the first update (epoch 0, like the book's first printed line).
    lr_decay : float, optional
        Multiply the optimizer's learning rate by this factor (in (0, 1]) after every
        epoch: ``lr_decay=0.9`` gives ``lr * 0.9**epoch``. Default: a constant rate, as in the book.
    catch_sigint : bool
        Ctrl-C calls :meth:`stop` while :meth:`train` runs (main thread only); a second
        Ctrl-C raises KeyboardInterrupt, which skips the final evaluation.
    background_eval : bool or None
        Evaluate a copy of the network in a background thread, on another core, while
        training continues: the accuracies are the same; each is recorded (and printed)
        at the first iteration after it is ready.
        None (default): when the machine has several cores, there is no ``callback``
        (which may expect the network as it was at that evaluation) and the network
        can be copied (``astype``).

    Notes
    -----
    An epoch is ``ceil(N / mini_batch_size)`` iterations (600 for MNIST with 100).
    The first layer's ``need_dx`` is False during training (restored afterwards).
    """

    def __init__(self, network, x_train, t_train, x_test=None, t_test=None, epochs=None, mini_batch_size=100,
                 optimizer="SGD", optimizer_param=None, evaluate_sample_num_per_epoch=None, verbose=True, *,
                 iters=None, sampling="shuffle", rng=None, progress=None, callback=None,
                 eval_chunk_size=EVAL_CHUNK, input_scale=None, eval_at_start=True, lr_decay=None,
                 catch_sigint=True, background_eval=None):
        for attr in ("params", "gradient", "predict"):
            if not hasattr(network, attr):
                raise TypeError(f"network must have params, gradient() and predict(); it has no {attr}")
        self.network = network
        self.dtype = network_dtype(network)

        self.x_train = check_inputs(x_train, "x_train")
        if (x_test is None) != (t_test is None):
            raise ValueError("give both x_test and t_test, or neither")
        self.x_test = None if x_test is None else check_inputs(x_test, "x_test")

        self.batch_size = positive_int("mini_batch_size", mini_batch_size)
        self.train_size = self.x_train.shape[0]
        if self.batch_size > self.train_size:
            raise ValueError(
                f"mini_batch_size ({self.batch_size}) is larger than the training set ({self.train_size} samples)"
            )
        if sampling not in _SAMPLINGS:
            raise ValueError(f"sampling must be 'shuffle' or 'choice'; got {sampling!r}")
        self.sampling = sampling
        self.iter_per_epoch = max(math.ceil(self.train_size / self.batch_size), 1)
        if epochs is not None and iters is not None:
            raise ValueError("give epochs or iters, not both")
        if iters is not None:
            self.max_iter = positive_int("iters", iters)
        else:
            self.max_iter = positive_int("epochs", 20 if epochs is None else epochs) * self.iter_per_epoch
        self.epochs = self.max_iter / self.iter_per_epoch

        self.input_scale = input_scale_for(self.x_train) if input_scale is None else float(input_scale)
        self.eval_chunk_size = positive_int("eval_chunk_size", eval_chunk_size)
        self._x = Converter(self.x_train, self.batch_size, self.dtype, self.input_scale)
        n_classes = np.shape(network.predict(self._x.slice(0, 1)))[-1]  # also checks the input shape
        self.n_classes = n_classes
        self.t_train = as_labels(t_train, n_classes, self.train_size, name="t_train")
        self._t = np.empty(self.batch_size, dtype=np.intp)
        if self.x_test is not None:
            if self.x_test.shape[1:] != self.x_train.shape[1:]:
                raise ValueError(f"x_test rows have shape {self.x_test.shape[1:]}, x_train rows "
                                 f"{self.x_train.shape[1:]}")
            self.t_test = as_labels(t_test, n_classes, self.x_test.shape[0], name="t_test")
        else:
            self.t_test = None
        if evaluate_sample_num_per_epoch is not None:
            evaluate_sample_num_per_epoch = positive_int("evaluate_sample_num_per_epoch",
                                                          evaluate_sample_num_per_epoch)
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self._eval_train = Converter(self.x_train, min(self.eval_chunk_size, self.train_size), self.dtype,
                                      self.input_scale, gather=False)
        self._eval_test = None
        if self.x_test is not None:
            test_scale = input_scale_for(self.x_test) if input_scale is None else float(input_scale)
            self._eval_test = Converter(self.x_test, min(self.eval_chunk_size, self.x_test.shape[0]), self.dtype,
                                         test_scale, gather=False, share=self._eval_train)

        if optimizer_param is None:
            optimizer_param = {}
        self.optimizer = make_optimizer(optimizer, **optimizer_param)
        self.verbose = bool(verbose)
        self.rng = np.random.default_rng(rng)
        self.progress = progress
        self.callback = callback
        self.eval_at_start = bool(eval_at_start)
        self.catch_sigint = bool(catch_sigint)
        if lr_decay is not None:
            lr_decay = float(lr_decay)
            if not 0 < lr_decay <= 1:
                raise ValueError(f"lr_decay must be in (0, 1]; got {lr_decay}")
            if not isinstance(getattr(self.optimizer, "lr", None), float):
                raise TypeError("lr_decay needs an optimizer with a learning rate attribute lr")
        self.lr_decay = lr_decay

        self.current_iter = 0
        self.stop_reason = None  # why the run ended early (see stop())
        self._perm = None
        self._pos = self.train_size  # a new permutation at the first iteration
        self._loss_source = "lastLayer" if hasattr(network, "lastLayer") else "loss"
        self._regularization = getattr(network, "regularization", None)
        self.history = History(iter_per_epoch=self.iter_per_epoch, batch_size=self.batch_size,
                               iterations=self.max_iter,
                               config={"sampling": sampling, "optimizer": repr(self.optimizer),
                                       "input_scale": self.input_scale, "dtype": self.dtype.name,
                                       "train_size": self.train_size,
                                       "test_size": None if self.x_test is None else int(self.x_test.shape[0]),
                                       "evaluate_sample_num_per_epoch": evaluate_sample_num_per_epoch,
                                       "lr_decay": lr_decay})
        self._bar = None
        self._ema = None
        if background_eval is None:
            background_eval = ((os.cpu_count() or 1) > 1 and callback is None and hasattr(network, "astype")
                               and hasattr(network, "config"))
        self.background_eval = bool(background_eval)
        self._background = None
        self._kept = LastFinite()  # the weights at the last evaluation where all were finite

    # -- the book's attribute names --------------------------------------------------
    @property
    def train_loss_list(self):
        return self.history.loss

    @property
    def train_acc_list(self):
        return self.history.train_acc

    @property
    def test_acc_list(self):
        return self.history.test_acc

    # -- one iteration ----------------------------------------------------------------
    def _next_indices(self):
        if self.sampling == "choice":
            return self.rng.integers(0, self.train_size, size=self.batch_size)
        if self._pos >= self.train_size:
            self._perm = self.rng.permutation(self.train_size)
            self._pos = 0
        idx = self._perm[self._pos:self._pos + self.batch_size]
        self._pos += self.batch_size
        return idx

    def next_batch(self):
        """The next minibatch ``(x_batch, t_batch)``: views of reused buffers (overwritten next time)."""
        idx = self._next_indices()
        x_batch = self._x.take(idx)
        t_batch = self._t[: len(idx)]
        np.take(self.t_train, idx, out=t_batch, mode="clip")
        return x_batch, t_batch

    def train_step(self):
        """One iteration: a minibatch, forward and backward, an update. Returns the minibatch loss."""
        x_batch, t_batch = self.next_batch()
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        if self._loss_source == "lastLayer":
            loss = float(self.network.lastLayer.loss)  # computed by gradient()'s forward pass
            if self._regularization is not None:
                loss += float(self._regularization())
        else:
            loss = float(self.network.loss(x_batch, t_batch))
        self.history.loss.append(loss)
        self.current_iter += 1
        return loss

    # -- evaluation --------------------------------------------------------------------
    def accuracies(self, limit=None):
        """``(train_acc, test_acc)`` now (on the first ``limit`` samples of each set if given)."""
        with blas_threads(None):  # the BLAS default: thousands of rows per product
            return self._accuracies(self.network, limit)

    def _accuracies(self, network, limit=None):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # weights about to diverge
            train_acc = self._set_accuracy(network, self._eval_train, self.t_train, limit)
            test_acc = (None if self.x_test is None
                        else self._set_accuracy(network, self._eval_test, self.t_test, limit))
        return train_acc, test_acc

    def _set_accuracy(self, network, conv, labels, limit):
        n = labels.shape[0] if limit is None else min(int(limit), labels.shape[0])
        rows = min(self.eval_chunk_size, conv.x.shape[0])
        return count_correct(network.predict, conv.slice, labels, n, rows, labels.shape[0]) / n

    def _record_evaluation(self, t0):
        """Evaluate the network as it is now and record it, or start that in the background."""
        self._await_evaluation(t0)  # the previous one first: records stay in order
        if self._background is not None and self.current_iter < self.max_iter:
            self._background.start(self.network, self.current_iter)
            return
        # the last evaluation (or every one, without a background thread) runs here: once training
        # is over, nothing else needs the cores
        te0 = time.perf_counter()
        accuracies = self.accuracies(self.evaluate_sample_num_per_epoch)
        self.history.eval_seconds += time.perf_counter() - te0
        self._record(self.current_iter, accuracies, time.perf_counter() - t0)

    def _await_evaluation(self, t0):
        """Wait for the evaluation running in the background, if any, and record it."""
        if self._background is not None and self._background.running:
            iteration, accuracies, seconds, finished = self._background.result()
            self.history.eval_seconds += seconds
            self._record(iteration, accuracies, finished - t0)

    def _record(self, iteration, accuracies, seconds):
        train_acc, test_acc = accuracies
        h = self.history
        h.iteration.append(iteration)
        h.epoch.append(iteration / self.iter_per_epoch)
        h.train_acc.append(train_acc)
        if test_acc is not None:
            h.test_acc.append(test_acc)
        h.seconds.append(seconds)
        since = h.iteration[-2] if len(h.iteration) > 1 else 0
        recent = h.loss[since:iteration]
        record = {"iteration": iteration, "epoch": h.epoch[-1], "train_acc": train_acc,
                  "test_acc": test_acc, "loss": (sum(recent) / len(recent)) if recent else None,
                  "seconds": h.seconds[-1]}
        if self.verbose:
            self._write(self._format_record(record))
        if self._bar is not None:
            self._bar.set_postfix_str(self._postfix(), refresh=True)
        if self.callback is not None:
            self.callback(self, record)
        return record

    def _format_record(self, r):
        ep = r["epoch"]
        ep_s = f"{ep:.0f}" if ep == int(ep) else f"{ep:.2f}"
        total = self.epochs
        total_s = f"{total:.0f}" if total == int(total) else f"{total:.2f}"
        test = "-" if r["test_acc"] is None else f"{r['test_acc']:.4f}"
        loss = "" if r["loss"] is None else f" | loss {r['loss']:.4f}"
        return (f"epoch {ep_s:>{len(total_s)}}/{total_s} | train acc, test acc | {r['train_acc']:.4f}, {test}"
                f"{loss} | {r['seconds']:.1f} s")

    def _postfix(self):
        h = self.history
        parts = []
        if self._ema is not None:
            parts.append(f"loss {self._ema:.4f}")
        if h.train_acc:
            parts.append(f"train {h.train_acc[-1]:.4f}")
        if h.test_acc:
            parts.append(f"test {h.test_acc[-1]:.4f}")
        return ", ".join(parts)

    def _write(self, line):
        if self._bar is not None:
            self._bar.write(line, file=sys.stdout)
        else:
            print(line, flush=True)

    # -- the loop ----------------------------------------------------------------------
    def stop(self, reason="stopped"):
        """End the run early: training stops after the current iteration.

        The one way a run ends before its last iteration (:mod:`~chainrule.train.stop`):
        Ctrl-C calls it (reason: the signal), so does a loss that is not finite
        (``"diverged"``), and so may a ``callback`` or another thread. The network keeps
        what it has learned, the final accuracies are computed, :meth:`train` returns the
        history with ``interrupted`` True (or raises :class:`TrainingDiverged`).

        Parameters
        ----------
        reason : object
            Kept in :attr:`stop_reason` (the first one, when several come).
        """
        if self.stop_reason is None:
            self.stop_reason = reason

    def train(self):
        """Train for the configured epochs or iterations; return the :class:`History`.

        :meth:`stop` (Ctrl-C calls it) ends training after the current iteration: the
        network keeps what it has learned, the final accuracies are computed (unless Ctrl-C
        is pressed again) and ``history.interrupted`` is True. A run that was stopped can be
        continued by calling ``train()`` again.

        Raises
        ------
        TrainingDiverged
            When a minibatch loss is not finite; the network is restored to the last
            evaluation with finite weights and the exception's ``history`` is complete.
        """
        if self.current_iter >= self.max_iter:
            raise RuntimeError("this Trainer has already trained; make a new one to train again")
        network, h = self.network, self.history
        layers = getattr(network, "layers", ())  # a dict of layers, or a list (the book's DeepConvNet)
        first = next(iter(layers.values() if hasattr(layers, "values") else layers), None)
        saved_need_dx = getattr(first, "need_dx", None)
        # chainrule's networks train on their layers' fast formulation (which also skips the first
        # layer's input gradient); for other networks, at least that input gradient is skipped
        fast = network.fast_training() if hasattr(network, "fast_training") else contextlib.nullcontext()
        t0 = time.perf_counter()
        self.stop_reason = None
        self._bar = progress_bar(self.max_iter, self.progress, unit="it", dynamic_ncols=True, leave=True,
                                 mininterval=0.2)
        signals = stop_on_signals(self, (signal.SIGINT,) if self.catch_sigint else ())
        if self.background_eval:
            limit = self.evaluate_sample_num_per_epoch
            self._background = BackgroundEvaluation(lambda net: self._accuracies(net, limit),
                                                    network.astype(self.dtype))
        try:
            one_blas_thread_from_now_on()  # as network.gradient would: outside the phases' own limits
            # NumPy's overflow warnings are not shown: a loss that is not finite stops training below
            errors = np.errstate(over="ignore", invalid="ignore", divide="ignore")
            with signals, fast, blas_threads(1), errors:  # one BLAS thread for the small products of a step
                if saved_need_dx is not None:
                    first.need_dx = False  # nobody uses the gradient with respect to the input
                try:
                    self._kept.keep(network, self.current_iter)
                    if self.eval_at_start and self.current_iter == 0:
                        self._record_evaluation(t0)
                    postfix_every = max(self.iter_per_epoch // 20, 1)
                    while self.current_iter < self.max_iter and self.stop_reason is None:
                        ts = time.perf_counter()
                        loss = self.train_step()
                        h.train_seconds += time.perf_counter() - ts
                        if not math.isfinite(loss):  # the float already computed for the history
                            h.diverged = self.current_iter
                            self.stop("diverged")
                            continue
                        self._ema = loss if self._ema is None else 0.98 * self._ema + 0.02 * loss
                        if self._bar is not None:
                            self._bar.update(1)
                            if self.current_iter % postfix_every == 0:
                                self._bar.set_postfix_str(self._postfix(), refresh=False)
                        end_of_epoch = self.current_iter % self.iter_per_epoch == 0
                        if end_of_epoch or self.current_iter == self.max_iter:
                            self._kept.keep(network, self.current_iter)
                            self._record_evaluation(t0)
                        elif self._background is not None and self._background.done:
                            self._await_evaluation(t0)  # record (and print) it as soon as it is done
                        if end_of_epoch and self.lr_decay is not None:
                            self.optimizer.lr *= self.lr_decay
                    h.interrupted = self.stop_reason is not None and h.diverged is None
                except KeyboardInterrupt:
                    h.interrupted = True
                try:
                    self._finish(t0)
                except KeyboardInterrupt:  # a second Ctrl-C: skip the final evaluation
                    h.interrupted = True
        finally:
            if self._background is not None:
                self._background.close()
                self._background = None
            if saved_need_dx is not None:
                first.need_dx = saved_need_dx
            if self._bar is not None:
                self._bar.close()
                self._bar = None
            h.total_seconds = time.perf_counter() - t0
        if h.diverged is not None:
            raise TrainingDiverged(h)
        return h

    def _finish(self, t0):
        h = self.history
        self._await_evaluation(t0)
        if self._background is not None:  # what is left is evaluated here, on the network itself
            self._background.close()
            self._background = None
        if h.diverged is not None:
            h.kept_iteration = self._kept.restore(self.network)
            te0 = time.perf_counter()
            h.final_train_acc, h.final_test_acc = self.accuracies()
            h.eval_seconds += time.perf_counter() - te0
            return
        if h.iteration and h.iteration[-1] != self.current_iter and self.current_iter > 0:
            self._record_evaluation(t0)  # stopped inside an epoch
        elif not h.iteration:
            self._record_evaluation(t0)
        if self.evaluate_sample_num_per_epoch is None:
            h.final_train_acc = h.train_acc[-1]
            h.final_test_acc = h.test_acc[-1] if h.test_acc else None
        else:
            te0 = time.perf_counter()
            h.final_train_acc, h.final_test_acc = self.accuracies()
            h.eval_seconds += time.perf_counter() - te0
        if self.verbose and self.evaluate_sample_num_per_epoch is not None:
            test = "-" if h.final_test_acc is None else f"{h.final_test_acc:.4f}"
            self._write(f"final | train acc, test acc | {h.final_train_acc:.4f}, {test}")

