"""Model files that are damaged or hostile: every problem is a ModelFileError, found from the
metadata and the .npy headers before any array is read or any network is built."""

import io
import json
import os
import tempfile
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule import TwoLayerNet
from chainrule.io import ModelFileError, load, read_metadata, save
from tests.fifo_helpers import without_hanging


def _meta(arch, dtype="float32", **extra):
    return {"format": "chainrule-model", "format_version": 1, "chainrule_version": "0.1.0",
            "architecture": arch, "dtype": dtype, "params": {}, "metadata": {}, **extra}


def _npy_header(shape, dtype="<f4"):
    """The bytes of a .npy file's header alone (magic, version 1.0, dict), with no data."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()  # the header writer writes the magic too


def _write(path, meta, members=None):
    """A zip like np.savez writes: ``__chainrule__.npy`` (the JSON) and raw .npy members."""
    meta_bytes = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    buf = io.BytesIO()
    np.save(buf, np.frombuffer(meta_bytes, dtype=np.uint8))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("__chainrule__.npy", buf.getvalue())
        for name, data in (members or {}).items():
            zf.writestr(f"{name}.npy", data)
    return path


def _peak(fn):
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError) as info:
            fn()
        return tracemalloc.get_traced_memory()[1], str(info.value)
    finally:
        tracemalloc.stop()


def test_model_file_declaring_a_huge_layer_is_refused_before_building(tmp_path):
    path = _write(tmp_path / "huge.npz", _meta({"class": "TwoLayerNet", "input_size": 8000,
                                                "hidden_size": 8000, "output_size": 10}))
    peak, message = _peak(lambda: load(path))
    assert peak < 20e6  # never built: 64 million float32 weights would be 256 MB
    assert str(path) in message and "64088010 parameters" in message and "limit" in message


def test_model_file_declaring_thousands_of_layers_is_refused_before_building(tmp_path):
    arch = {"class": "MultiLayerNet", "input_size": 4, "hidden_size_list": [1] * 5000, "output_size": 2}
    path = _write(tmp_path / "deep.npz", _meta(arch))
    peak, message = _peak(lambda: load(path))
    assert peak < 20e6
    assert message == f"{path}: the number of layers must be an integer from 1 to 1000, got 5001"


def test_npz_member_header_declaring_a_huge_shape_is_refused_before_reading(tmp_path):
    net = TwoLayerNet(12, 7, 4, dtype=np.float32, rng=0)
    good = tmp_path / "good.npz"
    save(net, good)
    meta = read_metadata(good)
    with np.load(good) as npz:
        members = {k: _npy_bytes(npz[k]) for k in ("b1", "W2", "b2")}
    members["W1"] = _npy_header((2**40,))
    path = _write(tmp_path / "bomb.npz", meta, members)
    peak, message = _peak(lambda: load(path))
    assert peak < 20e6
    assert "'W1'" in message and "(1099511627776,)" in message


def _npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def test_npz_member_whose_header_disagrees_with_its_size_is_refused(tmp_path):
    net = TwoLayerNet(12, 7, 4, dtype=np.float32, rng=0)
    good = save(net, tmp_path / "good.npz")
    meta = read_metadata(good)
    with np.load(good) as npz:
        members = {k: _npy_bytes(npz[k]) for k in ("W1", "b1", "W2", "b2")}
    members["W1"] = _npy_header((12, 7)) + b"\x00" * 10  # 10 bytes of data for 336
    with pytest.raises(ModelFileError, match=r"'W1'.*\(12, 7\).*336 data bytes.*10"):
        load(_write(tmp_path / "short.npz", meta, members))


DAMAGED = {  # name: (the metadata bytes, what the message says)
    "deeply nested metadata": (lambda: b'{"format": "chainrule-model", "metadata": ' + b"[" * 100_000
                               + b"]" * 100_000 + b"}", "nested more than 64 levels deep"),
    "infinite layer size": (lambda: _arch(input_size=float("inf")),
                            "'input_size' must be an integer from 1 to 1000000, got inf"),
    "class is a list": (lambda: json.dumps(_meta({"class": ["TwoLayerNet"]})).encode(),
                        r"unknown network class \['TwoLayerNet'\]"),
    "dtype is an object": (lambda: _arch(dtype={"names": ["a"]}), r"unknown dtype \{'names': \['a'\]\}"),
    "dtype is not a float": (lambda: _arch(dtype="int64"), "unknown dtype 'int64'"),
    "layer size 10**30": (lambda: _arch(input_size=10**30),
                          "'input_size' must be an integer from 1 to 1000000, got 1000000000000000000000000000000"),
    "layer size True": (lambda: _arch(input_size=True), "'input_size' must be an integer from 1 to 1000000, got True"),
    "weight decay NaN": (lambda: json.dumps(_meta({"class": "MultiLayerNet", "input_size": 2,
                                                   "hidden_size_list": [3], "output_size": 2,
                                                   "weight_decay_lambda": float("nan")})).encode(),
                         "'weight_decay_lambda' must be a finite number, got nan"),
    "metadata of 20 MB": (lambda: json.dumps(_meta({"class": "TwoLayerNet"}, pad="x" * 20_000_000)).encode(),
                          r"metadata is 20000\d{3} bytes, more than the limit of 16777216"),
}


def _arch(dtype="float32", **change):
    arch = {"class": "TwoLayerNet", "input_size": 2, "hidden_size": 3, "output_size": 2, **change}
    return json.dumps(_meta(arch, dtype=dtype)).encode()


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_metadata_raises_model_file_error(tmp_path, case):
    make, message = DAMAGED[case]
    path = _write(tmp_path / "m.npz", make())
    with pytest.raises(ModelFileError, match=message) as info:
        load(path)
    assert str(info.value).startswith(str(path))


def test_text_file_passed_as_a_model_is_not_a_chainrule_model_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("W1 = [[0.1, 0.2], [0.3, 0.4]]\n")
    with pytest.raises(ModelFileError) as info:
        load(path)
    message = str(info.value)
    assert message == f"{path} is not a chainrule model file (it is not an .npz archive)"
    assert "pickle" not in message


def test_named_pipe_in_place_of_a_model_is_refused_not_hung_on(tmp_path):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    result = without_hanging(lambda: load(fifo), fifo)
    assert isinstance(result["error"], ModelFileError)
    assert str(result["error"]) == f"{fifo} is not a regular file"


# --- fuzz: whatever the bytes, only the documented errors ---------------------------------

def _good_bytes():
    with tempfile.TemporaryDirectory() as tmp:
        return save(TwoLayerNet(5, 4, 3, dtype=np.float32, rng=0), os.path.join(tmp, "m.npz")).read_bytes()


GOOD = _good_bytes()


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=600),
    st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, len(GOOD)),
))
def test_fuzzed_model_files_raise_only_model_file_errors(tmp_path, change):
    if isinstance(change, bytes):
        data = change
    elif isinstance(change, int):
        data = GOOD[:change]
    else:
        data = bytearray(GOOD)
        for at, value in change:
            data[at] = value
        data = bytes(data)
    path = tmp_path / "fuzz.npz"
    path.write_bytes(data)
    try:
        net = load(path)
    except ModelFileError as exc:
        assert str(path) in str(exc)
        return
    assert set(net.params) == {"W1", "b1", "W2", "b2"}


# --- pictures for `predict`: the size is checked before decoding ---------------------------

def _png_header_only(width, height):
    """A PNG whose header declares ``width`` x ``height`` grayscale pixels, with almost no data."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height, size", [(20000, 20000, "400000000 pixels"),  # Pillow refuses at open
                                                  (6000, 5000, "6000x5000 pixels")])  # chainrule's own check
