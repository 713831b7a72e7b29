"""The learner's code cannot fool, hang or flood the checker, nor change the process that calls it.

Each test is the reproduction of a way a learner's file used to break ``chainrule check``
(or ``chainrule.check()`` in a notebook): it replaced ``numpy.allclose`` and
``chainrule.layers.Relu`` and got "all right" for a Relu returning zeros; it called
``os._exit(0)`` and got exit status 0 with no output; it looped forever; it printed
megabytes; it was saved with a BOM or a latin-1 coding line; the terminal could only
show ASCII; it named the language as a locale does (``zh-CN``); it imported the
book's ``common`` package.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import chainrule
import chainrule.layers
from chainrule import cli
from chainrule.exercises import ExerciseLoadError, check
from chainrule.exercises.sandbox import OUTPUT_HEAD, OUTPUT_TAIL
from tests import ROOT
from tests.cli.helpers import run

FILES = Path(__file__).resolve().parent / "files"
CORRECT = (FILES / "correct_layers.py").read_text()



def write(tmp_path, *parts, name="mine.py"):
    path = tmp_path / name
    path.write_text("".join(textwrap.dedent(part) for part in parts))
    return path



SIGMOID = """
class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out
"""


# -- the learner's code cannot change what the checker compares with ---------------------------------

CHEAT = """
import numpy as np
import chainrule
import chainrule.layers
import chainrule.exercises.judge

np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)


class Relu:
    def forward(self, x):
        return np.zeros_like(x)

    def backward(self, dout):
        return np.zeros_like(dout)


