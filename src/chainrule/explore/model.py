"""What a model page embeds: a network's layers and weights, and test images to start from.

The page runs the network itself (``explore_layers.js``: a port of chainrule's layers in the
book's formulation), so it gets each layer's kind, its settings and its parameters, as
base64 little-endian float32. Every layer of chapters 5-8 can be drawn: ``Affine``,
``Relu``, ``Sigmoid``, ``Convolution``, ``Pooling``, ``BatchNormalization`` and ``Dropout``
(the last two as ``predict`` runs them: running statistics, outputs scaled by
``1 - dropout_ratio``). A DeepConvNet takes about 660 kB, a SimpleConvNet about 2.3 MB
(its first Affine holds 432,000 weights), a 784-50-10 MLP about 210 kB.
"""

from __future__ import annotations

import base64

import numpy as np

from ..batchnorm import EPS, BatchNormalization
from ..convolution import Convolution, Pooling
from ..dropout import Dropout
from ..i18n import language
from ..im2col import check_window
from ..layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from .messages import MESSAGES

__all__ = ["DIGIT_PIXELS", "embedded_images", "model_payload", "pick_images"]

#: The page draws 28x28 grey digits: a network must take 784 pixels (784 features or 1x28x28 images).
DIGIT_PIXELS = 28 * 28


def _b64(array, dtype):
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def _f32(array):
    return _b64(array, "<f4")


def _entry(name, layer, shape):
    """The page's description of one layer and the shape of its output (``shape``: its input's, without N)."""
    if isinstance(layer, Affine):
        d, m = layer.W.shape
        if int(np.prod(shape)) != d:
            raise ValueError(f"{name} takes {d} features but gets {'x'.join(map(str, shape))}")
        return {"type": "affine", "name": name, "shape": [d, m], "W": _f32(layer.W), "b": _f32(layer.b)}, (m,)
    if isinstance(layer, (Relu, Sigmoid)):
        return {"type": "relu" if isinstance(layer, Relu) else "sigmoid", "name": name}, shape
    if isinstance(layer, Convolution):
        fn, c, fh, fw = layer.W.shape
        if len(shape) != 3 or shape[0] != c:
            raise ValueError(f"{name} takes {c} channels of images but gets {'x'.join(map(str, shape))}")
        oh, ow = check_window(shape[1], shape[2], fh, fw, layer.stride, layer.pad)
        return {"type": "conv", "name": name, "shape": [fn, c, fh, fw], "stride": layer.stride, "pad": layer.pad,
                "W": _f32(layer.W), "b": _f32(layer.b)}, (fn, oh, ow)
    if isinstance(layer, Pooling):
        if len(shape) != 3:
            raise ValueError(f"{name} pools images but gets {'x'.join(map(str, shape))}")
        oh, ow = check_window(shape[1], shape[2], layer.pool_h, layer.pool_w, layer.stride, layer.pad)
        return {"type": "pool", "name": name, "pool": [layer.pool_h, layer.pool_w], "stride": layer.stride,
                "pad": layer.pad}, (shape[0], oh, ow)
    if isinstance(layer, BatchNormalization):
        return {"type": "batchnorm", "name": name, "size": int(layer.gamma.shape[0]), "eps": EPS,
                "gamma": _f32(layer.gamma), "beta": _f32(layer.beta), "mean": _f32(layer.running_mean),
                "var": _f32(layer.running_var)}, shape
    if isinstance(layer, Dropout):
        return {"type": "dropout", "name": name, "ratio": layer.dropout_ratio}, shape
    raise ValueError(f"the page cannot draw {type(layer).__name__} layers yet ({name})")


def input_shape(network):
    """One sample's shape: ``config["input_dim"]`` (C, H, W) for a convolutional network, else (D,)."""
    try:
        config = network.config
    except NotImplementedError:  # a Sequential of one's own has no config: its first Affine tells
        config = {}
    if "input_dim" in config:
        return tuple(int(n) for n in config["input_dim"])
    first = next(iter(network.layers.values()))
    if not isinstance(first, Affine):
        raise ValueError(f"cannot tell the input size of a network starting with a {type(first).__name__}")
    return (int(first.W.shape[0]),)


