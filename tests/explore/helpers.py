"""Shared by test_page.py and test_page_browser.py: a quickly trained MNIST model and
the fixtures (written by chainrule, read by the JavaScript tests in tests/explore/page.test.mjs)."""

from __future__ import annotations

import json

import numpy as np

from chainrule import TwoLayerNet
from chainrule.batchnorm import BatchNormalization
from chainrule.explore import graph_payload, model_payload
from chainrule.functions import softmax
from chainrule.graph import FIGURES, Graph, batch_norm_graph, sigmoid_graph, two_layer_net_graph
from chainrule.networks import MultiLayerNet

CASES = 200  # random inputs per book graph


def train_quick_model(mnist, iters=1500, seed=0):
    """A float32 TwoLayerNet 784-50-10 trained by plain SGD on the real MNIST (about 94% test accuracy)."""
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(784, 50, 10, dtype=np.float32, rng=rng)
    x = mnist.x_train.reshape(len(mnist.x_train), -1)
    scale = np.float32(1 / 255)
    for _ in range(iters):
        idx = rng.integers(0, len(x), 100)
        grads = net.gradient(x[idx].astype(np.float32) * scale, mnist.t_train[idx])
        for k in net.params:
            net.params[k] -= np.float32(0.1) * grads[k]
    return net


def apple_with(apple, apple_num, tax):
    g = Graph()
    a, n, t = g.input(apple, name="apple"), g.input(apple_num, name="apple_num"), g.input(tax, name="tax")
    price = a * n * t
    price.name = "price"
    price.backward()
    return g


def apple_orange_with(apple, apple_num, orange, orange_num, tax):
    g = Graph()
    a, an = g.input(apple, name="apple"), g.input(apple_num, name="apple_num")
    o, on = g.input(orange, name="orange"), g.input(orange_num, name="orange_num")
    t = g.input(tax, name="tax")
    price = (a * an + o * on) * t
    price.name = "price"
    price.backward()
    return g


def random_graphs(rng):
    """``{figure: [Graph after backward, ...]}``: CASES random inputs per book graph, built by chainrule."""
    count = lambda: int(rng.integers(0, 25)) if rng.random() < 0.5 else float(rng.uniform(0, 25))  # noqa: E731
    xs = [*rng.uniform(-30, 30, CASES - 6), -700.0, -40.0, 0.0, 1e-9, 40.0, 700.0]
    return {
        "apple": [apple_with(rng.uniform(-500, 500), count(), rng.uniform(0.5, 2)) for _ in range(CASES)],
        "apple-orange": [apple_orange_with(rng.uniform(-500, 500), count(), rng.uniform(-500, 500), count(),
                                       rng.uniform(0.5, 2)) for _ in range(CASES)],
        "sigmoid": [sigmoid_graph(float(x)) for x in xs],
        "two-layer-net": [two_layer_net_graph(rng=int(s)) for s in rng.integers(0, 2**31, CASES)],
        "batch-norm": [batch_norm_graph(rng.normal(0, 10, (3, 2)) * rng.uniform(0.01, 1), rng.normal(1, 1, 2),
                                        rng.normal(0, 1, 2), rng.normal(0, 1, (3, 2))) for _ in range(CASES)],
    }


def _flat(x):
    return None if x is None else np.asarray(x, dtype=np.float64).ravel().tolist()


def graph_fixtures(rng):
    """The book's figures as the page embeds them, and per random case its leaves and chainrule's results."""
    out = {}
    for name, graphs in random_graphs(rng).items():
        figure = graph_payload(FIGURES[name](), name)
        cases = []
        for g in graphs:
            p = graph_payload(g, name)
            same = [(n["op"], n["sources"], n["output"]) for n in p["nodes"]] == \
                   [(n["op"], n["sources"], n["output"]) for n in figure["nodes"]]
            assert same and [v["name"] for v in p["values"]] == [v["name"] for v in figure["values"]], name
            root = g.nodes[-1].output
            case = {
                "leaves": {i: _flat(v.data) for i, v in enumerate(g.values) if v.node is None},
                "seed": _flat(root.grad),
                "values": [_flat(v.data) for v in g.values],
                "grads": [_flat(v.grad) for v in g.values],
                "edges": [[_flat(e) for e in node.grads] for node in g.nodes],
            }
            if name == "batch-norm":  # the layer's own backward, beside the graph's
                bn = BatchNormalization(g["gamma"].data.copy(), g["beta"].data.copy())
                bn.forward(g["x"].data, train_flg=True)
                case["layer"] = {"dx": _flat(bn.backward(root.grad)), "dgamma": _flat(bn.dgamma),
                                 "dbeta": _flat(bn.dbeta)}
            cases.append(case)
        out[name] = {"graph": figure, "cases": cases}
    return out


