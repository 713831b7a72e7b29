"""chainrule.io.npz: an archive's members described from their headers alone, only regular files opened,
and an archive's member list bounded before zipfile reads it."""

import io
import os
import zipfile

import numpy as np
import pytest

from chainrule.io.npz import NpyHeader, check_directory_size, member_headers, open_regular
from tests.fifo_helpers import without_hanging


def test_member_headers_describe_every_member_without_reading_its_data(tmp_path):
    np.savez(tmp_path / "a.npz", W1=np.zeros((784, 50), np.float32), b1=np.arange(3), s=np.float64(2.5))
    with zipfile.ZipFile(tmp_path / "a.npz") as archive:
        headers = member_headers(archive)
    assert headers == {"W1": ((784, 50), np.dtype(np.float32), 784 * 50 * 4),
                       "b1": ((3,), np.dtype(np.int64), 24), "s": ((), np.dtype(np.float64), 8)}
    assert headers["W1"].shape == (784, 50) and headers["W1"].nbytes == headers["W1"].data_bytes
    assert NpyHeader((10**12, 10**12), np.dtype(np.float64), 0).nbytes == 8 * 10**24  # no overflow


def _archive(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def _npy(header, version=b"\x01\x00"):
    text = header.encode("latin1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    return b"\x93NUMPY" + version + len(text).to_bytes(2, "little") + text


def test_a_damaged_header_is_a_value_error_naming_the_member():
    cases = {
        "W1.npy": (b"not numpy at all", r"^W1: not a valid \.npy header"),
        "b1.npy": (_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, -2), }"),
                   r"^b1: negative dimension in shape \(3, -2\)$"),
        "W2.npy": (_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", b"\x03\x00"),
                   r"^W2: not a valid \.npy header: unsupported \.npy format version 3\.0$"),
        "b2.npy": (_npy("{'descr': '<f8', 'shape': (3,), }"), r"^b2: not a valid \.npy header"),
    }
    for name, (data, message) in cases.items():
        with pytest.raises(ValueError, match=message):
            member_headers(_archive({name: data}))
    good = _npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }") + bytes(24)
    assert member_headers(_archive({"W.npy": good})) == {"W": ((2, 3), np.dtype("<f4"), 24)}


def test_open_regular_refuses_pipes_and_folders_at_once(tmp_path):
    (tmp_path / "m.npz").write_bytes(b"data")
    with open_regular(tmp_path / "m.npz") as f:
        assert f.read() == b"data"
    os.mkfifo(tmp_path / "pipe")
    result = without_hanging(lambda: open_regular(tmp_path / "pipe"), tmp_path / "pipe")
    assert isinstance(result.get("error"), ValueError) and str(result["error"]).endswith("pipe: not a regular file")
    with pytest.raises(OSError, match="not a regular file"):
        open_regular(tmp_path, OSError)
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "absent.npz")


def test_check_directory_size_bounds_the_member_list_before_zipfile_reads_it(tmp_path):
    np.savez(tmp_path / "a.npz", **{f"W{i}": np.zeros(1) for i in range(100)})
    with open(tmp_path / "a.npz", "rb") as f:
        with zipfile.ZipFile(f) as archive:
            size = sum(46 + len(info.filename) + len(info.extra) for info in archive.infolist())
        check_directory_size(f, size)
        assert f.tell() == 0  # left at its start
        with pytest.raises(ValueError, match=rf"^its member list is {size} bytes, more than the limit of {size - 1}$"):
            check_directory_size(f, size - 1)
    with pytest.raises(zipfile.BadZipFile):
        check_directory_size(io.BytesIO(b"not a zip file at all"), 10**6)
