"""chainrule.io.files: every file written atomically (a temporary file, then a rename); the temporaries
of killed writes are removed by the next write."""

import signal
import subprocess
import sys

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
