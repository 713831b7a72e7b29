"""The process that runs the learner's code: a fresh Python that the checker starts and talks to.

Started as ``python -c "...; from chainrule.exercises.child import main; main()"``
(see :mod:`.sandbox`). Its standard input and output carry the checker's messages
(:mod:`.wire`); before any learner code runs, both are moved to private file
descriptors, input comes from the null device and everything printed (``print``,
``sys.stderr``, C code writing to descriptor 1 or 2) goes to standard error,
which the checker captures. The process answers one task at a time:

``load``
    run the learner's sources (a file, as ``python file.py`` would, or the
    classes of a notebook rebuilt from their source) and say what they define;
any other task
    a function of an exercise module (:data:`TASKS`), given plain data and the
    loaded objects; it yields its answers (plain data) one by one.

Nothing here decides a verdict: the checker's own process compares what comes
back with numbers it computed itself.
"""

from __future__ import annotations

import ast
import importlib
import linecache
import os
import sys
import textwrap
import types
from pathlib import Path

from .wire import read_message, write_message

__all__ = ["TASKS", "main"]

#: The checker refuses to start another checker from the code it is checking (a file that checks itself).
CHILD_ENV = "CHAINRULE_CHECK_CHILD"


class _Learner:
    """The loaded learner objects by the role they play, and how to tell the learner's frames."""

    def __init__(self):
        self.objects = {}
        self.folders = []
        self.files = set()

    def is_learner_file(self, filename):
        return filename in self.files or any(filename.startswith(f + os.sep) for f in self.folders)


def _describe(exc, learner):
    from .run import describe

    return describe(exc, learner.is_learner_file)[0]


def _run_file(path, name):
    """Run a learner's file as the module ``name`` (not ``__main__``: its ``if __name__ == "__main__"``
    part is left out)."""
    source = Path(path).read_bytes()  # compile() reads a BOM and a PEP 263 coding line, as python does
    code = compile(source, path, "exec", dont_inherit=True)
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(code, module.__dict__)
    return module


def _run_steps(name, steps, learner):
    """A module rebuilt from a notebook's classes: imports, constants and the learner's own source."""
    module = types.ModuleType(name)
    sys.modules[name] = module
    ns = module.__dict__
    for step in steps:
        if "import" in step:
            target = importlib.import_module(step["import"])
            for attr in step.get("attrs", ()):
                target = getattr(target, attr)
            ns[step["as"]] = target
        elif "value" in step:
            ns[step["as"]] = step["value"]
        elif "alias" in step:
            ns[step["as"]] = ns[step["alias"]]
        else:
            filename, text = step["filename"], step["source"]
            if step.get("lines") is not None and not linecache.getlines(filename):
                lines = step["lines"].splitlines(True)
                linecache.cache[filename] = (len(step["lines"]), None, lines, filename)
            tree = ast.parse(textwrap.dedent(text), filename)
            ast.increment_lineno(tree, step["line"] - 1)
            learner.files.add(filename)
            exec(compile(tree, filename, "exec", dont_inherit=True), ns)
    return module


def load(learner, plan, roles):
    """Run the plan's sources; yield ``{role: {"type": ..., "module": ...}}`` for each role found."""
    if plan.get("drop_cwd") and "" in sys.path:  # as `python file.py`: the file's folder, not the working one
        sys.path.remove("")
    sys.path[:0] = list(plan["path"])
    learner.folders = [str(Path(p)) for p in plan.get("folders", ())]
    modules = []
    for spec in plan["modules"]:
        if spec["kind"] == "file":
            learner.files.add(spec["path"])
            modules.append(_run_file(spec["path"], spec["name"]))
        elif spec["kind"] == "import":
            modules.append(importlib.import_module(spec["name"]))
        else:
            modules.append(_run_steps(spec["name"], spec["steps"], learner))
    found = {}
    for role, (index, qualname) in roles.items():
        obj = modules[index]
        for attr in qualname.split("."):
            obj = getattr(obj, attr, None)
        if obj is None:
            continue
        learner.objects[role] = obj
        kind = "class" if isinstance(obj, type) else "function" if callable(obj) else type(obj).__name__
        found[role] = {"type": kind, "module": getattr(obj, "__module__", None) or ""}
    yield found


def _tasks():
    from . import netrun, registry

    return {"case": registry.task_case, "network": netrun.task_network, "walk": netrun.task_walk}


TASKS = {}


def main():
    """Answer the checker's tasks until it closes standard input."""
    os.environ[CHILD_ENV] = "1"
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)  # print() and C code writing to 1 now reach standard error, which the checker captures
    TASKS.update(_tasks())
    learner = _Learner()
    write_message(proto_out, {"ready": os.getpid()})
    while True:
        try:
            message = read_message(proto_in)
        except EOFError:
            return
        task, args = message["task"], message["args"]
        try:
            if task == "load":
                replies = load(learner, **args)
            else:
                replies = TASKS[task](learner, **args)
            for reply in replies:
                write_message(proto_out, {"reply": reply})
            write_message(proto_out, {"done": True})
        except BaseException as exc:  # noqa: B036 - the learner's code may raise anything; it is reported
            write_message(proto_out, {"failed": _describe(exc, learner), "type": type(exc).__name__,
                                      "import_name": getattr(exc, "name", None) if isinstance(exc, ImportError)
                                      else None, "lineno": getattr(exc, "lineno", None)
                                      if isinstance(exc, SyntaxError) else None,
                                      "msg": getattr(exc, "msg", None) if isinstance(exc, SyntaxError) else None})
