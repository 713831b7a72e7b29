"""chainrule explore: the page's data, the command, its errors, and the page's math against chainrule's.

The math is checked in JavaScript: these tests write fixtures (chainrule's own numbers for
random inputs) and run ``node --test`` on them; see tests/explore/page.test.mjs.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from chainrule import TwoLayerNet
from chainrule.cli import main
from chainrule.explore import graph_payload, page_html
from chainrule.explore.page import MAX_VALUE_SIZE
from chainrule.graph import FIGURES, Graph, apple_orange_graph, two_layer_net_graph
from chainrule.io import load, save
from tests import ROOT
from tests.explore.helpers import node_tests, train_quick_model, write_fixtures

NODE = shutil.which("node")
JS_TESTS = Path(__file__).resolve().parent


def page_data(text):
    """The JSON the page embeds."""
    m = re.search(r'<script type="application/json" id="explore-data">(.*?)</script>', text, re.S)
    assert m, "the page has no embedded data"
    return json.loads(m.group(1).replace("<\\/", "</"))


@pytest.fixture(scope="session")
def trained_model(real_mnist, tmp_path_factory):
    """A 784-50-10 float32 model trained briefly on the real MNIST, saved as model.npz (path)."""
    path = tmp_path_factory.getbasetemp() / "explore-model.npz"
    if not path.exists():
        save(train_quick_model(real_mnist), path, metadata={"kind": "mnist"})
    return path


# -- the data the page embeds --------------------------------------------------------------

def test_apple_orange_payload_holds_the_books_numbers():
    p = graph_payload(apple_orange_graph(), "apple-orange")
    assert [n["op"] for n in p["nodes"]] == ["mul", "mul", "add", "mul"]
    assert p["computable"] is True
    values = {v["name"]: v for v in p["values"] if v["name"]}
    assert p["values"][p["root"]]["name"] == "price"
    assert values["price"]["data"] == [pytest.approx(715)] and p["seed"] == [1.0]
    grads = [values[k]["grad"][0] for k in ("apple", "apple_num", "orange", "orange_num", "tax")]
    assert grads == pytest.approx([2.2, 110, 3.3, 165, 650])
    # the tax node's edge from the sum carries 1 x 1.1: the "x 1.1" of the book's figure
    assert p["nodes"][3]["grads"][0] == pytest.approx([1.1])


def test_two_layer_net_payload_is_a_graph_of_layers():
    p = graph_payload(two_layer_net_graph(), "two-layer-net")
    assert [n["op"] for n in p["nodes"]] == ["affine", "relu", "affine", "softmaxloss"]
    names = [v["name"] for v in p["values"] if v["leaf"]]
    assert names == ["x", "t", "W1", "b1", "W2", "b2"]
    assert p["values"][p["root"]]["name"] == "L" and p["values"][p["root"]]["shape"] == []
    assert p["nodes"][3]["grads"][1] is None  # the labels get no gradient


def test_large_values_are_shown_by_shape_and_not_recomputed():
    net = TwoLayerNet(784, 50, 10, rng=0)
    g = Graph()
    g.trace_loss(net, np.random.default_rng(0).random((3, 784)), np.array([1, 2, 3])).backward()
    p = graph_payload(g, "big")
    w1 = next(v for v in p["values"] if v["name"] == "W1")
    assert w1["shape"] == [784, 50] and w1["data"] == w1["grad"] == "omitted" and 784 * 50 > MAX_VALUE_SIZE
    t = next(v for v in p["values"] if v["name"] == "t")
    assert t["grad"] is None  # no gradient at all, which is not the same as too large to show
    assert p["computable"] is False


def test_graph_payload_errors():
    with pytest.raises(TypeError, match="expected a chainrule.graph.Graph; got list"):
        graph_payload([], "x")
    with pytest.raises(ValueError, match="no nodes"):
        graph_payload(Graph(), "x")


def test_page_is_self_contained_and_script_safe():
    g = Graph()
    x = g.input(2.0, name="</script><b>x")
    y = x * 3
    y.name = "y"
    y.backward()
    text = page_html(graphs=[graph_payload(g, "mine")])
    assert text.count("</script>") == 2  # the data's own "</script" cannot close its element
    assert page_data(text)["graphs"][0]["values"][0]["name"] == "</script><b>x"
    code = text.replace("'http://www.w3.org/2000/svg'", "")  # the SVG namespace: a name, not an address
    for remote in ("http://", "https://", " src=", "<link", "@import", "fetch(", "XMLHttpRequest"):
        assert remote not in code, f"the page refers to something outside itself: {remote}"
    assert re.findall(r"url\((?!#)", code) == []  # only references inside the page, like url(#arrow)


@pytest.mark.parametrize("name", ["<!--<script>", "</script><!--<script>x", "<!-- a -->", "a</SCRIPT >b"])
def test_every_embedded_string_is_escaped_for_the_script_context(name):
    """A name with "<!--<script>" would put the HTML parser in its double-escaped state (a blank page)."""
    g = Graph()
    x = g.input(2.0, name=name)
    y = x * 3
    y.name = name + "y"
    y.backward()
    text = page_html(graphs=[graph_payload(g, name, title=name)], title=name)
    data = re.search(r'<script type="application/json" id="explore-data">(.*?)</script>', text, re.S).group(1)
    assert "<" not in data and ">" not in data  # nothing in the data can open, close or comment a tag
    assert text.count("<script") == 2 and text.count("</script>") == 2 and "<!--" not in text
    payload = page_data(text)["graphs"][0]
    assert payload["title"] == name and [v["name"] for v in payload["values"]][0] == name


# -- Graph.to_html and Jupyter -------------------------------------------------------------

def test_graph_to_html_and_jupyter_display(tmp_path):
    g = Graph()
    a, b = g.input(3.0, name="a"), g.input(4.0, name="b")
    c = a * b + a
    c.name = "c"
    c.backward()
    path = g.to_html(tmp_path / "mine.html")
    data = page_data(path.read_text())
    assert [n["op"] for n in data["graphs"][0]["nodes"]] == ["mul", "add"]
    grads = {v["name"]: v["grad"] for v in data["graphs"][0]["values"] if v["name"]}
    assert grads == {"a": [5.0], "b": [3.0], "c": [1.0]}
    shown = g._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "explore-data" in html.unescape(shown)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        g.to_html(tmp_path / "missing" / "mine.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.html"]


# -- the command ---------------------------------------------------------------------------

def test_explore_figure_page(tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["explore", "sigmoid", "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"wrote {out} (") and line.endswith("kB): the book's figures, sigmoid first")
    data = page_data(out.read_text())
    assert data["initial"] == "sigmoid" and [g["name"] for g in data["graphs"]] == list(FIGURES)
    assert data["views"] == ["optimizers", "weight-init"]
    assert data["model"] is None


@pytest.mark.mnist
def test_explore_model_page_size_and_images(trained_model, real_mnist_env, tmp_path, capsys):
    out = tmp_path / "model.html"
    assert main(["explore", str(trained_model), "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert "TwoLayerNet 784-50-10 (float32), 10 MNIST test images" in line
    size = out.stat().st_size
    print(f"\nexplore page with a 784-50-10 model and 10 test images: {size} bytes")
    assert size < 2_000_000
    data = page_data(out.read_text())
    model = data["model"]
    assert [im["label"] for im in model["images"]] == list(range(10))  # one of each digit
    first = np.frombuffer(base64.b64decode(model["images"][0]["pixels"]), dtype=np.uint8)
    zero = real_mnist_env.x_test[np.flatnonzero(real_mnist_env.t_test == 0)[0]].ravel()
    np.testing.assert_array_equal(first, zero)
    net = load(trained_model)
    b2 = np.frombuffer(base64.b64decode(model["layers"][2]["b"]), dtype="<f4")
    np.testing.assert_array_equal(b2, net.params["b2"])


def test_explore_model_without_mnist_says_so_and_embeds_no_images(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    model = save(TwoLayerNet(784, 50, 10, dtype=np.float32, rng=0), tmp_path / "model.npz")
    out = tmp_path / "page.html"
    assert main(["explore", str(model), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "0 MNIST test images" in captured.out
    assert captured.err.splitlines() == [
        "chainrule: warning: MNIST is not on this computer, so the page has no test images to start from "
        "(run 'chainrule data' to get it); draw a digit instead"]
    data = page_data(out.read_text())
    assert data["model"]["images"] == [] and "draw a digit instead" in data["model"]["note"]


def _bad_model(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    return tmp_path / "other.npz"


def _small_model(tmp_path):
    return save(TwoLayerNet(10, 5, 3, rng=0), tmp_path / "small.npz")


def _colour_convnet(tmp_path):
    from chainrule import SimpleConvNet

    conv = {"filter_num": 2, "filter_size": 5, "pad": 0, "stride": 1}
    return save(SimpleConvNet((3, 28, 28), conv, hidden_size=4, rng=0), tmp_path / "colour.npz")


def _large_convnet(tmp_path):
    from chainrule import SimpleConvNet

    conv = {"filter_num": 2, "filter_size": 5, "pad": 0, "stride": 1}
    return save(SimpleConvNet((1, 32, 32), conv, hidden_size=4, rng=0), tmp_path / "large.npz")


@pytest.mark.parametrize(("make_args", "message"), [
    (lambda d: [str(_bad_model(d)), "--out", str(d / "page.html")],
     r"other\.npz has no chainrule metadata .*: it was not written by chainrule\.io\.save$"),
    (lambda d: [str(d / "notes.txt"), "--out", str(d / "page.html")],
     r"notes\.txt is not a chainrule model file \(it is not an \.npz archive\)"),
    (lambda d: ["banana", "--out", str(d / "page.html")],
     r"unknown figure 'banana': choose one of apple, apple-orange, sigmoid, two-layer-net, batch-norm, "
     r"optimizers, weight-init, or give a model file \(\.npz\)$"),
    (lambda d: ["apple", "--out", str(d / "missing" / "page.html")],
     r"cannot write .*page\.html: directory .*missing does not exist$"),
    (lambda d: [str(_small_model(d)), "--out", str(d / "page.html")],
     r"small\.npz holds a TwoLayerNet 10-5-3 \(float64\): the page draws 28x28 grey digits; this network takes 10 "
     r"inputs; evaluate and predict can use it$"),
    (lambda d: [str(d / "gone.npz"), "--out", str(d / "page.html")], r"model file not found: .*gone\.npz$"),
    (lambda d: [str(_colour_convnet(d)), "--out", str(d / "page.html")],
     r"colour\.npz holds a SimpleConvNet 3x28x28 -> 10 \(float64\): the page draws 28x28 grey digits; this network "
     r"takes 3x28x28 inputs; evaluate and predict can use it$"),
    (lambda d: [str(_large_convnet(d)), "--out", str(d / "page.html")],
     r"large\.npz holds a SimpleConvNet 1x32x32 -> 10 \(float64\): the page draws 28x28 grey digits; this network "
     r"takes 1x32x32 inputs; evaluate and predict can use it$"),
])
def test_explore_bad_input_is_one_clear_line_and_writes_nothing(tmp_path, capsys, make_args, message):
    (tmp_path / "notes.txt").write_text("not a model")
    args = make_args(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["explore", *args]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("chainrule: error: "), captured.err
    assert re.search(message, lines[0]), lines[0]
    assert captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, no temporary left


# -- the page's JavaScript against chainrule ------------------------------------------------

def run_node_tests(fixtures, tmp_path):
    """``node --test page.test.mjs`` on ``fixtures``; fails with node's output, returns its summary of differences."""
    summary = node_tests(JS_TESTS / "page.test.mjs", {"EXPLORE_FIXTURES": str(fixtures)}, tmp_path)
    assert summary["chain"] == {"nodes": 100000, "cols": 100002}
    assert summary["batch-norm layer"]["cases"] == 200 and summary["batch-norm layer"]["max_diff"] <= 1e-12
    for name in FIGURES:
        assert summary[f"graph {name}"]["cases"] == 200
        assert summary[f"graph {name}"]["max_diff"] <= 1e-12
    return summary


