"""``chainrule explore``: one self-contained HTML page that shows the chain rule happening.

The page needs no server and no network: its script (``explore_*.js``), its style
(``explore.css``), its strings and its data are all inside the one file, so it opens
from ``file://`` and works offline. What it can hold:

* graphs (the book's figures, Batch Normalization's graph, or any :class:`~chainrule.graph.Graph`):
  step forward and backward node by node, edit the inputs (numbers and small arrays, and an
  array output's upstream derivative), and see every value above its edge and every
  derivative below it;
* the views of chapter 6 (:data:`VIEWS`): the optimizers' paths on ``x**2 / 20 + y**2`` and
  the activation histograms of five layers;
* a model (a saved ``model.npz``: an MLP, ``MultiLayerNetExtend``, ``SimpleConvNet``,
  ``DeepConvNet``): draw a digit, see the 28x28 the network sees, every layer's output and
  the gradient of the loss for a chosen label there, down to the input pixels.

The numbers in the page come from its script (:data:`SCRIPTS`), a port of chainrule's layers
in the book's formulation; the tests check it against chainrule to 1e-12 (float64 graphs,
optimizers) and 1e-5 (float32 networks, layer by layer). Data is embedded as JSON, with
every ``<``, ``>`` and ``&`` escaped (:func:`script_json`); a model's weights as base64
little-endian float32. The strings are :data:`~chainrule.explore.messages.MESSAGES` in the
page's language.
"""

from __future__ import annotations

import html
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np

from ..i18n import language
from ..io.files import check_output, write_text
from .messages import MESSAGES

__all__ = ["VIEWS", "check_out", "graph_iframe", "graph_payload", "page_html", "script_json", "write_graph_page",
           "write_page"]

# The class of a graph node's layer (chainrule.layers, chainrule.graph.nodes) -> the operation name
# explore_graph.js implements for it. By name: the graph room draws its pages with this one.
_OPS = {"MulLayer": "mul", "AddLayer": "add", "MulConst": "mulconst", "AddConst": "addconst", "Exp": "exp",
        "Reciprocal": "recip", "Sigmoid": "sigmoid", "Relu": "relu", "Affine": "affine",
        "SoftmaxWithLoss": "softmaxloss", "Mean": "mean", "Sub": "sub", "Square": "square", "Sqrt": "sqrt"}
#: Values with more elements than this are shown by their shape only (the page stays small);
#: their numbers are replaced by OMITTED.
MAX_VALUE_SIZE = 4096
OMITTED = "omitted"


def _numbers(x):
    """A value or gradient as a flat list of JSON numbers (None stays None).

    Non-finite numbers become the strings "Infinity", "-Infinity", "NaN" (JSON has no
    such numbers; the page converts them back with ``Number()``).
    """
    if x is None:
        return None
    flat = np.asarray(x, dtype=np.float64).ravel()
    return [v if math.isfinite(v) else str(v).replace("inf", "Infinity").replace("nan", "NaN")
            for v in flat.tolist()]


def graph_payload(graph, name: str = "graph", title: str | None = None, chapter: int | None = None,
                  layout: dict | None = None) -> dict:
    """What the page needs of a recorded graph: its values, nodes and edges, as JSON-ready data.

    ``chapter``: the book's chapter the page lists the graph under (5 when not given);
    ``layout``: where to draw it, ``{"nodes": [(col, row) per node], "leaves": {name: (col, row)}}``
    (by default the page places nodes in columns by depth).

    Returns a dict with ``values`` (name, shape, data, grad and whether it is a
    leaf, per value in recording order), ``nodes`` (operation, label, the
    indices of its source values, its output, its constant, the gradient along
    each edge), ``root`` (the output backward starts from), ``seed`` (its
    upstream gradient) and ``computable`` (whether the page can recompute it:
    every operation known to ``explore_graph.js`` and every value small enough).
    """
    if not (hasattr(graph, "nodes") and hasattr(graph, "values")):
        raise TypeError(f"expected a chainrule.graph.Graph; got {type(graph).__name__}")
    if not graph.nodes:
        raise ValueError("this graph has no nodes: record a computation before exploring it")
    index = {id(v): i for i, v in enumerate(graph.values)}
    computable = True
    values = []
    for v in graph.values:
        size = int(np.size(v.data))
        small = size <= MAX_VALUE_SIZE
        computable &= small
        values.append({"name": v.name, "shape": list(np.shape(v.data)), "leaf": v.node is None,
                       "data": _numbers(v.data) if small else OMITTED,
                       "grad": _numbers(v.grad) if small or v.grad is None else OMITTED})
    nodes = []
    for node in graph.nodes:
        op = _OPS.get(type(node.layer).__name__)
        computable &= op is not None
        entry = {"op": op, "label": node.label, "sources": [index[id(v)] for v in node.sources],
                 "output": index[id(node.output)], "grads": [OMITTED if g is not None and np.size(g) > MAX_VALUE_SIZE
                                                             else _numbers(g) for g in node.grads]}
        if op in ("mulconst", "addconst"):
            c = np.asarray(node.layer.c, dtype=np.float64)
            entry["c"] = {"shape": list(c.shape), "data": _numbers(c)}
        nodes.append(entry)
    root = graph.nodes[-1].output
    seed = root.grad if root.grad is not None else np.ones(np.shape(root.data))
    payload = {"name": name, "title": title or name, "chapter": chapter or 5, "values": values, "nodes": nodes,
               "root": index[id(root)], "seed": _numbers(seed), "computable": bool(computable)}
    if layout is not None:
        if len(layout["nodes"]) != len(nodes) or set(layout["leaves"]) != {v["name"] for v in values if v["leaf"]}:
            raise ValueError("a layout must place every node and every input of the graph")
        payload["layout"] = {"nodes": [list(p) for p in layout["nodes"]],
                             "leaves": {k: list(p) for k, p in layout["leaves"].items()}}
    return payload


