"""PyTorch back into chainrule: an ``nn.Sequential`` of the modules :func:`to_torch` writes, read into layers.

Each module becomes the chainrule layer that computes the same thing at test time,
holding copies of its arrays; the layers then go into the book's network class whose
layers they are (the class recorded by ``to_torch`` first), or else a ``ModeSequential``.
"""

from __future__ import annotations

import numpy as np

from ..io.bounds import check_total
from ._common import DTYPES, ExportError, make_plan, need_torch
from ._torch import scale_class, torch_momentum

_READS = ("Linear, Conv2d, MaxPool2d (after ZeroPad2d for zero padding), BatchNorm1d, ReLU, Sigmoid, "
          "Dropout (with a following Scale), Flatten, Unflatten, Identity and a final Softmax")


def from_torch(module, *, input_shape=None):
    """A chainrule network holding the weights of a PyTorch ``nn.Sequential``, bit for bit.

    Parameters
    ----------
    module : torch.nn.Sequential
        Of ``Linear``, ``Conv2d`` (zero padding, no dilation or groups), ``MaxPool2d``
        (no padding: PyTorch pads with -inf; an ``nn.ZeroPad2d`` before it is the book's
        zero padding), ``BatchNorm1d`` with running statistics (its ``eps`` is folded into
        the running variance; after images, between ``Flatten`` and ``Unflatten``),
        ``ReLU``, ``Sigmoid``, ``Flatten``, ``Unflatten``, ``Identity``, ``Dropout`` and a
        final ``Softmax(dim=1)``. ``Dropout(p)`` followed by ``Scale(1 - p)`` (as
        :func:`to_torch` writes it) is the book's ``Dropout(p)``; a ``Dropout`` alone is
        PyTorch's, the identity at test time, and is left out. ``BatchNorm2d`` is refused:
        it normalizes per channel, the book's layer each of the ``C*H*W`` values.
    input_shape : (C, H, W) or (D,), optional
        The input per sample; by default the one :func:`to_torch` recorded, or what the
        first ``Linear`` reads. With it, the layers' sizes are checked, and a module shaped
        like ``SimpleConvNet`` or ``DeepConvNet`` comes back as that class.

    Returns
    -------
    The network: the class :func:`to_torch` recorded when the layers fit it; else
    ``TwoLayerNet``, ``MultiLayerNet``, ``MultiLayerNetExtend``, ``SimpleConvNet`` or
    ``DeepConvNet`` when they are its layers; else a ``ModeSequential`` of them. In the
    module's dtype (float32 or float64).
    """
    torch = need_torch()
    nn = torch.nn
    if not isinstance(module, nn.Module):
        raise TypeError(f"from_torch needs a torch.nn.Module; got a {type(module).__name__}")
    check_total({k: tuple(t.shape) for k, t in module.state_dict().items()}, ExportError, "the module has")
    if not isinstance(module, nn.Sequential):
        raise ExportError(f"from_torch reads an nn.Sequential; got a {type(module).__name__} (its forward() "
                          "cannot be read as a chain of layers)")
    layers = _Reader(torch, list(module.children())).layers()
    if input_shape is None:
        input_shape = getattr(module, "chainrule_input_shape", None)
    network = _network(layers, getattr(module, "chainrule_architecture", None), input_shape)
    if input_shape is not None or type(layers[0]).__name__ in ("Affine", "BatchNormalization"):
        make_plan(network, check_trained=False, input_shape=input_shape)  # the sizes fit, from the input on
    return network


