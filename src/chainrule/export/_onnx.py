"""The ONNX exit: a chainrule network as a standard ONNX graph (needs ``chainrule[onnx]``).

Each step of the plan becomes a few nodes. A float32 network uses the operators every
runtime optimizes (``Conv``, ``MaxPool``, ``BatchNormalization``); a float64 network
is written with operators ONNX Runtime's CPU build runs in float64 (it has no float64
``Conv``): the convolution as the book's ``im2col`` (``Pad``, a strided ``Slice`` per
position in the window, ``Concat``) and one ``MatMul``, Batch Normalization as the
book's arithmetic. Where the book and
ONNX differ, the graph does what chainrule computes: the book's Pooling pads with
zeros (an explicit ``Pad`` before ``MaxPool``, which would pad with -inf), its Batch
Normalization normalizes each of the ``C*H*W`` features of an image with ``eps = 1e-6``
(the input is flattened around ``BatchNormalization``), its Dropout multiplies by
``1 - ratio`` at test time (a ``Mul``).
"""

from __future__ import annotations

import json

import numpy as np

from ._common import accuracy, check_outputs, make_plan, need_onnx

#: The ONNX operator set the graphs use (ONNX Runtime 1.12+, onnxruntime-web, mobile builds read it).
ONNX_OPSET = 17
_ONNX_IR_VERSION = 8  # the IR version that goes with opset 17


def to_onnx(model, path, *, metadata=None, check_trained=True, input_shape=None, force=False):
    """Write ``model`` as an ONNX graph to ``path``; return the ``onnx.ModelProto``.

    Parameters
    ----------
    model : a chainrule network or the path of a chainrule model file (``.npz``)
        ``TwoLayerNet``, ``MultiLayerNet``, ``MultiLayerNetExtend``, ``SimpleConvNet``,
        ``DeepConvNet``, or any ``Sequential`` of Affine, Convolution, Pooling,
        BatchNormalization, Dropout, Relu and Sigmoid layers, float32 or float64. A
        model file brings its own metadata (dataset, test accuracy, ...).
    path : str or Path
        The ``.onnx`` file to write (atomically; nothing is written when something is wrong).
    metadata : dict, optional
        More metadata, e.g. ``{"dataset": "mnist", "accuracy": 0.9712}``; it overrides the file's.
    check_trained : bool
        Refuse a network whose biases are all still 0 (freshly initialized).
    input_shape : (C, H, W) or (D,), optional
        The per-sample input, for a network whose architecture does not say it (a ``Sequential``
        starting with a convolution).
    force : bool
        Replace ``path`` if it is a file already; never anything but a regular file, never the
        model file itself (:mod:`chainrule.io.files`).

    The graph: ``image (N, *input_shape)`` through the network's layers (in test mode) to
    ``scores (N, C)``, then ``probabilities = Softmax(scores, axis=1)`` and
    ``label = ArgMax(scores, axis=1)``; ``N`` is free. Its ``metadata_props`` hold
    ``architecture`` (JSON), ``dataset``, ``accuracy``, ``chainrule_version``, ``dtype``,
    ``input`` and ``metadata`` (all the stored metadata as JSON).
    """
    onnx = need_onnx()
    check_outputs(model, path, force=force)
    plan = make_plan(model, metadata, check_trained=check_trained, input_shape=input_shape)
    model_proto = _onnx_model(onnx, plan)
    from ..io.files import atomic_path

    with atomic_path(path, force=force) as tmp:
        onnx.save_model(model_proto, str(tmp))
    return model_proto


class _Graph:
    """The nodes and initializers being written; each node's output tensor is named after the node."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.nodes, self.inits = [], []

    def const(self, name, array, dtype=None):
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.array(array, dtype=dtype or self.dtype, order="C"), name))
        return name

    def ints(self, name, values):
        return self.const(name, np.array(values, dtype=np.int64), np.int64)

    def node(self, op, inputs, name, **attrs):
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name


def _flat(g, step, x):
    """``(N, C, H, W) -> (N, C*H*W)`` when the step's input is an image (row-major, as ``reshape`` does)."""
    return g.node("Flatten", [x], f"{step.name}_Flatten", axis=1) if len(step.in_shape) > 1 else x


def _affine(g, step, x):
    x = g.node("MatMul", [_flat(g, step, x), g.const(f"{step.name}.W", step.arrays["W"])], f"{step.name}_MatMul")
    return g.node("Add", [x, g.const(f"{step.name}.b", step.arrays["b"])], step.name)


