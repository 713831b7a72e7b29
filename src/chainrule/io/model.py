"""Saving and loading networks: one ``.npz`` file, no pickle.

A model file is a NumPy ``.npz`` archive holding

* one array per parameter, under the network's own names (``W1``, ``b1``, ...);
* ``__chainrule__``: a uint8 array holding UTF-8 JSON metadata::

      {"format": "chainrule-model", "format_version": 1, "chainrule_version": "0.1.0",
       "architecture": {"class": "TwoLayerNet", "input_size": 784, ...},
       "dtype": "float32", "params": {"W1": [784, 50], ...}, "metadata": {...}}

It is written atomically (a temporary file in the same directory, then
``os.replace``), so an interrupted save never leaves half a model behind, and it
is read with ``allow_pickle=False``, so opening a model never runs code.

Loading trusts nothing the file says: the ``.npy`` header of every member (shape and
dtype, without the data) and the metadata are checked against the bounds below
(:data:`MAX_LAYERS`, :data:`MAX_LAYER_SIZE`, :data:`MAX_PARAMETERS`,
:data:`MAX_METADATA_BYTES`, :data:`MAX_METADATA_DEPTH`) before any parameter array is
read or any network is built, and every problem is a :class:`ModelFileError`.
"""

from __future__ import annotations

import json
import math
import os
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .._version import __version__
from . import npz
from .files import atomic_path

__all__ = ["FORMAT_VERSION", "NETWORKS", "ModelFileError", "load", "load_with_metadata", "read_metadata", "save"]

#: The model-file format this chainrule writes (and the newest it reads).
FORMAT_VERSION = 1
_META_KEY = "__chainrule__"
_FORMAT_NAME = "chainrule-model"
#: Bounds a model file must keep (checked before anything is built or read).
MAX_LAYERS = 1000
MAX_LAYER_SIZE = 1_000_000
MAX_PARAMETERS = 50_000_000  # 200 MB of float32, 400 MB of float64
MAX_METADATA_BYTES = 16 << 20
MAX_METADATA_DEPTH = 64
_MAX_DIRECTORY = 1 << 20  # bytes of the zip's member list: thousands of members, far more than any model has
#: What reading a damaged archive can raise (zipfile and NumPy's .npy reader).
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
                   RuntimeError, struct.error, OverflowError)  # RuntimeError: encrypted or unknown compression


class ModelFileError(ValueError):
    """A file is not a chainrule model, is damaged, or does not match its architecture."""


#: The network classes a model file may name, by class name. The modules that define networks add
#: theirs (``networks``, ``networks_extend``, ``convnets``), so this module imports none of them.
NETWORKS = {}


def _classes():
    return NETWORKS


