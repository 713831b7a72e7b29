"""The learner's code runs in a separate, fresh Python process, under a time limit per case.

:class:`Sandbox` starts ``python`` (the same interpreter, the same chainrule) running
:mod:`.child`, has it load the learner's sources, then sends it one task at a time
and waits for the answers, each within the time limit. What the learner's code
does there stays there: it may replace ``numpy.allclose`` or ``chainrule.layers.Relu``,
call ``os._exit``, loop forever or crash; the checker's process (a notebook calling
:func:`chainrule.check`, say) is left as it was, and every verdict is computed in
it from the plain arrays that come back (:mod:`.wire`).

When the process stops answering (the time limit passed, it ended, a signal killed
it) the task's answer is a :class:`Stopped`, and the next task starts a new process
(loading the sources again). Everything the learner's code prints is captured,
up to :data:`OUTPUT_HEAD` bytes from its start and :data:`OUTPUT_TAIL` from its end.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from .child import CHILD_ENV
from .wire import WireError, read_message, write_message

__all__ = ["OUTPUT_HEAD", "OUTPUT_TAIL", "START_TIME", "LoadFailed", "Output", "Sandbox", "Stopped"]

#: Seconds a new process may take to start (import NumPy and chainrule) before it counts as stuck.
START_TIME = 60.0
#: Bytes of the learner's output kept from its start and from its end.
OUTPUT_HEAD, OUTPUT_TAIL = 4000, 1000
_READ = 1 << 16


@dataclass(frozen=True)
class Stopped:
    """Why the process gave no answer: ``kind`` is ``"time_limit"`` (``detail``: the limit in seconds),
    ``"exit"`` (the exit status), ``"signal"`` (the signal's name) or ``"garbled"`` (what was wrong)."""

    kind: str
    detail: str


class LoadFailed(Exception):
    """The learner's sources failed when run: ``message`` says how; ``stopped`` when the process died."""

    def __init__(self, message, *, stopped=None, import_name=None, lineno=None, msg=None, type_name=None):
        super().__init__(message)
        self.stopped = stopped
        self.import_name = import_name
        self.lineno = lineno
        self.msg = msg
        self.type_name = type_name


class Output:
    """Bounded capture of a stream: the first ``head`` and the last ``tail`` bytes, and how many in all."""

    def __init__(self, head=OUTPUT_HEAD, tail=OUTPUT_TAIL):
        self.head_size, self.tail_size = head, tail
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self._lock = threading.Lock()

    def add(self, data):
        with self._lock:
            self.total += len(data)
            room = self.head_size - len(self.head)
            if room > 0:
                self.head += data[:room]
                data = data[room:]
            if data:
                self.tail += data
                del self.tail[:max(0, len(self.tail) - self.tail_size)]

    def text(self):
        """``(text, total bytes)``: the start, ``[...]`` and the end when bytes were left out."""
        with self._lock:
            head = bytes(self.head).decode("utf-8", "replace")
            if self.total <= self.head_size + self.tail_size:
                return head + bytes(self.tail).decode("utf-8", "replace"), self.total
            return head + "\n[...]\n" + bytes(self.tail).decode("utf-8", "replace"), self.total


def _boot_command():
    root = str(Path(__file__).resolve().parents[2])  # the folder holding this chainrule package
    boot = (f"import sys; sys.path.insert(0, {root!r}); "
            "from chainrule.exercises.child import main; main()")
    return [sys.executable, "-c", boot]


class _Process:
    """One running child: its pipes, a thread reading its answers, a thread capturing what it prints."""

    def __init__(self, output, cwd):
        env = {**os.environ, CHILD_ENV: "1", "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8:backslashreplace",
               "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("PYTHONSTARTUP", None)
        self.proc = subprocess.Popen(_boot_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, cwd=cwd,
                                     start_new_session=os.name == "posix")
        self.answers = queue.Queue()
        self.readers = [threading.Thread(target=self._read_answers, daemon=True),
                        threading.Thread(target=self._capture, args=(output,), daemon=True)]
        for t in self.readers:
            t.start()

    def _read_answers(self):
        try:
            while True:
                self.answers.put(read_message(self.proc.stdout))
        except (EOFError, OSError, ValueError):
            self.answers.put(EOFError())
        except WireError as exc:
            self.answers.put(exc)

    def _capture(self, output):
        try:
            while chunk := self.proc.stderr.read1(_READ):
                output.add(chunk)
        except (OSError, ValueError):
            pass

    def send(self, message):
        try:
            write_message(self.proc.stdin, message)
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def receive(self, limit):
        """The next answer, or a :class:`Stopped` (the process is then ended)."""
        try:
            answer = self.answers.get(timeout=limit)
        except queue.Empty:
            self.close()
            return Stopped("time_limit", f"{limit:g}")
        if isinstance(answer, EOFError):
            return self._ended()
        if isinstance(answer, WireError) or not isinstance(answer, dict):
            self.close()
            return Stopped("garbled", str(answer))
        return answer

    def _ended(self):
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # it closed its output but runs on
            self.close()
            return Stopped("garbled", "closed its channel")
        self.close()
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return Stopped("signal", name)
        return Stopped("exit", str(code))

    def close(self):
        if self.proc.poll() is None:
            try:
                if os.name == "posix":
                    os.killpg(self.proc.pid, signal.SIGKILL)  # and whatever it started
                else:
                    self.proc.kill()
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        for t in self.readers:
            t.join(timeout=5)


class Sandbox:
    """Runs tasks on the learner's code in a child process, each answer within ``timeout`` seconds.

    Parameters
    ----------
    plan : dict
        What to load (:func:`.source.plan_for`).
    roles : dict
        ``{role: (module index, qualified name)}``: the objects to find once loaded.
    timeout : float
        Seconds each answer may take (loading the sources may take twice as long).
    cwd : str or None
        The working directory of the process (the learner's files may read files relative to it).
    """

    def __init__(self, plan, roles, timeout, cwd=None):
        self.plan, self.roles, self.timeout, self.cwd = plan, roles, float(timeout), cwd
        self.output = Output()
        self.found = None
        self._process = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._process is not None:
            self._process.close()
            self._process = None

    def _start(self):
        """A running process with the sources loaded; raises LoadFailed."""
        if self._process is not None:
            return self._process
        process = _Process(self.output, self.cwd)
        ready = process.receive(START_TIME)
        if isinstance(ready, Stopped) or "ready" not in ready:
            process.close()
            raise LoadFailed("the Python process for your code did not start", stopped=_stopped(ready))
        self._process = process
        answers, stopped = self._exchange("load", {"plan": self.plan, "roles": self.roles}, 2 * self.timeout)
        if stopped is not None:
            raise LoadFailed("running it stopped", stopped=stopped)
        if isinstance(answers, dict):  # it raised
            raise LoadFailed(answers["failed"], import_name=answers.get("import_name"), lineno=answers.get("lineno"),
                             msg=answers.get("msg"), type_name=answers.get("type"))
        self.found = answers[0]
        return process

    def load(self):
        """``{role: {"type": "class" | "function" | ..., "module": ...}}`` of what the sources define."""
        self._start()
        return self.found

    def run(self, task, args, limit=None):
        """``(answers, stopped)``: the task's answers, and a :class:`Stopped` when the process gave no more.

        ``answers`` is a list of what the task yielded, or ``{"failed": message}`` when
        it raised (outside the learner's calls, which the tasks catch themselves).
        """
        try:
            self._start()
        except LoadFailed as exc:
            self.close()
            return [], exc.stopped or Stopped("garbled", str(exc))
        return self._exchange(task, args, self.timeout if limit is None else limit)

    def _exchange(self, task, args, limit):
        process = self._process
        if not process.send({"task": task, "args": args}):
            return [], self._lost(process.receive(limit))
        answers = []
        while True:
            answer = process.receive(limit)
            if isinstance(answer, Stopped):
                self._lost(answer)
                return answers, answer
            if "reply" in answer:
                answers.append(answer["reply"])
            elif "failed" in answer:
                return answer, None
            elif answer.get("done"):
                return answers, None
            else:
                self.close()
                return answers, Stopped("garbled", "an unknown answer")

    def _lost(self, stopped):
        self.close()
        return stopped if isinstance(stopped, Stopped) else Stopped("garbled", "no answer")

    def printed(self):
        """``(text, total bytes)`` of what the learner's code printed (bounded)."""
        return self.output.text()


def _stopped(answer):
    return answer if isinstance(answer, Stopped) else Stopped("garbled", "no greeting")