def _conv(g, step, x):
    W, b, s, p = step.arrays["W"], step.arrays["b"], step.attrs["stride"], step.attrs["pad"]
    FN, C, FH, FW = W.shape
    if g.dtype == np.float32:
        return g.node("Conv", [x, g.const(f"{step.name}.W", W), g.const(f"{step.name}.b", b)], step.name,
                      kernel_shape=[FH, FW], strides=[s, s], pads=[p, p, p, p])
    # float64: im2col as FH*FW strided slices of the zero-padded images (position (i, j) of every window),
    # stacked and multiplied by the filters, as the book's Convolution does with one matrix product
    if p:
        x = g.node("Pad", [x, g.ints(f"{step.name}.pads", [0, 0, p, p, 0, 0, p, p])], f"{step.name}_Pad")
    OH, OW = step.out_shape[1:]
    axes, steps = g.ints(f"{step.name}.axes", [2, 3]), g.ints(f"{step.name}.steps", [s, s])
    parts = [g.node("Slice", [x, g.ints(f"{step.name}.start{i}_{j}", [i, j]),
                              g.ints(f"{step.name}.end{i}_{j}", [i + s * (OH - 1) + 1, j + s * (OW - 1) + 1]), axes,
                              steps], f"{step.name}_window{i}_{j}") for i in range(FH) for j in range(FW)]
    cols = g.node("Concat", parts, f"{step.name}_im2col", axis=1)  # (N, FH*FW*C, OH, OW)
    cols = g.node("Reshape", [cols, g.ints(f"{step.name}.cols", [0, FH * FW * C, OH * OW])], f"{step.name}_cols")
    y = g.node("MatMul", [g.const(f"{step.name}.W", W.transpose(0, 2, 3, 1).reshape(FN, -1)), cols],
               f"{step.name}_MatMul")  # (N, FN, OH*OW)
    y = g.node("Add", [y, g.const(f"{step.name}.b", b.reshape(FN, 1))], f"{step.name}_Add")
    return g.node("Reshape", [y, g.ints(f"{step.name}.shape", [0, *step.out_shape])], step.name)


def _pool(g, step, x):
    p = step.attrs["pad"]
    if p:  # the book pads with zeros; MaxPool's own pads would be -inf
        x = g.node("Pad", [x, g.ints(f"{step.name}.pads", [0, 0, p, p, 0, 0, p, p])], f"{step.name}_Pad")
    return g.node("MaxPool", [x], step.name, kernel_shape=[step.attrs["pool_h"], step.attrs["pool_w"]],
                  strides=[step.attrs["stride"]] * 2)


def _batchnorm(g, step, x):
    from ..batchnorm import EPS

    a = step.arrays
    if g.dtype == np.float32:  # float32(1e-6) is what chainrule adds to a float32 variance
        names = [g.const(f"{step.name}.{k}", a[k]) for k in ("gamma", "beta", "mean", "var")]
        image = len(step.in_shape) > 1  # normalized as (N, C*H*W) features, then given back its shape
        y = g.node("BatchNormalization", [_flat(g, step, x), *names],
                   f"{step.name}_BatchNormalization" if image else step.name, epsilon=EPS)
        return g.node("Reshape", [y, g.ints(f"{step.name}.shape", [0, *step.in_shape])], step.name) if image else y
    # float64: the attribute epsilon is a float32, so the book's arithmetic, its std = sqrt(var + 1e-6) in float64
    shape = step.in_shape
    x = g.node("Sub", [x, g.const(f"{step.name}.mean", a["mean"].reshape(shape))], f"{step.name}_xc")
    x = g.node("Div", [x, g.const(f"{step.name}.std", np.sqrt(a["var"] + EPS).reshape(shape))], f"{step.name}_xn")
    x = g.node("Mul", [x, g.const(f"{step.name}.gamma", a["gamma"].reshape(shape))], f"{step.name}_Mul")
    return g.node("Add", [x, g.const(f"{step.name}.beta", a["beta"].reshape(shape))], step.name)


def _dropout(g, step, x):  # test mode, the book's way: every value times the fraction kept in training
    return g.node("Mul", [x, g.const(f"{step.name}.keep", np.array(1.0 - step.attrs["ratio"]))], step.name)


_WRITERS = {"affine": _affine, "conv": _conv, "pool": _pool, "batchnorm": _batchnorm, "dropout": _dropout,
            "relu": lambda g, step, x: g.node("Relu", [x], step.name),
            "sigmoid": lambda g, step, x: g.node("Sigmoid", [x], step.name)}


def _onnx_model(onnx, plan):
    from onnx import TensorProto, helper

    from .._version import __version__

    elem = TensorProto.FLOAT if plan.dtype == np.float32 else TensorProto.DOUBLE
    g, x = _Graph(plan.dtype), "image"
    for step in plan.steps:
        x = _WRITERS[step.kind](g, step, x)
    g.node("Softmax", [x], "probabilities", axis=1)
    g.node("ArgMax", [x], "label", axis=1, keepdims=0)
    graph = helper.make_graph(
        g.nodes, "chainrule_" + str(plan.architecture.get("class", "network")),
        [helper.make_tensor_value_info("image", elem, ["N", *plan.input_shape])],
        [helper.make_tensor_value_info("probabilities", elem, ["N", plan.classes]),
         helper.make_tensor_value_info("label", TensorProto.INT64, ["N"])],
        initializer=g.inits)
    shape = ", ".join(map(str, plan.input_shape))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
                              producer_name="chainrule", producer_version=__version__,
                              doc_string=f"{plan.describe()} exported by chainrule {__version__}: "
                                         f"image (N, {shape}) float -> probabilities (N, {plan.classes}), "
                                         "label (N,)")
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