def save(network, path, *, metadata=None):
    """Save ``network`` (architecture and parameters) to ``path`` as an ``.npz`` file.

    Parameters
    ----------
    network : a network of :data:`chainrule.networks.NETWORKS`
        Any network with ``params``, ``config`` and ``dtype`` (and its ``state``, if any, is stored too).
    path : str or Path
        The file to write (conventionally ``something.npz``; the name is used as given).
    metadata : dict, optional
        JSON-serializable information stored with the model (for example the
        dataset it was trained on and its test accuracy); read it back with
        :func:`read_metadata`.

    Returns
    -------
    path : Path
    """
    try:
        config = network.config
    except NotImplementedError as exc:
        raise TypeError(f"cannot save this network: {exc}") from None
    if config.get("class") not in _classes():
        raise TypeError(f"cannot save a {config.get('class')!r}; chainrule saves {', '.join(_classes())}")
    arrays = {}
    for name in network.params:
        if name == _META_KEY:
            raise ValueError(f"a parameter cannot be named {_META_KEY!r}")
        arrays[name] = np.ascontiguousarray(network.params[name])
    state = getattr(network, "state", {})  # running statistics (Batch Normalization), stored beside the parameters
    for name in state:
        arrays[name] = np.ascontiguousarray(state[name])
    meta = {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "chainrule_version": __version__,
        "architecture": config,
        "dtype": np.dtype(network.dtype).name,
        "params": {k: list(v.shape) for k, v in arrays.items()},
        "metadata": {} if metadata is None else metadata,
    }
    try:
        text = json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"metadata must be JSON-serializable (numbers, strings, lists, dicts): {exc}") from None
    arrays[_META_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:  # a file object: np.savez adds no ".npz" to the name
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
    return path


def _open(path, *, with_arrays=True):
    """``(arrays, meta)`` of a model file, with :class:`ModelFileError` for anything wrong.

    Order matters: the archive's member headers, then the metadata (size, depth,
    format, architecture bounds), and only then the parameter arrays
    (``with_arrays=False`` reads none and returns ``{}``).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"model file not found: {path}")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a model file")
    with _open_archive(path) as f:
        try:
            npz.check_directory_size(f, _MAX_DIRECTORY)
            with zipfile.ZipFile(f) as archive:
                headers = _array_headers(path, archive)
                meta = _read_meta(path, archive)
                if not with_arrays:
                    return {}, meta
                _check_architecture(path, meta)
                return _read_arrays(archive, headers), meta
        except ModelFileError:
            raise
        except _ARCHIVE_ERRORS as exc:
            raise ModelFileError(f"{path} is not a chainrule model file (.npz), or it is damaged: {exc}") from None


def _open_archive(path):
    """The open model file, checked to be a regular file that starts like a zip archive."""
    try:
        f = npz.open_regular(path, ModelFileError)
    except ModelFileError:
        raise ModelFileError(f"{path} is not a regular file") from None
    head = f.read(6)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        f.seek(0)
        return f
    f.close()
    if head == b"\x93NUMPY":
        raise ModelFileError(f"{path} is a single .npy array, not a chainrule model (.npz)")
    raise ModelFileError(f"{path} is not a chainrule model file (it is not an .npz archive)")


def _array_headers(path, archive):
    """The members' ``.npy`` headers, each checked to be a plain numeric array of sane size."""
    try:
        headers = npz.member_headers(archive)
    except ValueError as exc:
        raise ModelFileError(f"{path} is not a chainrule model file (.npz), or it is damaged: {exc}") from None
    if _META_KEY not in headers:
        raise ModelFileError(
            f"{path} has no chainrule metadata ({_META_KEY!r}): it was not written by chainrule.io.save"
        )
    for key, h in headers.items():
        if h.dtype.hasobject:
            raise ModelFileError(f"{path}: array {key!r} holds Python objects, which would need pickle; "
                                 "chainrule never loads those (allow_pickle=False)")
        if key == _META_KEY:
            if h.dtype != np.uint8 or len(h.shape) != 1:
                raise ModelFileError(f"{path} has damaged chainrule metadata: metadata is not a 1-D uint8 array")
            if h.nbytes > MAX_METADATA_BYTES:
                raise ModelFileError(f"{path} has damaged chainrule metadata: metadata is {h.nbytes} bytes, "
                                     f"more than the limit of {MAX_METADATA_BYTES}")
        elif h.dtype.kind not in "fiub" or math.prod(h.shape) > MAX_PARAMETERS:
            raise ModelFileError(f"{path}: array {key!r} declares shape {h.shape} of {h.dtype}, not a parameter "
                                 f"array of at most {MAX_PARAMETERS} numbers")
        if h.nbytes != h.data_bytes:
            raise ModelFileError(f"{path}: array {key!r} declares shape {h.shape} of {h.dtype} ({h.nbytes} data "
                                 f"bytes) but holds {h.data_bytes}")
    total = sum(math.prod(h.shape) for key, h in headers.items() if key != _META_KEY)
    if total > MAX_PARAMETERS:
        raise ModelFileError(f"{path}: its arrays hold {total} numbers in all, more than the limit of "
                             f"{MAX_PARAMETERS} parameters")
    return headers


def _read_meta(path, archive):
    """The metadata dict, parsed within :data:`MAX_METADATA_DEPTH` and format-checked."""
    raw = _read_member(archive, _META_KEY)
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
        deep = _json_depth(meta) > MAX_METADATA_DEPTH
    except RecursionError:
        deep = True
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise ModelFileError(f"{path} has damaged chainrule metadata: {exc}") from None
    if deep:
        raise ModelFileError(f"{path} has damaged chainrule metadata: nested more than "
                             f"{MAX_METADATA_DEPTH} levels deep")
    if not isinstance(meta, dict):
        raise ModelFileError(f"{path} has damaged chainrule metadata: metadata is not a JSON object")
    if meta.get("format") != _FORMAT_NAME:
        raise ModelFileError(f"{path} is not a chainrule model (format {meta.get('format')!r})")
    version = meta.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{path} has an invalid format version {version!r}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was written by a newer chainrule ({meta.get('chainrule_version', '?')}, model format "
            f"{version}); this chainrule reads format {FORMAT_VERSION} at most: upgrade chainrule"
        )
    for key in ("architecture", "dtype"):
        if key not in meta:
            raise ModelFileError(f"{path} has damaged chainrule metadata: no {key!r}")
    return meta


def _json_depth(value):
    """How deeply lists and dicts nest in ``value`` (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if depth <= MAX_METADATA_DEPTH:
                stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _check_architecture(path, meta):
    """Bound the stored architecture before anything is built: layer sizes, layer count,
    parameter count; class and numbers of the right types (anything else: ModelFileError)."""
    arch = meta["architecture"]
    if not isinstance(arch, dict):
        raise ModelFileError(f"{path} has damaged chainrule metadata: the architecture is not a JSON object")
    name = arch.get("class")
    if not isinstance(name, str) or name not in _classes():
        raise ModelFileError(f"{path}: unknown network class {name!r}; chainrule knows {', '.join(_classes())}")
    dtype = meta["dtype"]
    if not isinstance(dtype, str) or dtype not in ("float16", "float32", "float64"):
        raise ModelFileError(f"{path}: unknown dtype {dtype!r}: a network's dtype is 'float32' or 'float64' "
                             "(or 'float16')")
    hidden = [arch["hidden_size"]] if "hidden_size" in arch else arch.get("hidden_size_list", [])
    if not isinstance(hidden, list):
        raise ModelFileError(f"{path}: 'hidden_size_list' must be a list of layer sizes, got {hidden!r}")
    if len(hidden) + 1 > MAX_LAYERS:
        raise ModelFileError(f"{path}: the architecture has {len(hidden) + 1} layers, more than the limit of "
                             f"{MAX_LAYERS}")
    sizes = []
    for key, value in [("input_size", arch.get("input_size")), *(("hidden size", h) for h in hidden),
                       ("output_size", arch.get("output_size"))]:
        if value is None and key != "hidden size":
            continue  # missing: the constructor says so
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LAYER_SIZE:
            raise ModelFileError(f"{path}: {key!r} must be an integer from 1 to {MAX_LAYER_SIZE}, got {value!r}")
        sizes.append(value)
    count = sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))
    if count > MAX_PARAMETERS:
        raise ModelFileError(f"{path}: the architecture has {count} parameters, more than the limit of "
                             f"{MAX_PARAMETERS}")
    for key in ("weight_init_std", "weight_decay_lambda"):
        value = arch.get(key, 0)
        if not isinstance(value, (int, float, str)) or (isinstance(value, float) and not math.isfinite(value)):
            raise ModelFileError(f"{path}: {key!r} must be a finite number, got {value!r}")


def _read_member(archive, key):
    with archive.open(f"{key}.npy") as f:
        return np.lib.format.read_array(f, allow_pickle=False)


def _read_arrays(archive, headers):
    """The parameter arrays (their headers already checked, so their sizes are known and bounded)."""
    return {key: _read_member(archive, key) for key in headers if key != _META_KEY}


def read_metadata(path):
    """The JSON metadata of a model file (a dict; the user's own under ``"metadata"``)."""
    return _open(path, with_arrays=False)[1]


def load(path):
    """Load a network saved by :func:`save` (:func:`load_with_metadata` gives its metadata too).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    network : a network of :data:`chainrule.networks.NETWORKS`
        Rebuilt from the stored architecture, in the stored dtype, with the
        stored parameters (predictions are bit-identical to the saved network's).

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ModelFileError
        When the file is not an ``.npz`` (or is damaged), was not written by
        chainrule, comes from a newer chainrule, or its arrays do not fit the
        architecture (a missing or extra parameter, a wrong shape or dtype).
    """
    return load_with_metadata(path)[0]


def load_with_metadata(path):
    """``(network, metadata)`` of a model file, read once: :func:`load`'s network and the user's
    metadata stored with it (``save(..., metadata=...)``; ``{}`` when none is stored)."""
    arrays, meta = _open(path)  # also checks the architecture's class, dtype and bounds
    arch = dict(meta["architecture"])
    name = arch.pop("class")
    classes = _classes()
    dtype = np.dtype(meta["dtype"])
    try:
        network = classes[name](**arch, dtype=dtype, rng=0)
    except (TypeError, ValueError, OverflowError, MemoryError, RecursionError) as exc:
        raise ModelFileError(f"{path}: the stored architecture cannot be built: {exc}") from None
    held = {**{k: network.params for k in network.params}, **{k: network.state for k in network.state}}
    missing = [k for k in held if k not in arrays]
    if missing:
        raise ModelFileError(f"{path}: parameter {missing[0]!r} is missing (the {name} needs {list(held)})")
    extra = [k for k in arrays if k not in held]
    if extra:
        raise ModelFileError(f"{path}: unexpected array {extra[0]!r} (the {name} has {list(held)})")
    for k, where in held.items():
        value, want = arrays[k], where[k]
        if value.shape != want.shape:
            raise ModelFileError(
                f"{path}: parameter {k!r} has shape {value.shape} but the {name} needs {want.shape}"
            )
        if value.dtype != want.dtype:
            raise ModelFileError(f"{path}: parameter {k!r} has dtype {value.dtype}, the model says {want.dtype}")
        where[k] = value
    stored = meta.get("metadata")
    return network, stored if isinstance(stored, dict) else {}
