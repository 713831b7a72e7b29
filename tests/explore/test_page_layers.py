"""The page's layers of chapters 6-8 (explore_layers.js) against chainrule's, on real MNIST.

Python writes chainrule's numbers (tests/explore/models.py); ``node --test layers.test.mjs`` compares:
each layer of a trained SimpleConvNet, DeepConvNet and MultiLayerNetExtend (Batch Normalization,
Dropout) forward and backward on 50 test images to 1e-5 (float32 networks); and the networks one
image at a time as the page runs them (in float64 with the float32 weights): the float32 network's
softmax and prediction to 1e-5, every layer's output and gradient to 1e-9 against its float64 copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.explore.helpers import node_tests
from tests.explore.models import layer_fixtures

JS_TESTS = Path(__file__).resolve().parent


@pytest.mark.mnist
def test_every_new_layer_forward_and_backward_equals_chainrule(trained_models, real_mnist, tmp_path):
    nets = {kind: net for kind, (_, net) in trained_models.items()}
    images, labels = real_mnist.x_test[:50].reshape(50, -1), real_mnist.t_test[:50]
    fixtures = layer_fixtures(tmp_path, nets, images, labels)
    summary = node_tests(JS_TESTS / "layers.test.mjs", {"EXPLORE_LAYERS": str(fixtures)}, tmp_path)
    assert set(summary["SimpleConvNet layers"]["kinds"]) == {"conv", "relu", "pool", "affine"}
    assert set(summary["DeepConvNet layers"]["kinds"]) == {"conv", "relu", "pool", "affine", "dropout"}
    assert set(summary["MultiLayerNetExtend layers"]["kinds"]) == {"affine", "batchnorm", "relu", "dropout"}
    for kind in nets:
        assert summary[f"{kind} layers"]["images"] == 50
        assert max(summary[f"{kind} layers"]["max_diff"].values()) <= 1e-5
        assert summary[f"{kind} images"]["images"] == 50 and summary[f"{kind} images"]["every_layer"] == 5
        worst = summary[f"{kind} images"]["max_diff"]
        assert worst.pop("probs32") <= 1e-5 and max(worst.values()) <= 1e-9
    assert summary["MultiLayerNetExtend batchnorm training"]["max_diff"] <= 1e-5
    # every output position of DeepConvNet's 6 convolutions and 3 poolings, explained, adds up to the layers
    assert summary["DeepConvNet positions"]["positions"] == 16 * 28 * 28 * 2 + 16 * 14 * 14 + 32 * 14 * 14 + \
        32 * 16 * 16 + 32 * 8 * 8 + 64 * 8 * 8 * 2 + 64 * 4 * 4
    assert max(summary[f"{k} positions"]["max_diff"] for k in ("SimpleConvNet", "DeepConvNet")) <= 1e-12
