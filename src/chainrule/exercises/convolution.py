"""The chapter 7 exercises: a learner's ``Convolution``, ``Pooling``, ``im2col`` and ``col2im`` in the book's form.

``Convolution(W, b, stride=1, pad=0)`` and ``Pooling(pool_h, pool_w, stride=2, pad=0)``
run on combinations of stride and padding, a rectangular input and filter (so that a
height and a width swapped show), and, for ``Pooling``, overlapping windows and ties
(the book's ``argmax`` sends the gradient to the first maximum). ``im2col(input_data,
filter_h, filter_w, stride=1, pad=0)`` and ``col2im(col, input_shape, filter_h,
filter_w, stride=1, pad=0)`` are checked as functions on the same shapes. A wrong
tensor is compared with the usual mistakes: a reshape without its transpose (of
``col_W``, of the output, of ``dout``, of ``col``), ``col2im`` without the overlap sum or
without cutting the padding off, the gradient of pooling sent everywhere.
"""

from __future__ import annotations

import numpy as np

from ..convolution import Convolution, Pooling
from ..im2col import col2im, im2col
from .run import Case, Outcome, call, changed, copy, grab, is_blank, numeric_gradient, precision, quiet_float

__all__ = ["NAMES", "TENSORS", "cases", "diagnose", "diagnose_raised", "reference", "run_case"]

NAMES = ("Convolution", "Pooling", "im2col", "col2im")
TENSORS = {"Convolution": ("out", "dx", "dW", "db"), "Pooling": ("out", "dx"), "im2col": ("col",),
           "col2im": ("img",)}
#: (case, x shape, filters (FN, FH, FW), stride, pad): strides and paddings, a rectangular input and filter.
GEOMETRY = (("conv_random", (2, 3, 5, 5), (4, 3, 3), 1, 0), ("conv_pad", (2, 2, 4, 4), (3, 3, 3), 1, 1),
            ("conv_stride", (1, 2, 7, 7), (2, 3, 3), 2, 1), ("conv_rect", (3, 1, 5, 6), (2, 2, 3), 1, 0))
POOLS = (("pool_random", (2, 3, 4, 4), 2, 2, 2), ("pool_overlap", (1, 2, 5, 5), 3, 3, 2),
         ("pool_ties", (2, 2, 4, 4), 2, 2, 2), ("pool_rect", (2, 1, 4, 6), 2, 3, 2))


def _out(h, w, fh, fw, stride, pad):
    return (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1


def cases(name, rng):
    out = []
    if name == "Pooling":
        for key, shape, ph, pw, stride in POOLS:
            x = rng.integers(0, 3, size=shape).astype(np.float64) if key == "pool_ties" else rng.normal(size=shape)
            oh, ow = _out(shape[2], shape[3], ph, pw, stride, 0)
            out.append(Case(key, f"x {shape}, pool_h={ph}, pool_w={pw}, stride={stride}", init=(ph, pw, stride, 0),
                            inputs=(x,), dout=rng.normal(size=(shape[0], shape[1], oh, ow)),
                            numeric=key != "pool_ties"))
        return out
    for key, shape, (fn, fh, fw), stride, pad in GEOMETRY:
        n, c, h, w = shape
        oh, ow = _out(h, w, fh, fw, stride, pad)
        label = f"x {shape}, W {(fn, c, fh, fw)}, stride={stride}, pad={pad}"
        if name == "Convolution":
            out.append(Case(key, label, init=(rng.normal(size=(fn, c, fh, fw)), rng.normal(size=fn), stride, pad),
                            inputs=(rng.normal(size=shape),), dout=rng.normal(size=(n, fn, oh, ow))))
        elif name == "im2col":
            out.append(Case(key, f"x {shape}, filter_h={fh}, filter_w={fw}, stride={stride}, pad={pad}", numeric=False,
                            inputs=(rng.normal(size=shape), fh, fw, stride, pad)))
        else:
            col = rng.normal(size=(n * oh * ow, c * fh * fw))
            label = f"col {col.shape}, input_shape={shape}, filter_h={fh}, filter_w={fw}, stride={stride}, pad={pad}"
            out.append(Case(key, label, numeric=False, inputs=(col, shape, fh, fw, stride, pad)))
    return out


# -- chainrule's answer ---------------------------------------------------------------------------

def reference(name, case):
    if name == "im2col":
        return {"col": im2col(*case.inputs)}
    if name == "col2im":
        return {"img": col2im(*case.inputs)}
    init = [np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) else a for a in case.init]
    layer = Convolution(*init) if name == "Convolution" else Pooling(*init)
    ref = {"out": layer.forward(np.array(case.inputs[0])), "dx": layer.backward(np.asarray(case.dout))}
    if name == "Convolution":
        ref["dW"], ref["db"] = layer.dW, layer.db
    return ref


# -- running the learner's code (in the process that runs the learner's code) --------------------

