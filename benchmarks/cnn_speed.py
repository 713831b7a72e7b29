"""Chapter 7's SimpleConvNet, timed side by side: chainrule, the book's own code, PyTorch eager.

Every contender makes the same run on the real MNIST: the book's SimpleConvNet
(conv 30 filters 5x5, stride 1, no pad - ReLU - max pool 2x2 - Affine 100 - ReLU -
Affine 10 - softmax cross-entropy), weights ``0.01 * N(0, 1)`` and zero biases, Adam
with lr 0.001, the same minibatches of 100 images (uint8 rows gathered and scaled by
1/255 inside the timed loop), ``--iters`` training steps (default 200), then one
evaluation of the test accuracy on all 10,000 test images in chunks of 500.

(a) chainrule, float32: ``SimpleConvNet(dtype=float32)`` trained and evaluated inside
    ``fast_training()`` (Convolution and Pooling on their fast path, no input
    gradient for the first layer; the Trainer evaluates the same way) with ``chainrule.Adam``;
(b) the book's code, float64: ``ch07/simple_convnet.py`` and ``common/optimizer.py``
    imported from a checkout of the book's repository given by ``--book PATH`` or
    the environment variable ``CHAINRULE_BOOK_REPO`` (skipped without it; nothing
    of the book is copied into this repository);
(c) PyTorch eager on the CPU, float32: ``nn.Sequential`` of the same layers, the
    same initialisation scale, ``optim.Adam(lr=0.001)`` (skipped without torch).

Each contender runs in a fresh process with ``--threads`` BLAS / torch threads
(default 1: chainrule's training steps use one BLAS thread; the same for the
others, so the table compares the code, not the thread count). Times cover the
training steps and the evaluation, not imports or loading MNIST.

    python benchmarks/cnn_speed.py --book ~/deep-learning-from-scratch
    CHAINRULE_BOOK_REPO=~/deep-learning-from-scratch python benchmarks/cnn_speed.py --iters 600 --threads 2
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

import numpy as np

__all__ = ["main"]

SCRIPT = os.path.abspath(__file__)
CONTENDERS = {
    "a": "(a) chainrule, float32, fast path",
    "b": "(b) the book's code, float64",
    "c": "(c) PyTorch eager, float32",
}
BATCH = 100
EVAL_CHUNK = 500
WEIGHT_INIT_STD = 0.01
LR = 0.001


def _data():
    from chainrule.datasets import load_mnist

    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False, flatten=True, one_hot_label=False)
    return x_train.reshape(-1, 1, 28, 28), t_train, x_test.reshape(-1, 1, 28, 28), t_test


def _batches(n_train, iters, seed):
    """The minibatch indices every contender uses: a new shuffle each epoch, as ``chainrule train`` does."""
    rng = np.random.default_rng(seed)
    order, out = np.empty(0, dtype=np.intp), []
    for _ in range(iters):
        if order.size < BATCH:
            order = np.concatenate([order, rng.permutation(n_train)])
        out.append(order[:BATCH])
        order = order[BATCH:]
    return out


def _chunks(n):
    return [(start, min(start + EVAL_CHUNK, n)) for start in range(0, n, EVAL_CHUNK)]


def _run_a(batches, data, seed):
    from chainrule import Adam, SimpleConvNet

    x_train, t_train, x_test, t_test = data
    net = SimpleConvNet(weight_init_std=WEIGHT_INIT_STD, dtype=np.float32, rng=seed)
    optimizer = Adam(lr=LR)
    scale = np.float32(1 / 255)
    t0 = time.perf_counter()
    with net.fast_training():
        for idx in batches:
            grads = net.gradient(x_train[idx].astype(np.float32) * scale, t_train[idx])
            optimizer.update(net.params, grads)
        t1 = time.perf_counter()
        correct = 0  # evaluated on the fast path too, as the Trainer's evaluations are
        for a, b in _chunks(len(t_test)):
            scores = net.predict(x_test[a:b].astype(np.float32) * scale)
            correct += int(np.sum(np.argmax(scores, axis=1) == t_test[a:b]))
    return t1 - t0, time.perf_counter() - t1, correct / len(t_test)


def _run_b(batches, data, seed, book):
    sys.path[:0] = [book, os.path.join(book, "ch07")]
    from common.optimizer import Adam  # the book's own classes
    from simple_convnet import SimpleConvNet

    x_train, t_train, x_test, t_test = data
    np.random.seed(seed)  # noqa: NPY002 - the book's code draws its weights from the global generator
    net = SimpleConvNet(input_dim=(1, 28, 28), conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                        hidden_size=100, output_size=10, weight_init_std=WEIGHT_INIT_STD)
    optimizer = Adam(lr=LR)
    t0 = time.perf_counter()
    for idx in batches:
        grads = net.gradient(x_train[idx].astype(np.float64) / 255.0, t_train[idx])
        optimizer.update(net.params, grads)
    t1 = time.perf_counter()
    acc = net.accuracy(x_test.astype(np.float64) / 255.0, t_test, batch_size=EVAL_CHUNK)
    return t1 - t0, time.perf_counter() - t1, float(acc)


def _run_c(batches, data, seed, threads):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    x_train, t_train, x_test, t_test = data
    model = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10))
    with torch.no_grad():
        for module in model:
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                module.weight.normal_(0.0, WEIGHT_INIT_STD)
                module.bias.zero_()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    labels = torch.from_numpy(t_train.astype(np.int64))
    t0 = time.perf_counter()
    for idx in batches:
        xb = torch.from_numpy(x_train[idx].astype(np.float32) * np.float32(1 / 255))
        optimizer.zero_grad()
        loss_fn(model(xb), labels[idx]).backward()
        optimizer.step()
    t1 = time.perf_counter()
    correct = 0
    with torch.no_grad():
        for a, b in _chunks(len(t_test)):
            xb = torch.from_numpy(x_test[a:b].astype(np.float32) * np.float32(1 / 255))
            correct += int((model(xb).argmax(dim=1).numpy() == t_test[a:b]).sum())
    return t1 - t0, time.perf_counter() - t1, correct / len(t_test)


def _child(name, iters, seed, threads, book):
    from threadpoolctl import threadpool_limits

    data = _data()
    batches = _batches(len(data[1]), iters, seed)
    with threadpool_limits(limits=threads, user_api="blas"):
        if name == "a":
            train, evaluate, acc = _run_a(batches, data, seed)
        elif name == "b":
            train, evaluate, acc = _run_b(batches, data, seed, book)
        else:
            train, evaluate, acc = _run_c(batches, data, seed, threads)
    print(json.dumps({"train": train, "eval": evaluate, "test_acc": acc}))


def _skip_reason(name, book):
    if name == "b" and not book:
        return "no book checkout (--book PATH or CHAINRULE_BOOK_REPO)"
    if name == "b" and not os.path.isfile(os.path.join(book, "ch07", "simple_convnet.py")):
        return f"{book} has no ch07/simple_convnet.py"
    if name == "c" and importlib.util.find_spec("torch") is None:
        return "torch is not installed"
    return None


def build_parser():
    p = argparse.ArgumentParser(prog="cnn_speed.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iters", type=int, default=200, help="training steps of 100 images (default 200)")
    p.add_argument("--only", default="a,b,c", help="contenders to run, e.g. a,c (default a,b,c)")
    p.add_argument("--threads", type=int, default=1, help="BLAS / torch threads of every contender (default 1)")
    p.add_argument("--book", default=os.environ.get("CHAINRULE_BOOK_REPO"),
                   help="a checkout of oreilly-japan/deep-learning-from-scratch (default: CHAINRULE_BOOK_REPO)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--child", choices=list(CONTENDERS), help=argparse.SUPPRESS)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.iters < 1 or args.threads < 1:
        raise SystemExit("cnn_speed.py: --iters and --threads must be positive")
    if args.child:
        _child(args.child, args.iters, args.seed, args.threads, args.book)
        return 0
    print(f"SimpleConvNet on MNIST: {args.iters} Adam steps of {BATCH} images + test accuracy on 10000 images; "
          f"{args.threads} thread(s) each")
    results = {}
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
        if name not in CONTENDERS:
            raise SystemExit(f"cnn_speed.py: unknown contender {name!r}; choose from {','.join(CONTENDERS)}")
        reason = _skip_reason(name, args.book)
        if reason:
            print(f"{CONTENDERS[name]:<36} skipped: {reason}")
            continue
        cmd = [sys.executable, SCRIPT, "--child", name, "--iters", str(args.iters), "--seed", str(args.seed),
               "--threads", str(args.threads), *(["--book", args.book] if args.book else [])]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{CONTENDERS[name]:<36} failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        total = r["train"] + r["eval"]
        print(f"{CONTENDERS[name]:<36} train {r['train']:7.2f} s ({args.iters / r['train']:6.1f} it/s)  "
              f"eval {r['eval']:6.2f} s  total {total:7.2f} s  test acc {r['test_acc']:.4f}")
    if "a" in results:
        a = results["a"]["train"] + results["a"]["eval"]
        for name in ("b", "c"):
            if name in results:
                other = results[name]["train"] + results[name]["eval"]
                print(f"{CONTENDERS[name]} / (a): {other / a:.2f}x the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
