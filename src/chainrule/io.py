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
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .files import atomic_path

__all__ = ["FORMAT_VERSION", "ModelFileError", "load", "read_metadata", "save"]

#: The model-file format this chainrule writes (and the newest it reads).
FORMAT_VERSION = 1
_META_KEY = "__chainrule__"
_FORMAT_NAME = "chainrule-model"


class ModelFileError(ValueError):
    """A file is not a chainrule model, is damaged, or does not match its architecture."""


def _classes():
    from .networks import NETWORKS

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
    from . import __version__

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


def _open(path):
    """``(arrays, meta)`` of a model file, with :class:`ModelFileError` for anything wrong."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"model file not found: {path}")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a model file")
    try:
        with open(path, "rb") as f:  # our own handle: closed even when np.load fails half-way
            npz = np.load(f, allow_pickle=False)
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise ModelFileError(f"{path} is a single .npy array, not a chainrule model (.npz)")
            with npz:
                if _META_KEY not in npz.files:
                    raise ModelFileError(
                        f"{path} has no chainrule metadata ({_META_KEY!r}): it was not written by chainrule.io.save"
                    )
                arrays = {k: npz[k] for k in npz.files}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise ModelFileError(f"{path} is not a chainrule model file (.npz), or it is damaged: {exc}") from None
    raw = arrays.pop(_META_KEY)
    try:
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError("metadata is not a 1-D uint8 array")
        meta = json.loads(raw.tobytes().decode("utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("metadata is not a JSON object")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{path} has damaged chainrule metadata: {exc}") from None
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
    return arrays, meta


def read_metadata(path):
    """The JSON metadata of a model file (a dict; the user's own under ``"metadata"``)."""
    return _open(path)[1]


def load(path):
    """Load a network saved by :func:`save`.

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
    arrays, meta = _open(path)
    arch = dict(meta["architecture"]) if isinstance(meta["architecture"], dict) else {}
    name = arch.pop("class", None)
    classes = _classes()
    if name not in classes:
        raise ModelFileError(f"{path}: unknown network class {name!r}; chainrule knows {', '.join(classes)}")
    try:
        dtype = np.dtype(meta["dtype"])
    except TypeError:
        raise ModelFileError(f"{path}: unknown dtype {meta['dtype']!r}") from None
    try:
        network = classes[name](**arch, dtype=dtype, rng=0)
    except (TypeError, ValueError) as exc:
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
    return network