def run_case(name, obj, case, is_learner=None):
    tensors = TENSORS[name]
    if name in ("im2col", "col2im"):
        args = [copy(a) for a in case.inputs]
        value, failed = call(obj, *args, is_learner=is_learner)
        if failed:
            return {tensors[0]: failed}, None
        if value is None:
            return {tensors[0]: Outcome(not_implemented=is_blank(obj), hint="function_returns_nothing")}, None
        return {tensors[0]: Outcome(got=grab(value), mutated=changed(case.inputs[0], args[0]),
                                    precision=precision(value))}, None

    def all_rows(outcome, names=tensors):
        return {t: outcome for t in names}, None

    layer, failed = call(obj, *[copy(a) for a in case.init], is_learner=is_learner)
    if failed:
        return all_rows(failed)
    if not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
        return all_rows(Outcome(raised=f"{name} needs forward() and backward()", hint="missing_method"))
    x = copy(case.inputs[0])
    out, failed = call(layer.forward, x, is_learner=is_learner)
    if failed or out is None:
        if (failed is None or failed.not_implemented) and is_blank(layer.forward):
            return all_rows(Outcome(not_implemented=True))
        first = failed or Outcome(hint="forward_returns_nothing")
        return {tensors[0]: first, **{t: Outcome(skipped=True) for t in tensors[1:]}}, None
    result = {"out": Outcome(got=grab(out), mutated=changed(case.inputs[0], x), precision=precision(out))}
    dout = copy(case.dout)
    dx, failed = call(layer.backward, dout, is_learner=is_learner)
    if failed:
        result.update({t: failed for t in tensors[1:]})
        return result, None
    mutated = changed(case.dout, dout)
    values = {"dx": dx, "dW": getattr(layer, "dW", None), "db": getattr(layer, "db", None)}
    blank = dx is None and is_blank(layer.backward)
    for t in tensors[1:]:
        hint = None if values[t] is not None else "backward_returns_nothing" if t == "dx" else "affine_grads_not_set"
        result[t] = Outcome(got=grab(values[t]), mutated=mutated, not_implemented=blank, precision=precision(values[t]),
                            hint=None if blank else hint)
    return result, (lambda deadline: _numeric(name, layer, case, deadline)) if case.numeric else None


def _numeric(name, layer, case, deadline):
    x = np.array(case.inputs[0], dtype=np.float64)
    dout = np.asarray(case.dout, dtype=np.float64)

    def f():
        return quiet_float(lambda: np.asarray(layer.forward(copy(x)), dtype=np.float64) * dout)

    found = {"dx": numeric_gradient(f, x, deadline)}
    if name == "Convolution":
        for t, attr in (("dW", "W"), ("db", "b")):
            param = getattr(layer, attr, None)
            if isinstance(param, np.ndarray) and param.dtype == np.float64:
                found[t] = numeric_gradient(f, param, deadline)
    return found


# -- what the usual mistakes would have produced ------------------------------------------------------

def _im2col(x, fh, fw, stride, pad, order=(0, 4, 5, 1, 2, 3)):
    n, c, h, w = x.shape
    oh, ow = _out(h, w, fh, fw, stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, fh, fw, oh, ow))
    for y in range(fh):
        for z in range(fw):
            col[:, :, y, z] = img[:, :, y:y + stride * oh:stride, z:z + stride * ow:stride]
    return (col.transpose(*order) if order else col).reshape(n * oh * ow, -1)


def _col2im(col, shape, fh, fw, stride, pad, assign=False, transposed=True, crop="book", average=False):
    n, c, h, w = shape
    oh, ow = _out(h, w, fh, fw, stride, pad)
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2) if transposed else \
        col.reshape(n, c, fh, fw, oh, ow)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    count = np.zeros_like(img)
    for y in range(fh):
        for z in range(fw):
            window = (slice(None), slice(None), slice(y, y + stride * oh, stride), slice(z, z + stride * ow, stride))
            if assign:
                img[window] = col[:, :, y, z]
            else:
                img[window] += col[:, :, y, z]
            count[window] += 1
    if average:
        img = img / np.maximum(count, 1)
    if crop == "none":
        return img
    if crop == "end":
        return img[:, :, :h + 2 * pad, :w + 2 * pad]
    return img[:, :, pad:h + pad, pad:w + pad]


