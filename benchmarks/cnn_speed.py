"""Chapters 7 and 8's convolutional networks, timed side by side: chainrule, the book's code, PyTorch eager.

Every contender makes the same run on the real MNIST with the book's network: SimpleConvNet
(ch07: conv 30 filters 5x5 - ReLU - max pool 2x2 - Affine 100 - ReLU - Affine 10; weights
``0.01 * N(0, 1)``) or DeepConvNet (ch08: six 3x3 convolutions of 16, 16, 32, 32, 64, 64
filters with ReLU, a max pool after every second one, Affine 50 - ReLU - Dropout - Affine 10 -
Dropout; He initialisation), Adam with lr 0.001, the same minibatches of 100 images (uint8 rows
gathered and scaled by 1/255 inside the timed loop), ``--iters`` training steps, then the test
accuracy on ``--eval-images`` test images in chunks of 500.

(a)  chainrule (this checkout) in float32, trained and evaluated inside ``fast_training()``;
(a0) the same code run on another checkout of chainrule (``--before PATH``: its ``src`` goes
     first on ``PYTHONPATH``), to show a change before and after in one run;
(b)  the book's own code in float64 (``ch07/simple_convnet.py``, ``ch08/deep_convnet.py``,
     ``common/optimizer.py``) from a checkout given by ``--book PATH`` or ``CHAINRULE_BOOK_REPO``
     (skipped without it; nothing of the book is copied into this repository);
(c)  PyTorch eager on the CPU in float32: ``nn.Sequential`` of the same layers and initialisation
     scales, ``optim.Adam`` (skipped without torch).

Each run is a fresh process with ``T`` threads (BLAS through threadpoolctl, which also sets the
threads chainrule computes on; ``torch.set_num_threads`` for PyTorch), for every ``T`` of
``--threads`` (default 1 and 2); rounds alternate the contenders so that a slow moment of the
machine hits all of them. Times cover the training steps and the evaluation, not imports or
loading MNIST; peak RSS is each process's own (``os.wait4``).

The floor is the time of (a)'s matrix products (in the shapes (a) computes them: chunks of
images whose gathered windows stay in the cache), one strided copy that gathers the windows
of each product that reads windows (forward, dW, dx), one pass over every activation and
gradient (bias, ReLU, pooling, the spread upstream gradient), four over the parameters (Adam's
update) and the minibatch gathers, each
run as one NumPy call, its best CPU time of five (the time it takes with a core to itself).
With ``T`` threads, ``T`` threads run the operations of ``1/T`` of the images at the same time.

    python benchmarks/cnn_speed.py --nets simple,deep --only a,c
    python benchmarks/cnn_speed.py --before ../chainrule-main --book ~/deep-learning-from-scratch
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

__all__ = ["main"]

SCRIPT = os.path.abspath(__file__)
CONTENDERS = {"b": "(b) the book's code, float64", "a0": "(a0) chainrule before", "a": "(a) chainrule, float32",
              "c": "(c) PyTorch eager, float32"}
NETS = {"simple": "SimpleConvNet", "deep": "DeepConvNet"}
ITERS = {"simple": 200, "deep": 60}
BATCH = 100
EVAL_CHUNK = 500
LR = 0.001


# -- the run every contender makes ---------------------------------------------------------------
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


def _now():
    """Wall-clock and this process's CPU seconds (all its threads): on a busy machine, a one-thread run's CPU
    time is what it would take alone."""
    return time.perf_counter(), time.process_time()


def _chainrule_net(net, seed):
    import chainrule

    if net == "simple":
        return chainrule.SimpleConvNet(weight_init_std=0.01, dtype=np.float32, rng=seed)
    return chainrule.DeepConvNet(dtype=np.float32, rng=seed)


def _run_a(net, batches, data, seed, eval_images):
    from chainrule import Adam

    x_train, t_train, x_test, t_test = data
    network, optimizer, scale = _chainrule_net(net, seed), Adam(lr=LR), np.float32(1 / 255)
    t0 = _now()
    with network.fast_training():
        for idx in batches:
            optimizer.update(network.params, network.gradient(x_train[idx].astype(np.float32) * scale, t_train[idx]))
        t1 = _now()
        correct = sum(int(np.sum(np.argmax(network.predict(x_test[a:b].astype(np.float32) * scale), axis=1)
                                 == t_test[a:b])) for a, b in _chunks(eval_images))
    return t0, t1, _now(), correct / eval_images


def _run_b(net, batches, data, seed, eval_images, book):
    folder = "ch07" if net == "simple" else "ch08"
    sys.path[:0] = [book, os.path.join(book, folder)]
    from common.optimizer import Adam  # the book's own classes

    x_train, t_train, x_test, t_test = data
    np.random.seed(seed)  # noqa: NPY002 - the book's code draws its weights from the global generator
    if net == "simple":
        from simple_convnet import SimpleConvNet

        network = SimpleConvNet(input_dim=(1, 28, 28), hidden_size=100, output_size=10, weight_init_std=0.01,
                                conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1})
    else:
        from deep_convnet import DeepConvNet

        network = DeepConvNet()
    optimizer = Adam(lr=LR)
    t0 = _now()
    for idx in batches:
        optimizer.update(network.params, network.gradient(x_train[idx].astype(np.float64) / 255.0, t_train[idx]))
    t1 = _now()
    acc = network.accuracy(x_test[:eval_images].astype(np.float64) / 255.0, t_test[:eval_images],
                           batch_size=EVAL_CHUNK)
    return t0, t1, _now(), float(acc)


def _torch_model(net, seed):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    if net == "simple":
        model = nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10))
    else:
        def conv(c_in, c_out, pad=1):
            return [nn.Conv2d(c_in, c_out, 3, padding=pad), nn.ReLU()]

        model = nn.Sequential(*conv(1, 16), *conv(16, 16), nn.MaxPool2d(2), *conv(16, 32), *conv(32, 32, 2),
                              nn.MaxPool2d(2), *conv(32, 64), *conv(64, 64), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(64 * 4 * 4, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 10),
                              nn.Dropout(0.5))
    with torch.no_grad():
        for module in model:
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                fan_in = module.weight[0].numel()
                module.weight.normal_(0.0, 0.01 if net == "simple" else math.sqrt(2.0 / fan_in))
                module.bias.zero_()
    return model


def _run_c(net, batches, data, seed, eval_images, threads):
    import torch

    torch.set_num_threads(threads)
    x_train, t_train, x_test, t_test = data
    model = _torch_model(net, seed)
    optimizer, loss_fn = torch.optim.Adam(model.parameters(), lr=LR), torch.nn.CrossEntropyLoss()
    labels, scale = torch.from_numpy(t_train.astype(np.int64)), np.float32(1 / 255)
    t0 = _now()
    for idx in batches:
        optimizer.zero_grad()
        loss_fn(model(torch.from_numpy(x_train[idx].astype(np.float32) * scale)), labels[idx]).backward()
        optimizer.step()
    t1 = _now()
    model.eval()
    with torch.no_grad():
        correct = sum(int((model(torch.from_numpy(x_test[a:b].astype(np.float32) * scale)).argmax(dim=1).numpy()
                           == t_test[a:b]).sum()) for a, b in _chunks(eval_images))
    return t0, t1, _now(), correct / eval_images


# -- the floor: (a)'s products, window gathers and passes, each at this machine's speed -------------
def _floor_ops(net, n, train):
    """``[(part, count, call)]``: the operations of (a) for ``n`` images (one training step or one evaluation
    chunk), each a single NumPy call on arrays of the shapes (a) uses, ``count`` times."""
    from numpy.lib.stride_tricks import sliding_window_view

    from chainrule._blas import CHUNK_BYTES  # the chunks (a) computes in

    rng, f32 = np.random.default_rng(0), np.float32
    ops = []

    def rand(*shape):
        return rng.random(shape, dtype=f32)

    def product(m, k, cols, count=1):
        a, b, out = rand(m, k), rand(k, cols), np.empty((m, cols), f32)
        ops.append(("products", count, lambda: np.dot(a, b, out=out)))

    def gather(images, h, w, channels, fh, fw, oh, ow, count):  # one strided copy of the windows of images
        img = rand(images, h, w, channels)
        windows = sliding_window_view(img, (fh, fw), axis=(1, 2))[:, :oh, :ow]  # (n, oh, ow, c, fh, fw)
        if channels == 1:  # along image rows, as (a) copies one channel
            col, windows = np.empty((fh, fw, 1, images, oh, ow), f32), windows.transpose(4, 5, 3, 0, 1, 2)
        else:
            col, windows = np.empty((images, oh, ow, fh, fw, channels), f32), windows.transpose(0, 1, 2, 4, 5, 3)
        ops.append(("window gathers", count, lambda: np.copyto(col, windows)))

    def passes(size, count):
        src, dst = rand(size), np.empty(size, f32)
        ops.append(("passes", count, lambda: np.copyto(dst, src)))

    raw, scaled = np.zeros((n, 784), np.uint8), np.empty((n, 784), f32)
    index = rng.integers(0, 60000, n)
    x_all = np.zeros((60000, 784), np.uint8)
    if train:  # the minibatch: uint8 rows gathered, then scaled into floats
        ops.append(("minibatch", 1, lambda: (np.take(x_all, index, axis=0, out=raw), np.multiply(
            raw, f32(1 / 255), out=scaled, casting="unsafe"))))
    else:
        ops.append(("minibatch", 1, lambda: np.multiply(x_all[:n], f32(1 / 255), out=scaled, casting="unsafe")))
    network = _chainrule_net(net, 0)
    shape, first = (n, 1, 28, 28), True
    for layer in network.layers.values():
        kind, size = type(layer).__name__, int(np.prod(shape))
        if kind == "Convolution":
            fn, c, fh, fw = layer.W.shape
            h, w = shape[2] + 2 * layer.pad, shape[3] + 2 * layer.pad
            oh, ow = (h - fh) // layer.stride + 1, (w - fw) // layer.stride + 1
            step = max(1, min(n, CHUNK_BYTES // (oh * ow * fh * fw * c * 4)))
            chunks, rows = -(-n // step), step * oh * ow
            gather(step, h, w, c, fh, fw, oh, ow, chunks)
            product(rows, fh * fw * c, fn, chunks)
            passes(n * oh * ow * fn, 1)  # the bias
            if train:  # dW: the same windows, gathered again in the cache (reading them back from memory is slower)
                gather(step, h, w, c, fh, fw, oh, ow, chunks)
                product(fn, rows, fh * fw * c, chunks)
                if not first:  # dx: the spread gradient's windows times the flipped filters
                    passes(n * oh * ow * fn, 1)
                    gather(step, shape[2] + fh - 1, shape[3] + fw - 1, fn, fh, fw, shape[2], shape[3], chunks)
                    product(step * shape[2] * shape[3], fh * fw * fn, c, chunks)
            shape = (n, fn, oh, ow)
        elif kind == "Pooling":
            passes(size, 2 if train else 1)  # the windows' maximum; backward: the gradient where it was
            shape = (n, shape[1], (shape[2] - layer.pool_h) // layer.stride + 1,
                     (shape[3] - layer.pool_w) // layer.stride + 1)
        elif kind == "Affine":
            d, m = layer.W.shape
            product(n, d, m)
            if train:
                product(d, n, m)
                if not first:
                    product(n, m, d)
            shape = (n, m)
        elif kind in ("Relu", "Dropout"):
            passes(size, 2 if train else 1)
        first = False
    if train:  # Adam: the parameters, their gradients and the two moving averages, read and written
        passes(sum(p.size for p in network.params.values()), 4)
    return ops


def _run_floor(net, threads, iters, eval_images):
    """Seconds of the floor for the run, ``{"train": s, "eval": s, "train_parts": {part: s}, "eval_parts": ...}``:
    each operation's best time of five (``threads`` threads running their lists at the same time), summed."""
    result = {}
    for phase, n, count in (("train", BATCH, iters), ("eval", EVAL_CHUNK, eval_images / EVAL_CHUNK)):
        lists = [_floor_ops(net, -(-n // threads), phase == "train") for _ in range(threads)]
        best = [[math.inf] * len(ops) for ops in lists]

        def run(ops, fastest):
            for _ in range(5):
                for k, (_, times, call) in enumerate(ops):
                    start = time.thread_time()  # this thread's CPU time: on a busy machine, the time alone
                    for _ in range(times):
                        call()
                    fastest[k] = min(fastest[k], time.thread_time() - start)

        workers = [threading.Thread(target=run, args=pair) for pair in zip(lists, best, strict=True)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        parts = [{} for _ in lists]
        for ops, fastest, into in zip(lists, best, parts, strict=True):
            for (part, _, _), seconds in zip(ops, fastest, strict=True):
                into[part] = into.get(part, 0.0) + seconds * count
        slowest = max(parts, key=lambda p: sum(p.values()))  # the threads end together at the slowest one
        result[phase], result[phase + "_parts"] = sum(slowest.values()), slowest
    return result


# -- one process per run ---------------------------------------------------------------------------
def _child(args):
    from threadpoolctl import threadpool_limits

    threads = int(args.threads)
    if args.child == "floor":  # threads of its own, each product on one BLAS thread (as (a)'s)
        with threadpool_limits(limits=1, user_api="blas"):
            print(json.dumps(_run_floor(args.nets, threads, args.iters, args.eval_images)))
        return
    with threadpool_limits(limits=threads, user_api="blas"):  # before chainrule looks at the BLAS threads
        data = _data()
        batches = _batches(len(data[1]), args.iters, args.seed)
        if args.child == "a":
            r = _run_a(args.nets, batches, data, args.seed, args.eval_images)
        elif args.child == "b":
            r = _run_b(args.nets, batches, data, args.seed, args.eval_images, args.book)
        else:
            r = _run_c(args.nets, batches, data, args.seed, args.eval_images, threads)
    (w0, c0), (w1, c1), (w2, c2), acc = r
    print(json.dumps({"train": w1 - w0, "eval": w2 - w1, "train_cpu": c1 - c0, "eval_cpu": c2 - c1, "test_acc": acc}))


def _measure(cmd, env=None):
    """Run ``cmd`` in a fresh process: its last stdout line as JSON, with its own peak RSS in MB."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(err.read().strip().splitlines()[-1:] or f"exit {proc.returncode}")
        result = json.loads(out.read().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def _skip_reason(name, args):
    folder = "ch07/simple_convnet.py" if "simple" in args.nets.split(",") else "ch08/deep_convnet.py"
    if name == "b" and not args.book:
        return "no book checkout (--book PATH or CHAINRULE_BOOK_REPO)"
    if name == "b" and not os.path.isfile(os.path.join(args.book, folder)):
        return f"{args.book} has no {folder}"
    if name == "a0" and not args.before:
        return "no other checkout (--before PATH)"
    if name == "a0" and not os.path.isdir(os.path.join(args.before, "src", "chainrule")):
        return f"{args.before} has no src/chainrule"
    if name == "c" and importlib.util.find_spec("torch") is None:
        return "torch is not installed"
    return None


# -- the report ------------------------------------------------------------------------------------
def _print_run(net, threads, iters, eval_images, runs, floor):
    print(f"\n{NETS[net]}, {threads} thread(s): {iters} training steps, evaluation of {eval_images} test images "
          "(seconds: wall clock, and CPU of all the process's threads)")
    print(f"  {'contender':<34} {'train s':>8} {'cpu s':>7} {'steps/s':>8} {'eval s':>7} {'cpu s':>7} {'images/s':>9} "
          f"{'test acc':>8} {'peak RSS':>9}")
    for name, results in runs.items():
        train, train_cpu, evaluate, eval_cpu = (statistics.median(r[k] for r in results)
                                                for k in ("train", "train_cpu", "eval", "eval_cpu"))
        acc, peak = statistics.median(r["test_acc"] for r in results), max(r["peak_mb"] for r in results)
        print(f"  {CONTENDERS[name]:<34} {train:8.2f} {train_cpu:7.2f} {iters / train:8.2f} {evaluate:7.2f} "
              f"{eval_cpu:7.2f} {eval_images / evaluate:9.0f} {acc:8.4f} {peak:6.0f} MB")
    if floor:
        print(f"  {'floor of (a)':<34} {floor['train']:8.2f} {'':>7} {iters / floor['train']:8.2f} "
              f"{floor['eval']:7.2f} {'':>7} {eval_images / floor['eval']:9.0f}")
        for phase in ("train", "eval"):
            parts = ", ".join(f"{part} {s:.2f} s" for part, s in floor[phase + "_parts"].items())
            print(f"    floor, {'training' if phase == 'train' else 'evaluation'}: {parts} (per thread)")


def _summary(table, iters, eval_images, clock):
    """The comparison in one table: speeds (steps/s, images/s) by ``clock`` ("" wall, "_cpu" CPU time), the ratios
    of (a) to (c) and to the floor."""
    names = [n for n in ("b", "a0", "a", "c") if any(n in runs for runs, _ in table.values())]
    head = " | ".join(CONTENDERS[n] for n in names)
    print(f"\n| network, threads | {head} | floor | (a) / (c) | (a) / floor |")
    print("|---" * (len(names) + 4) + "|")
    for (net, threads), (runs, floor) in table.items():
        if clock and threads > 1:
            continue  # the CPU time of several threads is no run's duration
        for phase, unit, count in (("train", "training steps/s", iters[net]), ("eval", "evaluation images/s",
                                                                               eval_images)):
            speeds = {n: count / statistics.median(r[phase + clock] for r in runs[n]) for n in names if n in runs}
            cells = " | ".join(f"{speeds[n]:.1f}" if n in speeds else "-" for n in names)
            fl = count / floor[phase] if floor else math.nan
            vs_c = f"{speeds['a'] / speeds['c']:.2f}x the speed" if "a" in speeds and "c" in speeds else "-"
            vs_floor = f"{fl / speeds['a']:.2f}x the time" if "a" in speeds and floor else "-"
            print(f"| {NETS[net]}, {threads} thread(s), {unit} | {cells} | {fl:.1f} | {vs_c} | {vs_floor} |")
        if not clock:
            peaks = " | ".join(f"{max(r['peak_mb'] for r in runs[n]):.0f} MB" if n in runs else "-" for n in names)
            print(f"| {NETS[net]}, {threads} thread(s), peak RSS | {peaks} | | | |")


def build_parser():
    p = argparse.ArgumentParser(prog="cnn_speed.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nets", default="simple,deep", help="networks: simple, deep (default simple,deep)")
    p.add_argument("--iters", type=int, help="training steps of 100 images (default 200 simple, 60 deep)")
    p.add_argument("--eval-images", type=int, default=10000, help="test images evaluated (default 10000)")
    p.add_argument("--only", default="b,a0,a,c", help="contenders to run (default b,a0,a,c) and the floor")
    p.add_argument("--threads", default="1,2", help="thread counts, every contender runs with each (default 1,2)")
    p.add_argument("--repeats", type=int, default=1, help="alternating rounds; medians are shown (default 1)")
    p.add_argument("--no-floor", action="store_true", help="skip measuring the floor")
    p.add_argument("--before", help="another checkout of chainrule, run as (a0)")
    p.add_argument("--book", default=os.environ.get("CHAINRULE_BOOK_REPO"),
                   help="a checkout of oreilly-japan/deep-learning-from-scratch (default: CHAINRULE_BOOK_REPO)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--child", choices=["a", "b", "c", "floor"], help=argparse.SUPPRESS)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.child:
        _child(args)
        return 0
    nets = [n.strip() for n in args.nets.split(",") if n.strip()]
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    bad = [n for n in nets if n not in NETS] + [n for n in names if n not in CONTENDERS]
    if bad or min(threads, default=0) < 1 or (args.iters is not None and args.iters < 1) or args.eval_images < 1:
        raise SystemExit(f"cnn_speed.py: unknown network or contender {bad}, or a count below 1")
    load = os.getloadavg()[0]
    print(f"MNIST, Adam lr {LR}, minibatches of {BATCH}, evaluation in chunks of {EVAL_CHUNK}; each run a fresh "
          f"process; {args.repeats} alternating round(s); load average {load:.2f} at the start")
    for name in names:
        reason = _skip_reason(name, args)
        if reason:
            print(f"{CONTENDERS[name]}: skipped ({reason})")
    names = [n for n in names if not _skip_reason(n, args)]
    subprocess.run([sys.executable, "-c", "from chainrule.datasets import load_mnist; load_mnist()"], check=True,
                   capture_output=True)  # fetch and cache MNIST before any timing
    table, iters = {}, {}
    for net in nets:
        iters[net] = args.iters or ITERS[net]
        for t in threads:
            runs, common = {}, ["--nets", net, "--threads", str(t), "--iters", str(iters[net]), "--eval-images",
                                str(args.eval_images), "--seed", str(args.seed)]
            for _ in range(args.repeats):
                for name in names:
                    env = None
                    if name == "a0":
                        env = dict(os.environ, PYTHONPATH=os.path.join(os.path.abspath(args.before), "src"))
                    cmd = [sys.executable, SCRIPT, "--child", "a" if name == "a0" else name, *common,
                           *(["--book", args.book] if name == "b" else [])]
                    try:
                        runs.setdefault(name, []).append(_measure(cmd, env))
                    except RuntimeError as exc:
                        print(f"{CONTENDERS[name]}: failed ({exc})")
            floor = None if args.no_floor else _measure([sys.executable, SCRIPT, "--child", "floor", *common])
            table[(net, t)] = (runs, floor)
            _print_run(net, t, iters[net], args.eval_images, runs, floor)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end\n\nby wall-clock time:")
    _summary(table, iters, args.eval_images, "")
    print("\nthe one-thread runs by CPU time (on a busy machine, what a run takes when it has its core to itself):")
    _summary(table, iters, args.eval_images, "_cpu")
    return 0


if __name__ == "__main__":
    sys.exit(main())
