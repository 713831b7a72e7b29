"""The IDX reader and writer: round trips, and a precise error for every kind of bad file."""

import gzip

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainrule.datasets import idx
from chainrule.datasets.idx import IDXError, decode_idx, encode_idx, read_idx, write_idx
from tests.fifo_helpers import without_hanging

IMAGES = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)


def test_header_matches_the_mnist_layout():
    data = encode_idx(IMAGES)
    assert data[:4] == b"\x00\x00\x08\x03"  # magic 0x00000803: uint8, 3 dims
    assert data[4:16] == (3).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2
    assert len(data) == 16 + 3 * 784
    labels = encode_idx(np.array([5, 0, 4], dtype=np.uint8))
    assert labels == b"\x00\x00\x08\x01" + (3).to_bytes(4, "big") + bytes([5, 0, 4])


def test_multibyte_data_is_big_endian():
    assert encode_idx(np.array([1], dtype=np.int32))[8:] == b"\x00\x00\x00\x01"
    out = decode_idx(b"\x00\x00\x0c\x01" + (2).to_bytes(4, "big") + b"\x00\x00\x01\x00" * 2)
    assert out.dtype == np.int32 and out.dtype.isnative
    np.testing.assert_array_equal(out, [256, 256])


@given(hnp.arrays(
    dtype=st.sampled_from(["u1", "i1", ">i2", "<i4", "f4", ">f8"]),
    shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
))
def test_round_trip_any_dtype_and_shape(array):
    out = decode_idx(encode_idx(array))
    assert out.shape == array.shape
    assert out.dtype == array.dtype.newbyteorder("=")
    assert out.flags.writeable
    np.testing.assert_array_equal(out, array)


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_write_and_read_files_raw_and_gzipped(tmp_path, name):
    path = tmp_path / name
    write_idx(path, IMAGES)
    raw = path.read_bytes()
    assert raw[:2] == (b"\x1f\x8b" if name.endswith(".gz") else b"\x00\x00")
    out = read_idx(path)
    np.testing.assert_array_equal(out, IMAGES)
    assert out.dtype == np.uint8
    assert idx.read_bytes(path) == encode_idx(IMAGES)


def test_gzip_is_detected_by_content_too(tmp_path):
    path = tmp_path / "no-suffix"
    path.write_bytes(gzip.compress(encode_idx(IMAGES)))
    np.testing.assert_array_equal(read_idx(path), IMAGES)


def test_writer_rejects_what_idx_cannot_store():
    with pytest.raises(ValueError, match="cannot store dtype bool"):
        encode_idx(np.zeros(3, dtype=bool))
    with pytest.raises(ValueError, match="1 to 255 dimensions"):
        encode_idx(np.uint8(3))


# --- bad files: each error names the file and the problem ---------------------------

def _bad(tmp_path, data, name="train-images-idx3-ubyte"):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IDXError) as info:
        read_idx(path)
    message = str(info.value)
    assert message.startswith(str(path) + ": ")
    return message


def test_truncated_data(tmp_path):
    message = _bad(tmp_path, encode_idx(IMAGES)[:-100])
    assert "truncated" in message
    assert "dims 3x28x28 of uint8 need 2352 data bytes after the 16-byte header" in message
    assert "only 2252 are present" in message


def test_dims_larger_than_the_file(tmp_path):
    data = bytearray(encode_idx(IMAGES))
    data[4:8] = (60000).to_bytes(4, "big")  # header claims 60000 images, file holds 3
    message = _bad(tmp_path, bytes(data))
    assert "truncated: dims 60000x28x28 of uint8 need 47040000 data bytes" in message
    assert "only 2352 are present" in message


def test_dims_smaller_than_the_file(tmp_path):
    data = bytearray(encode_idx(IMAGES))
    data[4:8] = (2).to_bytes(4, "big")
    message = _bad(tmp_path, bytes(data))
    assert "dims do not match the file length" in message
    assert "dims 2x28x28 of uint8 need 1568 data bytes" in message
    assert "2352 are present (784 extra)" in message


def test_wrong_magic(tmp_path):
    message = _bad(tmp_path, b"\x12\x34\x08\x03" + encode_idx(IMAGES)[4:])
    assert "wrong magic number 0x12340803" in message
    assert "0x00000803" in message


def test_decoding_gzipped_bytes_hints_at_gzip():
    with pytest.raises(IDXError, match=r"x\.gz: wrong magic number 0x1f8b.*looks gzipped"):
        decode_idx(gzip.compress(encode_idx(IMAGES)), "x.gz")


def test_unknown_dtype_code(tmp_path):
    message = _bad(tmp_path, b"\x00\x00\x07\x01" + (1).to_bytes(4, "big") + b"\x00")
    assert "unknown data type code 0x07 in magic number 0x00000701" in message
    assert "0x08 uint8" in message