class _Reader:
    """Walks the children, keeping track of the tensor's form: images ``(N, C, H, W)`` or rows ``(N, D)``."""

    def __init__(self, torch, children):
        self.torch, self.children = torch, children
        self.form = None       # "image" or "rows"; None before the first layer that says
        self.undo = None       # the Flatten an Unflatten may undo (no Linear since)
        self.dtype = None

    def layers(self):
        nn, out, children = self.torch.nn, [], self.children
        skip = False
        for i, child in enumerate(children):
            if skip:
                skip = False
                continue
            after = children[i + 1] if i + 1 < len(children) else None
            what = f"layer {i} ({type(child).__name__})"
            if isinstance(child, nn.Identity) or (isinstance(child, nn.Softmax) and after is None
                                                  and child.dim in (1, -1)):
                continue
            if type(child) is nn.Dropout:
                if isinstance(after, scale_class()):
                    out.append(self.dropout(what, child, after))
                    skip = True
                continue  # PyTorch's own dropout: the identity at test time
            layer = self.layer(what, child, after)
            if isinstance(child, nn.ZeroPad2d):
                skip = True
            if layer is not None:
                out.append(layer)
        if not any(type(layer).__name__ in ("Affine", "Convolution") for layer in out):
            raise ExportError("the module has no Linear or Conv2d layer: nothing to read")
        if self.form != "rows":
            raise ExportError("the module ends in images (N, C, H, W); a chainrule network ends in scores "
                              "(N, classes)")
        return out

    def expect(self, what, form, becomes=None):
        if self.form is not None and self.form != form:
            hint = ("put nn.Flatten() before it (PyTorch's Linear would act on the last axis of the image)"
                    if form == "rows" else "chainrule's image layers come before the first Linear")
            raise ExportError(f"{what} gets {'images' if self.form == 'image' else 'rows'}: {hint}")
        self.form = becomes or form

    def arrays(self, what, *tensors):
        arrays = [t.detach().cpu().numpy().copy() for t in tensors]
        for a in arrays:
            if a.dtype.name not in DTYPES:
                raise ExportError(f"{what} holds {a.dtype}; chainrule computes in float32 or float64")
            if self.dtype is not None and a.dtype != self.dtype:
                raise ExportError(f"{what} is {a.dtype} but the layers before are {self.dtype}: use one dtype")
            self.dtype = a.dtype
        return arrays

    def layer(self, what, child, after):
        from ..batchnorm import BatchNormalization
        from ..layers import Affine, Relu, Sigmoid

        nn = self.torch.nn
        if isinstance(child, (nn.ReLU, nn.Sigmoid)):
            return Relu() if isinstance(child, nn.ReLU) else Sigmoid()
        if isinstance(child, nn.Linear):
            self.expect(what, "rows")
            self.undo = None
            W, = self.arrays(what, child.weight)
            b = np.zeros(W.shape[0], W.dtype) if child.bias is None else self.arrays(what, child.bias)[0]
            return Affine(np.ascontiguousarray(W.T), b)
        if isinstance(child, nn.Conv2d):
            return self.conv(what, child)
        if isinstance(child, (nn.MaxPool2d, nn.ZeroPad2d)):
            return self.pool(what, child, after)
        if isinstance(child, nn.Flatten):
            if (child.start_dim, child.end_dim) != (1, -1):
                raise ExportError(f"{what} flattens dims {child.start_dim} to {child.end_dim}; chainrule's layers "
                                  "flatten each sample whole (start_dim=1, end_dim=-1)")
            if self.form != "rows":
                self.undo = child
            self.form = "rows"
            return None
        if isinstance(child, nn.Unflatten):
            if self.undo is None or child.dim not in (1, -3) or len(child.unflattened_size) != 3:
                raise ExportError(f"{what}: chainrule goes back to images only to undo the Flatten before a "
                                  "BatchNorm1d (Flatten, BatchNorm1d, ..., Unflatten(1, (C, H, W)))")
            self.form, self.undo = "image", None
            return None
        if isinstance(child, nn.BatchNorm2d):
            raise ExportError(f"{what} normalizes per channel; chainrule's BatchNormalization (the book's) "
                              "normalizes each of the C*H*W values: use nn.Flatten(), nn.BatchNorm1d(C*H*W), "
                              "nn.Unflatten(1, (C, H, W)) as to_torch writes it")
        if isinstance(child, nn.BatchNorm1d):
            self.expect(what, "rows")
            if not child.track_running_stats or child.running_mean is None:
                raise ExportError(f"{what} keeps no running statistics (track_running_stats=False), so it "
                                  "normalizes with each batch's own even at test time: chainrule cannot hold that")
            n = child.num_features
            ones = self.torch.ones(n, dtype=child.running_mean.dtype)
            gamma, beta = (child.weight, child.bias) if child.affine else (ones, ones * 0)
            gamma, beta, mean, var = self.arrays(what, gamma, beta, child.running_mean, child.running_var)
            momentum = 0.9 if child.momentum is None else torch_momentum(child.momentum)
            return BatchNormalization(gamma, beta, momentum, mean, _book_variance(what, var, child.eps))
        raise ExportError(f"{what} has no chainrule layer: from_torch reads {_READS}")

    def conv(self, what, child):
        from ..convolution import Convolution

        self.expect(what, "image")
        padding = child.padding
        if padding == "same":
            padding = tuple((k - 1) // 2 if k % 2 else -1 for k in child.kernel_size)
        elif padding == "valid":
            padding = (0, 0)
        problems = [text for bad, text in (
            (child.groups != 1, f"groups={child.groups}"), (set(child.dilation) != {1}, f"dilation={child.dilation}"),
            (child.padding_mode != "zeros", f"padding_mode={child.padding_mode!r}"),
            (len(set(child.stride)) != 1, f"stride={child.stride}"),
            (len(set(padding)) != 1 or -1 in padding, f"padding={child.padding!r}")) if bad]
        if problems:
            raise ExportError(f"{what} has {', '.join(problems)}; chainrule's Convolution has one stride and one "
                              "zero padding for both axes, no dilation, no groups")
        W, = self.arrays(what, child.weight)
        b = np.zeros(W.shape[0], W.dtype) if child.bias is None else self.arrays(what, child.bias)[0]
        return Convolution(W, b, child.stride[0], padding[0])

    def pool(self, what, child, after):
        from ..convolution import Pooling

        nn = self.torch.nn
        self.expect(what, "image")
        pad = 0
        if isinstance(child, nn.ZeroPad2d):
            if not isinstance(after, nn.MaxPool2d) or len(set(child.padding)) != 1:
                raise ExportError(f"{what}: chainrule pads with zeros inside its layers; a ZeroPad2d must pad all "
                                  "four sides alike and come right before a MaxPool2d (the book's Pooling pad)")
            pad, child, what = child.padding[0], after, what.replace("ZeroPad2d", "ZeroPad2d + MaxPool2d")
        kernel, stride, padding, dilation = (child.kernel_size, child.stride, child.padding, child.dilation)
        kernel = (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)
        stride = (stride, stride) if isinstance(stride, int) else tuple(stride)
        if padding not in (0, (0, 0)):
            raise ExportError(f"{what} pads with -inf (padding={padding}); chainrule's Pooling pads with zeros, "
                              "which differs once a padded window holds only negative values: put "
                              "nn.ZeroPad2d before a MaxPool2d without padding if zeros are what you mean")
        if dilation not in (1, (1, 1)) or child.ceil_mode or child.return_indices or len(set(stride)) != 1:
            raise ExportError(f"{what}: chainrule's Pooling has one stride for both axes, no dilation, "
                              "no ceil_mode, no return_indices")
        return Pooling(kernel[0], kernel[1], stride[0], pad)

    def dropout(self, what, child, scale):
        from ..dropout import Dropout

        if not 0 <= child.p < 1:
            raise ExportError(f"{what} drops with p={child.p}; the book's Dropout keeps something: 0 <= p < 1")
        factor, = self.arrays(what, scale.factor)
        if factor != factor.dtype.type(1.0 - child.p):
            raise ExportError(f"{what} with p={child.p} is followed by Scale({factor.item()!r}); the book's "
                              f"Dropout is Dropout(p) then Scale(1 - p) = Scale({1.0 - child.p!r})")
        return Dropout(child.p)


def _book_variance(what, var, eps):
    """The running variance for the book's ``sqrt(var + 1e-6)`` to be PyTorch's ``sqrt(var + eps)``."""
    from ..batchnorm import EPS

    if eps == EPS:
        return var
    book = (var.astype(np.float64) + (eps - EPS)).astype(var.dtype)
    if np.any(book < 0):
        raise ExportError(f"{what} has eps={eps} and running variances below {EPS - eps:.1e}: the book's "
                          f"BatchNormalization (eps={EPS}) cannot divide by what it divides by")
    return book


def _signature(layer):
    """What a layer computes with: its type, its arrays' shapes and dtypes, its numbers."""
    arrays = ("W", "b", "gamma", "beta", "running_mean", "running_var")
    numbers = ("stride", "pad", "pool_h", "pool_w", "dropout_ratio")
    return (type(layer).__name__, tuple((k, getattr(layer, k).shape, getattr(layer, k).dtype.name)
                                        for k in arrays if hasattr(layer, k)),
            tuple((k, getattr(layer, k)) for k in numbers if hasattr(layer, k)))


def _network(layers, recorded, input_shape):
    """The network for these layers: the recorded class, else a book class they fit, else a ModeSequential."""
    from collections import OrderedDict

    from ..networks import NETWORKS
    from ..networks_extend import ModeSequential

    dtype = next(getattr(layer, k) for layer in layers for k in ("W", "gamma") if hasattr(layer, k)).dtype
    wanted = [_signature(layer) for layer in layers]
    for name, config in _candidates(layers, recorded, input_shape):
        try:
            network = NETWORKS[name](**config, dtype=dtype, rng=0)
        except (TypeError, ValueError, KeyError):
            continue
        if [_signature(layer) for layer in network.layers.values()] == wanted:
            for mine, theirs in zip(network.layers.values(), layers, strict=True):
                for k in ("W", "b", "gamma", "beta", "running_mean", "running_var", "momentum"):
                    if hasattr(theirs, k):
                        setattr(mine, k, getattr(theirs, k))
            return network
    names = {"Convolution": "Conv", "Pooling": "Pool", "BatchNormalization": "BatchNorm"}
    named, counts = OrderedDict(), {}
    for layer in layers:
        kind = names.get(type(layer).__name__, type(layer).__name__)
        counts[kind] = counts.get(kind, 0) + 1
        named[f"{kind}{counts[kind]}"] = layer
    return ModeSequential(named)


def _candidates(layers, recorded, input_shape):
    """``(class name, config)`` of the book's networks these layers may be: the recorded one first."""
    out = []
    if isinstance(recorded, dict) and isinstance(recorded.get("class"), str):
        out.append((recorded["class"], {k: v for k, v in recorded.items() if k != "class"}))
    kinds = [type(layer).__name__ for layer in layers]
    affines = [layer for layer in layers if type(layer).__name__ == "Affine"]
    convs = [layer for layer in layers if type(layer).__name__ == "Convolution"]
    if not affines:
        return out
    sizes = [affines[0].W.shape[0], *(a.W.shape[1] for a in affines)]
    if not convs:
        activation = "sigmoid" if "Sigmoid" in kinds and "Relu" not in kinds else "relu"
        mlp = {"input_size": sizes[0], "hidden_size_list": sizes[1:-1], "output_size": sizes[-1],
               "activation": activation}
        ratios = [layer.dropout_ratio for layer in layers if type(layer).__name__ == "Dropout"]
        if len(sizes) == 3:
            out.append(("TwoLayerNet", {"input_size": sizes[0], "hidden_size": sizes[1], "output_size": sizes[2]}))
        out.append(("MultiLayerNet", mlp))
        out.append(("MultiLayerNetExtend", {**mlp, "use_dropout": bool(ratios), "dropout_ration": (ratios or [0.5])[0],
                                            "use_batchnorm": "BatchNormalization" in kinds}))
    elif input_shape is not None and len(input_shape) == 3 and len(affines) == 2:
        params = [{"filter_num": c.W.shape[0], "filter_size": c.W.shape[2], "pad": c.pad, "stride": c.stride}
                  for c in convs]
        top = {"input_dim": list(input_shape), "hidden_size": sizes[1], "output_size": sizes[2]}
        if len(convs) == 1:
            out.append(("SimpleConvNet", {**top, "conv_param": params[0]}))
        if len(convs) == 6:
            out.append(("DeepConvNet", {**top, **{f"conv_param_{i + 1}": p for i, p in enumerate(params)}}))
    return out
