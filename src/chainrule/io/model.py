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

Loading trusts nothing the file says. This is the one reader of model files, for every
network kind (:func:`load`, :func:`read_metadata`, and ``load_params`` through
:func:`read_params`), and it reads in this order:

1. the file is a regular file and a zip archive of a bounded member list (a PyTorch file or
   one of the book's pickles is named as such, never unpickled);
2. the ``.npy`` header of every member (shape and dtype, without the data): plain numbers,
   sizes that agree with the data held, :data:`~chainrule.io.bounds.MAX_PARAMETERS` in all;
3. the metadata: within :data:`MAX_METADATA_BYTES` and :data:`MAX_METADATA_DEPTH`, the format;
4. the architecture, by arithmetic (:mod:`chainrule.io.bounds`): the network class computes the
   shapes of its arrays from the stored config, and every number on the way (input sizes,
   channels, filters, filter sizes, strides, padding, hidden sizes, the layer count) and the
   parameters in all must stay within the bounds;
5. the headers against those shapes and the stored dtype;

and only then reads the arrays and builds the network. Every problem is a
:class:`ModelFileError` naming the file (and the limit, for a bound).
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
from .bounds import MAX_PARAMETERS, bounded_shapes
from .errors import ModelFileError
from .files import atomic_path, check_output
from .pickles import read_weights

__all__ = ["FORMAT_VERSION", "NETWORKS", "ModelFileError", "load", "load_with_metadata", "read_metadata", "read_params",
           "save"]

#: The model-file format this chainrule writes (and the newest it reads).
FORMAT_VERSION = 1
_META_KEY = "__chainrule__"
_FORMAT_NAME = "chainrule-model"
#: Bounds of the metadata (the architecture's are in :mod:`chainrule.io.bounds`).
MAX_METADATA_BYTES = 16 << 20
MAX_METADATA_DEPTH = 64
_MAX_DIRECTORY = 1 << 20  # bytes of the zip's member list: thousands of members, far more than any model has
#: What reading a damaged archive can raise (zipfile and NumPy's .npy reader).
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
                   RuntimeError, struct.error, OverflowError)  # RuntimeError: encrypted or unknown compression


#: The network classes a model file may name, by class name. The modules that define networks add
#: theirs (``networks``, ``networks_extend``, ``convnets``), so this module imports none of them.
NETWORKS = {}


def _classes():
    return NETWORKS


def save(network, path, *, metadata=None, force=False):
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
    force : bool
        Replace ``path`` if it is a file already (by default an existing file is refused).
        Whatever ``force`` says, only a regular file is ever replaced (see :mod:`chainrule.io.files`).

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
    path = check_output(path, force=force)  # before anything is written
    with atomic_path(path, force=force) as tmp:
        with open(tmp, "wb") as f:  # a file object: np.savez adds no ".npz" to the name
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
    return path


def _open(path, *, with_arrays=True):
    """``(arrays, meta)`` of a model file, with :class:`ModelFileError` for anything wrong.

    Order matters: the archive's member headers, then the metadata (size, depth, format),
    the architecture's bounds and shapes, the headers against those shapes, and only then
    the parameter arrays (``with_arrays=False`` reads none and returns ``{}``).
    """
    path = _existing(path, "model file")
    with _open_archive(path, "a chainrule model file") as f:
        try:
            npz.check_directory_size(f, _MAX_DIRECTORY)
            with zipfile.ZipFile(f) as archive:
                headers = _array_headers(path, archive)
                meta = _read_meta(path, archive)
                if not with_arrays:
                    return {}, meta
                shapes = _check_architecture(path, meta)
                _check_headers(path, headers, shapes, meta)
                return _read_arrays(archive, headers), meta
        except ModelFileError:
            raise
        except _ARCHIVE_ERRORS as exc:
            raise ModelFileError(f"{path} is not a chainrule model file (.npz), or it is damaged: {exc}") from None


def _existing(path, what):
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a {what}")
    return path


