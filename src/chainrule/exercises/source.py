"""What the process running the learner's code must load: a plan built from a path, a module or classes.

A ``.py`` file is run as ``python file.py`` would run it (its folder first on
``sys.path``, a BOM or a PEP 263 coding line honoured), with chainrule's
``common``/``dataset`` packages ahead of everything so that a file in the book's
form (``from common.layers import *``) runs on chainrule. A module that can be
imported by name is imported again there. Classes and functions that live only in
this process (defined in a notebook, or in the ``__main__`` of a script) are rebuilt
from their source, which Python keeps for every notebook cell: their text, and
for each global name they use, the same import, constant or (recursively) the
source of the function or class it names. What cannot be rebuilt that way is
refused with a message naming it.
"""

from __future__ import annotations

import ast
import builtins
import linecache
import symtable
import sys
import textwrap
import types
from pathlib import Path

from ..book import SHIM_DIR

__all__ = ["NotRebuildable", "plan_for_file", "plan_for_objects"]


class NotRebuildable(Exception):
    """An object cannot be rebuilt in another process: ``key`` (the message ``rebuild.<key>``) says why,
    ``fields`` name it."""

    def __init__(self, key, **fields):
        super().__init__(key)
        self.key, self.fields = key, fields


def plan_for_file(path):
    """``(plan, roles_module_index)`` for a learner's ``.py`` file."""
    path = Path(path).resolve()
    folder = str(path.parent)
    plan = {"path": [str(SHIM_DIR), folder], "drop_cwd": True, "folders": [folder],
            "modules": [{"kind": "file", "path": str(path), "name": f"_chainrule_exercise_{path.stem}"}]}
    return plan


def _importable(obj):
    """The module name ``obj`` can be imported from again in a fresh process, or None."""
    name = getattr(obj, "__module__", None) if not isinstance(obj, types.ModuleType) else obj.__name__
    module = sys.modules.get(name) if name else None
    if module is None or name == "__main__" or getattr(module, "__spec__", None) is None:
        return None
    if isinstance(obj, types.ModuleType):
        return name
    target = module
    qualname = getattr(obj, "__qualname__", "")
    if "<locals>" in qualname:
        return None
    for attr in qualname.split("."):
        target = getattr(target, attr, None)
    return name if target is obj else None


def plan_for_objects(objects, shown):
    """``(plan, roles)`` for ``{role: class or function}`` (and modules, as ``{role: module}``).

    Objects of importable modules are imported by name; the others are rebuilt from
    their source into one module. Raises :class:`NotRebuildable`.
    """
    modules, index, roles = [], {}, {}
    rebuilt = _Rebuild(shown)
    for role, obj in objects.items():
        name = _importable(obj)
        if name is not None:
            if name not in index:
                index[name] = len(modules)
                modules.append({"kind": "import", "name": name})
            roles[role] = (index[name], obj.__qualname__)
        else:
            roles[role] = (None, rebuilt.add(obj))
    if rebuilt.steps:
        for role, (i, qualname) in roles.items():
            if i is None:
                roles[role] = (len(modules), qualname)
        modules.append({"kind": "source", "name": "_chainrule_exercise_notebook", "steps": rebuilt.steps})
    folders = sorted({str(Path(linecache_file).parent) for linecache_file in rebuilt.files
                      if Path(linecache_file).is_file()})
    plan = {"path": [p for p in sys.path if isinstance(p, str)], "folders": folders, "modules": modules}
    return plan, roles


def _definition(tree, obj, line):
    """The ``class``/``def`` statement of ``obj`` in ``tree`` that holds ``line``."""
    kinds = (ast.ClassDef,) if isinstance(obj, type) else (ast.FunctionDef, ast.AsyncFunctionDef)
    best = None
    for node in ast.walk(tree):
        if isinstance(node, kinds) and node.name == obj.__name__:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if start <= line <= node.end_lineno and (best is None or start >= best[0]):
                best = (start, node)
    return best


def _functions(obj):
    if isinstance(obj, types.FunctionType):
        return [obj]
    found = []
    for value in vars(obj).values():
        value = getattr(value, "__func__", value)  # staticmethod, classmethod
        if isinstance(value, property):
            value = value.fget
        if isinstance(value, types.FunctionType):
            found.append(value)
    return found


class _Rebuild:
    """The steps that rebuild a set of objects in a fresh module, dependencies first."""

    def __init__(self, shown):
        self.shown = shown
        self.steps = []
        self.files = set()
        self._done = {}  # id(obj) -> the name it has in the rebuilt module
        self._names = {}  # name in the rebuilt module -> the object bound to it

    def add(self, obj):
        """Rebuild ``obj`` (and what it uses); the name it is bound to in the rebuilt module."""
        if id(obj) in self._done:
            return self._done[id(obj)]
        functions = _functions(obj)
        what = f"{getattr(obj, '__qualname__', obj)!s}"
        if not functions:
            raise NotRebuildable("no_method", what=what)
        code = functions[0].__code__
        filename = code.co_filename
        text = "".join(linecache.getlines(filename, functions[0].__globals__))
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            tree = None
        found = _definition(tree, obj, code.co_firstlineno) if tree is not None else None
        if found is None:
            raise NotRebuildable("no_source", what=what)
        start, node = found
        lines = text.splitlines(True)[start - 1:node.end_lineno]
        segment = "".join(lines)
        name = obj.__name__
        if self._names.get(name, obj) is not obj:
            raise NotRebuildable("two_objects", name=name)
        self._done[id(obj)] = name
        self._names[name] = obj
        for ref in _global_names(segment, filename):
            self._resolve(ref, functions[0].__globals__, what)
        self.steps.append({"source": segment, "filename": filename, "line": start, "lines": text})
        self.files.add(filename)
        return name

    def _bind(self, name, value, step):
        if name in self._names:
            if self._names[name] is not value:
                raise NotRebuildable("two_meanings", name=name)
            return
        self._names[name] = value
        self.steps.append({**step, "as": name})

    def _resolve(self, ref, namespace, what):
        if ref not in namespace:
            return  # a builtin, or a name that is not defined: Python says so when the code runs
        value = namespace[ref]
        if ref in self._names and self._names[ref] is value:
            return
        if isinstance(value, types.ModuleType):
            if _importable(value) is None:
                raise NotRebuildable("module", what=what, ref=ref)
            self._bind(ref, value, {"import": value.__name__})
        elif isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)) or callable(value) \
                and hasattr(value, "__qualname__"):
            module = _importable(value)
            if module is not None:
                self._bind(ref, value, {"import": module, "attrs": value.__qualname__.split(".")})
            elif isinstance(value, (type, types.FunctionType)):
                own = self.add(value)
                if own != ref:
                    self._bind(ref, value, {"alias": own})
            else:
                raise NotRebuildable("global", what=what, ref=ref, kind=type(value).__name__)
        elif _constant(value):
            self._bind(ref, value, {"value": value})
        else:
            raise NotRebuildable("global", what=what, ref=ref, kind=type(value).__name__)


def _constant(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, tuple) and all(_constant(v) for v in value)


def _global_names(segment, filename):
    """The global names a ``class``/``def`` statement reads (builtins left out), in order."""
    table = symtable.symtable(textwrap.dedent(segment), filename, "exec")
    own = {s.get_name() for s in table.get_symbols() if s.is_assigned()}
    names, stack = [], [table]
    while stack:
        t = stack.pop(0)
        for s in t.get_symbols():
            n = s.get_name()
            if s.is_global() and s.is_referenced() and n not in own and n not in names:
                names.append(n)
        stack.extend(t.get_children())
    return [n for n in names if not hasattr(builtins, n)]
