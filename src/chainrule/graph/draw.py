"""Drawing a computational graph the way the book draws it: DOT text, and SVG or PNG through Graphviz.

Every edge carries the forward value (its shape, for arrays) and beneath it the
derivative in red. :meth:`Graph.to_dot <chainrule.graph.Graph.to_dot>` and
:meth:`Graph.render <chainrule.graph.Graph.render>` call :func:`to_dot` and
:func:`render`; :func:`compact` is the number format of the edges and node labels.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import numpy as np

from ..io.files import atomic_path, check_output

__all__ = ["FORMATS", "GRAD_COLOR", "compact", "format_of", "render", "run_dot", "to_dot"]

#: Output formats of :meth:`Graph.render` (by file suffix).
FORMATS = ("dot", "svg", "png")
#: Colour of the backward derivative on an edge (the forward value is black).
GRAD_COLOR = "#d62728"


def compact(x):
    """Compact edge text like the book's: 220, 2.2, 110, 1.1 for scalars; the shape for arrays."""
    if np.ndim(x) != 0:
        return str(tuple(np.shape(x)))
    x = x.item() if isinstance(x, (np.generic, np.ndarray)) else x
    return str(x) if isinstance(x, int) else f"{x:.6g}"


def _quote(text):
    """A DOT double-quoted string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _edge_label(data, grad):
    """An HTML-like DOT label: the forward value, and below it the derivative in GRAD_COLOR."""
    text = html.escape(compact(data))
    if grad is not None:
        text += f'<br/><font color="{GRAD_COLOR}">{html.escape(compact(grad))}</font>'
    return f"<{text}>"


def format_of(path):
    """The output format of ``path`` from its suffix: "dot", "svg" or "png"; ValueError naming them otherwise."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(
            f"cannot write {Path(path).name!r}: the output format must be one of "
            f"{', '.join('.' + f for f in FORMATS)} (got {Path(path).suffix or 'no suffix'})"
        )
    return fmt


def run_dot(dot, fmt, timeout):
    """DOT text -> SVG/PNG bytes through the graphviz package, within ``timeout`` seconds; RuntimeError otherwise."""
    try:
        import graphviz  # noqa: F401 - the documented requirement ("graph" extra); dot is run below, timed
    except ImportError:
        raise RuntimeError(
            "SVG and PNG need the graphviz Python package (pip install 'chainrule[graph]')"
        ) from None
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError(
            "Graphviz's 'dot' program is not on PATH (install Graphviz: apt-get install graphviz, "
            "brew install graphviz, or see https://graphviz.org/download/)"
        )
    try:
        done = subprocess.run([program, f"-T{fmt}"], input=dot.encode(), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"Graphviz's dot did not finish within {timeout:g} s (the limit is "
            "chainrule.graph.RENDER_TIMEOUT); the graph may be too large to draw"
        ) from None
    except OSError as exc:
        raise RuntimeError(f"Graphviz's dot could not be run: {exc}") from None
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"Graphviz's dot failed (exit {done.returncode}): {err[0]}")
    return done.stdout


def _write_atomic(path, data, force):
    """Write ``data`` (bytes) to ``path`` atomically (temp file + ``os.replace``), under the output rule."""
    with atomic_path(path, force=force) as tmp:
        tmp.write_bytes(data)


def to_dot(graph):
    """What :meth:`Graph.to_dot <chainrule.graph.Graph.to_dot>` returns: ``graph`` as DOT text, as the book draws it."""
    index = {value: i for i, value in enumerate(graph.values)}
    node_id = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = [
        "digraph chainrule {",
        "  rankdir=LR; ordering=in;",
        '  node [fontname="Helvetica", fontsize=12];',
        '  edge [fontname="Helvetica", fontsize=11, arrowsize=0.7];',
    ]
    for value in graph.values:
        if value.node is None:
            lines.append(f"  v{index[value]} [shape=plaintext, label={_quote(value.name or '')}];")
    consumed = set()
    for node in graph.nodes:
        shape = "circle" if len(node.label) <= 3 else "box, style=rounded"
        lines.append(f"  {node_id[node]} [shape={shape}, label={_quote(node.label)}];")
        for value, grad in zip(node.sources, node.grads, strict=True):
            consumed.add(value)
            tail = node_id[value.node] if value.node is not None else f"v{index[value]}"
            lines.append(f"  {tail} -> {node_id[node]} [label={_edge_label(value.data, grad)}];")
    for node in graph.nodes:
        out = node.output
        if out not in consumed:
            lines.append(f"  o{index[out]} [shape=plaintext, label={_quote(out.name or '')}];")
            lines.append(f"  {node_id[node]} -> o{index[out]} [label={_edge_label(out.data, out.grad)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(graph, path, timeout, *, force=False):
    """What :meth:`Graph.render <chainrule.graph.Graph.render>` does (``dot`` gets ``timeout`` seconds): the path."""
    path = Path(path)
    fmt = format_of(path)
    check_output(path, force=force)  # before anything is drawn
    dot = to_dot(graph)
    if fmt == "dot":
        _write_atomic(path, dot.encode(), force)
        return path
    try:
        data = run_dot(dot, fmt, timeout)
    except RuntimeError as err:
        dot_path = path.with_suffix(".dot")
        try:
            _write_atomic(dot_path, dot.encode(), force)
        except OSError as exc:
            raise RuntimeError(f"cannot draw {path.name}: {err} (nor write the DOT text: {exc})") from None
        raise RuntimeError(
            f"cannot draw {path.name}: {err}. Wrote the DOT text to {dot_path} instead "
            f"(render it later with: dot -T{fmt} {dot_path} -o {path})"
        ) from None
    _write_atomic(path, data, force)
    return path
