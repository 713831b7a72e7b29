"""The models of chapters 6-8 the page tests use, and chainrule's numbers for them as fixtures.

``trained(kind, mnist, cache)`` trains a float32 SimpleConvNet, DeepConvNet or
MultiLayerNetExtend (Batch Normalization and Dropout) briefly on the real MNIST with
Adam, once: the model file is kept in pytest's cache folder, named after its recipe.
``layer_fixtures`` runs chainrule on 50 MNIST test images and writes what every layer
received and gave back, forward and backward, for tests/explore/page.test.mjs.
"""

from __future__ import annotations

import json

import numpy as np

from chainrule import DeepConvNet, MultiLayerNetExtend, SimpleConvNet
from chainrule.batchnorm import BatchNormalization
from chainrule.dropout import Dropout
from chainrule.explore import model_payload
from chainrule.functions import softmax
from chainrule.io import load, save
from chainrule.optimizers import Adam

#: kind -> (how to build it, training iterations, batch size). Accuracy on the MNIST test set after
#: this training: about 96% (SimpleConvNet), 95% (DeepConvNet), 94% (MultiLayerNetExtend).
RECIPES = {
    "SimpleConvNet": (lambda: SimpleConvNet(dtype=np.float32, rng=0), 400, 100),
    "DeepConvNet": (lambda: DeepConvNet(dtype=np.float32, rng=0), 300, 50),
    "MultiLayerNetExtend": (lambda: MultiLayerNetExtend(784, [100, 100], 10, use_batchnorm=True, use_dropout=True,
                                                        dropout_ration=0.2, dtype=np.float32, rng=0), 600, 100),
}
SCALE = np.float32(1 / 255)


def as_input(net, images):
    """uint8 images (N, 784) as `chainrule predict` feeds them to ``net``: (N, 784) or (N, 1, 28, 28) float32."""
    shape = tuple(net.config["input_dim"]) if "input_dim" in net.config else (784,)
    return np.asarray(images).reshape(len(images), *shape).astype(np.float32) * SCALE


def train(kind, mnist, seed=0):
    """A float32 ``kind`` trained from seed ``seed`` with Adam (lr 0.001) on random minibatches of MNIST."""
    make, iters, batch = RECIPES[kind]
    net, opt, rng = make(), Adam(lr=0.001), np.random.default_rng(seed)
    x, t = mnist.x_train.reshape(len(mnist.x_train), -1), mnist.t_train
    with net.fast_training():
        for _ in range(iters):
            idx = rng.integers(0, len(x), batch)
            opt.update(net.params, net.gradient(as_input(net, x[idx]), t[idx]))
    return net


def trained(kind, mnist, cache):
    """``train(kind, mnist)``, kept in the folder ``cache`` (pytest's cache) and loaded from there next time."""
    _, iters, batch = RECIPES[kind]
    path = cache / f"{kind}-adam-{iters}x{batch}-seed0-v1.npz"
    if not path.exists():
        save(train(kind, mnist), path, metadata={"kind": "mnist"})
    return path, load(path)


class Blob:
    """Arrays as two files of little-endian float32 and float64, each referred to as ``[offset, shape]``
    (``[offset, shape, 64]`` in the float64 file)."""

    def __init__(self):
        self.parts = {"<f4": [], "<f8": []}
        self.offset = {"<f4": 0, "<f8": 0}

    def add(self, array, dtype="<f4"):
        array = np.ascontiguousarray(array, dtype=dtype)
        ref = [self.offset[dtype], list(array.shape)] + ([64] if dtype == "<f8" else [])
        self.parts[dtype].append(array.tobytes())
        self.offset[dtype] += array.size
        return ref

    def add64(self, array):
        return self.add(array, "<f8")

    def write(self, folder):
        (folder / "layers.bin").write_bytes(b"".join(self.parts["<f4"]))
        (folder / "layers64.bin").write_bytes(b"".join(self.parts["<f8"]))


def _forward(layer, h):
    return layer.forward(h, train_flg=False) if isinstance(layer, (Dropout, BatchNormalization)) else layer.forward(h)