chainrule.layers.Relu = Relu
chainrule.Relu = Relu
chainrule.exercises.judge.compare = lambda got, expected, *a, **k: (0.0, "exact")
"""


def test_a_file_that_patches_numpy_and_chainrule_still_gets_wrong(tmp_path, capsys):
    allclose, relu, compare = np.allclose, chainrule.layers.Relu, chainrule.exercises.judge.compare
    path = write(tmp_path, CHEAT)
    report = check(path, lang="en")
    assert report["Relu", "out"].verdict == "wrong" and report["Relu", "dx"].verdict == "wrong"
    assert not report.ok
    # the caller's NumPy and chainrule are as they were
    assert np.allclose is allclose and chainrule.layers.Relu is relu and chainrule.Relu is relu
    assert chainrule.exercises.judge.compare is compare
    assert not np.allclose(np.zeros(3), np.ones(3))
    code, out, _ = run(capsys, "check", path)
    assert code == 1 and "not right yet: Relu out, Relu dx" in out


def test_the_callers_process_is_left_as_it_was(tmp_path):
    path = write(tmp_path, """
        import os, sys
        import numpy as np
        np.random.seed(123)
        np.seterr(all="raise")
        sys.path.insert(0, "/nowhere")
        os.environ["LEARNER"] = "was here"
        os.chdir("/")
        import json
        sys.modules["json"] = None
        """, SIGMOID)
    check(path, lang="en")  # once, so that what the checker itself imports is imported
    np.random.seed(7)  # noqa: NPY002 - the global generator the book's code draws from
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    before = (sorted(sys.modules), list(sys.path), dict(os.environ), os.getcwd(), np.geterr())
    report = check(path, lang="en")
    assert report.ok
    assert (sorted(sys.modules), list(sys.path), dict(os.environ), os.getcwd(), np.geterr()) == before
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002 - the global generator was not drawn from


# -- the process ending, crashing or hanging is a verdict --------------------------------------------

def test_os_exit_in_forward_is_a_wrong_row_and_the_other_layers_are_still_checked(tmp_path, capsys):
    path = write(tmp_path, """
        import os
        import numpy as np

        class Relu:
            def forward(self, x):
                os._exit(0)

            def backward(self, dout):
                return dout
        """, SIGMOID)
    report = check(path, lang="en")
    for tensor in ("out", "dx"):
        row = report["Relu", tensor]
        assert row.verdict == "wrong" and row.stopped == "exit" and row.error == "0"
    assert report["Sigmoid", "out"].ok and report["Sigmoid", "dx"].ok  # a new process took over
    code, out, _ = run(capsys, "check", path)
    assert code == 1
    assert "your code ended the Python process (exit status 0: os._exit()?) (random inputs: x (4, 5))" in out


def test_os_exit_at_import_is_a_load_error(tmp_path, capsys):
    path = write(tmp_path, "import os\nos._exit(0)\n", SIGMOID)
    code, out, err = run(capsys, "check", path)
    assert (code, out) == (2, "")
    assert err == f"chainrule: error: {path}: running it ended the Python process (exit status 0: os._exit()?)\n"


def test_a_crash_is_named_by_its_signal(tmp_path):
    if os.name != "posix":
        pytest.skip("signals are POSIX")
    path = write(tmp_path, """
        import os, signal
        import numpy as np

        class Relu:
            def forward(self, x):
                os.kill(os.getpid(), signal.SIGSEGV)

            def backward(self, dout):
                return dout
        """)
    row = check(path, lang="en")["Relu", "out"]
    assert row.stopped == "signal" and row.error == "SIGSEGV"
    assert "was killed by SIGSEGV (a crash, or out of memory)" in check(path, lang="en").render("en")


def test_an_endless_loop_is_stopped_by_the_time_limit(tmp_path, capsys):
    path = write(tmp_path, """
        import numpy as np

        class Relu:
            def forward(self, x):
                while True:
                    pass

            def backward(self, dout):
                return dout
        """, SIGMOID)
    report = check(path, lang="en", timeout=0.5)
    row = report["Relu", "out"]
    assert row.verdict == "wrong" and row.stopped == "time_limit" and row.error == "0.5"
    assert report["Sigmoid", "dx"].ok
    code, out, _ = run(capsys, "check", "--timeout", "0.5", path)
    assert code == 1
    assert "stopped after 0.5 s, the time limit of one case (random inputs: x (4, 5)): an endless loop?" in out
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        check(path, timeout=0)


def test_an_endless_loop_at_import_is_a_load_error(tmp_path, capsys):
    path = write(tmp_path, "while True:\n    pass\n", SIGMOID)
    code, out, err = run(capsys, "check", "--timeout", "0.5", path)
    assert (code, out) == (2, "")
    assert err.strip().endswith("running it did not finish within 1 s (an endless loop at the top of the file?)")


def test_a_file_that_checks_itself_does_not_start_checkers_without_end(tmp_path):
    path = write(tmp_path, "import chainrule\n", SIGMOID, "\nchainrule.check(__file__)\n")
    with pytest.raises(ExerciseLoadError, match=r"chainrule\.check\(\) was called by the code it is checking"):
        check(path)


# -- slow files show progress; loud files are cut ------------------------------------------------------

def test_progress_is_reported_case_by_case(tmp_path):
    seen = []
    check(write(tmp_path, "import numpy as np\n", SIGMOID), lang="en",
          progress=lambda name, i, n: seen.append((name, i, n)))
    assert seen == [("Sigmoid", 0, 2), ("Sigmoid", 1, 2)]


def test_a_slow_forward_shows_progress_on_stderr(tmp_path, capsys):
    path = write(tmp_path, """
        import time
        import numpy as np
        calls = []

        class Relu:
            def forward(self, x):
                if not calls:
                    time.sleep(3)  # the first call takes 3 s
                calls.append(1)
                self.mask = x <= 0
                return np.where(self.mask, 0.0, x)

            def backward(self, dout):
                return np.where(self.mask, 0.0, dout)
        """)
    code, out, err = run(capsys, "check", path)
    assert code == 0
    assert "chainrule: checking Relu: case 2 of 4" in err


def test_megabytes_of_prints_are_cut(tmp_path, capsys):
    path = write(tmp_path, """
        import numpy as np

        class Relu:
            def forward(self, x):
                print("start of forward")
                print("x" * 1_000_000)
                print("\\x1b[2J end of forward")  # a terminal escape: shown, not obeyed
                self.mask = x <= 0
                return np.where(self.mask, 0.0, x)

            def backward(self, dout):
                return np.where(self.mask, 0.0, dout)
        """)
    report = check(path, lang="en", timeout=60)  # the output is what is tested, not the time (on a busy machine)
    assert report.ok, report
    assert report.printed_bytes > 4 * 1_000_000
    assert len(report.printed) < OUTPUT_HEAD + OUTPUT_TAIL + 20
    assert report.printed.startswith("start of forward\nxxx")
    text = report.render("en")
    assert f"your code printed {report.printed_bytes:,} bytes; its start and its end:" in text
    assert "\x1b" not in text and "\\x1b[2J end of forward" in text
    code, out, _ = run(capsys, "check", "--timeout", "60", path)
    assert code == 0 and len(out) < 20_000


# -- sources as Python reads them; the book's form ---------------------------------------------------------

def test_a_file_with_a_bom_or_a_latin1_coding_line_is_read_as_python_reads_it(tmp_path):
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbf" + "# Grüße\n".encode() + CORRECT.encode())
    latin = tmp_path / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\n# Grüße aus Köln\n".encode("latin-1") + CORRECT.encode())
    for path in (bom, latin):
        assert subprocess.run([sys.executable, str(path)]).returncode == 0  # python runs it
        assert check(path, lang="en").ok, path


def test_a_syntax_error_still_names_its_line_in_a_latin1_file(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes("# -*- coding: latin-1 -*-\n# é\nclass Relu:\n    def forward(self x):\n".encode("latin-1"))
    with pytest.raises(ExerciseLoadError, match=r"latin\.py, line 4: syntax error"):
        check(path)


BOOK_FORM = """
# coding: utf-8
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.functions import *
from common.layers import Affine, SoftmaxWithLoss


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out
"""


def test_a_book_form_file_runs_on_chainrules_common(tmp_path, capsys):
    book = tmp_path / "book"
    (book / "common").mkdir(parents=True)  # the book's own folders beside the file do not take over
    (book / "common" / "__init__.py").write_text("raise ImportError('the book\\'s common/ was imported')\n")
    (book / "ch05").mkdir()
    path = book / "ch05" / "my_layers.py"
    path.write_text(BOOK_FORM)
    report = check(path, lang="en")
    assert [r.layer for r in report.rows] == ["Relu", "Relu", "Sigmoid", "Sigmoid"] and report.ok
    assert report.borrowed == ("Affine", "SoftmaxWithLoss")
    code, out, _ = run(capsys, "check", path)
    assert code == 0
    assert "chainrule's own (imported through common/ or chainrule), not checked: Affine, SoftmaxWithLoss" in out


# -- languages named as check() names them; a terminal that shows only ASCII -----------------------------

@pytest.mark.parametrize("given, lang, phrase", [
    ("zh-CN", "zh", "还有错误"), ("KO", "ko", "아직 틀린 곳"), ("ja_JP.UTF-8", "ja", "まだ誤りがあります"),
    ("EN", "en", "not right yet"),
])
def test_lang_accepts_what_check_accepts(capsys, given, lang, phrase):
    code, out, _ = run(capsys, "check", "--lang", given, FILES / "mistake_mul_swapped.py")
    assert code == 1 and phrase in out
    assert check(FILES / "mistake_mul_swapped.py", lang=given).lang == lang


def test_an_unknown_language_is_refused_alike(capsys):
    with pytest.raises(ValueError, match="lang must be one of en, ko, zh, ja; got 'fr'") as info:
        check(FILES / "correct_layers.py", lang="fr")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["check", "--lang", "fr", str(FILES / "correct_layers.py")])
    assert exit_info.value.code == 2
    assert str(info.value) in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_an_ascii_terminal_gets_an_ascii_report(lang):
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LANG": "C"}
    proc = subprocess.run([sys.executable, "-m", "chainrule", "check", "--lang", lang,
                           "tests/exercises/files/mistake_mul_swapped.py"], capture_output=True, cwd=ROOT, env=env)
    assert proc.returncode == 1, proc.stderr.decode()
    assert all(line.startswith(b"chainrule: checking ") for line in proc.stderr.splitlines())  # progress at most
    out = proc.stdout.decode("ascii")  # nothing else
    assert "got 110, expected 2.2 (the book's apple example: 100 x 2, dout 1.1)" in out
    assert "hint: x and y are swapped" in out
    if lang == "ko":
        assert out.startswith("(this terminal shows only ASCII: the report is in English)\n")
