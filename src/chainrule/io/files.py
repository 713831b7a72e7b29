"""Files written atomically: a temporary file next to the target, then one ``os.replace``.

Readers see either the old file or the complete new one; an interrupted write never
leaves half a file behind. Model files, histories, figures and the dataset cache use it;
:func:`atomic_folder` does the same for a whole folder (a training run).

A temporary's name says which process made it (``.<name>.<random>.<pid>@<host>.chainrule.tmp``),
so what a killed write left behind (its process is gone) is removed by the next atomic
write into the same folder: :func:`remove_stale_temporaries`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

__all__ = ["atomic_folder", "atomic_path", "folder_of", "remove_stale_temporaries", "temp_suffix", "write_text"]

_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"
_STALE = re.compile(r"^\..*\.(\d+)@([A-Za-z0-9-]+)\.chainrule\.tmp$")


def temp_suffix():
    """How this process's temporary names end: ``.<pid>@<host>.chainrule.tmp`` (so a later save can
    tell, and remove, the ones whose process is gone)."""
    return f".{os.getpid()}@{_HOST}.chainrule.tmp"


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, owned by someone else
        return True
    return True


def remove_stale_temporaries(directory):
    """Remove the temporaries that killed atomic writes left in ``directory``.

    Only chainrule's own (named ``...<pid>@<host>.chainrule.tmp``), made on this host by a
    process that no longer runs; a write still under way is never touched. Returns the
    paths removed.
    """
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        found = _STALE.match(entry.name)
        if not found or found[2] != _HOST or _alive(int(found[1])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


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
    remove_stale_temporaries(parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=temp_suffix(), dir=parent)
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


@contextlib.contextmanager
def atomic_folder(path, *, replace=False):
    """Yield a temporary folder next to ``path``; on success it becomes ``path`` in one rename.

    Readers see no folder (or an empty one) or the complete new one, never part of it;
    on an exception the temporary folder is removed. ``path`` may be absent or an empty
    folder; a folder with files in it is replaced only with ``replace=True`` (it is moved
    aside, the new one renamed in, then the old one deleted). Stale temporaries of killed
    writes next to ``path`` are removed first.
    """
    path = Path(path)
    parent = folder_of(path)
    remove_stale_temporaries(parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=temp_suffix(), dir=parent))
    old = None
    try:
        with contextlib.suppress(AttributeError, OSError):
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; give the folder the usual permissions
        yield tmp
        try:
            os.replace(tmp, path)  # onto nothing, or onto an empty folder
        except OSError:
            if not (replace and path.is_dir()):
                raise
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", suffix=temp_suffix(), dir=parent))
            os.replace(path, old / path.name)
            try:
                os.replace(tmp, path)
            except BaseException:
                os.replace(old / path.name, path)  # the old folder back where it was
                raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
