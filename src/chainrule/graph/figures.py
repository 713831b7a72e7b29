"""The book's figures, recorded with :class:`~chainrule.graph.Graph` after backward: what
``chainrule graph FIGURE`` draws and ``chainrule explore`` steps through.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..batchnorm import EPS
from ..explore import graph_payload
from ..i18n import Messages, language
from .draw import format_of
from .nodes import Mean, Sqrt, Square, Sub
from .recorder import Graph

__all__ = ["BATCH_NORM_EXAMPLE", "FIGURES", "FIGURE_TITLES", "FIRST_FIGURE", "TITLES", "apple_graph",
           "apple_orange_graph", "batch_norm_graph", "draw_figure", "figure_payloads", "sigmoid_graph",
           "two_layer_net_graph"]


def apple_graph():
    """The book's figure 5-16 (buy_apple.py), after backward: price 220; 2.2, 110, 200."""
    g = Graph()
    apple, apple_num, tax = g.input(100, name="apple"), g.input(2, name="apple_num"), g.input(1.1, name="tax")
    price = apple * apple_num * tax
    price.name = "price"
    price.backward()
    return g


def apple_orange_graph():
    """The book's figure 5-17 (buy_apple_orange.py), after backward: price 715; 2.2, 110, 3.3, 165, 650."""
    g = Graph()
    apple, apple_num = g.input(100, name="apple"), g.input(2, name="apple_num")
    orange, orange_num = g.input(150, name="orange"), g.input(3, name="orange_num")
    tax = g.input(1.1, name="tax")
    price = (apple * apple_num + orange * orange_num) * tax
    price.name = "price"
    price.backward()
    return g


def sigmoid_graph(x=1.0):
    """The book's figure 5-19: sigmoid taken apart into x(-1), exp, +1 and /, after backward.

    ``x``: a scalar or an array; the gradient ``x.grad`` equals ``y * (1 - y)``.
    """
    g = Graph()
    xv = g.input(x, name="x")
    y = 1 / (1 + (xv * -1).exp())
    y.name = "y"
    y.backward(None if y.shape == () else np.ones(y.shape))
    return g


def two_layer_net_graph(rng=0):
    """A small ``TwoLayerNet(4, 5, 3)`` traced on 2 random samples, after backward (shapes on the edges)."""
    from ..networks import TwoLayerNet

    rng = np.random.default_rng(rng)
    net = TwoLayerNet(4, 5, 3, weight_init_std=0.5, rng=rng)
    g = Graph()
    g.trace_loss(net, rng.random((2, 4)), rng.integers(0, 3, size=2)).backward()
    return g


#: The Batch Normalization example: a batch of 3 samples of 2 features, a scale and a shift per
#: feature, and an upstream derivative that is not uniform (a uniform one makes ``dx`` vanish: the
#: normalized batch does not change when every sample moves alike).
BATCH_NORM_EXAMPLE = {"x": [[1.0, 6.0], [4.0, 0.0], [7.0, 3.0]], "gamma": [1.0, 2.0], "beta": [0.0, 1.0],
                      "dout": [[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0]]}


