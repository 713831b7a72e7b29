"""``chainrule explore``: one self-contained HTML page that shows the chain rule happening.

The page needs no server and no network: its script (``explore*.js``), its style
(``explore.css``) and its data are all inside the one file, so it opens from
``file://`` and works offline. Two kinds of page:

* a graph page (the book's figures, or any :class:`~chainrule.graph.Graph`):
  step forward and backward node by node, edit the scalar inputs, and see every
  value above its edge and every derivative below it;
* a model page (a saved ``model.npz``): draw a digit, see the 28x28 the network
  sees, its hidden activations, its softmax, and the gradient of the loss for a
  chosen label down to the input pixels.

The numbers in the page come from its script (:data:`SCRIPTS`: ``explore_core.js``,
``explore_graph.js``, ``explore_model.js``, ``explore.js``), a port of chainrule's layers
(``MulLayer``, ``AddLayer``, the graph's elementary nodes, ``Sigmoid``, ``Relu``,
``Affine``, ``SoftmaxWithLoss``); the tests check it against chainrule to 1e-12
(float64 graphs) and 1e-5 (float32 networks). Data is embedded as JSON; a model's
weights as base64 little-endian float32, so a 784-50-10 network takes about 210 kB.
"""

from __future__ import annotations

import base64
import html
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np

from ..io.files import check_output, write_text
from ..layers import Affine, Relu, Sigmoid, SoftmaxWithLoss

__all__ = ["graph_iframe", "graph_payload", "model_payload", "page_html", "write_graph_page", "write_page"]

# The class of a graph node's layer (chainrule.layers, chainrule.graph.nodes) -> the operation name
# explore_graph.js implements for it. By name: the graph room draws its pages with this one.
_OPS = {"MulLayer": "mul", "AddLayer": "add", "MulConst": "mulconst", "AddConst": "addconst", "Exp": "exp",
        "Reciprocal": "recip", "Sigmoid": "sigmoid", "Relu": "relu", "Affine": "affine",
        "SoftmaxWithLoss": "softmaxloss"}
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


def graph_payload(graph, name: str = "graph", title: str | None = None) -> dict:
    """What the page needs of a recorded graph: its values, nodes and edges, as JSON-ready data.

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
    return {"name": name, "title": title or name, "values": values, "nodes": nodes,
            "root": index[id(root)], "seed": _numbers(seed), "computable": bool(computable)}


def _b64(array, dtype):
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode("ascii")


def model_payload(network, *, class_names=None, images=None, labels=None, title="model",
                  note=None) -> dict:
    """What the page needs of a network: its layers with weights as base64 little-endian float32.

    Parameters
    ----------
    network : TwoLayerNet or MultiLayerNet (any chain of Affine / Relu / Sigmoid ending in SoftmaxWithLoss)
    class_names : list of str, optional (default "0", "1", ...)
    images : uint8 array (K, 784), optional: test images to start from
    labels : int array (K,), their labels
    title : str, shown in the page
    note : str, optional: a line the page shows (e.g. why there are no test images)
    """
    layers = []
    for name, layer in network.layers.items():
        if isinstance(layer, Affine):
            d, m = layer.W.shape
            layers.append({"type": "affine", "name": name, "shape": [d, m],
                           "W": _b64(layer.W, "<f4"), "b": _b64(layer.b, "<f4")})
        elif isinstance(layer, (Relu, Sigmoid)):
            layers.append({"type": "relu" if isinstance(layer, Relu) else "sigmoid", "name": name})
        else:
            raise ValueError(f"the page can show Affine, Relu and Sigmoid layers; {name} is a {type(layer).__name__}")
    if not isinstance(network.lastLayer, SoftmaxWithLoss):
        raise ValueError(f"the page needs a SoftmaxWithLoss last layer; got {type(network.lastLayer).__name__}")
    n_out = layers[-1]["shape"][1] if layers and layers[-1]["type"] == "affine" else None
    if layers[0]["type"] != "affine" or layers[0]["shape"][0] != 784 or n_out is None:
        raise ValueError("the page draws 28x28 digits: the network must start with an Affine of 784 inputs "
                         "and end with an Affine")
    names = list(class_names) if class_names is not None else [str(i) for i in range(n_out)]
    payload = {"title": title, "dtype": np.dtype(network.dtype).name, "layers": layers,
               "classes": names, "images": [], "note": note}
    if images is not None and len(images):
        images = np.asarray(images)
        if images.dtype != np.uint8 or images.ndim != 2 or images.shape[1] != 784:
            raise ValueError(f"images must be uint8 of shape (K, 784); got {images.dtype} {images.shape}")
        payload["images"] = [{"label": int(t), "pixels": _b64(img, np.uint8)}
                             for img, t in zip(images, np.asarray(labels).tolist(), strict=True)]
    return payload


#: The page's script, in the order the page runs it: the shared math and page helpers, the graph
#: view, the model view, the start (plain JavaScript files in the package, inlined into one <script>).
SCRIPTS = ("explore_core.js", "explore_graph.js", "explore_model.js", "explore.js")


def _asset(name):
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _script_json(data):
    """JSON safe inside a <script> element (no "</" that could close it)."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def page_html(*, graphs=(), model=None, initial=None, title="chainrule explore") -> str:
    """The whole page as one HTML string: style, script and data inline, nothing fetched.

    ``graphs``: payloads of :func:`graph_payload`; ``model``: a payload of
    :func:`model_payload` (or None); ``initial``: the name of the graph shown first.
    """
    graphs = list(graphs)
    if not graphs and model is None:
        raise ValueError("a page needs at least one graph or a model")
    data = {"graphs": graphs, "model": model, "initial": initial or (graphs[0]["name"] if graphs else None)}
    script = "".join(_asset(name) for name in SCRIPTS)
    if "</script" in script.lower():  # pragma: no cover - guarded by the tests
        raise RuntimeError("the page's script must not contain '</script'")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{_asset('explore.css')}</style>\n</head>\n"
        f"<body>\n{_asset('explore.html')}"
        f"<script type=\"application/json\" id=\"explore-data\">{_script_json(data)}</script>\n"
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


