"""Files written atomically: a temporary file next to the target, then one ``os.replace``.

Readers see either the old file or the complete new one; an interrupted write never
leaves half a file behind. Model files, histories, figures and the dataset cache use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_path", "folder_of", "write_text"]


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def folder_of(path):
    """The folder ``path`` is to be written in, checked: a FileNotFoundError naming it when it does not exist."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: directory {parent} does not exist")
    return parent


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; on success move it onto ``path`` atomically.

    Write the whole file to the yielded path; when the ``with`` block ends without
    an exception the file replaces ``path`` in one step (``os.replace``), so readers
    see either the old file or the complete new one. On an exception the temporary
    file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    parent = folder_of(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
    except (AttributeError, OSError):  # pragma: no cover - Windows
        pass
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text(path, text):
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
