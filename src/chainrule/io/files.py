"""Every file chainrule writes goes through here: written atomically, under one output rule.

**Atomic.** A temporary file next to the target, then one ``os.replace``: readers see either
the old file or the complete new one; an interrupted write never leaves half a file behind.
Model files, histories, figures, pages, exports and the dataset cache use :func:`atomic_path`
(or :func:`write_text`); :func:`atomic_folder` does the same for a whole folder (a training run).

**The output rule** (:func:`check_output`, :func:`check_folder`), checked before any work by the
commands and again by the writer at the moment of the rename:

* an output that is one of the inputs (the same file, by any name) is refused;
* only a regular file, or nothing, is ever replaced: a symbolic link (to anything), a named
  pipe, a device, a socket or a folder in the output's place is refused, even with ``force``;
* an existing file is replaced only with ``force=True`` (the commands' ``--force``); the
  library's writers take ``force`` as a keyword, ``False`` by default. The book's own
  ``save_params`` keeps the book's behaviour and replaces its file (it still never replaces
  anything but a regular file);
* a folder output (``chainrule train --out``) must be absent or a folder (not a link to one);
  a folder holding files is replaced only with ``force``.

Every refusal is an :class:`OutputError` (an ``OSError``) of one line naming the output. No
error names a temporary file: an exception raised while one is written names the output.

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
import stat
import tempfile
from pathlib import Path

__all__ = ["OutputError", "atomic_folder", "atomic_path", "check_folder", "check_output", "folder_of",
           "remove_stale_temporaries", "temp_suffix", "write_text"]

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


class OutputError(OSError):
    """An output the output rule refuses (the message says which part, and names the output)."""


#: What stands in an output's place, by ``stat`` kind, as the messages name it.
_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def _what_is(path):
    """None when nothing is at ``path``, "a file" for a regular file, else what is there (the link itself)."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # nothing there (a folder on the way is missing or a file)
        return None
    if stat.S_ISREG(mode):
        return "a file"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def folder_of(path):
    """The folder ``path`` is to be written in, checked: a FileNotFoundError naming it when it does not exist."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: directory {parent} does not exist")
    return parent


def check_output(path, *, force=False, inputs=(), how="force=True"):
    """``path`` as a Path, checked against the output rule (see the module): call it before any work.

    Parameters
    ----------
    path : str or Path
        The file to be written.
    force : bool
        Whether an existing regular file may be replaced.
    inputs : iterable of paths
        The files the output is made from; ``path`` must not be one of them (by any name:
        a hard link, a symlink or ``./`` in front is the same file).
    how : str
        What the caller's user passes to replace a file (``"--force"`` for a command).

    Raises :class:`OutputError` (and ``FileNotFoundError`` when the folder does not exist).
    """
    path = Path(path)
    for source in inputs:
        if source is not None and _same_file(path, source):
            also = "" if str(path) == str(source) else f" ({source}, by another name)"
            raise OutputError(f"{path} is an input{also}: an output never replaces one of its inputs (choose "
                              "another name)")
    folder_of(path)
    what = _what_is(path)
    if what is None:
        return path
    if what != "a file":
        raise OutputError(f"{path} is {what}: chainrule replaces only a regular file, never {what} (choose "
                          "another name)")
    if not force:
        raise OutputError(f"{path} already exists (pass {how} to replace it)")
    return path


def check_folder(path, *, force=False, how="force=True"):
    """``path`` as a Path, checked to take a folder output: absent, or a folder (not a link to one)
    that is empty, or holds files and ``force`` is given. Raises :class:`OutputError`."""
    path = Path(path)
    what = _what_is(path)
    if what is None:
        return path
    if what != "a folder":
        if what == "a file":
            raise OutputError(f"{path} exists and is not a folder")
        raise OutputError(f"{path} is {what}: a folder output must be a new or an existing folder, never "
                          f"{what} (choose another name)")
    with os.scandir(path) as entries:
        held = any(entries)
    if held and not force:
        raise OutputError(f"{path} already holds files (pass {how} to replace them)")
    return path


def _hide_temporary(exc, tmp, path):
    """Make ``exc`` name ``path`` wherever it names the temporary ``tmp`` (its filenames and its text)."""
    if isinstance(exc, OSError):
        for attr in ("filename", "filename2"):
            if getattr(exc, attr, None) is not None and tmp.name in str(getattr(exc, attr)):
                setattr(exc, attr, str(path))
    if any(isinstance(a, str) and tmp.name in a for a in exc.args):
        exc.args = tuple(a.replace(str(tmp), str(path)).replace(tmp.name, path.name) if isinstance(a, str) else a
                         for a in exc.args)


@contextlib.contextmanager
def atomic_path(path, *, force=False, inputs=()):
    """Yield a temporary path next to ``path``; on success move it onto ``path`` atomically.

    Write the whole file to the yielded path; when the ``with`` block ends without
    an exception the file replaces ``path`` in one step (``os.replace``), so readers
    see either the old file or the complete new one. On an exception the temporary
    file is removed, ``path`` is left as it was, and the exception names ``path``, not
    the temporary. The output rule (:func:`check_output`: ``force``, ``inputs``) is
    checked before the temporary is made and again just before the rename.
    """
    path = check_output(path, force=force, inputs=inputs)
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
        check_output(path, force=force)  # again: something may have taken its place meanwhile
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        _hide_temporary(exc, tmp, path)
        raise


def write_text(path, text, *, force=False):
    """Write ``text`` (UTF-8) to ``path`` atomically, under the output rule (``force``: replace a file)."""
    with atomic_path(path, force=force) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def atomic_folder(path, *, replace=False):
    """Yield a temporary folder next to ``path``; on success it becomes ``path`` in one rename.

    Readers see no folder (or an empty one) or the complete new one, never part of it;
    on an exception the temporary folder is removed. ``path`` may be absent or an empty
    folder; a folder with files in it is replaced only with ``replace=True`` (it is moved
    aside, the new one renamed in, then the old one deleted). Anything else in its place (a
    symbolic link, even to a folder, a file, a named pipe) is refused by :func:`check_folder`,
    before and again at the rename. Stale temporaries of killed writes next to ``path`` are
    removed first.
    """
    path = check_folder(path, force=replace)
    parent = folder_of(path)
    remove_stale_temporaries(parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=temp_suffix(), dir=parent))
    old = None
    try:
        with contextlib.suppress(AttributeError, OSError):
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; give the folder the usual permissions
        yield tmp
        check_folder(path, force=replace)
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
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _hide_temporary(exc, tmp, path)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
