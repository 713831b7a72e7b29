"""The console script's launcher (src/_chainrule_launch.py): the entry points, and a Ctrl-C during
start-up as one line."""

import signal
import subprocess
import sys
from importlib import metadata

import pytest


def test_console_script_and_module_entry_points():
    scripts = {ep.name: ep.value for ep in metadata.entry_points(group="console_scripts")}
    assert scripts.get("chainrule") == "_chainrule_launch:main"  # which runs chainrule.cli:main
    out = subprocess.run([sys.executable, "-m", "chainrule", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("chainrule ")


STARTUP_INTERRUPTED = """
import os, signal, sys

# Python's own Ctrl-C, whatever this process inherited: a background job without job control
# starts with SIGINT ignored, and then the Ctrl-C below would not interrupt anything.
signal.signal(signal.SIGINT, signal.default_int_handler)

class InterruptTheImport:  # Ctrl-C arrives while chainrule.cli (and NumPy) are still being imported
    def find_spec(self, name, path=None, target=None):
        if name == "chainrule.cli":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, InterruptTheImport())
sys.argv = ["chainrule", "--version"]  # were the Ctrl-C missed: a version line, not a run
from {module} import {function} as main
sys.exit(main())
"""


@pytest.mark.parametrize("inherited", [signal.SIG_DFL, signal.SIG_IGN], ids=["foreground", "background job"])
def test_ctrl_c_during_start_up_is_one_line(tmp_path, inherited):
    from importlib import metadata

    [script] = [ep for ep in metadata.entry_points(group="console_scripts") if ep.name == "chainrule"]
    module, function = script.value.split(":")
    done = subprocess.run([sys.executable, "-c", STARTUP_INTERRUPTED.format(module=module, function=function)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, inherited))
    assert (done.stdout, done.stderr) == ("", "chainrule: interrupted\n")
    assert done.returncode == 130
    assert list(tmp_path.iterdir()) == []  # nothing written, wherever it ran
