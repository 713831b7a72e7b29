"""`chainrule convert`: the book's weight files as chainrule model files, read as weights only.

Without the book's repository, pickles of the book's form (``save_params``: a dict of arrays) are made
here from chainrule's networks; with it (``CHAINRULE_BOOK_REPO``), the book's own files are converted and
the pretrained DeepConvNet is scored on chainrule, through ``chainrule evaluate``, and on the book's own
code, on the same test images.
"""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chainrule import DeepConvNet, MultiLayerNet, SimpleConvNet, TwoLayerNet, cli
from chainrule.io import load, read_metadata
from tests.cli.helpers import one_line_error, run

BOOK_REPO = os.environ.get("CHAINRULE_BOOK_REPO")


def book_pickle(path, network):
    """What the book's save_params writes: pickle.dump of {name: array}."""
    with open(path, "wb") as f:
        pickle.dump({k: np.array(v) for k, v in network.params.items()}, f)
    return path


NETWORKS = {  # (a network, the options that tell it, what convert says it wrote)
    "deepconv": (lambda: DeepConvNet(rng=1), [], "DeepConvNet 1x28x28 -> 10 (float64)"),
    "simpleconv": (lambda: SimpleConvNet(rng=2), [], "SimpleConvNet 1x28x28 -> 10 (float64)"),
    "two-layer": (lambda: TwoLayerNet(784, 50, 10, weight_init_std=0.1, dtype=np.float32, rng=3), [],
                  "TwoLayerNet 784-50-10 (float32)"),
    "sigmoid 3 layers": (lambda: MultiLayerNet(784, [50, 100], 10, activation="sigmoid", dtype=np.float32, rng=4),
                         ["--activation", "sigmoid"], "MultiLayerNet 784-50-100-10 (float32)"),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_convert_gives_the_same_network(name, tmp_path, capsys):
    make, options, described = NETWORKS[name]
    original = make()
    for k in original.params:  # weights unlike any the constructor draws
        original.params[k] = original.params[k] + np.random.default_rng(5).normal(
            0, 0.05, original.params[k].shape).astype(original.dtype)
    source = book_pickle(tmp_path / "params.pkl", original)
    code, out, err = run(capsys, "convert", str(source), str(tmp_path / "model.npz"), *options)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"read {source}: {len(original.params)} arrays (W1 {original.params['W1'].shape}")
    assert lines[0].endswith(") as weights only")
    assert lines[1] == f"wrote {tmp_path / 'model.npz'}: {described}; measure it with: chainrule evaluate " \
                       f"{tmp_path / 'model.npz'}"
    converted = load(tmp_path / "model.npz")
    assert type(converted) is type(original)
    drop = {"weight_init_std"}  # how the weights were first drawn: not in the file
    assert {k: v for k, v in converted.config.items() if k not in drop} == \
        {k: v for k, v in original.config.items() if k not in drop}
    x = np.random.default_rng(6).random((5, *((1, 28, 28) if "conv" in name else (784,))))
    assert np.array_equal(converted.predict(x), original.predict(x))
    meta = read_metadata(tmp_path / "model.npz")["metadata"]
    assert meta == {"kind": "mnist", "converted_from": "params.pkl", "note": "the book's weights, read as weights only"}


def test_convert_refuses_a_pickle_that_names_code_and_writes_nothing(tmp_path, capsys):
    marker = tmp_path / "ran"

    class Canary:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    (tmp_path / "params.pkl").write_bytes(pickle.dumps({"W1": Canary()}))
    code, out, err = run(capsys, "convert", str(tmp_path / "params.pkl"), str(tmp_path / "model.npz"))
    assert code == 1 and out == ""
    assert one_line_error(err) == (f"chainrule: error: {tmp_path / 'params.pkl'}: refused: it names "
                                   f"{os.system.__module__}.system; only NumPy arrays, dicts, lists, tuples, strings "
                                   "and numbers are read from a pickle (anything else could run code)")
    assert not marker.exists() and not (tmp_path / "model.npz").exists()


