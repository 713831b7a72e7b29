"""Trainer: the book's loop, sampling, epochs, buffers, evaluation, history, progress, seeds (how a run
stops early: test_stop.py)."""

import re
import sys

import numpy as np
import pytest

from chainrule import MultiLayerNet, TwoLayerNet
from chainrule.train import Trainer, evaluate
from tests import ROOT
from tests.train.helpers import blobs, net32


def test_it_learns_and_records_a_history(data, capsys):
    x, t, xt, tt = data
    net = net32()
    trainer = Trainer(net, x, t, xt, tt, epochs=5, mini_batch_size=50, optimizer_param={"lr": 0.5}, rng=0)
    h = trainer.train()
    assert trainer.iter_per_epoch == 8 and trainer.max_iter == 40
    assert len(h.loss) == h.iterations_done == h.iterations == 40
    assert h.iteration == [0, 8, 16, 24, 32, 40]
    assert h.epoch == [0, 1, 2, 3, 4, 5]
    assert len(h.train_acc) == len(h.test_acc) == len(h.seconds) == 6
    assert h.train_acc[0] < 0.5 and h.test_acc[-1] > 0.9  # it learned
    assert np.mean(h.loss[-8:]) < np.mean(h.loss[:8]) / 2
    assert h.final_test_acc == h.test_acc[-1] == evaluate(net, xt, tt)
    assert h.final_train_acc == h.train_acc[-1] == evaluate(net, x, t)
    assert not h.interrupted
    assert h.seconds == sorted(h.seconds) and h.total_seconds >= h.seconds[-1]
    assert 0 < h.train_seconds < h.total_seconds and 0 < h.eval_seconds < h.total_seconds
    assert all(p.dtype == np.float32 for p in net.params.values())
    # the book's names
    assert trainer.train_loss_list is h.loss and trainer.train_acc_list is h.train_acc
    assert trainer.test_acc_list is h.test_acc
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 6
    assert re.fullmatch(r"epoch 0/5 \| train acc, test acc \| 0\.\d{4}, 0\.\d{4} \| \d+\.\d s", lines[0])
    assert re.fullmatch(r"epoch 5/5 \| train acc, test acc \| [01]\.\d{4}, [01]\.\d{4} \| loss \d\.\d{4} \| \d+\.\d s",
                        lines[-1])


def test_the_loss_recorded_is_the_minibatch_loss_before_the_update(data):
    x, t, _, _ = data
    net, ref = net32(1), net32(1)
    trainer = Trainer(net, x, t, iters=1, mini_batch_size=32, sampling="choice", rng=5, verbose=False,
                      eval_at_start=False)
    idx = np.random.default_rng(5).integers(0, 400, size=32)
    xb = (x[idx] * np.float32(1 / 255)).astype(np.float32)
    expected = ref.loss(xb, t[idx])
    trainer.train()
    assert trainer.history.loss == [float(expected)]


def test_trainer_runs_the_books_loop(data):
    """With sampling="choice", the Trainer is the book's train_neuralnet.py loop: the same minibatches
    and updates. It runs the layers' fast formulation, whose sums round in another order, so the
    parameters agree to float64 rounding (tests/test_fastpath.py), not bit for bit."""
    x, t, _, _ = data
    xf = x.astype(np.float64) / 255
    net, book = TwoLayerNet(20, 10, 4, rng=3), TwoLayerNet(20, 10, 4, rng=3)
    Trainer(net, xf, t, iters=25, mini_batch_size=16, sampling="choice", optimizer="sgd",
            optimizer_param={"lr": 0.1}, rng=11, verbose=False).train()
    rng = np.random.default_rng(11)
    for _ in range(25):
        batch_mask = rng.integers(0, 400, size=16)  # what Generator.choice(400, 16) draws
        grad = book.gradient(xf[batch_mask], t[batch_mask])
        for key in ("W1", "b1", "W2", "b2"):
            book.params[key] -= 0.1 * grad[key]
    for key in net.params:
        np.testing.assert_allclose(net.params[key], book.params[key], rtol=1e-12, atol=1e-15)


