"""The ONNX exit: a chainrule network as a standard ONNX graph (needs ``chainrule[onnx]``)."""

from __future__ import annotations

import json

import numpy as np

from ._common import accuracy, check_outputs, make_plan, need_onnx

#: The ONNX operator set the graphs use (ONNX Runtime 1.12+, onnxruntime-web, mobile builds read it).
ONNX_OPSET = 17
_ONNX_IR_VERSION = 8  # the IR version that goes with opset 17


def to_onnx(model, path, *, metadata=None, check_trained=True, force=False):
    """Write ``model`` as an ONNX graph to ``path``; return the ``onnx.ModelProto``.

    Parameters
    ----------
    model : TwoLayerNet, MultiLayerNet, or the path of a chainrule model file (``.npz``)
        A model file brings its own metadata (dataset, test accuracy, ...).
    path : str or Path
        The ``.onnx`` file to write (atomically; nothing is written when something is wrong).
    metadata : dict, optional
        More metadata, e.g. ``{"dataset": "mnist", "accuracy": 0.9712}``; it overrides the file's.
    check_trained : bool
        Refuse a network whose biases are all still 0 (freshly initialized).
    force : bool
        Replace ``path`` if it is a file already; never anything but a regular file, never the
        model file itself (:mod:`chainrule.io.files`).

    The graph: ``image (N, D) -> [MatMul, Add, Relu|Sigmoid]* -> MatMul, Add -> scores``,
    then ``probabilities = Softmax(scores, axis=1)`` and ``label = ArgMax(scores, axis=1)``.
    Its ``metadata_props`` hold ``architecture`` (JSON), ``dataset``, ``accuracy``,
    ``chainrule_version``, ``dtype``, ``input`` and ``metadata`` (all the stored metadata as JSON).
    """
    onnx = need_onnx()
    check_outputs(model, path, force=force)
    model_proto = _onnx_graph(onnx, make_plan(model, metadata, check_trained=check_trained))
    from ..io.files import atomic_path

    with atomic_path(path, force=force) as tmp:
        onnx.save_model(model_proto, str(tmp))
    return model_proto


def _onnx_graph(onnx, plan):
    from onnx import TensorProto, helper, numpy_helper

    from .._version import __version__

    elem = TensorProto.FLOAT if plan.dtype == np.float32 else TensorProto.DOUBLE
    d, c = plan.sizes[0], plan.sizes[-1]
    inits, nodes, x = [], [], "image"
    for k, (W, b) in enumerate(plan.weights, 1):
        inits += [numpy_helper.from_array(np.ascontiguousarray(W), f"W{k}"),
                  numpy_helper.from_array(np.ascontiguousarray(b), f"b{k}")]
        nodes.append(helper.make_node("MatMul", [x, f"W{k}"], [f"xW{k}"], name=f"Affine{k}_MatMul"))
        out = "scores" if k == len(plan.weights) else f"affine{k}"
        nodes.append(helper.make_node("Add", [f"xW{k}", f"b{k}"], [out], name=f"Affine{k}_Add"))
        x = out
        if k < len(plan.weights):
            op = "Relu" if plan.activation == "relu" else "Sigmoid"
            nodes.append(helper.make_node(op, [x], [f"hidden{k}"], name=f"{op}{k}"))
            x = f"hidden{k}"
    nodes.append(helper.make_node("Softmax", ["scores"], ["probabilities"], name="Softmax", axis=1))
    nodes.append(helper.make_node("ArgMax", ["scores"], ["label"], name="ArgMax", axis=1, keepdims=0))
    graph = helper.make_graph(
        nodes, "chainrule_" + str(plan.architecture.get("class", "network")),
        [helper.make_tensor_value_info("image", elem, ["N", d])],
        [helper.make_tensor_value_info("probabilities", elem, ["N", c]),
         helper.make_tensor_value_info("label", TensorProto.INT64, ["N"])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
                              producer_name="chainrule", producer_version=__version__,
                              doc_string=f"{plan.describe()} exported by chainrule {__version__}: "
                                         "image (N, D) float -> probabilities (N, C), label (N,)")
    model.ir_version = _ONNX_IR_VERSION
    meta = plan.metadata
    props = {"architecture": json.dumps(plan.architecture), "chainrule_version": __version__,
             "dtype": plan.dtype.name, "metadata": json.dumps(meta, default=str)}
    dataset = meta.get("dataset", meta.get("kind"))
    if dataset is not None:
        props["dataset"] = str(dataset)
    if accuracy(meta) is not None:
        props["accuracy"] = repr(accuracy(meta))
    if meta.get("input") is not None:
        props["input"] = str(meta["input"])
    helper.set_model_props(model, props)
    onnx.checker.check_model(model, full_check=True)
    return model
