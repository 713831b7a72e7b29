"""Shared by the tests of chainrule.train: a small learnable data set and a small float32 network."""

import numpy as np

from chainrule import TwoLayerNet


def blobs(n=400, d=20, c=4, seed=0, noise=0.15):
    """A learnable stand-in for MNIST: ``c`` classes around random centres, as uint8 pixels."""
    rng = np.random.default_rng(seed)
    centres = rng.random((c, d))
    t = rng.integers(0, c, size=n)
    x = np.clip(centres[t] + noise * rng.standard_normal((n, d)), 0, 1)
    return np.round(x * 255).astype(np.uint8), t


def net32(seed=0, d=20, c=4):
    return TwoLayerNet(d, 16, c, weight_init_std=0.1, dtype=np.float32, rng=seed)