def test_epochs_are_ceil_n_over_batch_and_a_partial_last_epoch_is_evaluated():
    x, t = blobs(250)
    trainer = Trainer(net32(), x, t, x[:50], t[:50], iters=7, mini_batch_size=100, verbose=False, rng=0)
    assert trainer.iter_per_epoch == 3  # ceil(250 / 100), not 2.5
    h = trainer.train()
    assert h.iteration == [0, 3, 6, 7]
    assert h.epoch == [0, 1, 2, 7 / 3]
    assert trainer.epochs == 7 / 3


def test_shuffle_visits_every_sample_once_per_epoch():
    n = 250
    x = np.arange(n, dtype=np.float64).reshape(n, 1) * np.ones((1, 3))  # each row holds its own index
    t = np.zeros(n, dtype=int)
    trainer = Trainer(TwoLayerNet(3, 2, 2, rng=0), x, t, mini_batch_size=100, rng=4, verbose=False)
    epochs = []
    for _ in range(2):
        seen = []
        for _ in range(trainer.iter_per_epoch):
            xb, tb = trainer.next_batch()
            seen.append(xb[:, 0].astype(int).copy())
        assert [len(s) for s in seen] == [100, 100, 50]  # the last minibatch of an epoch is smaller
        epochs.append(np.concatenate(seen))
        assert sorted(epochs[-1]) == list(range(n))
    assert not np.array_equal(epochs[0], epochs[1])  # a new order every epoch


def test_choice_draws_with_replacement_like_the_book():
    n = 50
    x = np.arange(n, dtype=np.float64).reshape(n, 1) * np.ones((1, 3))
    t = np.arange(n) % 2
    trainer = Trainer(TwoLayerNet(3, 2, 2, rng=0), x, t, mini_batch_size=40, sampling="choice", rng=8,
                      verbose=False)
    rng = np.random.default_rng(8)
    for _ in range(3):
        xb, tb = trainer.next_batch()
        idx = rng.integers(0, n, size=40)
        np.testing.assert_array_equal(xb[:, 0], idx)
        np.testing.assert_array_equal(tb, idx % 2)
    assert len(np.unique(idx)) < 40  # 40 draws out of 50 with replacement repeat some


def test_minibatches_reuse_one_buffer_of_the_networks_dtype(data):
    x, t, _, _ = data
    trainer = Trainer(net32(), x, t, mini_batch_size=50, rng=0, verbose=False)
    xb1, tb1 = trainer.next_batch()
    first = xb1.copy()
    xb2, tb2 = trainer.next_batch()
    assert xb1.dtype == np.float32 and xb1.shape == (50, 20)
    assert np.shares_memory(xb1, xb2) and np.shares_memory(tb1, tb2)
    assert not np.array_equal(first, xb2)
    assert 0 <= xb2.min() and xb2.max() <= 1  # uint8 pixels scaled by 1/255


def test_uint8_input_equals_the_same_images_as_floats(data):
    x, t, xt, tt = data
    scaled = lambda a: (a * np.float32(1 / 255)).astype(np.float32)  # noqa: E731
    h8 = Trainer(net32(), x, t, xt, tt, epochs=2, mini_batch_size=50, rng=2, verbose=False).train()
    hf = Trainer(net32(), scaled(x), t, scaled(xt), tt, epochs=2, mini_batch_size=50, rng=2, verbose=False).train()
    assert h8.loss == hf.loss and h8.test_acc == hf.test_acc


def test_float64_inputs_for_a_float32_network(data):
    x, t, xt, tt = data
    h = Trainer(net32(), x / 255.0, t, xt / 255.0, tt, epochs=3, mini_batch_size=50,
                optimizer_param={"lr": 0.5}, rng=2, verbose=False).train()
    assert h.test_acc[-1] > 0.9


