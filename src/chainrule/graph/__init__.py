"""A computational graph you can see: record chainrule layers as they run, backpropagate, draw.

* :mod:`~chainrule.graph.recorder`: :class:`Graph`, the define-by-run recorder;
* :mod:`~chainrule.graph.nodes`: what a graph holds (:class:`Value`, :class:`Node`) and its
  elementary nodes (:class:`Exp`, :class:`Reciprocal`, :class:`MulConst`, :class:`AddConst`);
* :mod:`~chainrule.graph.draw`: the book-style drawing (DOT, SVG and PNG through Graphviz);
* :mod:`~chainrule.graph.figures`: the book's figures (:data:`FIGURES`) and :func:`draw_figure`.
"""

from .draw import FORMATS, GRAD_COLOR
from .figures import (
    BATCH_NORM_EXAMPLE,
    FIGURE_TITLES,
    FIGURES,
    FIRST_FIGURE,
    apple_graph,
    apple_orange_graph,
    batch_norm_graph,
    draw_figure,
    figure_payloads,
    sigmoid_graph,
    two_layer_net_graph,
)
from .nodes import AddConst, Exp, Mean, MulConst, Node, Reciprocal, Sqrt, Square, Sub, Value
from .recorder import Graph

__all__ = ["BATCH_NORM_EXAMPLE", "FIGURES", "FIGURE_TITLES", "FIRST_FIGURE", "FORMATS", "GRAD_COLOR", "AddConst",
           "Exp", "Graph", "Mean", "MulConst", "Node", "Reciprocal", "Sqrt", "Square", "Sub", "Value", "apple_graph",
           "apple_orange_graph", "batch_norm_graph", "draw_figure", "figure_payloads", "sigmoid_graph",
           "two_layer_net_graph"]