def network_fixture(net, images, labels):
    """The network as the page embeds it, and per image chainrule's activations, softmax, loss and d loss / d x."""
    payload = model_payload(net)
    cases = []
    for img, t in zip(images, labels, strict=True):
        x = img.reshape(1, -1).astype(net.dtype) * net.dtype.type(1 / 255)  # as `chainrule predict`
        acts, h = [], x
        for layer in net.layers.values():
            h = layer.forward(h)
            acts.append(_flat(h))
        label = int(t)
        loss = net.lastLayer.forward(h, np.array([label]))
        dout = net.lastLayer.backward(1)
        for layer in reversed(net.layers.values()):
            dout = layer.backward(dout)
        cases.append({"pixels": img.tolist(), "label": label, "acts": acts, "scores": _flat(h),
                      "probs": _flat(softmax(net.predict(x))), "loss": float(loss), "dx": _flat(dout)})
    return {"model": payload, "cases": cases}


def digit_pictures(mnist_images, rng):
    """Grey pictures of digits as people make them: strokes on paper or screen, MNIST digits scaled up."""
    from PIL import Image, ImageDraw

    pictures = []
    for k in range(8):
        w, h = (280, 280) if k < 5 else (int(rng.integers(60, 400)), int(rng.integers(60, 400)))
        paper = k % 2 == 0  # dark ink on light paper, or light ink on a dark screen
        im = Image.new("L", (w, h), 235 if paper else 10)
        draw = ImageDraw.Draw(im)
        pts = [(float(rng.uniform(0.15, 0.85) * w), float(rng.uniform(0.15, 0.85) * h)) for _ in range(4)]
        draw.line(pts, fill=20 if paper else 250, width=int(rng.integers(3, 25)), joint="curve")
        pictures.append(np.asarray(im))
    pictures.append(np.zeros((280, 280), np.uint8))  # blank: an error
    tiny = np.zeros((280, 280), np.uint8)
    tiny[140:146, 100:103] = 255  # smaller than 20 px: scaled up
    pictures.append(tiny)
    for img in mnist_images:
        im = Image.fromarray(255 - img).resize((280, 280), Image.Resampling.BILINEAR)
        pictures.append(np.asarray(im))
    return pictures


def digit_fixtures(pictures, tmp_path):
    """Per picture: its grey levels and what ``datasets.read_digit`` makes of it (or its error)."""
    from PIL import Image

    from chainrule.datasets import read_digit

    out = []
    for i, gray in enumerate(pictures):
        path = tmp_path / f"digit{i}.png"
        Image.fromarray(gray).save(path)
        try:
            expected, error = read_digit(path).ravel().tolist(), None
        except ValueError as exc:
            expected, error = None, str(exc)
        out.append({"w": gray.shape[1], "h": gray.shape[0], "gray": gray.ravel().tolist(),
                    "expected": expected, "error": error})
    return out


def write_fixtures(path, *, net, images, labels, mnist_images, tmp_path, seed=0, net_name="trained 784-50-10"):
    """Everything the JavaScript tests compare against, as one JSON file."""
    rng = np.random.default_rng(seed)
    sig = MultiLayerNet(784, [20, 20], 10, activation="sigmoid", dtype=np.float32, rng=seed)
    data = {
        "graphs": graph_fixtures(rng),
        "networks": {net_name: network_fixture(net, images, labels),
                     "sigmoid 784-20-20-10": network_fixture(sig, images[:10], labels[:10])},
        "digits": digit_fixtures(digit_pictures(mnist_images, rng), tmp_path),
    }
    path.write_text(json.dumps(data))
    return path


def node_tests(script, env, tmp_path):
    """``node --test script`` with ``env`` added; fails with node's output, returns the report it wrote (a dict)."""
    import os
    import shutil
    import subprocess

    import pytest

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs): the page's JavaScript cannot be tested")
    report = tmp_path / f"{script.stem}-report.json"
    run = subprocess.run([node, "--test", str(script)], capture_output=True, text=True, timeout=900,
                         env={**os.environ, **env, "EXPLORE_REPORT": str(report)})
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    summary = json.loads(report.read_text())
    print("\n" + json.dumps(summary, indent=1))
    return summary