#: The page's script, in the order the page runs it: the shared math and page helpers, the graph
#: view, the model view, the start (plain JavaScript files in the package, inlined into one <script>).
SCRIPTS = tuple(f"explore_{part}.js" for part in ("core", "messages", "layers", "graph", "graph_page", "model", "maps",
                                                 "model_page", "chapter6")) + ("explore.js",)


def _asset(name):
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


#: Characters written as JSON escapes in the page's data: no string (a file name, a graph's value
#: names, a title) can then open, close or comment out an element ("</script", "<!--<script>").
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script_json(data):
    """``data`` as JSON that is safe inside a ``<script>`` element: every ``<``, ``>`` and ``&`` escaped.

    The HTML parser reads a script element's text looking for ``</script`` and ``<!--``
    (after which ``<script`` switches it to the "double escaped" state, where the
    real ``</script>`` no longer ends the element); JSON's ``\\u003c`` escapes mean the
    text holds neither, and ``JSON.parse`` gives the strings back unchanged.
    """
    return json.dumps(data, separators=(",", ":"), allow_nan=False).translate(_SCRIPT_ESCAPES)


#: The ``lang`` attribute of a page in each language.
HTML_LANG = {"en": "en", "ko": "ko", "zh": "zh-CN", "ja": "ja"}
#: The views of chapter 6 a page can hold besides graphs: the optimizers' paths (figures 6-3 to 6-8) and the
#: activation histograms (figures 6-10 to 6-14). The page computes them itself (``explore_chapter6.js``).
VIEWS = ("optimizers", "weight-init")


def page_html(*, graphs=(), model=None, views=(), initial=None, title="chainrule explore", lang=None) -> str:
    """The whole page as one HTML string: style, script and data inline, nothing fetched.

    ``graphs``: payloads of :func:`graph_payload`; ``model``: a payload of
    :func:`~chainrule.explore.model.model_payload` (or None); ``views``: names of :data:`VIEWS`;
    ``initial``: the name of the graph or view shown first; ``lang``: the page's language (en, ko,
    zh, ja; None: the locale's, as :func:`chainrule.i18n.language` reads it): its messages
    (:data:`~chainrule.explore.messages.MESSAGES` in that language) are embedded with the data.
    """
    lang = language(lang)
    graphs, views = list(graphs), list(views)
    if not graphs and not views and model is None:
        raise ValueError("a page needs at least one graph, a view or a model")
    unknown = [v for v in views if v not in VIEWS]
    if unknown:
        raise ValueError(f"unknown view {unknown[0]!r}; a page can hold {', '.join(VIEWS)}")
    first = graphs[0]["name"] if graphs else (views[0] if views else None)
    data = {"graphs": graphs, "views": views, "model": model, "initial": initial or first,
            "catalog": MESSAGES.table(lang)}
    script = "".join(_asset(name) for name in SCRIPTS)
    if "</script" in script.lower() or "<!--" in script:  # pragma: no cover - guarded by the tests
        raise RuntimeError("the page's script must not contain '</script' or '<!--'")
    return (
        f"<!DOCTYPE html>\n<html lang=\"{HTML_LANG[lang]}\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{_asset('explore.css')}</style>\n</head>\n"
        f"<body>\n{_asset('explore.html')}"
        f"<script type=\"application/json\" id=\"explore-data\">{script_json(data)}</script>\n"
        f"<script>\n{script}</script>\n</body>\n</html>\n"
    )


def check_out(path, *, force=False, inputs=(), how="force=True"):
    """The output path, checked before any work against the output rule (:func:`chainrule.io.files.check_output`)."""
    return check_output(path, force=force, inputs=inputs, how=how)


def write_page(path, *, force=False, **page) -> Path:
    """Write :func:`page_html` (``page`` are its keyword arguments) to ``path`` atomically
    (``force``: replace an existing file; only a regular file ever is)."""
    path = check_out(path, force=force)
    text = page_html(**page)
    write_text(path, text, force=force)
    return path


def write_graph_page(graph, path, *, title: str | None = None, force=False, lang=None) -> Path:
    """``Graph.to_html(path)``: a page showing ``graph`` alone, in ``lang`` (None: the locale's language)."""
    check_out(path, force=force)
    mine = title or MESSAGES.text("graph.yours", language(lang))
    return write_page(path, graphs=[graph_payload(graph, "graph", mine)], title=title or "chainrule explore",
                      force=force, lang=lang)


def graph_iframe(graph, lang=None) -> str:
    """Jupyter's rich display of a graph: the page in an ``<iframe srcdoc>`` (scripts stay inside it)."""
    page = page_html(graphs=[graph_payload(graph, "graph", MESSAGES.text("graph.yours", language(lang)))], lang=lang)
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" title="chainrule explore: the graph" '
            'style="width:100%;height:560px;border:1px solid #ccc"></iframe>')
