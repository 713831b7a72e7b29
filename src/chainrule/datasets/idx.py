"""Read and write IDX files, the format of the MNIST and Fashion-MNIST files.

An IDX file is a 4-byte magic number ``0x0000TTDD`` (``TT`` = data type code,
``DD`` = number of dimensions), then ``DD`` big-endian 4-byte dimension sizes, then
the data in C order, big-endian. MNIST images are ``0x00000803`` (uint8, 3 dims:
``N, 28, 28``) and labels ``0x00000801`` (uint8, 1 dim: ``N``). Files may be gzipped.

Every problem is reported as an :class:`IDXError` (a ``ValueError``) whose message
starts with the file name and says what is wrong.

Nothing is allocated on a file's word: gzip data is decompressed in a stream that stops
as soon as it holds more than its IDX header declares, a header declaring more than
``max_bytes`` (:data:`MAX_BYTES`, 1 GiB, by default) is refused as soon as it is read,
and only regular files are opened (a named pipe would block the reader).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from math import prod

import numpy as np

from ..io import npz as _npz
from ..io.files import atomic_path

__all__ = ["IDXError", "IDXStream", "MAX_BYTES", "decode_idx", "encode_header", "encode_idx", "gunzip",
           "open_regular", "read_bytes", "read_idx", "write_idx"]

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
#: The largest IDX file (header and data, decompressed) read unless a caller says otherwise.
MAX_BYTES = 1 << 30
_MAX_HEADER = 4 + 4 * 255
_CHUNK = 1 << 16


class IDXError(ValueError):
    """A file (or buffer) that is not a valid IDX file; the message names it."""


def open_regular(path: str | os.PathLike):
    """Open ``path`` for reading in binary mode, refusing anything but a regular file.

    The file is opened without blocking, so a named pipe (or a device) in place of a
    file is refused at once instead of waiting for a writer; raises :class:`IDXError`
    for those and ``FileNotFoundError`` (an ``OSError``) for a missing file.
    """
    return _npz.open_regular(path, IDXError)


def read_bytes(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> bytes:
    """Return the IDX bytes of ``path``, decompressing it if it is gzipped.

    A file is treated as gzip if its name ends in ``.gz`` or it starts with the gzip
    magic bytes. Raises ``FileNotFoundError`` (an ``OSError``) if it does not exist
    and :class:`IDXError` if it is not a regular file, if the gzip stream is corrupt or
    truncated, or if the file (or what its header declares) is larger than
    ``max_bytes``. Gzip data is decompressed in a stream capped by the size its header
    declares, so a small file that would decompress to gigabytes costs no memory.
    """
    name = str(path)
    with open_regular(path) as fh:
        head = fh.read(_MAX_HEADER)
        if name.endswith(".gz") or head[:2] == _GZIP_MAGIC:
            stream = IDXStream(name, gzipped=True, max_bytes=max_bytes)
            chunk = head
            while chunk:
                stream.feed(chunk)
                chunk = fh.read(_CHUNK)
            return stream.finish()
        size = os.fstat(fh.fileno()).st_size
        layout = _header(head, name, complete=False)
        if layout is not None:
            _declared_size(layout, name, max_bytes)
        if size > max_bytes:
            raise IDXError(f"{name}: the file has {size} bytes, more than the limit of {max_bytes} bytes")
        return head + fh.read()


def gunzip(data: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> bytes:
    """Decompress gzip IDX ``data``; a corrupt stream, or one holding more than its IDX
    header declares (or more than ``max_bytes``), raises :class:`IDXError` naming ``name``."""
    stream = IDXStream(name, gzipped=True, max_bytes=max_bytes)
    view = memoryview(data)
    for start in range(0, len(view), 1 << 20):
        stream.feed(view[start:start + (1 << 20)])
    return stream.finish()


class IDXStream:
    """The bytes of one IDX file, built from chunks as they arrive (from a file, a download,
    a tar member), decompressed on the way when ``gzipped``.

    As soon as the IDX header is complete its declared size is checked against
    ``max_bytes``, and from then on the stream refuses any byte beyond that size, so
    memory never exceeds what a valid file of that header needs. The SHA-256 of the
    decompressed bytes is computed as they come (:attr:`sha256`).
    """

    def __init__(self, name: str, *, gzipped: bool, max_bytes: int = MAX_BYTES):
        self.name = name
        self.max_bytes = max_bytes
        self.sha256 = hashlib.sha256()
        self._gzipped = gzipped
        self._z = zlib.decompressobj(31) if gzipped else None
        self._between = False  # after a gzip member's end: only zero padding or another member
        self._fresh = gzipped  # no byte of the current gzip member seen yet
        self._buf = bytearray()
        self._size = None  # header + data bytes, once the header has been read
        self._layout = None

    def feed(self, chunk) -> None:
        """Add the next piece of the file (compressed, if ``gzipped``)."""
        if self._z is None:
            self._take(chunk)
            return
        data = bytes(chunk)
        while data:
            if self._between:
                data = data.lstrip(b"\x00")
                if not data:
                    return
                self._z, self._between, self._fresh = zlib.decompressobj(31), False, True
            if self._fresh and len(data) >= 2:  # the start of a gzip member
                if data[:2] != _GZIP_MAGIC:
                    raise IDXError(f"{self.name}: corrupt gzip data: Not a gzipped file ({data[:2]!r})")
                self._fresh = False
            room = (self._size if self._size is not None else _MAX_HEADER) - len(self._buf) + 1
            try:
                out = self._z.decompress(data, room)
            except zlib.error as exc:
                raise IDXError(f"{self.name}: corrupt gzip data: {exc}") from None
            self._take(out)
            if self._z.eof:
                data, self._between = self._z.unused_data, True
            else:
                data = self._z.unconsumed_tail

    def finish(self) -> bytes:
        """The whole IDX bytes; raises :class:`IDXError` if a gzip stream ended early."""
        if self._z is not None and not (self._z.eof or self._between):
            raise IDXError(f"{self.name}: corrupt gzip data: the stream is truncated "
                           f"(ends before the end-of-stream marker)")
        data, self._buf = bytes(self._buf), bytearray()
        return data

    def _take(self, data) -> None:
        if not data:
            return
        self._buf += data
        self.sha256.update(data)
        if self._size is None:
            self._layout = _header(self._buf, self.name, complete=False)
            if self._layout is None:
                return
            self._size = _declared_size(self._layout, self.name, self.max_bytes)
        if len(self._buf) > self._size:
            what = "gzip data" if self._gzipped else "data"
            raise IDXError(f"{self.name}: the {what} holds more than the {self._size} bytes its header "
                           f"declares ({_describe(*self._layout)})")


def _header(data, name: str, *, complete: bool = True):
    """``(dims, dtype, header_length)`` from the first bytes of an IDX file.

    With ``complete=False`` (the rest may still arrive), None while too few bytes are
    there to tell; anything already wrong raises :class:`IDXError`.
    """
    size = len(data)
    if size < 4:
        if not complete:
            return None
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
        if not complete:
            return None
        raise IDXError(f"{name}: truncated header: {ndim} dimensions need a {header}-byte "
                       f"header but the file has only {size} bytes")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if prod(max(d, 1) for d in dims) * DTYPES[code].itemsize > np.iinfo(np.intp).max:
        raise IDXError(f"{name}: dims {'x'.join(map(str, dims))} describe no array NumPy can make "
                       f"(even empty, its shape is too large)")
    return dims, DTYPES[code], header


def _describe(dims, dtype, header) -> str:
    return (f"dims {'x'.join(map(str, dims))} of {dtype.name} need {prod(dims) * dtype.itemsize} data bytes "
            f"after the {header}-byte header")


def _declared_size(layout, name: str, max_bytes: int) -> int:
    """Header + data bytes the header declares; more than ``max_bytes`` raises :class:`IDXError`."""
    dims, dtype, header = layout
    total = header + prod(dims) * dtype.itemsize
    if total > max_bytes:
        raise IDXError(f"{name}: {_describe(*layout)}, more than the limit of {max_bytes} bytes")
    return total


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
    dims, dtype, header = _header(data, name)
    need, have = prod(dims) * dtype.itemsize, len(data) - header
    what = _describe(dims, dtype, header)
    if have < need:
        raise IDXError(f"{name}: truncated: {what}, but only {have} are present")
    if have > need:
        raise IDXError(f"{name}: dims do not match the file length: {what}, but {have} are "
                       f"present ({have - need} extra)")
    flat = np.frombuffer(data, dtype=dtype, count=prod(dims), offset=header)
    return flat.reshape(dims).astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """Read an IDX file (raw or ``.gz``) into a new array; see :func:`read_bytes` and :func:`decode_idx`."""
    return decode_idx(read_bytes(path, max_bytes=max_bytes), str(path))


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


def write_idx(path: str | os.PathLike, array: np.ndarray, *, force: bool = False) -> None:
    """Write ``array`` as an IDX file, gzipped (with mtime 0) if ``path`` ends in ``.gz``.

    Written atomically under the output rule of :mod:`chainrule.io.files`: an existing file is
    replaced only with ``force=True``, and only a regular file ever is.
    """
    data = encode_idx(array)
    if str(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with atomic_path(path, force=force) as tmp:
        tmp.write_bytes(data)