def test_test_set_of_another_form_than_the_training_set(data):
    x, t, xt, tt = data
    scaled = (xt * np.float32(1 / 255)).astype(np.float32)
    h = Trainer(net32(), x, t, xt, tt, epochs=2, mini_batch_size=50, rng=2, verbose=False).train()
    mixed = Trainer(net32(), x, t, scaled, tt, epochs=2, mini_batch_size=50, rng=2, verbose=False).train()
    assert h.test_acc == mixed.test_acc and h.loss == mixed.loss
    big = np.concatenate([xt] * 5)  # a test set larger than the training set, evaluated in chunks of 150
    hb = Trainer(net32(), x, t, big, np.concatenate([tt] * 5), epochs=2, mini_batch_size=50, rng=2,
                 eval_chunk_size=150, verbose=False).train()
    assert hb.test_acc == h.test_acc and hb.train_acc == h.train_acc


def test_first_layer_skips_dx_during_training_only(data):
    x, t, _, _ = data
    net = net32()
    seen = []
    trainer = Trainer(net, x, t, iters=8, mini_batch_size=50, rng=0, verbose=False,
                      callback=lambda tr, rec: seen.append(tr.network.layers["Affine1"].need_dx))
    trainer.train()
    assert seen and not any(seen)
    assert net.layers["Affine1"].need_dx is True
    assert net.layers["Affine2"].need_dx is True


def test_skipping_dx_gives_the_same_parameter_gradients(data):
    x, t, _, _ = data
    xb = x[:30] / 255.0
    a, b = TwoLayerNet(20, 9, 4, rng=6), TwoLayerNet(20, 9, 4, rng=6)
    b.layers["Affine1"].need_dx = False
    ga, gb = a.gradient(xb, t[:30]), b.gradient(xb, t[:30])
    for k in ga:
        np.testing.assert_array_equal(ga[k], gb[k])


@pytest.mark.parametrize("sampling", ["shuffle", "choice"])
def test_same_seed_same_history_bit_for_bit(data, sampling):
    x, t, xt, tt = data

    def run(seed):
        rng = np.random.default_rng(seed)  # one generator: the weights, then the minibatches
        net = MultiLayerNet(20, [12, 8], 4, dtype=np.float32, rng=rng)
        h = Trainer(net, x, t, xt, tt, epochs=3, mini_batch_size=32, optimizer="adam", sampling=sampling,
                    rng=rng, verbose=False).train()
        return h, net

    (h1, n1), (h2, n2), (h3, _) = run(42), run(42), run(43)
    assert h1.loss == h2.loss
    assert h1.train_acc == h2.train_acc and h1.test_acc == h2.test_acc
    for k in n1.params:
        assert n1.params[k].tobytes() == n2.params[k].tobytes()
    assert h1.loss != h3.loss


def test_different_trainer_seed_different_minibatches(data):
    x, t, _, _ = data
    h1 = Trainer(net32(), x, t, iters=5, rng=1, verbose=False).train()
    h2 = Trainer(net32(), x, t, iters=5, rng=2, verbose=False).train()
    assert h1.loss[0] != h2.loss[0]


def test_evaluate_sample_num_per_epoch_uses_a_subset_but_final_uses_all(data, capsys):
    x, t, xt, tt = data
    net = net32()
    h = Trainer(net, x, t, xt, tt, epochs=2, mini_batch_size=50, evaluate_sample_num_per_epoch=30,
                rng=0).train()
    # per-epoch accuracies are over 30 samples: multiples of 1/30
    assert all(abs(a * 30 - round(a * 30)) < 1e-9 for a in h.train_acc + h.test_acc)
    assert h.final_test_acc == evaluate(net, xt, tt)
    assert h.final_train_acc == evaluate(net, x, t)
    assert h.test_acc[-1] == evaluate(net, xt[:30], tt[:30])
    assert "final | train acc, test acc |" in capsys.readouterr().out


