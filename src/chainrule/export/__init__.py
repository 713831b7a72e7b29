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
``model.npz``). Everything is checked before anything is written, and files are
written atomically.
"""

from __future__ import annotations

import numpy as np

from ._common import ExportError, make_plan, need_onnx, need_torch
from ._from_torch import from_torch
from ._onnx import ONNX_OPSET, to_onnx
from ._torch import load_torch, save_torch, scale_class, to_torch

__all__ = ["ONNX_OPSET", "ExportError", "export_command", "from_torch", "load_torch", "save_torch", "to_onnx",
           "to_torch"]  # and Scale, made on first use (a star import would otherwise import torch)


def __getattr__(name):
    """``Scale`` is made when first asked for: it is a ``torch.nn.Module``, and importing this package imports
    no torch."""
    if name == "Scale":
        return scale_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def export_command(model_path, to, out, *, check_inputs=256, rng=0):
    """Export the model file ``model_path`` to ``out`` as ``to`` ("onnx" or "torch").

    Then run the written file in its engine (ONNX Runtime, PyTorch) on ``check_inputs``
    random inputs and compare with chainrule. Returns the lines to print.
    """
    from .. import softmax
    from ..io import load

    if to not in ("onnx", "torch"):
        raise ExportError(f"unknown export format {to!r}; choose onnx or torch")
    (need_onnx if to == "onnx" else need_torch)()  # a missing engine is reported before the model is read
    plan = make_plan(model_path)
    network = load(model_path)
    x = np.random.default_rng(rng).random((check_inputs, *plan.input_shape)).astype(plan.dtype)
    ours = softmax(network.predict(x))
    lines = []
    if to == "onnx":
        to_onnx(model_path, out)
        lines.append(f"wrote {out}: {plan.describe()} as ONNX (opset {ONNX_OPSET}), input 'image' "
                     f"(N, {', '.join(map(str, plan.input_shape))}) {plan.dtype.name}, outputs 'probabilities' "
                     f"(N, {plan.classes}) and 'label' (N,); onnx.checker passed")
        try:
            import onnxruntime
        except ImportError:
            lines.append('not run: ONNX Runtime is not installed (pip install "chainrule[onnx]")')
            return lines
        session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        probs, labels = session.run(["probabilities", "label"], {"image": x})
        engine = f"ONNX Runtime {onnxruntime.__version__}"
    else:
        pt, js = save_torch(model_path, out)
        lines.append(f"wrote {pt} (state_dict) and {js} (architecture): {plan.describe()} as torch.nn.Sequential")
        torch = need_torch()
        with torch.no_grad():
            scores = load_torch(pt)(torch.from_numpy(x))
        probs = torch.softmax(scores, dim=1).numpy()
        labels = scores.argmax(dim=1).numpy()
        engine = f"PyTorch {torch.__version__} (weights_only=True)"
    diff = float(np.max(np.abs(probs - ours)))
    same = int(np.count_nonzero(labels == np.argmax(ours, axis=1)))
    lines.append(f"checked: {engine} on {check_inputs} random inputs in [0, 1): probabilities within {diff:.1e} "
                 f"of chainrule's, {same}/{check_inputs} labels equal")
    return lines
