"""chainrule.io.files: every file written atomically (a temporary file, then a rename), under the output rule
every writer goes through: an output that is one of the inputs is refused; an existing file is replaced only
with ``force=True``; only a regular file (or nothing) is ever replaced (a symlink, a named pipe, a device, a
folder is refused before anything is written); folders alike; errors never name a temporary file. The
temporaries of killed writes are removed by the next write."""

import errno
import os
import signal
import stat
import subprocess
import sys

import numpy as np
import pytest

from chainrule import TwoLayerNet
from chainrule.io import save
from chainrule.io.files import OutputError, atomic_folder, atomic_path, check_folder, check_output, write_text

ATOMIC_KILLED = """
import os, signal, sys
from chainrule.files import atomic_path
with atomic_path({path!r}) as tmp:
    tmp.write_bytes(b"x" * 100000)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_temporaries_of_killed_atomic_writes_are_removed_by_the_next_write(tmp_path):
    left = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", ATOMIC_KILLED.format(path=str(tmp_path / "model.npz"))],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == -signal.SIGKILL, done.stderr
        left.append({p.name for p in tmp_path.iterdir() if p.name.startswith(".model.npz.")})
    assert len(left[0]) == 1 and len(left[1]) == 1 and left[0] != left[1]  # the second removed the first's
    from chainrule.files import write_text

    with open(tmp_path / ".notes.txt.tmp", "w") as f:  # not chainrule's: left alone
        f.write("mine")
    write_text(tmp_path / "other.txt", "hello")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.txt.tmp", "other.txt"]



def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _device(tmp_path):
    """A character device node like /dev/null, made in tmp_path (needs root); skip otherwise."""
    path = tmp_path / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root")
    return path


def test_an_existing_file_is_replaced_only_with_force(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("mine")
    with pytest.raises(OutputError) as info:
        write_text(path, "new")
    assert str(info.value) == f"{path} already exists (pass force=True to replace it)"
    assert path.read_text() == "mine" and _leftovers(tmp_path) == []
    write_text(path, "new", force=True)
    assert path.read_text() == "new"
    write_text(tmp_path / "fresh.txt", "a new file needs no force")
    assert (tmp_path / "fresh.txt").read_text() == "a new file needs no force"


@pytest.mark.parametrize("force", [False, True])
def test_a_symlink_is_never_replaced_even_with_force(tmp_path, force):
    target = tmp_path / "target.txt"
    target.write_text("kept")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with pytest.raises(OutputError) as info:
        write_text(link, "new", force=force)
    assert str(info.value).startswith(f"{link} is a symbolic link: ")
    assert link.is_symlink() and target.read_text() == "kept" and _leftovers(tmp_path) == []


@pytest.mark.parametrize("force", [False, True])
def test_a_named_pipe_is_never_replaced(tmp_path, force):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match=r"is a named pipe \(FIFO\)"):
        write_text(fifo, "new", force=force)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and _leftovers(tmp_path) == []


def test_a_device_is_never_replaced(tmp_path):
    device = _device(tmp_path)
    with pytest.raises(OutputError, match="is a device"):
        write_text(device, "new", force=True)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_folder_is_never_replaced_by_a_file_and_no_temporary_is_named(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(OutputError) as info:
        save(TwoLayerNet(4, 3, 2, rng=0), folder, force=True)
    assert str(info.value).startswith(f"{folder} is a folder: ")
    assert "tmp" not in str(info.value).replace(str(tmp_path), "")
    assert folder.is_dir() and _leftovers(tmp_path) == []


def test_an_output_that_is_an_input_is_refused(tmp_path):
    model = save(TwoLayerNet(4, 3, 2, rng=0), tmp_path / "m.npz")
    before = model.read_bytes()
    for out in (model, tmp_path / "." / "m.npz"):
        with pytest.raises(OutputError) as info:
            check_output(out, inputs=[model], force=True)
        assert "is an input" in str(info.value) and str(model) in str(info.value)
    hard = tmp_path / "hard.npz"
    os.link(model, hard)  # another name of the same file
    with pytest.raises(OutputError, match="is an input"):
        check_output(hard, inputs=[model], force=True)
    assert model.read_bytes() == before
    assert check_output(tmp_path / "other.npz", inputs=[model]) == tmp_path / "other.npz"


def test_the_rule_is_checked_again_at_the_moment_of_the_rename(tmp_path):
    path = tmp_path / "out.txt"
    target = tmp_path / "target.txt"
    target.write_text("kept")
    with pytest.raises(OutputError, match="is a symbolic link"):
        with atomic_path(path) as tmp:
            tmp.write_text("new")
            path.symlink_to(target)  # appeared while the file was being written
    assert path.is_symlink() and target.read_text() == "kept" and _leftovers(tmp_path) == []
    path.unlink()
    with pytest.raises(OutputError, match="already exists"):
        with atomic_path(path) as tmp:
            tmp.write_text("new")
            path.write_text("someone else's")
    assert path.read_text() == "someone else's"


def test_errors_name_the_output_never_the_temporary(tmp_path):
    path = tmp_path / "out.bin"
    with pytest.raises(OSError) as info:
        with atomic_path(path) as tmp:
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    assert info.value.filename == str(path)
    assert ".chainrule.tmp" not in str(info.value)
    with pytest.raises(ValueError) as info:
        with atomic_path(path) as tmp:
            raise ValueError(f"cannot write {tmp}: bad data")
    assert str(info.value) == f"cannot write {path}: bad data"


def test_a_folder_output_is_checked_the_same_way(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    link = tmp_path / "link"
    link.symlink_to(empty, target_is_directory=True)
    with pytest.raises(OutputError) as info:
        check_folder(link)
    assert str(info.value).startswith(f"{link} is a symbolic link: ")
    with pytest.raises(OutputError, match="is a symbolic link"):
        with atomic_folder(link) as tmp:
            (tmp / "a").write_text("a")
    assert link.is_symlink() and list(empty.iterdir()) == []
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="exists and is not a folder"):
        check_folder(tmp_path / "file")
    (empty / "x").write_text("x")
    with pytest.raises(OutputError, match="already holds files"):
        check_folder(empty)
    assert check_folder(empty, force=True) == empty
    assert check_folder(tmp_path / "new") == tmp_path / "new"


def test_library_writers_take_force(tmp_path):
    net = TwoLayerNet(4, 3, 2, rng=0)
    path = save(net, tmp_path / "m.npz")
    with pytest.raises(OutputError, match="already exists"):
        save(net, path)
    save(TwoLayerNet(4, 3, 2, rng=1), path, force=True)
    with np.load(path) as npz:
        np.testing.assert_array_equal(npz["W1"], TwoLayerNet(4, 3, 2, rng=1).params["W1"])
