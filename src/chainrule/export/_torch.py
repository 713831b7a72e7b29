"""The PyTorch exit: ``nn.Sequential`` of ``Linear`` layers, both ways; state_dict + JSON files."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from ..io.bounds import check_total, size_check
from ..io.model import MAX_METADATA_BYTES
from ..io.npz import open_regular
from ._common import DTYPES, ExportError, check_outputs, make_plan, need_torch

_TORCH_FORMAT = "chainrule-torch"


def to_torch(model, *, check_trained=True):
    """``model`` as a ``torch.nn.Sequential`` (``Linear``, ``ReLU``/``Sigmoid``, ..., ``Linear``).

    The ``Linear`` layers hold copies of the weights: ``weight = W.T`` (PyTorch stores
    ``(out, in)``), ``bias = b``, in the network's dtype. The module returns scores like
    ``network.predict``; ``torch.softmax(module(x), dim=1)`` gives the probabilities. It
    is in eval mode and remembers the chainrule architecture (``chainrule_architecture``),
    so :func:`from_torch` rebuilds the same class.
    """
    torch = need_torch()
    return _torch_module(torch, make_plan(model, check_trained=check_trained))


def _torch_module(torch, plan):
    nn = torch.nn
    dtype = getattr(torch, plan.dtype.name)
    modules = []
    for k, (W, b) in enumerate(plan.weights, 1):
        linear = nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
            linear.bias.copy_(torch.from_numpy(np.array(b)))
        modules.append(linear)
        if k < len(plan.weights):
            modules.append(nn.ReLU() if plan.activation == "relu" else nn.Sigmoid())
    module = nn.Sequential(*modules).eval()
    module.chainrule_architecture = dict(plan.architecture)
    return module


def from_torch(module):
    """A chainrule network holding the weights of a plain PyTorch MLP, bit for bit.

    ``module`` must be an ``nn.Sequential`` of ``Linear`` layers with one ``ReLU`` or
    ``Sigmoid`` (the same kind throughout) between consecutive ones, ending in a
    ``Linear`` layer; ``Flatten`` (first), ``Dropout`` and ``Identity`` (no-ops at
    inference) and a final ``Softmax(dim=1)`` (chainrule's networks apply softmax in
    their loss layer) are accepted too. A ``Linear`` without bias gets a zero bias.

    Returns a ``TwoLayerNet`` for one ReLU hidden layer (or the class recorded by
    :func:`to_torch`), else a ``MultiLayerNet``, in the module's dtype (float32 or float64).
    """
    torch = need_torch()
    nn = torch.nn
    if not isinstance(module, nn.Module):
        raise TypeError(f"from_torch needs a torch.nn.Module; got a {type(module).__name__}")
    check_total({k: tuple(t.shape) for k, t in module.state_dict().items()}, ExportError, "the module has")
    if not isinstance(module, nn.Sequential):
        raise ExportError(f"from_torch reads an nn.Sequential of Linear layers with ReLU or Sigmoid between them; "
                          f"got a {type(module).__name__} (its forward() cannot be read as a plain MLP)")
    children = list(module.children())
    linears, activations, previous = [], [], None
    for i, child in enumerate(children):
        what = f"layer {i} ({type(child).__name__})"
        if isinstance(child, (nn.Dropout, nn.Identity)) or (isinstance(child, nn.Flatten) and not linears):
            continue
        if isinstance(child, nn.Softmax) and i == len(children) - 1 and child.dim in (1, -1):
            continue
        if isinstance(child, nn.Linear):
            if previous == "linear":
                raise ExportError(f"{what} follows another Linear layer without an activation: not a plain MLP")
            linears.append(child)
            previous = "linear"
        elif isinstance(child, (nn.ReLU, nn.Sigmoid)):
            if previous != "linear":
                raise ExportError(f"{what} does not follow a Linear layer: not a plain MLP")
            activations.append("relu" if isinstance(child, nn.ReLU) else "sigmoid")
            previous = "activation"
        else:
            raise ExportError(f"{what} is not part of a plain MLP: from_torch reads Linear, ReLU and Sigmoid "
                              "layers (and Flatten, Dropout, Identity, a final Softmax)")
    if not linears:
        raise ExportError("the module has no Linear layer: not an MLP")
    if previous != "linear":
        raise ExportError("the module ends in an activation; a chainrule network ends in a Linear layer (scores)")
    if len(set(activations)) > 1:
        raise ExportError(f"the module mixes activations ({', '.join(sorted(set(activations)))}); "
                          "chainrule's networks use one activation throughout")
    weights = []
    for k, linear in enumerate(linears, 1):
        W = linear.weight.detach().cpu().numpy().T
        b = (np.zeros(W.shape[1], dtype=W.dtype) if linear.bias is None
             else linear.bias.detach().cpu().numpy())
        if W.dtype.name not in DTYPES or b.dtype != W.dtype:
            raise ExportError(f"Linear layer {k} holds {W.dtype}/{b.dtype}; chainrule computes in float32 or float64")
        if weights and (W.dtype != weights[0][0].dtype):
            raise ExportError(f"Linear layer {k} is {W.dtype} but layer 1 is {weights[0][0].dtype}: use one dtype")
        if weights and W.shape[0] != weights[-1][0].shape[1]:
            raise ExportError(f"Linear layer {k} takes {W.shape[0]} inputs but layer {k - 1} gives "
                              f"{weights[-1][0].shape[1]}")
        weights.append((W, b))
    network = _build(weights, activations[0] if activations else None,
                     getattr(module, "chainrule_architecture", None))
    for k, (W, b) in enumerate(weights, 1):
        network.params[f"W{k}"] = W
        network.params[f"b{k}"] = b
    return network


def _build(weights, activation, recorded):
    """The chainrule network for these weights: the recorded class when it fits, else the natural one."""
    from ..networks import MultiLayerNet, TwoLayerNet

    sizes = [weights[0][0].shape[0], *(W.shape[1] for W, _ in weights)]
    dtype = weights[0][0].dtype
    if isinstance(recorded, dict):
        cfg = {k: v for k, v in recorded.items() if k != "layer_sizes"}
        cls = {"TwoLayerNet": TwoLayerNet, "MultiLayerNet": MultiLayerNet}.get(cfg.pop("class", None))
        if cls is not None:
            try:
                network = cls(**cfg, dtype=dtype, rng=0)
            except (TypeError, ValueError):
                network = None
            shapes = None if network is None else [v.shape for k, v in network.params.items() if k.startswith("W")]
            if shapes == [W.shape for W, _ in weights] and activation in (None, cfg.get("activation", "relu")):
                return network
    if len(sizes) == 3 and activation == "relu":
        return TwoLayerNet(sizes[0], sizes[1], sizes[2], dtype=dtype, rng=0)
    return MultiLayerNet(sizes[0], sizes[1:-1], sizes[-1], activation=activation or "relu", dtype=dtype, rng=0)


def _architecture_path(path):
    path = Path(path)
    if path.suffix == ".json":
        raise ExportError(f"{path}: give the weights file a name other than .json (its architecture goes in "
                          f"{path.stem}.json beside it)")
    return path.with_suffix(".json")


def torch_files(path):
    """``(weights, architecture)``: the two files :func:`save_torch` writes for ``path`` (``x.pt``, ``x.json``)."""
    return Path(path), _architecture_path(path)


def save_torch(model, path, *, metadata=None, check_trained=True, force=False):
    """Write ``model``'s PyTorch ``state_dict`` to ``path`` and its architecture to ``path`` with ``.json``.

    ``model``: a chainrule network, a model file path, or a module :func:`from_torch` reads.
    The weights file is ``torch.save(module.state_dict())`` (tensors only, never a pickled
    module); ``out.json`` beside ``out.pt`` says how to rebuild the ``nn.Sequential``
    (:func:`load_torch` does it). Returns the two paths. ``force`` replaces them if they are files
    already (never anything but regular files, never the model file itself: :mod:`chainrule.io.files`).
    """
    torch = need_torch()
    check_outputs(model, path, _architecture_path(path), force=force)
    if isinstance(model, torch.nn.Module):
        model = from_torch(model)
    plan = make_plan(model, metadata, check_trained=check_trained)
    module = _torch_module(torch, plan)
    from .._version import __version__
    from ..io.files import atomic_path

    path = Path(path)
    arch_path = _architecture_path(path)
    layers = []
    for k, (W, _) in enumerate(plan.weights, 1):
        layers.append({"type": "Linear", "in_features": int(W.shape[0]), "out_features": int(W.shape[1])})
        if k < len(plan.weights):
            layers.append({"type": "ReLU" if plan.activation == "relu" else "Sigmoid"})
    arch = {"format": _TORCH_FORMAT, "format_version": 1, "chainrule_version": __version__,
            "torch_version": torch.__version__, "dtype": plan.dtype.name, "weights": path.name,
            "layers": layers, "architecture": plan.architecture, "metadata": plan.metadata}
    text = json.dumps(arch, indent=1, default=str) + "\n"
    with atomic_path(path, force=force) as tmp_pt, atomic_path(arch_path, force=force) as tmp_json:
        torch.save(module.state_dict(), tmp_pt)
        tmp_json.write_text(text, encoding="utf-8")
    return path, arch_path


def load_torch(path):
    """The ``nn.Sequential`` saved by :func:`save_torch` (weights read with ``weights_only=True``).

    Both files are bounded like a model file before anything is allocated: the ``.json``
    (a regular file of at most 16 MB) lists at most ``MAX_LAYERS`` layers whose sizes stay
    within :mod:`chainrule.io.bounds`; the module is built on PyTorch's ``meta`` device
    (shapes, no memory) and its parameters in all bounded; the ``.pt`` is read once on the
    ``meta`` device too, each tensor's name, shape and dtype checked against the module's
    and its data against the file's size, and only then read for real into the module.
    Every problem is an :class:`ExportError` naming the file.
    """
    torch = need_torch()
    path = Path(path)
    arch_path = _architecture_path(path)
    for p in (path, arch_path):
        if not p.exists():
            raise FileNotFoundError(f"{'architecture' if p == arch_path else 'weights'} file not found: {p}")
    arch = _read_architecture(arch_path)
    if not isinstance(arch, dict) or arch.get("format") != _TORCH_FORMAT:
        raise ExportError(f"{arch_path} is not a chainrule PyTorch architecture file")
    if arch.get("dtype") not in DTYPES or not isinstance(arch.get("layers"), list):
        raise ExportError(f"{arch_path} has a damaged architecture (dtype {arch.get('dtype')!r})")
    size = size_check(arch_path, ExportError)
    size("the number of layers", len(arch["layers"]), "layers")
    dtype = getattr(torch, arch["dtype"])
    modules = []
    try:
        with torch.device("meta"):  # shapes only: nothing is allocated before the bounds are checked
            for i, layer in enumerate(arch["layers"]):
                kind = layer["type"]
                if kind == "Linear":
                    sizes = [size(f"layer {i} (Linear) {k!r}", layer[k], "size") for k in ("in_features",
                                                                                            "out_features")]
                    modules.append(torch.nn.Linear(*sizes, dtype=dtype))
                elif kind in ("ReLU", "Sigmoid"):
                    modules.append(getattr(torch.nn, kind)())
                else:
                    raise ExportError(f"{arch_path}: unknown layer type {kind!r}")
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ExportError):
            raise
        raise ExportError(f"{arch_path} has a damaged layer list: {exc!r}") from None
    module = torch.nn.Sequential(*modules)
    expected = module.state_dict()
    check_total({k: tuple(t.shape) for k, t in expected.items()}, ExportError, f"{arch_path}: the layers have")
    module.load_state_dict(_read_state(torch, path, arch_path, expected), strict=True, assign=True)
    module.eval()
    if isinstance(arch.get("architecture"), dict):
        module.chainrule_architecture = arch["architecture"]
    return module


def _regular(path):
    """``path`` opened for reading if it is a regular file (a named pipe is refused, not waited on)."""
    try:
        return open_regular(path, ExportError)
    except ExportError:
        raise ExportError(f"{path} is not a regular file") from None


def _read_architecture(arch_path):
    """The JSON of an architecture file: a regular file (a named pipe is refused, not waited on) of bounded size."""
    with _regular(arch_path) as f:
        raw = f.read(MAX_METADATA_BYTES + 1)
    if len(raw) > MAX_METADATA_BYTES:
        raise ExportError(f"{arch_path} is more than {MAX_METADATA_BYTES} bytes: not a chainrule PyTorch "
                          "architecture file")
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ExportError(f"{arch_path} is not JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise ExportError(f"{arch_path} is not JSON: {exc}") from None


def _read_state(torch, path, arch_path, expected):
    """The tensors of ``path``, checked against ``expected`` (the module's ``state_dict`` on ``meta``):
    first read on the ``meta`` device (no data), then for real."""
    where = f"{path} does not hold the weights {arch_path.name} describes"

    def load(device):
        try:
            with _regular(path) as f, warnings.catch_warnings():
                warnings.simplefilter("ignore")  # what torch's unpickler says of a damaged file is no news here
                return torch.load(f, map_location=device, weights_only=True)
        except ExportError:
            raise
        except Exception as exc:  # torch raises RuntimeError, UnpicklingError, ... for a damaged file
            raise ExportError(f"{where}: {' '.join(str(exc).split()) or type(exc).__name__}") from None

    declared = load("meta")
    if not isinstance(declared, dict) or not all(isinstance(t, torch.Tensor) for t in declared.values()):
        raise ExportError(f"{where}: it is not a state_dict of tensors")
    missing = [k for k in expected if k not in declared]
    extra = [k for k in declared if k not in expected]
    if missing or extra:
        raise ExportError(f"{where}: " + (f"tensor {missing[0]!r} is missing" if missing else
                                          f"unexpected tensor {extra[0]!r}"))
    for k, want in expected.items():
        got = declared[k]
        if tuple(got.shape) != tuple(want.shape):
            raise ExportError(f"{where}: {k!r} has shape {tuple(got.shape)}, {arch_path.name} says "
                              f"{tuple(want.shape)}")
        if got.dtype != want.dtype:
            raise ExportError(f"{where}: {k!r} is {got.dtype}, {arch_path.name} says {str(want.dtype)[6:]}")
    data = sum(t.untyped_storage().nbytes() for t in declared.values())
    if data > path.stat().st_size:
        raise ExportError(f"{where}: its tensors declare {data} bytes of data, more than the file's "
                          f"{path.stat().st_size}")
    return load("cpu")
