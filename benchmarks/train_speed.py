"""The book's MNIST run, timed side by side against the usual alternatives (also ``chainrule bench``).

Contenders, on the real MNIST with the same network (784-H-10, ReLU), hyperparameters
(SGD, lr, batch size, iterations), minibatch sampling and evaluation (train and test
accuracy on all 70000 images every epoch and at the end):

(a) ``chainrule train`` with its defaults: the command itself, in float32 on the
    library's Trainer (uint8 pixels gathered into reused buffers, the layers'
    fast path, training steps on one BLAS thread, evaluation in cache-sized chunks
    on a copy of the network in a background thread);
(b) the book's loop (``ch05/train_neuralnet.py``) typed against chainrule's book API:
    ``TwoLayerNet`` in float64, ``gradient``, ``params[key] -= lr * grad[key]``,
    the loss again after the update, ``accuracy`` on the whole sets every epoch;
(c) PyTorch eager on the CPU (``nn.Sequential``, ``CrossEntropyLoss``, ``optim.SGD``),
    when torch is installed;
(d) scikit-learn's ``MLPClassifier`` (SGD, no momentum, no L2), one ``partial_fit``
    per epoch, when scikit-learn is installed.

Every run is a fresh subprocess (``os.wait4`` gives each its own peak RSS); the rounds
alternate the contenders so a slow moment of the machine hits all of them. Times
cover training and evaluation, not interpreter start, imports or loading the data
(which every contender does the same way). Also printed: the machine's lower bound
for (a) (its matrix products at the GEMM throughput NumPy reaches for the same
shapes on this machine, plus its batch gathers; first with every product on one
thread, and two variants that use the other cores), and how (a)'s
time grows with the hidden size, the batch size and the number of iterations.

    python benchmarks/train_speed.py              # or, from a source checkout: chainrule bench
    python benchmarks/train_speed.py --quick      # 1 round of 2000 iterations, small scaling table
    python benchmarks/train_speed.py --only a,c --repeats 5 --scaling-iters 0
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from threadpoolctl import threadpool_limits

from chainrule.train import BOOK_RUN

__all__ = ["main"]

SCRIPT = os.path.abspath(__file__)

N_CLASSES = 10
INPUT_SIZE = 784
CONTENDERS = {
    "a": "(a) chainrule train (defaults)",
    "b": "(b) book loop, chainrule book API, float64",
    "c": "(c) PyTorch eager, CPU",
    "d": "(d) scikit-learn MLPClassifier",
}


# -- the run every contender makes ---------------------------------------------------------------
def _defaults():
    """The run ``chainrule train`` makes without options: :data:`chainrule.train.BOOK_RUN`."""
    return {key: BOOK_RUN[key] for key in ("hidden", "batch_size", "lr", "iters", "sampling", "dtype")}


def _batches(rng, n, batch_size, sampling):
    """Minibatch indices forever: shuffled epochs, or draws with replacement (the book's np.random.choice)."""
    if sampling == "choice":
        while True:
            yield rng.integers(0, n, size=batch_size)
    while True:
        perm = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield perm[start:start + batch_size]


def _evaluate_now(i, iter_per_epoch, iters):
    """After update ``i`` (1-based): evaluate at every epoch's end and at the end of the run."""
    return i % iter_per_epoch == 0 or i == iters


def _load(normalize, one_hot=False):
    from chainrule.datasets import load_mnist

    return load_mnist(normalize=normalize, one_hot_label=one_hot, flatten=True, progress=False)


# -- the contenders, each run in its own process --------------------------------------------------
def _cli_train_command(run, seed, out):
    """(a): the ``chainrule train`` command with its defaults (plus the options a scaling row changes)."""
    cmd = [sys.executable, "-m", "chainrule", "train", "--out", out, "--seed", str(seed), "--quiet"]
    for option, key in (("--hidden", "hidden"), ("--batch-size", "batch_size"), ("--iters", "iters")):
        if run.get(key) != run["defaults"][key]:
            cmd += [option, str(run[key])]
    return cmd


def _read_history(out):
    with open(os.path.join(out, "history.json"), encoding="utf-8") as f:
        h = json.load(f)
    return {"seconds": h["total_seconds"], "train_seconds": h["train_seconds"], "eval_seconds": h["eval_seconds"],
            "iterations": len(h["loss"]), "evaluations": len(h["iteration"]), "test_acc": h["final_test_acc"]}


def _run_b(run, seed, workdir):
    """The book's train_neuralnet.py, with chainrule's book API (float64, as in the book)."""
    from chainrule.networks import TwoLayerNet

    (x_train, t_train), (x_test, t_test) = _load(normalize=True, one_hot=True)
    network = TwoLayerNet(input_size=INPUT_SIZE, hidden_size=run["hidden"], output_size=N_CLASSES, rng=seed)
    rng = np.random.default_rng(seed)
    iters_num, batch_size, learning_rate = run["iters"], run["batch_size"], run["lr"]
    train_size = x_train.shape[0]
    iter_per_epoch = math.ceil(train_size / batch_size)
    batches = _batches(rng, train_size, batch_size, run["sampling"])
    train_loss_list, train_acc_list, test_acc_list = [], [], []
    start = time.perf_counter()
    train_acc_list.append(network.accuracy(x_train, t_train))
    test_acc_list.append(network.accuracy(x_test, t_test))
    for i in range(1, iters_num + 1):
        batch_mask = next(batches)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]
        grad = network.gradient(x_batch, t_batch)
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= learning_rate * grad[key]
        loss = network.loss(x_batch, t_batch)
        train_loss_list.append(loss)
        if _evaluate_now(i, iter_per_epoch, iters_num):
            train_acc_list.append(network.accuracy(x_train, t_train))
            test_acc_list.append(network.accuracy(x_test, t_test))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "iterations": iters_num, "evaluations": len(test_acc_list),
            "test_acc": test_acc_list[-1]}


