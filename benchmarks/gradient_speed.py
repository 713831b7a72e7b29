"""Backpropagation against numerical differentiation, as chapter 5 measures it.

``TwoLayerNet(784, 50, 10)`` in float64 on 3 MNIST training images (random images of
the same shape when MNIST cannot be loaded): the time of ``network.gradient`` (median
of many calls) against ``network.numerical_gradient`` (two forward passes for each of
the 39,760 parameters), their ratio (the book measures about 42,000), and the mean
absolute difference of the two gradients for each parameter (the book: 1e-13 to 1e-10).

    python benchmarks/gradient_speed.py [--repeats 3] [--samples 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from chainrule import TwoLayerNet


def data(samples):
    try:
        from chainrule.datasets import load_mnist

        (x, t), _ = load_mnist(normalize=True, one_hot_label=True, dtype=np.float64, progress=False)
        return x[:samples], t[:samples], "MNIST"
    except Exception as exc:  # no data: the same shapes at random
        rng = np.random.default_rng(0)
        return rng.random((samples, 784)), np.eye(10)[rng.integers(0, 10, samples)], f"random data ({exc})"


def median_seconds(fn, min_total=0.5):
    """Median time of one call, over enough calls to last ``min_total`` seconds (at least 5)."""
    times = []
    start = time.perf_counter()
    while len(times) < 5 or time.perf_counter() - start < min_total:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="numerical gradients to time (default 3)")
    parser.add_argument("--samples", type=int, default=3, help="images in the batch (default 3, as the book)")
    args = parser.parse_args(argv)

    x, t, source = data(args.samples)
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, rng=0)
    n_params = sum(p.size for p in network.params.values())
    print(f"TwoLayerNet(784, 50, 10), float64, {n_params} parameters, batch of {len(x)} from {source}")

    backprop = median_seconds(lambda: network.gradient(x, t))
    numeric_times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        grad_numerical = network.numerical_gradient(x, t)
        numeric_times.append(time.perf_counter() - t0)
    numerical = statistics.median(numeric_times)
    grad_backprop = network.gradient(x, t)

    print(f"backprop  gradient:           {backprop * 1e6:10.1f} us (median)")
    print(f"numerical_gradient:           {numerical:10.3f} s  (median of {args.repeats})")
    print(f"backprop is {numerical / backprop:,.0f} times faster (the book: about 42,000)")
    print("mean |backprop - numerical| per parameter (the book: 1e-13 to 1e-10):")
    for key in grad_numerical:
        print(f"  {key}: {np.average(np.abs(grad_backprop[key] - grad_numerical[key])):.3e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
