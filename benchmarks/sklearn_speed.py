"""chainrule.sklearn.MLPClassifier against scikit-learn's own MLPClassifier on the book's run.

Both estimators make the same run through the same API (``fit``, then ``score``): MNIST
(real, through ``load_mnist``) as float32 pixels / 255, 784-50-10 with ReLU, plain SGD with
learning rate 0.1 (scikit-learn: no momentum, constant rate), minibatches of 100, no L2,
17 epochs of 600 minibatches (10200 iterations, the book's 10000 rounded to whole epochs),
shuffled every epoch, no early stop. Each fit is a fresh process and the rounds alternate
the two, so a slow minute of the machine hits both. Prints the median fit time, seconds
per epoch, the time to predict the 10000 test images and every round's test accuracy.

    python benchmarks/sklearn_speed.py              # 3 alternating rounds, a few minutes
    python benchmarks/sklearn_speed.py --quick      # 1 round of 2 epochs: a sanity check
    python benchmarks/sklearn_speed.py --rounds 5 --dtype float64
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

CONTENDERS = {"chainrule": "chainrule.sklearn.MLPClassifier", "sklearn": "sklearn.neural_network.MLPClassifier"}


def estimator(name, epochs, dtype, seed):
    common = dict(hidden_layer_sizes=(50,), activation="relu", solver="sgd", learning_rate_init=0.1, batch_size=100,
                  alpha=0.0, max_iter=epochs, n_iter_no_change=epochs + 1, random_state=seed)
    if name == "chainrule":
        from chainrule.sklearn import MLPClassifier

        return MLPClassifier(**common, dtype=dtype)
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(**common, momentum=0.0, nesterovs_momentum=False, learning_rate="constant", shuffle=True)


def child(name, epochs, dtype, seed):
    """One fit and one evaluation in this process; print a JSON line."""
    from sklearn.exceptions import ConvergenceWarning

    from chainrule import load_mnist

    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False, flatten=True, progress=False)
    scale = np.dtype(dtype).type(1 / 255)
    x_train = x_train.astype(dtype) * scale
    x_test = x_test.astype(dtype) * scale
    clf = estimator(name, epochs, dtype, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(x_train, t_train)
        fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    pred = clf.predict(x_test)
    predict_seconds = time.perf_counter() - start
    print(json.dumps({"fit": fit_seconds, "predict": predict_seconds, "epochs": int(clf.n_iter_),
                      "test_acc": float(np.mean(pred == t_test))}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--epochs", type=int, default=17, help="epochs per fit (default 17: the book's run)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--quick", action="store_true", help="1 round of 2 epochs")
    parser.add_argument("--child", choices=list(CONTENDERS), help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.epochs = 1, 2
    if args.child:
        child(args.child, args.epochs, args.dtype, args.seed)
        return 0

    import sklearn

    import chainrule

    print(f"the book's run as an estimator: 784-50-10 ReLU, SGD lr 0.1, batch 100, {args.epochs} epochs, "
          f"{args.dtype}; {args.rounds} alternating round(s), each fit a fresh process")
    print(f"chainrule {chainrule.__version__}, scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
          f"python {sys.version.split()[0]}")
    results = {name: [] for name in CONTENDERS}
    for r in range(args.rounds):
        for name in CONTENDERS:
            cmd = [sys.executable, __file__, "--child", name, "--epochs", str(args.epochs), "--dtype", args.dtype,
                   "--seed", str(r)]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{name} failed:\n{out.stderr}", file=sys.stderr)
                return 1
            results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
            last = results[name][-1]
            print(f"  round {r + 1}: {name:<9} fit {last['fit']:6.1f} s, test accuracy {last['test_acc']:.4f}",
                  flush=True)
    print()
    print(f"{'estimator':<40} {'fit s (median)':>14} {'s/epoch':>8} {'predict s':>9}  test accuracy")
    for name, rows in results.items():
        fit = statistics.median(row["fit"] for row in rows)
        predict = statistics.median(row["predict"] for row in rows)
        accs = ", ".join(f"{row['test_acc']:.4f}" for row in rows)
        print(f"{CONTENDERS[name]:<40} {fit:14.1f} {fit / rows[0]['epochs']:8.2f} {predict:9.3f}  {accs}")
    ratio = statistics.median(r["fit"] for r in results["sklearn"]) / statistics.median(
        r["fit"] for r in results["chainrule"])
    print(f"scikit-learn's fit takes {ratio:.2f}x chainrule's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