def test_optimizer_by_name_like_the_books_trainer(data):
    x, t, xt, tt = data
    trainer = Trainer(net32(), x, t, xt, tt, epochs=3, mini_batch_size=50, optimizer="Adam",
                      optimizer_param={"lr": 0.01}, rng=0, verbose=False)
    assert type(trainer.optimizer).__name__ == "Adam" and trainer.optimizer.lr == 0.01
    assert trainer.train().test_acc[-1] > 0.9


def test_lr_decay_multiplies_the_learning_rate_after_every_epoch(data):
    x, t, xt, tt = data
    seen = []
    trainer = Trainer(net32(), x, t, xt, tt, iters=20, mini_batch_size=50, optimizer_param={"lr": 0.4},
                      lr_decay=0.5, rng=0, verbose=False,
                      callback=lambda tr, rec: seen.append((rec["iteration"], tr.optimizer.lr)))
    h = trainer.train()
    # epochs end at 8 and 16; each epoch's updates used the rate in force during it
    assert seen == [(0, 0.4), (8, 0.4), (16, 0.2), (20, 0.1)]
    assert trainer.optimizer.lr == 0.1 and h.config["lr_decay"] == 0.5
    constant = Trainer(net32(), x, t, xt, tt, iters=20, mini_batch_size=50, optimizer_param={"lr": 0.4},
                       rng=0, verbose=False).train()
    assert constant.loss[:8] == h.loss[:8] and constant.loss[8:] != h.loss[8:]
    with pytest.raises(ValueError, match=r"lr_decay must be in \(0, 1\]; got 1.5"):
        Trainer(net32(), x, t, lr_decay=1.5)

    class NoRate:
        def update(self, params, grads):
            pass

    with pytest.raises(TypeError, match="lr_decay needs an optimizer with a learning rate"):
        Trainer(net32(), x, t, optimizer=NoRate(), lr_decay=0.9)


def test_one_hot_targets(data):
    x, t, xt, tt = data
    h1 = Trainer(net32(), x, t, xt, tt, iters=10, mini_batch_size=50, rng=0, verbose=False).train()
    h2 = Trainer(net32(), x, np.eye(4)[t], xt, np.eye(4)[tt], iters=10, mini_batch_size=50, rng=0,
                 verbose=False).train()
    assert h1.loss == h2.loss and h1.test_acc == h2.test_acc


def test_validation_at_the_boundary(data):
    x, t, xt, tt = data
    with pytest.raises(ValueError, match="give epochs or iters, not both"):
        Trainer(net32(), x, t, epochs=1, iters=5)
    with pytest.raises(ValueError, match="sampling must be 'shuffle' or 'choice'; got 'random'"):
        Trainer(net32(), x, t, sampling="random")
    with pytest.raises(ValueError, match=r"mini_batch_size \(500\) is larger than the training set \(400 samples\)"):
        Trainer(net32(), x, t, mini_batch_size=500)
    with pytest.raises(ValueError, match="iters must be a positive integer; got 0"):
        Trainer(net32(), x, t, iters=0)
    with pytest.raises(TypeError, match="x_train must be uint8 pixels .* or floats; got dtype int16"):
        Trainer(net32(), x.astype(np.int16), t)
    with pytest.raises(ValueError, match="batch sizes differ: predictions have 400 rows but t_train has 399"):
        Trainer(net32(), x, t[:-1])
    bad = t.copy()
    bad[7] = 4
    with pytest.raises(ValueError, match=r"labels t_train must be in \[0, 4\); got 4 at index 7"):
        Trainer(net32(), x, bad)
    with pytest.raises(ValueError, match=r"W has shape \(20, 16\): expected 20 features"):
        Trainer(net32(), x[:, :10], t)
    with pytest.raises(ValueError, match="give both x_test and t_test, or neither"):
        Trainer(net32(), x, t, xt)
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        Trainer(net32(), x, t, optimizer="adamw")
    with pytest.raises(TypeError, match="network must have params"):
        Trainer(object(), x, t)


