"""The book's figures, recorded with :class:`~chainrule.graph.Graph` after backward: what
``chainrule graph FIGURE`` draws and ``chainrule explore`` steps through.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..explore import graph_payload
from .draw import format_of
from .recorder import Graph

__all__ = ["FIGURES", "FIGURE_TITLES", "FIRST_FIGURE", "apple_graph", "apple_orange_graph", "draw_figure",
           "figure_payloads", "sigmoid_graph", "two_layer_net_graph"]


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


#: The book's figures, the one place their names are written: name, the function that returns the
#: graph after backward, the caption a page gives it.
_TABLE = (
    ("apple", apple_graph, "Buying apples (figure 5-16)"),
    ("apple-orange", apple_orange_graph, "Buying apples and oranges (figure 5-17)"),
    ("sigmoid", sigmoid_graph, "The sigmoid, taken apart (figure 5-19)"),
    ("two-layer-net", two_layer_net_graph, "TwoLayerNet 4-5-3 on 2 samples, as a graph of layers"),
)

#: ``chainrule graph FIGURE``: figure name -> function returning the graph after backward.
FIGURES = {name: function for name, function, _ in _TABLE}

#: The book's figures a page can show, with the captions the page gives them.
FIGURE_TITLES = {name: caption for name, _, caption in _TABLE}

#: The figure ``chainrule explore`` opens when none is named: the book's figure 5-17.
FIRST_FIGURE = _TABLE[1][0]


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



def figure_payloads():
    """Payloads of all the book's figures (after backward), in the order of ``chainrule graph``, for
    :func:`chainrule.explore.write_page`."""
    return [graph_payload(FIGURES[name](), name, FIGURE_TITLES.get(name, name)) for name in FIGURES]
