"""Exits to bigger engines: a trained network as an ONNX graph or as PyTorch weights, and back.

* :func:`to_onnx` writes a standard ONNX graph that ONNX Runtime runs without chainrule:
  input ``image`` of shape ``(N, D)`` or ``(N, C, H, W)`` (float32 or float64, the
  network's dtype), outputs ``probabilities`` ``(N, classes)`` and ``label`` ``(N,)``
  int64, and the model's architecture, dataset, accuracy and chainrule version in the
  ONNX metadata. Needs ``pip install "chainrule[onnx]"``.
* :func:`to_torch` gives a ``torch.nn.Sequential`` (``Linear``, ``Conv2d``, ``MaxPool2d``,
  ``BatchNorm1d``, ``Dropout`` + :class:`Scale`, ``ReLU``, ``Sigmoid``, ``Flatten``)
  holding the same weights; it returns scores, like ``network.predict``.
  :func:`from_torch` brings such a module (or a PyTorch user's own ``nn.Sequential`` of
  those layers) back as a chainrule network, bit for bit. :func:`save_torch` writes the
  ``state_dict`` with ``torch.save`` plus a small JSON architecture file (never a
  pickled module); :func:`load_torch` reads them with ``weights_only=True``.
  Needs PyTorch (``pip install torch``).

Both exits take a network (``TwoLayerNet``, ``MultiLayerNet``, ``MultiLayerNetExtend``,
``SimpleConvNet``, ``DeepConvNet``, any ``Sequential`` of Affine, Convolution, Pooling,
BatchNormalization, Dropout, Relu and Sigmoid layers; float32 or float64), in test mode,
or the path of a model file written by :func:`chainrule.io.save` (``chainrule train``'s
``model.npz``). Everything is checked before anything is written, and files are written
atomically under the output rule of :mod:`chainrule.io.files` (an existing file is replaced
only with ``force=True``; never the model file itself, never anything but a regular file).
"""

from __future__ import annotations

from ._common import ExportError, UntrainedError, check_outputs, make_plan, need_onnx, need_torch
from ._from_torch import from_torch
from ._onnx import ONNX_OPSET, to_onnx
from ._torch import scale_class, to_torch
from ._torch_files import load_torch, save_torch, torch_files

__all__ = ["ONNX_OPSET", "ExportError", "UntrainedError", "check_outputs", "from_torch", "load_torch", "make_plan",
           "need_onnx", "need_torch", "save_torch", "to_onnx", "to_torch", "torch_files"]
# and Scale, made on first use (a star import would import torch)


def __getattr__(name):
    """``Scale`` is made when first asked for: it is a ``torch.nn.Module``, and importing this package imports
    no torch."""
    if name == "Scale":
        return scale_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