def batch_norm_graph(x=None, gamma=None, beta=None, dout=None):
    """Batch Normalization in training mode (the book's figure 6-17), one elementary node per step, after
    backward from ``dout``: the mean ``mu``, the centred input ``xc``, the variance ``var``, ``std =
    sqrt(var + eps)``, ``1/std``, ``xn = xc / std``, then the scale ``gamma`` and the shift ``beta``.

    Parameters
    ----------
    x : (N, D); gamma, beta : (D,); dout : (N, D) (default: :data:`BATCH_NORM_EXAMPLE`)

    ``g["x"].grad``, ``g["gamma"].grad`` and ``g["beta"].grad`` equal what
    :meth:`~chainrule.BatchNormalization.backward` gives (``dx``, ``dgamma``, ``dbeta``).
    """
    ex = BATCH_NORM_EXAMPLE
    x, gamma, beta, dout = (np.array(ex[k] if v is None else v, dtype=np.float64)
                            for k, v in (("x", x), ("gamma", gamma), ("beta", beta), ("dout", dout)))
    g = Graph()
    xv, gv, bv = g.input(x, name="x"), g.input(gamma, name="gamma"), g.input(beta, name="beta")

    def named(value, name):
        value.name = name
        return value

    mu = named(g.apply(Mean(), xv), "mu")
    xc = named(g.apply(Sub(), xv, mu), "xc")
    var = named(g.apply(Mean(), named(g.apply(Square(), xc), "xc²")), "var")
    std = named(g.apply(Sqrt(), named(var + EPS, "var + eps")), "std")
    xn = named(xc * named(std.reciprocal(), "1/std"), "xn")
    out = named(named(gv * xn, "gamma·xn") + bv, "out")
    out.backward(dout)
    return g


#: The book's figures, the one place their names are written: name, the function that returns the
#: graph after backward, the caption a page gives it (in English), the book's chapter.
_TABLE = (
    ("apple", apple_graph, "Buying apples (figure 5-16)", 5),
    ("apple-orange", apple_orange_graph, "Buying apples and oranges (figure 5-17)", 5),
    ("sigmoid", sigmoid_graph, "The sigmoid, taken apart (figure 5-19)", 5),
    ("two-layer-net", two_layer_net_graph, "TwoLayerNet 4-5-3 on 2 samples, as a graph of layers", 5),
    ("batch-norm", batch_norm_graph, "Batch Normalization, taken apart (figure 6-17), with its backward", 6),
)

#: ``chainrule graph FIGURE``: figure name -> function returning the graph after backward.
FIGURES = {name: function for name, function, _, _ in _TABLE}

#: The book's figures a page can show, with the captions the page gives them.
FIGURE_TITLES = {name: caption for name, _, caption, _ in _TABLE}

#: The captions in the reader's language: the catalogs' ``graph.title.<name>`` entries.
TITLES = Messages("graph", {f"title.{name}": caption for name, _, caption, _ in _TABLE})

#: The figure ``chainrule explore`` opens when none is named: the book's figure 5-17.
FIRST_FIGURE = _TABLE[1][0]

#: Where the page draws a figure's nodes and inputs, when not in columns by depth: Batch Normalization
#: as the book draws it, the variance's branch above the centred input's way to xn, the mean below.
FIGURE_LAYOUTS = {"batch-norm": {"nodes": [(1, 2), (2, 1), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 1), (9, 1),
                                           (10, 1)],
                                 "leaves": {"x": (0, 1), "gamma": (8, 2), "beta": (9, 2)}}}


def draw_figure(figure: str, out: str, *, force: bool = False) -> Path:
    """Draw one of the book's graphs to a file (what ``chainrule graph FIGURE --out FILE`` does).

    Parameters
    ----------
    figure : str
        A name of :data:`FIGURES`.
    out : path ending in .svg, .png or .dot
    force : bool
        Replace ``out`` if it is a file already (never anything but a regular file).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ValueError
        An unknown figure or output format (one-line message; nothing written).
    RuntimeError
        SVG/PNG asked for without the graphviz package or the ``dot`` program
        (the DOT text was written next to ``out``; the message says where).
    """
    if figure not in FIGURES:
        raise ValueError(f"unknown figure {figure!r}; choose one of: {', '.join(FIGURES)}")
    format_of(out)
    return FIGURES[figure]().render(out, force=force)



def figure_payloads(lang=None):
    """Payloads of all the book's figures (after backward), in the order of ``chainrule graph``, for
    :func:`chainrule.explore.write_page`; their captions in ``lang`` (None: the locale's language)."""
    lang = language(lang)
    return [graph_payload(function(), name, TITLES.text(f"title.{name}", lang), chapter, FIGURE_LAYOUTS.get(name))
            for name, function, _, chapter in _TABLE]