def _pickled(path, head):
    """Whether a file is a pickle: protocol 2+ starts with PROTO (0x80), a dict at protocols 0 and 1
    with '(' or '}' (the book's weight files are pickled dicts), or its name says ``.pkl``."""
    return head[:1] in (b"\x80", b"(", b"}", b"]") or path.suffix == ".pkl"


def _regular(path):
    """``path`` opened for reading if it is a regular file (a named pipe is refused, not waited on)."""
    try:
        return npz.open_regular(path, ModelFileError)
    except ModelFileError:
        raise ModelFileError(f"{path} is not a regular file") from None


def _open_archive(path, what):
    """The open file, checked to be a regular file that starts like a zip archive of NumPy arrays
    (``what`` it should be is named otherwise; a PyTorch file and a pickle are named as such)."""
    f = _regular(path)
    head = f.read(128)
    if head.startswith(b"PK\x03\x04") and head[30:30 + int.from_bytes(head[26:28], "little")].endswith(b"data.pkl"):
        f.close()
        raise ModelFileError(f"{path} is a PyTorch file (torch.save), not a chainrule model (.npz): read it with "
                             "chainrule.export.load_torch, or write one with chainrule export")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        f.seek(0)
        return f
    f.close()
    if head[:6] == b"\x93NUMPY":
        raise ModelFileError(f"{path} is a single .npy array, not {what} (.npz)")
    if _pickled(path, head):
        raise ModelFileError(f"{path} is a pickle, not {what} (.npz); the book's weight files (a pickled dict of "
                             "arrays) load into a network of their architecture with its load_params, which "
                             "reads weights only")
    raise ModelFileError(f"{path} is not {what} (it is not an .npz archive)")


def _array_headers(path, archive, *, metadata_needed=True):
    """The members' ``.npy`` headers, each checked to be a plain numeric array of sane size."""
    try:
        headers = npz.member_headers(archive)
    except ValueError as exc:
        raise ModelFileError(f"{path} is not a chainrule model file (.npz), or it is damaged: {exc}") from None
    if _META_KEY not in headers and metadata_needed:
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
    """The shapes of every array the stored architecture has (``{name: shape}``), computed and bounded
    before anything is built (:func:`chainrule.io.bounds.bounded_shapes`); class, dtype and the
    numbers' types checked on the way (anything wrong: ModelFileError)."""
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
    for key in ("weight_init_std", "weight_decay_lambda"):
        value = arch.get(key, 0)
        if not isinstance(value, (int, float, str)) or (isinstance(value, float) and not math.isfinite(value)):
            raise ModelFileError(f"{path}: {key!r} must be a finite number, got {value!r}")
    config = {k: v for k, v in arch.items() if k != "class"}
    return bounded_shapes(_classes()[name], config, path, ModelFileError)


