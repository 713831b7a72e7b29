"""The PyTorch exit's files: ``torch.save(state_dict)`` plus a JSON list of layers, written and read back bounded.

:func:`save_torch` writes ``out.pt`` (tensors only, never a pickled module) and ``out.json``
(the layer descriptions of :func:`~._torch.torch_layers`, the per-sample input shape, the
chainrule architecture and metadata). :func:`load_torch` reads them like a model file:
bounded before anything is allocated, every problem an :class:`ExportError` naming the file.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from ..io.bounds import check_total, size_check
from ..io.model import MAX_METADATA_BYTES
from ..io.npz import open_regular
from ._common import DTYPES, ExportError, check_outputs, make_plan, need_torch
from ._torch import sequential, torch_layers, torch_module

_TORCH_FORMAT = "chainrule-torch"


def _architecture_path(path):
    path = Path(path)
    if path.suffix == ".json":
        raise ExportError(f"{path}: give the weights file a name other than .json (its architecture goes in "
                          f"{path.stem}.json beside it)")
    return path.with_suffix(".json")


def torch_files(path):
    """``(weights, architecture)``: the two files :func:`save_torch` writes for ``path`` (``x.pt``, ``x.json``)."""
    return Path(path), _architecture_path(path)


def save_torch(model, path, *, metadata=None, check_trained=True, input_shape=None, force=False):
    """Write ``model``'s PyTorch ``state_dict`` to ``path`` and its architecture to ``path`` with ``.json``.

    ``model``: a chainrule network, a model file path, or a module :func:`from_torch` reads.
    The weights file is ``torch.save(module.state_dict())`` (tensors only, never a pickled
    module); ``out.json`` beside ``out.pt`` lists the ``nn.Sequential``'s layers
    (:func:`load_torch` rebuilds it). Returns the two paths. ``force`` replaces them if they are files
    already (never anything but regular files, never the model file itself: :mod:`chainrule.io.files`).
    """
    torch = need_torch()
    check_outputs(model, path, _architecture_path(path), force=force)
    if isinstance(model, torch.nn.Module):
        from ._from_torch import from_torch

        input_shape = input_shape or getattr(model, "chainrule_input_shape", None)
        model = from_torch(model, input_shape=input_shape)
    plan = make_plan(model, metadata, check_trained=check_trained, input_shape=input_shape)
    module = torch_module(torch, plan)
    from .._version import __version__
    from ..io.files import atomic_path

    path = Path(path)
    arch_path = _architecture_path(path)
    arch = {"format": _TORCH_FORMAT, "format_version": 1, "chainrule_version": __version__,
            "torch_version": torch.__version__, "dtype": plan.dtype.name, "weights": path.name,
            "input_shape": list(plan.input_shape), "layers": torch_layers(plan)[0],
            "architecture": plan.architecture, "metadata": plan.metadata}
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
    size_check(arch_path, ExportError)("the number of layers", len(arch["layers"]), "layers")
    with torch.device("meta"):  # shapes only: nothing is allocated before the bounds are checked
        module = sequential(torch, arch["layers"], getattr(torch, arch["dtype"]), arch_path)
    expected = module.state_dict()
    check_total({k: tuple(t.shape) for k, t in expected.items()}, ExportError, f"{arch_path}: the layers have")
    module.load_state_dict(_read_state(torch, path, arch_path, expected), strict=True, assign=True)
    module.eval()
    if isinstance(arch.get("architecture"), dict):
        module.chainrule_architecture = arch["architecture"]
    if isinstance(arch.get("input_shape"), list):
        module.chainrule_input_shape = arch["input_shape"]
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