def _run_c(run, seed, workdir):
    """PyTorch eager on the CPU, as its tutorials write it; float32, default threads."""
    import torch

    torch.manual_seed(seed)
    (x_train, t_train), (x_test, t_test) = _load(normalize=True)
    x_train, x_test = torch.from_numpy(x_train), torch.from_numpy(x_test)
    t_train, t_test = torch.from_numpy(t_train.astype(np.int64)), torch.from_numpy(t_test.astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(INPUT_SIZE, run["hidden"]), torch.nn.ReLU(),
                                torch.nn.Linear(run["hidden"], N_CLASSES))
    with torch.no_grad():  # the book's initialisation: N(0, 0.01^2) weights, zero biases
        for p in model.parameters():
            if p.ndim == 2:
                p.normal_(0.0, 0.01)
            else:
                p.zero_()
    optimizer = torch.optim.SGD(model.parameters(), lr=run["lr"])
    loss_fn = torch.nn.CrossEntropyLoss()

    def accuracy(x, t):
        with torch.no_grad():
            return (model(x).argmax(dim=1) == t).float().mean().item()

    rng = np.random.default_rng(seed)
    n, iters = x_train.shape[0], run["iters"]
    iter_per_epoch = math.ceil(n / run["batch_size"])
    batches = _batches(rng, n, run["batch_size"], run["sampling"])
    losses, test_acc = [], []
    start = time.perf_counter()
    accuracy(x_train, t_train)
    test_acc.append(accuracy(x_test, t_test))
    for i in range(1, iters + 1):
        idx = torch.from_numpy(next(batches))
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[idx]), t_train[idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if _evaluate_now(i, iter_per_epoch, iters):
            accuracy(x_train, t_train)
            test_acc.append(accuracy(x_test, t_test))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "iterations": iters, "evaluations": len(test_acc), "test_acc": test_acc[-1],
            "note": f"torch {torch.__version__}, {torch.get_num_threads()} threads"}