@pytest.mark.mnist
def test_javascript_math_equals_chainrule(trained_model, real_mnist, tmp_path):
    """The book's graphs to 1e-12; 50 MNIST images through a trained float32 784-50-10 to 1e-5; digits exactly."""
    pytest.importorskip("PIL", reason="read_digit reads the digit pictures with Pillow (chainrule[image])")
    fixtures = write_fixtures(tmp_path / "fixtures.json", net=load(trained_model),
                              images=real_mnist.x_test[:50].reshape(50, -1), labels=real_mnist.t_test[:50],
                              mnist_images=real_mnist.x_test[50:55], tmp_path=tmp_path)
    summary = run_node_tests(fixtures, tmp_path)
    trained = summary["network trained 784-50-10"]
    assert trained["images"] == 50 and max(trained["max_diff"].values()) <= 1e-5
    assert summary["digits"] == {"pictures": 15, "differing_pixels": 0}


def test_javascript_math_equals_chainrule_without_mnist(tmp_path):
    """The same comparisons where MNIST is missing: an untrained network on random pixels, drawn digits only."""
    pytest.importorskip("PIL", reason="read_digit reads the digit pictures with Pillow (chainrule[image])")
    rng = np.random.default_rng(5)
    net = TwoLayerNet(784, 50, 10, weight_init_std=0.1, dtype=np.float32, rng=rng)
    images = rng.integers(0, 256, (50, 784), dtype=np.uint8)
    fixtures = write_fixtures(tmp_path / "fixtures.json", net=net, images=images, labels=rng.integers(0, 10, 50),
                              mnist_images=[], tmp_path=tmp_path, net_name="untrained 784-50-10")
    summary = run_node_tests(fixtures, tmp_path)
    assert max(summary["network untrained 784-50-10"]["max_diff"].values()) <= 1e-5
    assert summary["digits"] == {"pictures": 10, "differing_pixels": 0}


def test_javascript_has_no_syntax_error_and_no_closing_script_tag():
    if NODE is None:
        pytest.skip("node is not installed (apt-get install nodejs): the page's JavaScript cannot be checked")
    js = ROOT / "src" / "chainrule" / "explore" / "explore.js"
    run = subprocess.run([NODE, "--check", str(js)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "</script" not in js.read_text().lower()
