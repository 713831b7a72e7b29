"""Looking inside ``.npz`` archives (and opening files) without trusting them.

:func:`member_headers` reads every member's ``.npy`` header (shape, dtype) without its
data, so a caller can check sizes against its own limits before NumPy allocates an
array of whatever shape a damaged or hostile file declares.
"""

from __future__ import annotations

import os
import stat
import zipfile
from math import prod
from tokenize import TokenError

import numpy as np

__all__ = ["NpyHeader", "check_directory_size", "member_headers", "open_regular"]

_MAX_HEADER = 10_000  # bytes of a .npy header dict (NumPy's own default limit)


class NpyHeader(tuple):
    """``(shape, dtype, data_bytes)`` of one member; ``data_bytes`` is what the member holds after its header."""

    __slots__ = ()

    def __new__(cls, shape, dtype, data_bytes):
        return super().__new__(cls, (shape, dtype, data_bytes))

    shape = property(lambda self: self[0])
    dtype = property(lambda self: self[1])
    data_bytes = property(lambda self: self[2])

    @property
    def nbytes(self) -> int:
        """Bytes the declared shape and dtype need (a Python int: no overflow)."""
        return prod(self.shape) * self.dtype.itemsize


def member_headers(archive: zipfile.ZipFile) -> dict[str, NpyHeader]:
    """``{key: NpyHeader}`` for every ``key.npy`` member of ``archive``, reading headers only.

    Raises ``ValueError`` naming the member for anything that is not a valid ``.npy``
    header (bad magic, an unsupported version, a malformed dict, a negative dimension).
    Errors of the archive itself (``zipfile.BadZipFile``, ``zlib.error``, ``EOFError``,
    ``NotImplementedError`` for an unknown compression) are left to the caller.
    """
    headers = {}
    for info in archive.infolist():
        key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        with archive.open(info) as f:
            try:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(f, max_header_size=_MAX_HEADER)
                elif version == (2, 0):
                    shape, _, dtype = np.lib.format.read_array_header_2_0(f, max_header_size=_MAX_HEADER)
                else:
                    raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
            except (ValueError, SyntaxError, TypeError, TokenError) as exc:  # TokenError: NumPy 2.4 tokenizes it
                raise ValueError(f"{key}: not a valid .npy header: {exc}") from None
            header_length = f.tell()
        if any(d < 0 for d in shape):
            raise ValueError(f"{key}: negative dimension in shape {shape}")
        headers[key] = NpyHeader(tuple(shape), dtype, info.file_size - header_length)
    return headers


def open_regular(path, error_type=ValueError):
    """Open ``path`` for binary reading, refusing anything but a regular file.

    The file is opened without blocking, so a named pipe (or a device) in place of a
    file is refused at once, as ``error_type(f"{path}: not a regular file")``, instead
    of waiting for a writer. A missing file raises ``FileNotFoundError``.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise error_type(f"{path}: not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_directory_size(f, limit: int) -> None:
    """Refuse an archive whose central directory (one record per member) exceeds ``limit`` bytes.

    Read from the end-of-central-directory record at the file's tail, before
    ``zipfile`` builds an object per member (a small file can list a million
    members). ZIP64 archives, which NumPy writes only beyond 4 GB or 65535 members,
    are refused too. Raises ``ValueError`` (``zipfile.BadZipFile`` when there is no
    end record at all); leaves ``f`` at its start.
    """
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(size - min(size, 22 + 0xFFFF))
    tail = f.read()
    f.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise zipfile.BadZipFile("File is not a zip file")  # zipfile's own words for it
    if at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
        raise ValueError("a ZIP64 archive (more than 4 GB or 65535 members)")
    directory = int.from_bytes(tail[at + 12:at + 16], "little")
    if directory > limit:
        raise ValueError(f"its member list is {directory} bytes, more than the limit of {limit}")