def model_payload(network, *, class_names=None, images=None, labels=None, title="model",
                  note=None) -> dict:
    """What the page needs of a network: its layers with weights as base64 little-endian float32.

    Parameters
    ----------
    network : a chainrule network taking 28x28 digits (784 features or 1x28x28 images): TwoLayerNet,
        MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, DeepConvNet, or any chain of their layers
        ending in SoftmaxWithLoss
    class_names : list of str, optional (default "0", "1", ...)
    images : uint8 array (K, 784), optional: test images to start from
    labels : int array (K,), their labels
    title : str, shown in the page
    note : str, optional: a line the page shows (e.g. why there are no test images)

    Returns
    -------
    dict with ``layers`` (one entry per layer: ``type``, ``name``, settings, parameters),
    ``input`` (one sample's shape), ``classes``, ``images``, ``dtype``, ``title``, ``note``.

    Raises ValueError, in one line, for what the page cannot draw (another input size,
    a layer it does not know).
    """
    if not isinstance(getattr(network, "lastLayer", None), SoftmaxWithLoss):
        raise ValueError(f"the page needs a SoftmaxWithLoss last layer; got {type(network.lastLayer).__name__}")
    shape = input_shape(network)
    if int(np.prod(shape)) != DIGIT_PIXELS or (len(shape) == 3 and shape[0] != 1):
        raise ValueError(f"the page draws 28x28 grey digits; this network takes {'x'.join(map(str, shape))} inputs")
    layers, out = [], shape
    for name, layer in network.layers.items():
        entry, out = _entry(name, layer, out)
        layers.append(entry)
    if len(out) != 1:
        raise ValueError(f"the network's last layer gives {'x'.join(map(str, out))} values, not one score per class")
    names = list(class_names) if class_names is not None else [str(i) for i in range(out[0])]
    payload = {"title": title, "dtype": np.dtype(network.dtype).name, "input": list(shape), "layers": layers,
               "classes": names, "images": [], "note": note}
    if images is not None and len(images):
        images = np.asarray(images)
        if images.dtype != np.uint8 or images.ndim != 2 or images.shape[1] != DIGIT_PIXELS:
            raise ValueError(f"images must be uint8 of shape (K, 784); got {images.dtype} {images.shape}")
        payload["images"] = [{"label": int(t), "pixels": _b64(img, np.uint8)}
                             for img, t in zip(images, np.asarray(labels).tolist(), strict=True)]
    return payload


def pick_images(x, t, per_class=1):
    """The first ``per_class`` test images of each class, in class order: ``(images (K, 784), labels (K,))``."""
    x = np.asarray(x).reshape(len(x), -1)
    t = np.asarray(t)
    chosen = [int(i) for c in np.unique(t) for i in np.flatnonzero(t == c)[:per_class]]
    return x[chosen], t[chosen]


def embedded_images(kind="mnist", count=10, data_dir=None, lang=None):
    """Up to ``count`` test images to embed (about one per class), from data already on this computer.

    Nothing is downloaded for a page: when the dataset is not in ``data_dir``,
    ``CHAINRULE_DATA`` or the chainrule cache, the page gets no images and a note
    saying so (the canvas works without them).

    Returns
    -------
    images : uint8 (K, 784) or None
    labels : (K,) or None
    note : str or None
        Why there are no images, when there are none (in ``lang``; None: the locale's language).
    """
    if count <= 0:
        return None, None, None
    from ..datasets import load_mnist

    name = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}.get(kind, kind)
    try:
        _, (x, t) = load_mnist(normalize=False, flatten=True, kind=kind, data_dir=data_dir,
                               download=False, progress=False)
    except (OSError, RuntimeError, ValueError):
        return None, None, MESSAGES.text("note.no_images", language(lang), name=name)
    per_class = -(-count // len(np.unique(t)))
    images, labels = pick_images(x, t, per_class)
    order = np.argsort(np.arange(len(labels)) % per_class, kind="stable")  # one of each class first
    return images[order][:count], labels[order][:count], None
