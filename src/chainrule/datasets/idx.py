"""Read and write IDX files, the format of the MNIST and Fashion-MNIST files.

An IDX file is a 4-byte magic number ``0x0000TTDD`` (``TT`` = data type code,
``DD`` = number of dimensions), then ``DD`` big-endian 4-byte dimension sizes, then
the data in C order, big-endian. MNIST images are ``0x00000803`` (uint8, 3 dims:
``N, 28, 28``) and labels ``0x00000801`` (uint8, 1 dim: ``N``). Files may be gzipped.

Every problem is reported as an :class:`IDXError` (a ``ValueError``) whose message
starts with the file name and says what is wrong.
"""

from __future__ import annotations

import gzip
import os
import zlib
from math import prod
from pathlib import Path

import numpy as np

__all__ = ["IDXError", "decode_idx", "encode_header", "encode_idx", "gunzip", "read_bytes",
           "read_idx", "write_idx"]

#: IDX data type code -> big-endian NumPy dtype.
DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXError(ValueError):
    """A file (or buffer) that is not a valid IDX file; the message names it."""


def read_bytes(path: str | os.PathLike) -> bytes:
    """Return the IDX bytes of ``path``, decompressing it if it is gzipped.

    A file is treated as gzip if its name ends in ``.gz`` or it starts with the gzip
    magic bytes. Raises ``FileNotFoundError`` (an ``OSError``) if it does not exist
    and :class:`IDXError` if the gzip stream is corrupt or truncated.
    """
    data = Path(path).read_bytes()
    if str(path).endswith(".gz") or data[:2] == _GZIP_MAGIC:
        return gunzip(data, str(path))
    return data


def gunzip(data: bytes, name: str) -> bytes:
    """Decompress gzip ``data``; a corrupt stream raises :class:`IDXError` naming ``name``."""
    try:
        return gzip.decompress(data)
    except EOFError:
        raise IDXError(f"{name}: corrupt gzip data: the stream is truncated "
                       f"(ends before the end-of-stream marker)") from None
    except (OSError, zlib.error) as exc:
        raise IDXError(f"{name}: corrupt gzip data: {exc}") from None


def decode_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse the IDX bytes ``data`` into a new array.

    Parameters
    ----------
    data : bytes
        A whole, uncompressed IDX file.
    name : str
        What to call the data in error messages (usually its path or URL).

    Returns
    -------
    numpy.ndarray
        A writable array in native byte order with the shape the header declares,
        e.g. ``(60000, 28, 28)`` uint8 for MNIST training images.

    Raises
    ------
    IDXError
        If the magic number, data type code, dimensions or length are wrong.
    """
    size = len(data)
    if size < 4:
        raise IDXError(f"{name}: truncated: {size} bytes is too short for an IDX header "
                       f"(at least 4 bytes)")
    magic = int.from_bytes(data[:4], "big")
    if data[:2] != b"\x00\x00":
        hint = " (it looks gzipped)" if data[:2] == _GZIP_MAGIC else ""
        raise IDXError(f"{name}: wrong magic number 0x{magic:08x}{hint}: an IDX file starts "
                       f"with two zero bytes, e.g. 0x00000803 (images) or 0x00000801 (labels)")
    code, ndim = data[2], data[3]
    if code not in DTYPES:
        known = ", ".join(f"0x{c:02x} {dt.name}" for c, dt in DTYPES.items())
        raise IDXError(f"{name}: unknown data type code 0x{code:02x} in magic number "
                       f"0x{magic:08x} (known codes: {known})")
    if ndim == 0:
        raise IDXError(f"{name}: magic number 0x{magic:08x} declares 0 dimensions")
    header = 4 + 4 * ndim
    if size < header:
        raise IDXError(f"{name}: truncated header: {ndim} dimensions need a {header}-byte "
                       f"header but the file has only {size} bytes")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = DTYPES[code]
    need, have = prod(dims) * dtype.itemsize, size - header
    what = (f"dims {'x'.join(map(str, dims))} of {dtype.name} need {need} data bytes "
            f"after the {header}-byte header")
    if have < need:
        raise IDXError(f"{name}: truncated: {what}, but only {have} are present")
    if have > need:
        raise IDXError(f"{name}: dims do not match the file length: {what}, but {have} are "
                       f"present ({have - need} extra)")
    flat = np.frombuffer(data, dtype=dtype, count=prod(dims), offset=header)
    return flat.reshape(dims).astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (raw or ``.gz``) into a new array; see :func:`decode_idx`."""
    return decode_idx(read_bytes(path), str(path))


def encode_header(shape: tuple[int, ...], dtype: np.dtype) -> bytes:
    """Return the IDX header (magic number and dims) for an array of ``shape``/``dtype``."""
    code = _CODES.get(np.dtype(dtype).newbyteorder("="))
    if code is None:
        raise ValueError(f"IDX cannot store dtype {np.dtype(dtype)}; "
                         f"use one of {', '.join(dt.name for dt in DTYPES.values())}")
    if not 1 <= len(shape) <= 255:
        raise ValueError(f"IDX needs 1 to 255 dimensions, got shape {shape}")
    if any(not 0 <= n < 2**32 for n in shape):
        raise ValueError(f"IDX dimensions must fit in 4 bytes, got shape {shape}")
    dims = b"".join(int(n).to_bytes(4, "big") for n in shape)
    return bytes([0, 0, code, len(shape)]) + dims


def encode_idx(array: np.ndarray) -> bytes:
    """Return the IDX bytes (header + big-endian data) of ``array``."""
    array = np.asarray(array)
    header = encode_header(array.shape, array.dtype)
    return header + np.ascontiguousarray(array, dtype=DTYPES[header[2]]).tobytes()


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzipped (with mtime 0) if ``path`` ends in ``.gz``."""
    data = encode_idx(array)
    if str(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    Path(path).write_bytes(data)