def _run_d(run, seed, workdir):
    """scikit-learn's MLPClassifier: plain SGD, one partial_fit per epoch (it always shuffles)."""
    import warnings

    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    (x_train, t_train), (x_test, t_test) = _load(normalize=True)
    classes = np.arange(N_CLASSES)
    clf = MLPClassifier(hidden_layer_sizes=(run["hidden"],), activation="relu", solver="sgd",
                        learning_rate="constant", learning_rate_init=run["lr"], momentum=0.0,
                        nesterovs_momentum=False, alpha=0.0, batch_size=run["batch_size"], shuffle=True,
                        random_state=seed)
    rng = np.random.default_rng(seed)
    n, batch, iters = x_train.shape[0], run["batch_size"], run["iters"]
    iter_per_epoch = math.ceil(n / batch)
    done, test_acc = 0, []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        while done < iters:
            k = min(iter_per_epoch, iters - done)
            if k == iter_per_epoch:
                clf.partial_fit(x_train, t_train, classes=classes)
            else:  # the run ends inside an epoch: k more minibatches
                part = rng.choice(n, size=k * batch, replace=False)
                clf.partial_fit(x_train[part], t_train[part], classes=classes)
            done += k
            clf.score(x_train, t_train)
            test_acc.append(clf.score(x_test, t_test))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "iterations": done, "evaluations": len(test_acc), "test_acc": test_acc[-1],
            "note": f"scikit-learn {sklearn.__version__}; Glorot init; no evaluation before training"}


# -- the lower bound for (a) ----------------------------------------------------------------------
def _best_seconds(fn, reps, rounds=5):
    fn()
    best = math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - start) / reps)
    return best


def _gemm_seconds(m, k, n, threads, transpose_a=False, reps=None):
    """Best time of one float32 ``(m, k) @ (k, n)`` product written into a preallocated array."""
    rng = np.random.default_rng(0)
    a = rng.random((k, m) if transpose_a else (m, k), dtype=np.float32)
    a = a.T if transpose_a else a
    b = rng.random((k, n), dtype=np.float32)
    out = np.empty((m, n), dtype=np.float32)
    reps = reps or max(1, int(3e7 / (2 * m * k * n) * 10))
    with threadpool_limits(limits=threads, user_api="blas"):
        return _best_seconds(lambda: np.dot(a, b, out=out), reps)