def _conv_alternatives(case, tensor):
    W, b, stride, pad = case.init
    x, dout = case.inputs[0], np.asarray(case.dout)
    fn, c, fh, fw = W.shape
    n = x.shape[0]
    oh, ow = dout.shape[2:]
    col = _im2col(x, fh, fw, stride, pad)
    col_W = W.reshape(fn, -1).T
    if tensor == "out":
        flat = col @ col_W + b
        return [("conv_col_W_reshape", (col @ W.reshape(-1, fn) + b).reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)),
                ("conv_out_transpose", flat.reshape(n, fn, oh, ow)),
                ("conv_forgot_bias", (col @ col_W).reshape(n, oh, ow, -1).transpose(0, 3, 1, 2))]
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
    plain = dout.reshape(-1, fn)  # reshaped without moving the filters last
    if tensor == "dW":
        return [("conv_dW_transpose", (col.T @ d2).reshape(fn, c, fh, fw)),
                ("conv_dout_transpose", (col.T @ plain).T.reshape(fn, c, fh, fw)),
                ("conv_dW_not_reshaped", col.T @ d2)]
    if tensor == "db":
        return [("conv_dout_transpose", plain.sum(axis=0)), ("conv_db_axes", dout.sum(axis=0)),
                ("conv_db_axes", dout.sum(axis=(0, 2))), ("sum_no_axis", dout.sum())]
    shape = x.shape
    return [("col2im_no_overlap_sum", _col2im(d2 @ col_W.T, shape, fh, fw, stride, pad, assign=True)),
            ("conv_col_W_reshape", _col2im(d2 @ W.reshape(-1, fn).T, shape, fh, fw, stride, pad)),
            ("conv_dout_transpose", _col2im(plain @ col_W.T, shape, fh, fw, stride, pad)),
            ("col2im_pad_not_removed", _col2im(d2 @ col_W.T, shape, fh, fw, stride, pad, crop="none")),
            ("col2im_pad_not_removed", _col2im(d2 @ col_W.T, shape, fh, fw, stride, pad, crop="end")),
            ("conv_dx_not_folded", d2 @ col_W.T)]


def _pool_alternatives(case, tensor):
    ph, pw, stride, pad = case.init
    x, dout = case.inputs[0], np.asarray(case.dout)
    n, c, h, w = x.shape
    oh, ow = dout.shape[2:]
    col = _im2col(x, ph, pw, stride, pad).reshape(-1, ph * pw)
    if tensor == "out":
        return [("pool_out_transpose", col.max(axis=1).reshape(n, c, oh, ow)),
                ("pool_mean", col.mean(axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2))]
    d = dout.transpose(0, 2, 3, 1).reshape(-1, 1)
    size = ph * pw

    def fold(dmax, **kw):
        return _col2im(dmax.reshape(n * oh * ow, -1), x.shape, ph, pw, stride, pad, **kw)

    first = np.zeros((d.size, size))
    first[np.arange(d.size), col.argmax(axis=1)] = d[:, 0]
    plain = np.zeros((d.size, size))
    plain[np.arange(d.size), col.argmax(axis=1)] = dout.reshape(-1)  # dout flattened without its transpose
    ties = (col == col.max(axis=1, keepdims=True)) * d
    return [("pool_grad_everywhere", fold(np.repeat(d, size, axis=1))),
            ("pool_grad_average", fold(np.repeat(d / size, size, axis=1))),
            ("pool_dout_transpose", fold(plain)), ("pool_ties_all", fold(ties)),
            ("col2im_no_overlap_sum", fold(first, assign=True))]


def _function_alternatives(name, case):
    if name == "im2col":
        x, fh, fw, stride, pad = case.inputs
        return [("im2col_transpose", _im2col(x, fh, fw, stride, pad, order=None)),
                ("im2col_channel_order", _im2col(x, fh, fw, stride, pad, order=(0, 4, 5, 2, 3, 1))),
                ("im2col_no_pad", _im2col(x, fh, fw, stride, 0) if pad else None)]
    col, shape, fh, fw, stride, pad = case.inputs
    return [("col2im_no_overlap_sum", _col2im(col, shape, fh, fw, stride, pad, assign=True)),
            ("col2im_pad_not_removed", _col2im(col, shape, fh, fw, stride, pad, crop="none")),
            ("col2im_pad_not_removed", _col2im(col, shape, fh, fw, stride, pad, crop="end")),
            ("col2im_transpose", _col2im(col, shape, fh, fw, stride, pad, transposed=False)),
            ("col2im_average", _col2im(col, shape, fh, fw, stride, pad, average=True))]


def diagnose(name, tensor, case, ref, got):
    if name == "Convolution":
        found = _conv_alternatives(case, tensor)
    elif name == "Pooling":
        found = _pool_alternatives(case, tensor)
    else:
        found = _function_alternatives(name, case)
    for key, would_be in found:
        if would_be is None:
            continue
        if got.shape == would_be.shape and np.allclose(got, would_be, rtol=1e-6, atol=1e-9):
            if key == "col2im_pad_not_removed" and not case_pad(name, case):
                continue
            return key
    return None


def case_pad(name, case):
    return (case.inputs[-1] if name in ("im2col", "col2im") else case.init[3]) > 0


def diagnose_raised(name, case, error=""):
    if name == "im2col" and ("float" in error or "integer" in error):
        return "im2col_out_size"
    if "broadcast" in error or "shapes" in error or "aligned" in error or "reshape" in error:
        return {"Convolution": "conv_shapes", "Pooling": "pool_shapes", "im2col": "im2col_stride",
                "col2im": "col2im_shapes"}[name]
    return None
