"""Hostile data files: a fuzzed IDX reader that only ever raises IDXError, and proofs under a
1 GB address-space limit that bombs (gzip, model file, cache header) are refused without the memory."""

import gzip
import json
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule
from chainrule.datasets import idx
from chainrule.datasets.idx import IDXError

resource = pytest.importorskip("resource", reason="address-space limits need the Unix resource module")


# --- fuzz: any bytes, raw or gzipped, give an array or an IDXError ------------------------

_dims = st.lists(st.one_of(st.integers(0, 6), st.integers(0, 2**32 - 1)), min_size=0, max_size=5)


@st.composite
def idx_like(draw):
    """Bytes that look like an IDX file more or less: a plausible magic, dims, some data."""
    code = draw(st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF]))
    dims = draw(_dims)
    ndim = draw(st.one_of(st.just(len(dims)), st.integers(0, 255)))
    head = bytes([0, 0, code, ndim]) + b"".join(d.to_bytes(4, "big") for d in dims)
    return head + draw(st.binary(max_size=300))


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=200), idx_like()), how=st.sampled_from(["raw", "gz", "cut-gz"]))
def test_fuzzed_idx_files_raise_only_idx_errors(tmp_path, data, how):
    if how != "raw":
        data = gzip.compress(data, mtime=0)
        if how == "cut-gz":
            data = data[: len(data) // 2]
    path = tmp_path / ("fuzz.gz" if how != "raw" else "fuzz")
    path.write_bytes(data)
    try:
        array = idx.read_idx(path)
    except IDXError as exc:
        assert str(exc).startswith(f"{path}: ")
        return
    assert array.ndim >= 1 and array.dtype.isnative


# --- bombs under a 1 GB address-space limit ------------------------------------------------

def _gzip_bomb(path, header, megabytes):
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    with open(path, "wb") as fh:
        fh.write(z.compress(header))
        for _ in range(megabytes):
            fh.write(z.compress(block))
        fh.write(z.flush())
    return path


def _model_bomb(path, arch):
    import io
    import zipfile

    meta = {"format": "chainrule-model", "format_version": 1, "chainrule_version": "0.1.0",
            "architecture": arch, "dtype": "float64", "params": {}, "metadata": {}}
    buf = io.BytesIO()
    np.save(buf, np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("__chainrule__.npy", buf.getvalue())
    return path


CHILD = textwrap.dedent("""
    import json, logging, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    from chainrule.datasets import idx, load_mnist
    from chainrule.io import load
    results = {}
    def attempt(name, fn):
        try:
            fn()
            results[name] = "loaded"
        except MemoryError as exc:
            results[name] = "MemoryError: " + str(exc)
        except Exception as exc:
            results[name] = type(exc).__name__ + ": " + str(exc)
    d = sys.argv[1]
    attempt("gzip bomb", lambda: idx.read_idx(d + "/bomb.gz"))
    attempt("mnist gzip bomb", lambda: load_mnist(data_dir=d + "/mnist", download=False, progress=False))
    attempt("huge layer", lambda: load(d + "/huge.npz"))
    attempt("million layers", lambda: load(d + "/deep.npz"))
    attempt("cache header", lambda: load_mnist(download=False, progress=False))
    print(json.dumps(results))
""")


def test_bombs_are_refused_within_a_1_gb_address_space(tmp_path):
    bomb = _gzip_bomb(tmp_path / "bomb.gz", idx.encode_header((60000, 28, 28), np.uint8), 1000)
    assert bomb.stat().st_size < 1.1e6  # 1 MB that would decompress to 1 GB
    mnist_dir = tmp_path / "mnist"
    mnist_dir.mkdir()
    _gzip_bomb(mnist_dir / "train-images-idx3-ubyte.gz", idx.encode_header((1000, 1000, 1000), np.uint8), 100)
    for name in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (mnist_dir / name).write_bytes(idx.encode_idx(np.zeros(3, dtype=np.uint8)))
    _model_bomb(tmp_path / "huge.npz", {"class": "TwoLayerNet", "input_size": 20000, "hidden_size": 20000,
                                         "output_size": 10})
    _model_bomb(tmp_path / "deep.npz", {"class": "MultiLayerNet", "input_size": 2,
                                         "hidden_size_list": [1] * 1_000_000, "output_size": 2})
    cache = tmp_path / "xdg" / "chainrule"
    cache.mkdir(parents=True)
    import io
    import zipfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False, "shape": (2**20, 2**20)})
    with zipfile.ZipFile(cache / "mnist.npz", "w") as zf:
        zf.writestr("x_train.npy", header.getvalue())
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "CHAINRULE_MIRRORS": "",
           "PYTHONPATH": str(Path(chainrule.__file__).parents[1])}  # the chainrule under test
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], capture_output=True, text=True,
                          timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results["gzip bomb"].startswith(f"IDXError: {bomb}: the gzip data holds more than the 47040016 bytes")
    assert results["mnist gzip bomb"].startswith("DataUnavailableError: could not get MNIST from any source")
    assert ("train-images-idx3-ubyte.gz: dims 1000x1000x1000 of uint8 need 1000000000 data bytes after the "
            "16-byte header, more than the limit of") in results["mnist gzip bomb"]
    assert results["huge layer"].startswith(f"ModelFileError: {tmp_path / 'huge.npz'}: the architecture has "
                                            "400220010 parameters, more than the limit of")
    assert results["million layers"] == (f"ModelFileError: {tmp_path / 'deep.npz'}: the number of layers must be "
                                         "an integer from 1 to 1000, got 1000001")
    assert "x_train declares shape (1048576, 1048576) of uint8" in results["cache header"]
    assert results["cache header"].startswith("DataUnavailableError")
    assert not any("MemoryError" in r for r in results.values())
