"""The page's chapter 6 (explore_chapter6.js) against chainrule and NumPy.

Python writes the numbers (this module); ``node --test chapter6.test.mjs`` compares: the optimizers'
paths on ``x**2 / 20 + y**2`` (the book's ch06/optimizer_compare_naive.py, run with chainrule's
optimizers) to 1e-12, and the activation histograms of ch06/weight_init_activation_histogram.py
(computed by NumPy on the same random numbers) with ``np.histogram``'s counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from chainrule.functions import sigmoid
from chainrule.optimizers import OPTIMIZERS
from tests.explore.helpers import node_tests

JS_TESTS = Path(__file__).resolve().parent
BOOK = {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "adam": 0.3}


def chainrule_path(name, lr, x0, y0, steps):
    """The book's loop: params and grads as dicts of Python floats, chainrule's optimizer updates them."""
    optimizer = OPTIMIZERS[name](lr=lr)
    params, points = {"x": x0, "y": y0}, [[x0, y0]]
    for _ in range(steps):
        grads = {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}
        optimizer.update(params, grads)
        points.append([params["x"], params["y"]])
    return points


def init_cases(rng):
    """The book's five layers of 100 units on 1000 random inputs, for each activation and weight scale."""
    x, draws = rng.standard_normal((1000, 100)), [rng.standard_normal((100, 100)) for _ in range(5)]
    scales = {"1": lambda w: w * 1, "0.01": lambda w: w * 0.01, "xavier": lambda w: w / np.sqrt(100),
              "he": lambda w: w / np.sqrt(100 / 2.0)}
    acts = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda a: np.maximum(0, a)}
    cases = []
    for activation, act in acts.items():
        for std, scale in scales.items():
            h, layers = x, []
            lo_hi = (-1.0, 1.0) if activation == "tanh" else (0.0, 1.0)
            for d in draws:
                h = act(np.dot(h, scale(d)))
                layers.append({"sum": float(h.sum()), "sum2": float((h * h).sum()), "head": h.ravel()[:200].tolist(),
                               "counts": np.histogram(h.ravel(), 30, range=lo_hi)[0].tolist()})
            cases.append({"activation": activation, "std": std, "range": list(lo_hi), "layers": layers})
    return {"x": {"shape": list(x.shape), "data": x.ravel().tolist()}, "draws": [d.ravel().tolist() for d in draws],
            "cases": cases}


def test_optimizer_paths_and_activation_histograms_equal_chainrules(tmp_path):
    rng = np.random.default_rng(6)
    paths = []
    for name in OPTIMIZERS:
        for _ in range(20):
            lr = float(rng.uniform(0.01, 2.0)) if name != "sgd" else float(rng.uniform(0.01, 1.0))
            start = [float(rng.uniform(-10, 10)), float(rng.uniform(-5, 5))]
            paths.append({"optimizer": name, "lr": lr, "start": start, "points": chainrule_path(name, lr, *start, 50)})
    fixtures = {"paths": paths, "book": {k: chainrule_path(k, lr, -7.0, 2.0, 30) for k, lr in BOOK.items()},
                "init": init_cases(rng)}
    path = tmp_path / "chapter6.json"
    path.write_text(json.dumps(fixtures))
    summary = node_tests(JS_TESTS / "chapter6.test.mjs", {"EXPLORE_CHAPTER6": str(path)}, tmp_path)
    assert summary["paths"]["runs"] == 120 and summary["paths"]["steps"] == 50
    assert set(summary["paths"]["max_diff"]) == set(OPTIMIZERS) and max(summary["paths"]["max_diff"].values()) <= 1e-12
    assert summary["init"]["cases"] == 12 and summary["init"]["max_diff"] <= 1e-10
    assert summary["init"]["counted"] > 12 * 5 * 30_000  # most outputs fall inside the book's ranges