def _batch(net, x, t, blob):
    """Every layer on the batch: what it received and gave, forward (acts) and backward (grads), parameters' grads."""
    acts, h = [blob.add(x)], x
    for layer in net.layers.values():
        h = _forward(layer, h)
        acts.append(blob.add(h))
    net.lastLayer.forward(h, t)
    d = net.lastLayer.backward(1)
    grads, params = [None] * len(acts), [None] * len(net.layers)
    grads[-1] = blob.add(d)
    for i, layer in reversed(list(enumerate(net.layers.values()))):
        d = layer.backward(d)
        grads[i] = blob.add(d)
        params[i] = {f"d{p}": blob.add(getattr(layer, f"d{p}")) for p in getattr(layer, "param_names", ())}
    return {"acts": acts, "grads": grads, "params": params}


def _batchnorm_training(net, x, blob, rng):
    """The first BatchNormalization in training mode (batch statistics) on its real input, a random dout."""
    h = x
    for layer in net.layers.values():
        if isinstance(layer, BatchNormalization):
            bn = BatchNormalization(layer.gamma.copy(), layer.beta.copy())
            out = bn.forward(h, train_flg=True)
            dout = rng.standard_normal(out.shape).astype(np.float32)
            dx = bn.backward(dout)
            return {"x": blob.add(h), "gamma": blob.add(bn.gamma), "beta": blob.add(bn.beta), "out": blob.add(out),
                    "dout": blob.add(dout), "dx": blob.add(dx), "dgamma": blob.add(bn.dgamma),
                    "dbeta": blob.add(bn.dbeta)}
        h = _forward(layer, h)
    return None


def _images(net, x, t, blob, detailed=5):
    """Per image, as the page runs it (a batch of one). The page computes in float64 with the model's float32
    weights, so besides the float32 network's softmax, its float64 copy (the same weights; ``astype``) gives the
    softmax, the loss, d loss / d pixels, and for the first ``detailed`` images every layer's output and gradient.
    (Against the float32 network itself, a ReLU or a max-pooling window within float32 rounding of a tie can
    route one image's gradient differently: the layers are compared in float32 one at a time instead.)"""
    cases, net64 = [], net.astype(np.float64)
    for n in range(len(x)):
        probs32 = softmax(net.predict(x[n:n + 1]))  # predict: test mode
        h, acts = x[n:n + 1].astype(np.float64), []
        for layer in net64.layers.values():
            h = _forward(layer, h)
            acts.append(h)
        loss = float(net64.lastLayer.forward(h, t[n:n + 1]))
        d, grads = net64.lastLayer.backward(1), []
        probs = net64.lastLayer.y
        for layer in reversed(net64.layers.values()):
            grads.append(d)
            d = layer.backward(d)
        case = {"label": int(t[n]), "probs32": blob.add(probs32), "probs": blob.add64(probs), "loss": loss,
                "dx": blob.add64(d)}
        if n < detailed:
            case["acts"] = [blob.add64(a) for a in acts]
            case["grads"] = [blob.add64(g) for g in reversed(grads)]
        cases.append(case)
    return cases


def layer_fixtures(folder, nets, images, labels, seed=0):
    """Write ``folder/layers.json`` and ``folder/layers.bin``: for each network of ``nets`` ({name: net}),
    chainrule's numbers on ``images`` (uint8 (N, 784)) with ``labels``. Returns the JSON's path."""
    blob, rng, out = Blob(), np.random.default_rng(seed), {}
    for name, net in nets.items():
        x = as_input(net, images)
        out[name] = {"model": model_payload(net), "pixels": np.asarray(images).tolist(),
                     "batch": _batch(net, x, np.asarray(labels), blob),
                     "bn_training": _batchnorm_training(net, x, blob, rng),
                     "images": _images(net, x, np.asarray(labels), blob)}
    blob.write(folder)
    path = folder / "layers.json"
    path.write_text(json.dumps({"blob": str(folder / "layers.bin"), "blob64": str(folder / "layers64.bin"),
                                "networks": out}))
    return path