def test_zero_dimensions(tmp_path):
    message = _bad(tmp_path, b"\x00\x00\x08\x00")
    assert "declares 0 dimensions" in message


def test_truncated_header(tmp_path):
    message = _bad(tmp_path, b"\x00\x00\x08\x03" + (3).to_bytes(4, "big"))
    assert "truncated header: 3 dimensions need a 16-byte header but the file has only 8" \
        in message


@pytest.mark.parametrize("data", [b"", b"\x00\x00"])
def test_shorter_than_a_magic_number(tmp_path, data):
    message = _bad(tmp_path, data)
    assert f"truncated: {len(data)} bytes is too short for an IDX header" in message


def test_corrupt_gzip(tmp_path):
    data = bytearray(gzip.compress(encode_idx(IMAGES)))
    data[len(data) // 2] ^= 0xFF
    message = _bad(tmp_path, bytes(data), "train-images-idx3-ubyte.gz")
    assert "corrupt gzip data" in message


def test_truncated_gzip(tmp_path):
    data = gzip.compress(encode_idx(IMAGES))
    message = _bad(tmp_path, data[: len(data) // 2], "train-images-idx3-ubyte.gz")
    assert "corrupt gzip data: the stream is truncated" in message


def test_gz_suffix_on_a_file_that_is_not_gzip(tmp_path):
    message = _bad(tmp_path, encode_idx(IMAGES), "train-images-idx3-ubyte.gz")
    assert "corrupt gzip data" in message and "Not a gzipped file" in message


def test_missing_file_is_an_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")


# --- limits: decompression is capped by the size the header declares ----------------------

def _gzip_bomb(header, zeros):
    """gzip of ``header`` followed by ``zeros`` zero bytes, compressed in 1 MB pieces."""
    import zlib

    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [z.compress(header)]
    block = bytes(1 << 20)
    for _ in range(zeros >> 20):
        parts.append(z.compress(block))
    parts.append(z.flush())
    return b"".join(parts)


def test_gzip_bomb_is_refused_before_decompressing_it_whole(tmp_path):
    import tracemalloc

    header = idx.encode_header((3, 28, 28), np.uint8)
    path = tmp_path / "bomb-idx3-ubyte.gz"
    path.write_bytes(_gzip_bomb(header, 300 << 20))  # 300 MB of zeros in about 300 kB
    assert path.stat().st_size < 400_000
    tracemalloc.start()
    try:
        with pytest.raises(IDXError) as info:
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6
    assert str(info.value) == (f"{path}: the gzip data holds more than the 2368 bytes its header declares "
                               f"(dims 3x28x28 of uint8 need 2352 data bytes after the 16-byte header)")


@pytest.mark.parametrize("gz", [False, True])
def test_idx_header_claiming_2_40_elements_is_refused(tmp_path, gz):
    data = idx.encode_header((2**20, 2**20), np.uint8) + b"\x00" * 100
    path = tmp_path / ("big.gz" if gz else "big")
    path.write_bytes(gzip.compress(data) if gz else data)
    with pytest.raises(IDXError, match=r"dims 1048576x1048576 of uint8 need 1099511627776 data bytes.* more than "
                                       r"the limit of 1073741824 bytes"):
        read_idx(path)


def test_idx_limit_is_a_parameter(tmp_path):
    path = tmp_path / "images.gz"
    write_idx(path, IMAGES)
    np.testing.assert_array_equal(read_idx(path, max_bytes=16 + IMAGES.size), IMAGES)
    with pytest.raises(IDXError, match="more than the limit of 2000 bytes"):
        read_idx(path, max_bytes=2000)
    raw = tmp_path / "images"
    write_idx(raw, IMAGES)
    with pytest.raises(IDXError, match="more than the limit of 2000 bytes"):
        read_idx(raw, max_bytes=2000)


def test_named_pipe_in_place_of_an_idx_file_is_refused_not_hung_on(tmp_path):
    import os

    fifo = tmp_path / "train-images-idx3-ubyte"
    os.mkfifo(fifo)
    result = without_hanging(lambda: read_idx(fifo), fifo)
    assert isinstance(result["error"], IDXError)
    assert str(result["error"]) == f"{fifo}: not a regular file"


def test_idx_dims_with_a_zero_and_huge_sides_are_an_idx_error():
    # found by the fuzz: 0 x 2818572288 x 3272356096 is empty, yet NumPy cannot make that shape
    data = b"\x00\x00\x08\x03" + (0).to_bytes(4, "big") + (0xA8000000).to_bytes(4, "big") + \
        (0xC30C3100).to_bytes(4, "big")
    with pytest.raises(IDXError, match=r"<bytes>: dims 0x2818572288x3272356096 describe no array NumPy can make"):
        decode_idx(data)
