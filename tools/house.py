"""The house in figures, measured from the code: modules, folders, import edges, the longest
import chain and the import cycles of ``src/`` (imports inside functions count).

    python tools/house.py            # the summary
    python tools/house.py --edges    # every edge, importer -> imported
    python tools/house.py --json     # the figures as JSON

An import of a package (``from .datasets import load_mnist``) is an edge to the package's
``__init__``; ``from . import idx`` is an edge to the submodule ``idx``. An edge from a module
to a package that encloses it (its own package's ``__init__``) is reported apart: the
package is being initialised when its modules load, so such an import is a hidden cycle.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src"


def modules(root=ROOT):
    """``{dotted name: path}`` of every Python module under ``root``."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = path
    return found


def _targets(name, path, node, known):
    """The modules of ``known`` that one import statement of module ``name`` names."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    if isinstance(node, ast.Import):
        candidates = [alias.name for alias in node.names]
    else:
        base = package[: len(package) - node.level + 1] if node.level else []
        stem = ".".join(base + ([node.module] if node.module else []))
        candidates = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in known else stem for alias in node.names]
    out = set()
    for target in candidates:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)
    return out


def edges(known):
    """``{importer: {imported}}`` among ``known``, every import statement counted (inside functions too)."""
    graph = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        deps = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                deps |= _targets(name, path, node, known)
        graph[name] = deps
    return graph


def _encloses(package, name, known):
    return known[package].name == "__init__.py" and name.startswith(package + ".")


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def longest_chain(graph):
    """The longest path of imports (a list of modules), on a graph without cycles."""
    best = {}

    def visit(node, seen=()):
        if node in best:
            return best[node]
        chain = [node]
        for child in graph.get(node, ()):
            if child in seen:
                continue
            below = visit(child, (*seen, node))
            if len(below) + 1 > len(chain):
                chain = [node, *below]
        best[node] = chain
        return chain

    sys.setrecursionlimit(10000)
    return max((visit(node) for node in graph), key=len, default=[])


def measure(root=ROOT):
    known = modules(root)
    graph = edges(known)
    inward = sorted((a, b) for a, deps in graph.items() for b in deps if _encloses(b, a, known))
    plain = {a: {b for b in deps if not _encloses(b, a, known)} for a, deps in graph.items()}
    found = cycles(plain)
    files = sorted(str(p.relative_to(root)) for p in known.values())
    return {
        "files": len(files),
        "folders": len({str(Path(f).parent) for f in files}),
        "top-level modules of chainrule": sorted(n for n, p in known.items() if n.count(".") == 1
                                                 and p.name != "__init__.py"),
        "import edges": sum(len(d) for d in plain.values()),
        "imports of an enclosing package": [f"{a} -> {b}" for a, b in inward],
        "longest import chain": longest_chain(plain) if not found else None,
        "cycles": found,
        "edges": {a: sorted(d) for a, d in sorted(plain.items())},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="list every edge")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--root", type=Path, default=ROOT, help="the source folder (default: src/)")
    args = parser.parse_args(argv)
    figures = measure(args.root)
    if args.json:
        print(json.dumps(figures, indent=1))
        return 0 if not figures["cycles"] else 1
    print(f"files: {figures['files']} in {figures['folders']} folders")
    print(f"top-level modules of chainrule ({len(figures['top-level modules of chainrule'])}): "
          + " ".join(m.split(".")[1] for m in figures["top-level modules of chainrule"]))
    print(f"import edges between modules: {figures['import edges']}")
    chain = figures["longest import chain"]
    if chain is None:
        print("longest import chain: (not measured: there are cycles)")
    else:
        print(f"longest import chain: {len(chain)} modules: {' -> '.join(chain)}")
    print(f"imports of an enclosing package's __init__: {len(figures['imports of an enclosing package'])}")
    for line in figures["imports of an enclosing package"]:
        print(f"  {line}")
    print(f"cycles: {len(figures['cycles'])}")
    for component in figures["cycles"]:
        print(f"  {' <-> '.join(component)}")
    if args.edges:
        for a, deps in figures["edges"].items():
            for b in deps:
                print(f"{a} -> {b}")
    return 0 if not figures["cycles"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `python tools/house.py --edges | head`: the reader left
        sys.stderr.close()
        sys.exit(0)