def test_huge_picture_is_refused_before_decoding(tmp_path, width, height, size):
    pytest.importorskip("PIL.Image")
    from chainrule.datasets import read_digit

    path = tmp_path / "huge.png"
    path.write_bytes(_png_header_only(width, height))
    with pytest.raises(ValueError) as info:
        read_digit(path)
    assert str(info.value) == (f"{path} is {size}, more than the limit of 25000000 pixels "
                               "for a picture of a digit: crop or scale it down")


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2**70) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_arch_values = st.one_of(st.integers(-1, 3000), st.just(10**40), st.floats(allow_nan=True), st.booleans(),
                         st.text(max_size=5), st.none(), st.lists(st.integers(-1, 40), max_size=6), _json)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cls=st.sampled_from(["TwoLayerNet", "MultiLayerNet", "Other", 5]),
       arch=st.dictionaries(st.sampled_from(["input_size", "hidden_size", "hidden_size_list", "output_size",
                                             "activation", "weight_init_std", "weight_decay_lambda", "dtype",
                                             "rng"]), _arch_values, max_size=6),
       dtype=st.one_of(st.sampled_from(["float32", "float64", "int8", "object", "float99"]), _json),
       extra=st.dictionaries(st.sampled_from(["format", "format_version", "params", "metadata"]), _json,
                             max_size=2))
def test_fuzzed_model_metadata_raises_only_model_file_errors(tmp_path, cls, arch, dtype, extra):
    meta = {**_meta({"class": cls, **arch}, dtype=dtype), **extra}
    path = _write(tmp_path / "fuzz.npz", json.dumps(meta).encode())  # allows NaN and Infinity, as JSON files may
    try:
        load(path)
    except ModelFileError as exc:
        assert str(exc).startswith(str(path))
        return
    pytest.fail("a model without parameter arrays loaded")  # every network has parameters


def test_named_pipe_in_place_of_a_picture_is_refused_not_hung_on(tmp_path):
    pytest.importorskip("PIL.Image")
    from chainrule.datasets import read_digit

    fifo = tmp_path / "digit.png"
    os.mkfifo(fifo)
    result = without_hanging(lambda: read_digit(fifo), fifo)
    assert isinstance(result["error"], ValueError)
    assert str(result["error"]) == f"{fifo}: not a regular file"


def test_model_file_listing_many_members_is_refused_before_zipfile_reads_the_list(tmp_path):
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(30_000):
            zf.writestr(f"a{i}.npy", b"")
    with pytest.raises(ModelFileError, match=r"its member list is \d+ bytes, more than the limit of 1048576"):
        load(path)


def test_arrays_together_beyond_the_parameter_limit_are_refused(tmp_path):
    net = TwoLayerNet(12, 7, 4, dtype=np.float32, rng=0)
    meta = read_metadata(save(net, tmp_path / "good.npz"))
    path = _write(tmp_path / "m.npz", meta)
    block = bytes(1 << 20)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):  # 20 million float32 zeros each: within the limit alone, not together
            with zf.open(f"X{i}.npy", "w", force_zip64=True) as f:
                f.write(_npy_header((20_000_000,)))
                for _ in range(80_000_000 // len(block)):
                    f.write(block)
                f.write(bytes(80_000_000 % len(block)))
    assert path.stat().st_size < 1e6
    peak, message = _peak(lambda: load(path))
    assert peak < 20e6
    assert message == f"{path}: its arrays hold 60000000 numbers in all, more than the limit of 50000000 parameters"