def test_train_twice_is_an_error(data):
    x, t, _, _ = data
    trainer = Trainer(net32(), x, t, iters=2, verbose=False)
    trainer.train()
    with pytest.raises(RuntimeError, match="already trained"):
        trainer.train()


def test_progress_bar_only_when_asked_or_on_a_terminal(data, capsys, monkeypatch):
    pytest.importorskip("tqdm")
    x, t, xt, tt = data
    Trainer(net32(), x, t, xt, tt, epochs=1, mini_batch_size=50, rng=0, verbose=False).train()
    assert capsys.readouterr().err == ""  # stderr is not a terminal under pytest: no bar
    Trainer(net32(), x, t, xt, tt, epochs=1, mini_batch_size=50, rng=0, progress=True).train()
    out = capsys.readouterr()
    assert "8/8" in out.err and "loss" in out.err and "test" in out.err
    assert out.out.count("train acc, test acc") == 2  # the epoch lines go to stdout, above the bar
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # tqdm missing: quietly no bar
    Trainer(net32(), x, t, xt, tt, epochs=1, mini_batch_size=50, rng=0, progress=True).train()
    out = capsys.readouterr()
    assert out.err == "" and out.out.count("train acc, test acc") == 2


def test_quiet(data, capsys):
    x, t, xt, tt = data
    Trainer(net32(), x, t, xt, tt, epochs=1, mini_batch_size=50, rng=0, verbose=False, progress=False).train()
    assert capsys.readouterr() == ("", "")


def test_without_a_test_set(data):
    x, t, _, _ = data
    h = Trainer(net32(), x, t, epochs=1, mini_batch_size=50, rng=0, verbose=False).train()
    assert h.test_acc == [] and h.final_test_acc is None and len(h.train_acc) == 2


# -- examples/train_neuralnet.py: the book's script ---------------------------------------

EXAMPLE = str(ROOT / "examples" / "train_neuralnet.py")
EPOCH_LINE = re.compile(r"train acc, test acc \| (0\.\d+|1\.0), (0\.\d+|1\.0)")


def run_example(monkeypatch, tmp_path, capsys, iters_num=None):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    with open(EXAMPLE, encoding="utf-8") as f:
        source = f.read()
    if iters_num is not None:  # a shortened run of the very same script
        assert source.count("iters_num = 10000\n") == 1
        source = source.replace("iters_num = 10000\n", f"iters_num = {iters_num}\n")
    import matplotlib.pyplot as plt

    try:
        exec(compile(source, EXAMPLE, "exec"), {"__name__": "__main__", "__file__": EXAMPLE})
    finally:
        plt.close("all")
    lines = capsys.readouterr().out.strip().splitlines()
    assert all(EPOCH_LINE.fullmatch(line) for line in lines), lines
    assert (tmp_path / "train_neuralnet.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return [tuple(map(float, EPOCH_LINE.fullmatch(line).groups())) for line in lines]


@pytest.mark.mnist
def test_train_neuralnet_example_one_epoch(real_mnist_env, monkeypatch, tmp_path, capsys):
    accs = run_example(monkeypatch, tmp_path, capsys, iters_num=601)
    assert len(accs) == 2  # printed at i = 0 and i = 600, as the book's loop does
    assert accs[0][1] < 0.5 and accs[1][1] > 0.85  # one epoch: about 0.90 in the book


@pytest.mark.slow
@pytest.mark.mnist
def test_train_neuralnet_example_reproduces_the_book(real_mnist_env, monkeypatch, tmp_path, capsys):
    accs = run_example(monkeypatch, tmp_path, capsys)
    assert len(accs) == 17  # i = 0, 600, ..., 9600
    assert accs[-1][1] >= 0.965  # the book prints 0.967 to 0.971
