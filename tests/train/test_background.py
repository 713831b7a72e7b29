"""chainrule.train.background: each evaluation on a copy of the network in a worker thread gives the
accuracies of the network itself, at the iteration it was started."""

import threading

import numpy as np
import pytest

from chainrule import MultiLayerNetExtend, TwoLayerNet
from chainrule.train import Trainer
from chainrule.train.background import BackgroundEvaluation


@pytest.mark.parametrize("eval_samples", [None, 50])
def test_background_evaluation_records_the_same_history(eval_samples):
    """Evaluating a copy of the network in a background thread changes nothing but the timing."""
    from chainrule.train import Trainer

    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, size=(200, 12), dtype=np.uint8)
    t = np.argmax(x.astype(np.float64) @ rng.standard_normal((12, 3)), axis=1)
    histories = []
    for background in (False, True):
        net = TwoLayerNet(12, 8, 3, weight_init_std=0.1, dtype=np.float32, rng=2)
        trainer = Trainer(net, x, t, x[:60], t[:60], iters=57, mini_batch_size=10, optimizer="sgd",
                          optimizer_param={"lr": 0.5}, rng=3, verbose=False, progress=False, eval_chunk_size=16,
                          evaluate_sample_num_per_epoch=eval_samples, background_eval=background)
        assert trainer.background_eval is background
        histories.append(trainer.train())
        assert trainer._background is None  # the worker is gone
    sync, background = histories
    for name in ("iteration", "epoch", "train_acc", "test_acc", "loss", "final_train_acc", "final_test_acc"):
        assert getattr(background, name) == getattr(sync, name), name
    assert sync.iteration == [0, 20, 40, 57]


def test_background_evaluation_is_off_with_a_callback():
    from chainrule.train import Trainer

    x, t = np.zeros((20, 4), np.uint8), np.arange(20) % 2
    net = TwoLayerNet(4, 3, 2, rng=0)
    seen = []
    trainer = Trainer(net, x, t, iters=4, mini_batch_size=10, verbose=False, progress=False,
                      callback=lambda tr, record: seen.append((record["iteration"], tr.current_iter)))
    assert not trainer.background_eval
    trainer.train()
    assert seen == [(0, 0), (2, 2), (4, 4)]  # the callback sees the network at its evaluation


def test_background_evaluation_sees_the_running_statistics():
    """The Trainer's evaluation copy gets the running statistics too: the same history with and without it."""
    rng = np.random.default_rng(5)
    centers = rng.standard_normal((3, 10)) * 3
    t = rng.integers(0, 3, 300)
    x = centers[t] + rng.standard_normal((300, 10))
    histories = []
    for background in (False, True):
        net = MultiLayerNetExtend(10, [16], 3, use_batchnorm=True, dtype=np.float32, rng=6)
        trainer = Trainer(net, x[:200], t[:200], x[200:], t[200:], iters=45, mini_batch_size=20,
                          optimizer="sgd", optimizer_param={"lr": 0.05}, verbose=False, rng=0, progress=False,
                          background_eval=background)
        assert trainer.background_eval is background
        histories.append(trainer.train())
    sync, background = histories
    assert background.test_acc == sync.test_acc and background.train_acc == sync.train_acc
    assert len(sync.test_acc) == 6 and len(set(sync.test_acc)) > 1


def test_the_copy_holds_the_weights_of_when_it_was_started():
    net, copy = TwoLayerNet(4, 3, 2, rng=0), TwoLayerNet(4, 3, 2, rng=1)
    x = np.random.default_rng(2).random((5, 4))
    release, seen = threading.Event(), []

    def accuracies(network):  # waits until the network has changed, then reads the copy
        release.wait(30)
        seen.append(network.predict(x).copy())
        return 0.25, 0.5

    worker = BackgroundEvaluation(accuracies, copy)
    assert not worker.running and not worker.done
    expected = net.predict(x)
    worker.start(net, 7)
    assert worker.running
    for k in net.params:  # training goes on: the network changes while the copy is evaluated
        net.params[k] += 1.0
    assert all(copy.params[k] is not net.params[k] for k in net.params)
    release.set()
    iteration, result, seconds, finished = worker.result()
    worker.close()
    assert (iteration, result) == (7, (0.25, 0.5)) and 0 <= seconds and finished > 0
    np.testing.assert_array_equal(seen[0], expected)
    assert not worker.running



def test_the_background_evaluation_computes_alone(monkeypatch):
    """The worker has the core the training steps leave: its layers share no work with other threads
    (an Affine product large enough to be split on the training thread is not split there)."""
    from chainrule import _blas

    _blas.cores()
    monkeypatch.setitem(_blas._blas, "default", 2)
    seen = []

    def accuracies(network):
        seen.append((_blas.cores(), threading.current_thread().name))
        return 0.5, 0.5

    net = TwoLayerNet(4, 3, 2, rng=0)
    evaluation = BackgroundEvaluation(accuracies, TwoLayerNet(4, 3, 2, rng=1))
    try:
        evaluation.start(net, 0)
        evaluation.result()
    finally:
        evaluation.close()
    assert seen == [(1, seen[0][1])] and seen[0][1].startswith("chainrule-eval")
    assert _blas.cores() == 2  # this thread keeps both


def test_alone_is_this_threads_and_ends_with_the_block(monkeypatch):
    from chainrule import _blas

    _blas.cores()
    monkeypatch.setitem(_blas._blas, "default", 2)
    parts = []
    with _blas.alone():
        assert _blas.cores() == 1
        _blas.share(lambda part, item: parts.append(part), range(8))
        other = []
        worker = threading.Thread(target=lambda: other.append(_blas.cores()))
        worker.start()
        worker.join()
    assert parts == [0] * 8 and other == [2] and _blas.cores() == 2