def test_convert_errors(tmp_path, capsys):
    source = book_pickle(tmp_path / "params.pkl", SimpleConvNet(rng=0))
    out = tmp_path / "model.npz"
    out.write_text("an earlier file")
    code, _, err = run(capsys, "convert", str(source), str(out))
    assert code == 1
    assert one_line_error(err) == f"chainrule: error: {out} already exists (pass --force to replace it)"
    assert out.read_text() == "an earlier file"
    assert run(capsys, "convert", str(source), str(out), "--force")[0] == 0
    code, _, err = run(capsys, "convert", str(source), str(source), "--force")
    assert code == 1 and one_line_error(err) == (f"chainrule: error: {source} is an input: an output never replaces "
                                                 "one of its inputs (choose another name)")
    os.symlink(tmp_path / "elsewhere.npz", tmp_path / "link.npz")
    code, _, err = run(capsys, "convert", str(source), str(tmp_path / "link.npz"), "--force")
    assert code == 1 and "is a symbolic link: chainrule replaces only a regular file" in one_line_error(err)
    with open(tmp_path / "odd.pkl", "wb") as f:
        pickle.dump({"W1": np.ones((3, 4)), "b1": np.ones(4), "gamma1": np.ones(4)}, f)
    code, _, err = run(capsys, "convert", str(tmp_path / "odd.pkl"), str(tmp_path / "o.npz"))
    assert code == 1 and "not the parameters W1, b1, ..., Wn, bn" in one_line_error(err)
    with open(tmp_path / "small.pkl", "wb") as f:  # a SimpleConvNet of 10x10 images: not 28x28
        pickle.dump({"W1": np.ones((4, 1, 3, 3)), "b1": np.ones(4), "W2": np.ones((64, 5)), "b2": np.ones(5),
                     "W3": np.ones((5, 2)), "b3": np.ones(2)}, f)
    code, _, err = run(capsys, "convert", str(tmp_path / "small.pkl"), str(tmp_path / "s.npz"))
    assert code == 1 and "the weights do not fit a simpleconv network" in one_line_error(err)
    assert not (tmp_path / "s.npz").exists()


BOOK_ACCURACY = """
import sys
import numpy as np
sys.path[:0] = [{ch08!r}, {repo!r}]
from deep_convnet import DeepConvNet
data = np.load({images!r})
network = DeepConvNet()
network.load_params({pkl!r})
x = data["x"].astype(np.float32).reshape(-1, 1, 28, 28) / 255.0
print(round(network.accuracy(x, data["t"]) * len(x)))
"""


@pytest.mark.mnist
@pytest.mark.skipif(not BOOK_REPO, reason="set CHAINRULE_BOOK_REPO to a copy of the book's repository")
def test_the_books_deepconvnet_scores_on_chainrule_what_it_scores_on_the_books_code(tmp_path, capsys, monkeypatch,
                                                                                   real_mnist_env):
    n = 2000  # the first test images (the whole set: pytest -m slow, below)
    pkl = Path(BOOK_REPO) / "ch08" / "deep_convnet_params.pkl"
    x, t = real_mnist_env.x_test[:n], real_mnist_env.t_test[:n]
    np.savez(tmp_path / "images.npz", x=x, t=t)
    proc = subprocess.run([sys.executable, "-c", BOOK_ACCURACY.format(
        ch08=str(pkl.parent), repo=BOOK_REPO, images=str(tmp_path / "images.npz"), pkl=str(pkl))],
        capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    book_correct = int(proc.stdout)

    network = DeepConvNet()
    network.load_params(pkl)  # through the weights-only reader
    x_float = x.astype(np.float32).reshape(-1, 1, 28, 28) / 255.0
    assert round(network.accuracy(x_float, t) * n) == book_correct

    monkeypatch.setattr(cli.common, "load_data", lambda kind, data_dir, progress: ((x[:1], t[:1]), (x, t)))
    code, out, err = run(capsys, "convert", str(pkl), str(tmp_path / "deep.npz"))
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", str(tmp_path / "deep.npz"))
    assert code == 0, err
    assert out.splitlines()[1] == f"test accuracy: {book_correct / n:.4f} ({book_correct}/{n} correct)"
    assert book_correct > 0.97 * n