def _check_headers(path, headers, shapes, meta):
    """The arrays a file holds (their headers) against the ``shapes`` of its architecture and its dtype."""
    name = meta["architecture"]["class"]
    held = [k for k in headers if k != _META_KEY]
    missing = [k for k in shapes if k not in headers]
    if missing:
        raise ModelFileError(f"{path}: parameter {missing[0]!r} is missing (the {name} needs {list(shapes)})")
    extra = [k for k in held if k not in shapes]
    if extra:
        raise ModelFileError(f"{path}: unexpected array {extra[0]!r} (the {name} has {list(shapes)})")
    want = np.dtype(meta["dtype"])
    for k, shape in shapes.items():
        if headers[k].shape != tuple(shape):
            raise ModelFileError(f"{path}: parameter {k!r} has shape {headers[k].shape} but the {name} needs "
                                 f"{tuple(shape)}")
        if headers[k].dtype != want:
            raise ModelFileError(f"{path}: parameter {k!r} has dtype {headers[k].dtype}, the model says {want}")


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
        chainrule, comes from a newer chainrule, declares an architecture beyond the
        bounds of :mod:`chainrule.io.bounds`, or its arrays do not fit the
        architecture (a missing or extra parameter, a wrong shape or dtype).
    """
    return load_with_metadata(path)[0]


def load_with_metadata(path):
    """``(network, metadata)`` of a model file, read once: :func:`load`'s network and the user's
    metadata stored with it (``save(..., metadata=...)``; ``{}`` when none is stored)."""
    arrays, meta = _open(path)  # the architecture bounded, its shapes matched with the arrays' headers
    arch = dict(meta["architecture"])
    name = arch.pop("class")
    dtype = np.dtype(meta["dtype"])
    try:
        network = _classes()[name](**arch, dtype=dtype, rng=0)
    except (TypeError, ValueError, OverflowError, MemoryError, RecursionError) as exc:
        raise ModelFileError(f"{path}: the stored architecture cannot be built: {exc}") from None
    for where in (network.params, network.state):
        for k in where:
            where[k] = arrays[k]
    stored = meta.get("metadata")
    return network, stored if isinstance(stored, dict) else {}


def read_params(path, network):
    """The arrays of ``path`` for ``network``'s ``load_params``, ``{name: array}`` in its dtype.

    The file is a model file of ``network``'s own architecture (:meth:`save_params`), a
    plain ``.npz`` of one float array per parameter name, or the book's ``params.pkl`` (a
    pickled dict of arrays, read by the weights-only reader :func:`chainrule.io.pickles.read_weights`,
    which calls nothing the file names). An ``.npz`` is read by this module's one reader:
    the same checks of the file, its headers (every shape against ``network``'s before any
    array is read) and its metadata. Raises FileNotFoundError or :class:`ModelFileError`.
    """
    path = _existing(path, "parameter file")
    with _regular(path) as f:
        head = f.read(1)
    if _pickled(path, head) and head != b"P":
        arrays = read_weights(path)  # bounded, weights only
        _match_params(path, {k: (a.shape, a.dtype) for k, a in arrays.items()}, network)
        return {k: a.astype(network.dtype, copy=False) for k, a in arrays.items()}
    with _open_archive(path, "an .npz parameter file") as f:
        try:
            npz.check_directory_size(f, _MAX_DIRECTORY)
            with zipfile.ZipFile(f) as archive:
                headers = _array_headers(path, archive, metadata_needed=False)
                if _META_KEY in headers:
                    cls = type(network).__name__
                    arch = _read_meta(path, archive)["architecture"]
                    name = arch.get("class") if isinstance(arch, dict) else None
                    if name != cls:
                        raise ModelFileError(f"{path} holds a {name!r}, not a {cls}")
                    if arch != network.config:
                        raise ModelFileError(f"{path} holds a {name} with another architecture: {arch} (this one: "
                                             f"{network.config})")
                _match_params(path, {k: (h.shape, h.dtype) for k, h in headers.items() if k != _META_KEY}, network)
                arrays = _read_arrays(archive, {k: headers[k] for k in network.params})
        except ModelFileError:
            raise
        except _ARCHIVE_ERRORS as exc:
            raise ModelFileError(f"{path} is not a readable .npz parameter file: {exc}") from None
    return {k: a.astype(network.dtype, copy=False) for k, a in arrays.items()}


def _match_params(path, found, network):
    """The arrays a parameter file holds (``{name: (shape, dtype)}``) against ``network``'s parameters."""
    cls, shapes = type(network).__name__, {k: tuple(v.shape) for k, v in network.params.items()}
    if sorted(found) != sorted(shapes):
        raise ModelFileError(f"{path} has arrays {sorted(found)} but this {cls} has parameters {list(shapes)}")
    for k, shape in shapes.items():
        if tuple(found[k][0]) != shape:
            raise ModelFileError(f"{path}: {k!r} has shape {tuple(found[k][0])} but this network's {k} has {shape}")
        if found[k][1].kind != "f":
            raise ModelFileError(f"{path}: {k!r} has dtype {found[k][1]}; parameters are floats")