def _run_bound(run, seed, workdir):
    """Lower bound for (a): its products at measured float32 GEMM speed, plus its data movement."""
    (x_train, _), (x_test, _) = _load(normalize=False)
    B, H, iters, evals = run["batch_size"], run["hidden"], run["iters"], run["evaluations"]
    cpus = os.cpu_count() or 1
    eval_rows = x_train.shape[0] + x_test.shape[0]
    # training: forward x@W1, h@W2; backward h.T@d2, d2@W2.T, x.T@d1 (no input gradient), on 1 thread
    train_shapes = [(B, INPUT_SIZE, H, False), (B, H, N_CLASSES, False), (H, B, N_CLASSES, True),
                    (B, N_CLASSES, H, False), (INPUT_SIZE, B, H, True)]
    train_step = sum(_gemm_seconds(m, k, n, 1, t) for m, k, n, t in train_shapes)
    train_flops = 2 * sum(m * k * n for m, k, n, _ in train_shapes)
    # evaluation: x@W1 and h@W2 in the chunk size that is fastest here, on one thread and on all cores
    best = {}  # threads -> (seconds per row, chunk rows)
    for rows in (1000, 2000, 5000, 10000):
        for threads in sorted({1, cpus}):
            per_row = (_gemm_seconds(rows, INPUT_SIZE, H, threads, reps=3)
                       + _gemm_seconds(rows, H, N_CLASSES, threads, reps=3)) / rows
            if per_row < best.get(threads, (math.inf, 0))[0]:
                best[threads] = (per_row, rows)
    eval_flops_per_row = 2 * (INPUT_SIZE * H + H * N_CLASSES)
    # data movement: a minibatch gathered from uint8 and scaled into a float32 buffer; an evaluation
    # chunk scaled into a float32 buffer
    # (random rows of the whole set, as training draws them: the set does not fit in the caches)
    rng = np.random.default_rng(seed)
    raw, xb = np.empty((B, INPUT_SIZE), np.uint8), np.empty((B, INPUT_SIZE), np.float32)
    idx = rng.integers(0, x_train.shape[0], size=(4096, B))
    scale = np.float32(1 / 255)
    step = iter(range(10**9))

    def gather():
        np.take(x_train, idx[next(step) % 4096], axis=0, out=raw)
        np.multiply(raw, scale, out=xb, casting="unsafe")

    gather_step = _best_seconds(gather, 500)
    rows = best[1][1]
    chunk = np.empty((rows, INPUT_SIZE), np.float32)
    starts = range(0, x_train.shape[0] - rows + 1, rows)

    def convert():
        start = starts[next(step) % len(starts)]
        np.multiply(x_train[start:start + rows], scale, out=chunk, casting="unsafe")

    convert_row = _best_seconds(convert, max(1, 20000 // rows)) / rows
    return {"training products": iters * train_step,
            "minibatch gathers": iters * gather_step,
            "evaluation products, 1 thread": evals * eval_rows * best[1][0],
            f"evaluation products, {cpus} threads": evals * eval_rows * best[cpus][0],
            "evaluation conversions": evals * eval_rows * convert_row,
            "train_gflops": train_flops / train_step / 1e9,
            "eval_gflops": {t: eval_flops_per_row / b[0] / 1e9 for t, b in best.items()},
            "eval_rows": {t: b[1] for t, b in best.items()}, "cpus": cpus,
            "train_gflop": iters * train_flops / 1e9, "eval_gflop": evals * eval_rows * eval_flops_per_row / 1e9}


RUNNERS = {"b": _run_b, "c": _run_c, "d": _run_d, "bound": _run_bound}


# -- the parent: one fresh process per run, medians, the table ------------------------------------
def _child_main(payload):
    result = RUNNERS[payload["name"]](payload["run"], payload["seed"], payload["workdir"])
    print("CHAINRULE-BENCH " + json.dumps(result), flush=True)


def _wait_with_rusage(cmd, workdir):
    """Run ``cmd``; return ``(exit status, stdout, stderr, rusage)`` with that process's own rusage."""
    with tempfile.TemporaryFile("w+", dir=workdir) as out, tempfile.TemporaryFile("w+", dir=workdir) as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        else:  # Windows: no per-process rusage; peak RSS is reported as nan
            proc.wait()
            usage = None
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), usage


def run_one(name, run, seed, workdir):
    """One run of contender ``name`` in a fresh process: its result plus ``peak_rss_mb``."""
    if name == "a":
        out = os.path.join(workdir, f"a-{seed}-{time.monotonic_ns()}")
        cmd = _cli_train_command(run, seed, out)
    else:
        payload = {"name": name, "run": run, "seed": seed, "workdir": workdir}
        cmd = [sys.executable, SCRIPT, "--child", json.dumps(payload)]
    code, stdout, stderr, usage = _wait_with_rusage(cmd, workdir)
    if code != 0:
        raise RuntimeError(f"{CONTENDERS.get(name, name)} failed (exit {code}):\n{stderr.strip()[-3000:]}")
    if name == "a":
        result = _read_history(out)
    else:
        line = [ln for ln in stdout.splitlines() if ln.startswith("CHAINRULE-BENCH ")][-1]
        result = json.loads(line[len("CHAINRULE-BENCH "):])
    if usage is None:
        result["peak_rss_mb"] = math.nan
    else:  # ru_maxrss: KiB on Linux, bytes on macOS
        result["peak_rss_mb"] = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return result


# -- printing ----------------------------------------------------------------------------------------
def _machine_line():
    parts = [f"{os.cpu_count()} CPUs", platform.processor() or platform.machine(),
             f"Python {platform.python_version()}", f"NumPy {np.__version__}"]
    try:
        from threadpoolctl import threadpool_info

        blas = [f"{i['internal_api']} {i['version']}" for i in threadpool_info() if i.get("user_api") == "blas"]
        if blas:
            parts.append("BLAS " + blas[0])
    except ImportError:
        parts.append("no threadpoolctl: BLAS threads not controlled")
    for dist in ("torch", "scikit-learn"):
        version = _version(dist)
        parts.append(f"{dist} {version}" if version else f"no {dist}")
    return ", ".join(parts)


def _version(dist):
    """The installed version of ``dist``, without importing it (the parent process stays small)."""
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _load_average():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def _summary(results):
    secs = [r["seconds"] for r in results]
    return {"median": statistics.median(secs), "min": min(secs), "max": max(secs),
            "iterations": results[0]["iterations"], "evaluations": results[0]["evaluations"],
            "test_acc": statistics.median(r["test_acc"] for r in results),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            "train_seconds": statistics.median(r.get("train_seconds", math.nan) for r in results),
            "eval_seconds": statistics.median(r.get("eval_seconds", math.nan) for r in results),
            "note": results[0].get("note", "")}


def _print_table(rows, ref):
    head = (f"{'contender':<44} {'median s':>8} {'min s':>7} {'max s':>7} {'it/s':>7} {'test acc':>8} "
            f"{'peak RSS':>9} {'vs (a)':>7}")
    print(head)
    print("-" * len(head))
    for label, s in rows:
        ratio = s["median"] / ref["median"] if ref else math.nan
        print(f"{label:<44} {s['median']:>8.2f} {s['min']:>7.2f} {s['max']:>7.2f} "
              f"{s['iterations'] / s['median']:>7.0f} {s['test_acc']:>8.4f} {s['peak_rss_mb']:>6.0f} MB "
              f"{ratio:>6.2f}x")


def _print_bound(bound, a):
    """The lower bounds for (a), from the median of the measurements; returns (1), every product on one thread."""
    m = {k: statistics.median(b[k] for b in bound) for k in bound[0] if isinstance(bound[0][k], float)}
    b0, cpus = bound[0], bound[0]["cpus"]
    # (JSON made the thread counts strings)
    eval_gflops = {int(t): statistics.median(b["eval_gflops"][t] for b in bound) for t in b0["eval_gflops"]}
    eval_rows = {int(t): rows for t, rows in b0["eval_rows"].items()}
    training = m["training products"] + m["minibatch gathers"]
    evaluation_1 = m["evaluation products, 1 thread"] + m["evaluation conversions"]
    evaluation_n = m[f"evaluation products, {cpus} threads"] + m["evaluation conversions"]
    print(f"\nlower bound for (a): its {b0['train_gflop'] + b0['eval_gflop']:.0f} GFLOP of matrix products at the "
          f"float32 GEMM speed NumPy reaches on this machine for the same shapes (best of repeated calls), plus "
          f"its data movement; median of {len(bound)} measurement(s)")
    print(f"  {'training products':<32}{m['training products']:6.2f} s   {b0['train_gflop']:.0f} GFLOP at "
          f"{m['train_gflops']:.0f} GFLOP/s (1 thread, as (a) runs them)")
    print(f"  {'minibatch gathers':<32}{m['minibatch gathers']:6.2f} s   np.take of the minibatch's uint8 rows + "
          "scaling into a float32 buffer")
    for t in sorted(eval_gflops):
        key = f"evaluation products, {t} thread{'s' if t > 1 else ''}"
        print(f"  {key:<32}{m[key]:6.2f} s   {b0['eval_gflop']:.0f} GFLOP at {eval_gflops[t]:.0f} GFLOP/s "
              f"(chunks of {eval_rows[t]} rows, the fastest of 1000-10000)")
    print(f"  {'evaluation conversions':<32}{m['evaluation conversions']:6.2f} s   uint8 -> float32 / 255")
    one = training + evaluation_1
    print(f"  (1) every product on one thread, one phase after the other:                       "
          f"{one:5.2f} s; (a) = {a['median'] / one:.2f}x")
    if cpus > 1:
        many = training + evaluation_n
        overlap = max(training, (training + evaluation_1) / cpus)
        print(f"  (2) evaluation products on {cpus} threads, one phase after the other:                  "
              f"{many:5.2f} s; (a) = {a['median'] / many:.2f}x")
        print(f"  (3) evaluation entirely hidden on the other core(s) while training runs:             "
              f"{overlap:5.2f} s; (a) = {a['median'] / overlap:.2f}x")
    return one


def _print_ratios(summaries, bound_total):
    """Plain facts of this invocation (median against median), next to the project's stated goals."""
    a = summaries.get("a")
    if a is None:
        return
    print("\nratios (median against median, this invocation):")
    if "c" in summaries:
        print(f"  (c) PyTorch takes {summaries['c']['median'] / a['median']:.2f}x the time of (a)")
    if "b" in summaries:
        print(f"  (b) the book's float64 loop takes {summaries['b']['median'] / a['median']:.2f}x the time of (a)")
    if bound_total:
        print(f"  (a) takes {a['median'] / bound_total:.2f}x the lower bound (1), every product on one thread")
    accuracies = ", ".join(f"{CONTENDERS[k][:3]} {summaries[k]['test_acc']:.4f}" for k in "abcd" if k in summaries)
    print(f"  test accuracy: {accuracies} (the book prints 0.967 to 0.971 after {BOOK_RUN['iters']} iterations)")
    print(f"  (a) peak RSS: {a['peak_rss_mb']:.0f} MB")
    print("goals of the project for the full run (10000 iterations, on a quiet machine): (c)/(a) >= 2.5, "
          "(b)/(a) >= 5, (a) within 1.3x of the bound (1), peak RSS < 150 MB")


def _scaling(run, iters, seed, workdir):
    """(a)'s time against the iterations, the hidden size and the batch size (one run each), with a
    straight-line fit of the time per iteration against the FLOPs per iteration."""
    base = dict(run, iters=iters)
    cases = [dict(base, iters=max(iters // 4, 1)), dict(base, iters=max(iters // 2, 1)), base,
             dict(base, iters=2 * iters)]
    cases += [dict(base, hidden=h) for h in (100, 200, 400)]
    cases += [dict(base, batch_size=b) for b in (32, 256)]
    print("\nscaling of (a): one run per row, chainrule train's defaults but for the row's hidden size, batch "
          "size and iterations; train = the updates, eval = the accuracies every epoch (in the background, so "
          "total < train + eval)")
    head = (f"{'hidden':>6} {'batch':>5} {'iters':>6} {'total s':>8} {'train s':>8} {'eval s':>7} "
            f"{'MFLOP/iter':>10} {'us/iter':>8} {'fit us/iter':>11} {'test acc':>8}")
    rows = []
    for case in cases:
        r = run_one("a", case, seed, workdir)
        mflop = 2 * case["batch_size"] * (2 * INPUT_SIZE * case["hidden"] + 3 * case["hidden"] * N_CLASSES) / 1e6
        rows.append((case, r, mflop, r["train_seconds"] / r["iterations"] * 1e6))
    # time per iteration = fixed cost + FLOPs / speed: a straight line through the rows
    slope, intercept = np.polyfit([row[2] for row in rows], [row[3] for row in rows], 1)
    print(head)
    print("-" * len(head))
    for case, r, mflop, per_iter in rows:
        print(f"{case['hidden']:>6} {case['batch_size']:>5} {r['iterations']:>6} {r['seconds']:>8.2f} "
              f"{r['train_seconds']:>8.2f} {r['eval_seconds']:>7.2f} {mflop:>10.1f} {per_iter:>8.0f} "
              f"{intercept + slope * mflop:>11.0f} {r['test_acc']:>8.4f}", flush=True)
    worst = max(abs(per_iter / (intercept + slope * mflop) - 1) for _, _, mflop, per_iter in rows)
    print(f"fit: time per iteration = {intercept:.0f} us + MFLOP / {1e3 / slope:.0f} GFLOP/s; the rows are within "
          f"{worst:.0%} of it (the same time per iteration at every run length: linear in the iterations)")


# -- main ------------------------------------------------------------------------------------------
def build_parser(parser=None):
    """The benchmark's options (added to ``parser`` when given: ``chainrule bench`` uses this)."""
    p = parser or argparse.ArgumentParser(prog="train_speed.py", description=__doc__.split("\n\n")[0],
                                          formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3, help="alternating rounds; the table shows medians (default 3)")
    p.add_argument("--iters", type=int, default=None,
                   help="iterations of every contender (default: chainrule train's, 10000)")
    p.add_argument("--only", default="a,b,c,d",
                   help="contenders to run: a chainrule train, b the book's loop, c PyTorch, d scikit-learn "
                        "(default a,b,c,d)")
    p.add_argument("--scaling-iters", type=int, default=3000,
                   help="iterations of the scaling table's base row (default 3000); 0 skips the table")
    p.add_argument("--quick", action="store_true",
                   help="a quick check: 1 round of 2000 iterations, scaling rows of 600 iterations")
    p.add_argument("--seed", type=int, default=0, help="seed of round 1 (round k uses seed + k - 1)")
    return p


def run_benchmark(args):
    """Run the benchmark described by parsed ``args`` (see :func:`build_parser`) and print its report."""
    defaults = _defaults()
    if args.quick:
        args.repeats, args.iters, args.scaling_iters = 1, args.iters or 2000, min(args.scaling_iters, 600)
    run = dict(defaults, iters=args.iters or defaults["iters"], defaults=dict(defaults))
    wanted = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in CONTENDERS]
    if unknown or args.repeats < 1:
        raise ValueError(f"unknown contenders {unknown}; choose from {list(CONTENDERS)}" if unknown
                         else "--repeats must be at least 1")
    skipped = {key: f"{module} is not installed" for key, module in (("c", "torch"), ("d", "sklearn"))
               if key in wanted and importlib.util.find_spec(module) is None}
    names = [c for c in wanted if c not in skipped]
    # Fetch and cache MNIST once, before any timing, in a child: this process must stay small, because
    # Linux counts a parent's resident memory at fork in its child's peak RSS (ru_maxrss).
    subprocess.run([sys.executable, SCRIPT, "--fetch-data"], check=True)

    print(f"chainrule bench: MNIST, {INPUT_SIZE}-{run['hidden']}-{N_CLASSES} ReLU, SGD lr {run['lr']}, batch "
          f"{run['batch_size']}, {run['iters']} iterations, {run['sampling']} sampling (chainrule train's default), "
          f"train and test accuracy on all 70000 images before training, every epoch and at the end; "
          f"{args.repeats} alternating round(s), each run in a fresh process")
    print(f"machine: {_machine_line()}; load average {_load_average():.2f} at the start")
    for key, why in skipped.items():
        print(f"{CONTENDERS[key]}: skipped ({why})")

    results = {c: [] for c in names}
    bound = []
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as workdir:
        for r in range(args.repeats):
            seed = args.seed + r
            for c in names:
                results[c].append(run_one(c, run, seed, workdir))
                print(f"  round {r + 1}: {CONTENDERS[c]:<44} {results[c][-1]['seconds']:7.2f} s", flush=True)
            if "a" in names:
                bound.append(run_one("bound", dict(run, evaluations=results["a"][-1]["evaluations"]), seed,
                                     workdir))
        print(f"load average {_load_average():.2f} at the end of the rounds\n")
        summaries = {c: _summary(results[c]) for c in names}
        _print_table([(CONTENDERS[c], summaries[c]) for c in names], summaries.get("a"))
        for c in names:
            s = summaries[c]
            extra = (f"; train {s['train_seconds']:.2f} s + evaluation {s['eval_seconds']:.2f} s"
                     if not math.isnan(s["train_seconds"]) else "")
            print(f"  {CONTENDERS[c][:3]} {s['evaluations']} evaluations{extra}{'; ' + s['note'] if s['note'] else ''}")
        bound_total = _print_bound(bound, summaries["a"]) if bound else None
        _print_ratios(summaries, bound_total)
        if args.scaling_iters and "a" in names:
            _scaling(run, args.scaling_iters, args.seed, workdir)
    return 0


def main(argv=None):
    """``python benchmarks/train_speed.py`` (and ``chainrule bench``): parse ``argv`` and run."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--child"]:
        _child_main(json.loads(argv[1]))
        return 0
    if argv[:1] == ["--fetch-data"]:
        _load(normalize=False)
        return 0
    return run_benchmark(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
