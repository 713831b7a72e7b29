"""Shared by the tests of the command: a learnable stand-in for MNIST, running ``chainrule`` in-process."""

import importlib.util

import numpy as np

from chainrule import cli

#: The curves need matplotlib (the [plot] extra); without it train saves the rest and says so.
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
CURVES = ["accuracy.png", "loss.png"] if HAVE_MATPLOTLIB else []


def fake_mnist(n_train=1000, n_test=200, seed=0):
    """uint8 'images' of 784 pixels in 10 classes, learnable in a few dozen iterations."""
    rng = np.random.default_rng(seed)
    centres = rng.random((10, 784)) < 0.2
    n = n_train + n_test
    t = rng.integers(0, 10, size=n).astype(np.uint8)
    x = np.where(centres[t] ^ (rng.random((n, 784)) < 0.05), 255, 0).astype(np.uint8)
    return (x[:n_train], t[:n_train]), (x[n_train:], t[n_train:])


def run(capsys, *argv):
    """``chainrule ARGV...`` in this process (paths given as they are): ``(exit code, stdout, stderr)``."""
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("chainrule: error: ")
    assert "Traceback" not in err
    return lines[0]
