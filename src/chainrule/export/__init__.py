"""Exits to bigger engines: a trained network as an ONNX graph or as PyTorch weights.

* :func:`to_onnx` writes a standard ONNX graph (``MatMul``, ``Add``, ``Relu`` or
  ``Sigmoid``, ``Softmax``, ``ArgMax``) that ONNX Runtime runs without chainrule:
  input ``image`` of shape ``(N, D)`` (float32 or float64, the network's dtype),
  outputs ``probabilities`` ``(N, C)`` and ``label`` ``(N,)`` int64, and the model's
  architecture, dataset, accuracy and chainrule version in the ONNX metadata.
  Needs ``pip install "chainrule[onnx]"``.
* :func:`to_torch` gives a ``torch.nn.Sequential`` of ``Linear`` layers holding the same
  weights (transposed, as PyTorch stores them) with ``ReLU`` or ``Sigmoid`` between
  them; it returns scores, like ``network.predict``. :func:`from_torch` brings such a
  module back as a chainrule network, bit for bit. :func:`save_torch` writes the
  ``state_dict`` with ``torch.save`` plus a small JSON architecture file (never a
  pickled module); :func:`load_torch` reads them with ``weights_only=True``.
  Needs PyTorch (``pip install torch``).

Both exits take a network (``TwoLayerNet``, ``MultiLayerNet`` with ReLU or sigmoid,
any depth, float32 or float64) or the path of a model file written by
:func:`chainrule.io.save` (``chainrule train``'s ``model.npz``). Everything is checked
before anything is written, and files are written atomically under the output rule of
:mod:`chainrule.io.files` (an existing file is replaced only with ``force=True``; never the
model file itself, never anything but a regular file).
"""

from __future__ import annotations

from ._common import ExportError, UntrainedError, check_outputs, make_plan, need_onnx, need_torch
from ._onnx import ONNX_OPSET, to_onnx
from ._torch import from_torch, load_torch, save_torch, to_torch, torch_files

__all__ = ["ONNX_OPSET", "ExportError", "UntrainedError", "check_outputs", "from_torch", "load_torch", "make_plan",
           "need_onnx", "need_torch", "save_torch", "to_onnx", "to_torch", "torch_files"]
