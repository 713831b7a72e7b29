"""chainrule._progress: the one progress bar of training and downloads, on a terminal or when asked,
and quietly none without tqdm."""

import io
import sys

import pytest

from chainrule import _progress
from chainrule._progress import progress_bar, stderr_is_terminal


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_shown_on_a_terminal_or_when_asked_never_when_told_not_to(monkeypatch):
    pytest.importorskip("tqdm")
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    assert not stderr_is_terminal() and progress_bar(10) is None and progress_bar(10, False) is None
    bar = progress_bar(10, True, unit="B", desc="file.gz")
    bar.update(10)
    bar.close()
    assert "file.gz" in pipe.getvalue() and "10/10" in pipe.getvalue()
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert stderr_is_terminal()
    bar = progress_bar(4)
    bar.update(4)
    bar.close()
    assert "4/4" in terminal.getvalue()
    assert progress_bar(4, False) is None and terminal.getvalue().count("4/4") == 1


def test_no_bar_without_tqdm_or_without_stderr(monkeypatch):
    for name in ("tqdm", "tqdm.auto"):
        monkeypatch.setitem(sys.modules, name, None)
    assert progress_bar(10, True) is None
    monkeypatch.setattr(sys, "stderr", None)  # pythonw, a service: no stream at all
    assert not stderr_is_terminal() and progress_bar(10) is None
    monkeypatch.setattr(_progress, "stderr_is_terminal", lambda: True)
    assert progress_bar(10) is None  # a terminal, but no tqdm: the work goes on without a bar