def write_graph_page(graph, path, *, title: str | None = None, force=False) -> Path:
    """``Graph.to_html(path)``: a page showing ``graph`` alone."""
    check_out(path, force=force)
    return write_page(path, graphs=[graph_payload(graph, "graph", title or "Your graph")],
                      title=title or "chainrule explore", force=force)


def graph_iframe(graph) -> str:
    """Jupyter's rich display of a graph: the page in an ``<iframe srcdoc>`` (scripts stay inside it)."""
    page = page_html(graphs=[graph_payload(graph, "graph", "Your graph")])
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" title="chainrule explore: the graph" '
            'style="width:100%;height:560px;border:1px solid #ccc"></iframe>')


def pick_images(x, t, per_class=1):
    """The first ``per_class`` test images of each class, in class order: ``(images (K, 784), labels (K,))``."""
    x = np.asarray(x).reshape(len(x), -1)
    t = np.asarray(t)
    chosen = [int(i) for c in np.unique(t) for i in np.flatnonzero(t == c)[:per_class]]
    return x[chosen], t[chosen]


def embedded_images(kind="mnist", count=10, data_dir=None):
    """Up to ``count`` test images to embed (about one per class), from data already on this computer.

    Nothing is downloaded for a page: when the dataset is not in ``data_dir``,
    ``CHAINRULE_DATA`` or the chainrule cache, the page gets no images and a note
    saying so (the canvas works without them).

    Returns
    -------
    images : uint8 (K, 784) or None
    labels : (K,) or None
    note : str or None
        Why there are no images, when there are none.
    """
    if count <= 0:
        return None, None, None
    from ..datasets import load_mnist

    name = {"mnist": "MNIST", "fashion": "Fashion-MNIST"}.get(kind, kind)
    try:
        _, (x, t) = load_mnist(normalize=False, flatten=True, kind=kind, data_dir=data_dir,
                               download=False, progress=False)
    except (OSError, RuntimeError, ValueError):
        return None, None, (f"{name} is not on this computer, so the page has no test images to start from "
                            "(run 'chainrule data' to get it); draw a digit instead")
    per_class = -(-count // len(np.unique(t)))
    images, labels = pick_images(x, t, per_class)
    order = np.argsort(np.arange(len(labels)) % per_class, kind="stable")  # one of each class first
    return images[order][:count], labels[order][:count], None
