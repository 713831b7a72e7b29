"""A computational graph you can see: record chainrule layers as they run, backpropagate, draw.

Chapter 5 draws every computation as a graph of nodes joined by edges; the
forward value rides above each edge and the derivative below it. This module
records such a graph *while the computation runs* (define-by-run) and every
node in it is a chainrule layer whose own ``forward``/``backward`` does the
work::

    from chainrule.graph import Graph

    g = Graph()
    apple, apple_num = g.input(100, name="apple"), g.input(2, name="apple_num")
    orange, orange_num = g.input(150, name="orange"), g.input(3, name="orange_num")
    tax = g.input(1.1, name="tax")
    price = (apple * apple_num + orange * orange_num) * tax
    price.backward()
    price.data, apple.grad, tax.grad      # 715.0000000000001, 2.2, 650
    g.to_dot()                            # the book's figure 5-17, as DOT text
    g.render("apple_orange.svg")          # through Graphviz, when installed

Operators record :class:`~chainrule.layers.MulLayer` and
:class:`~chainrule.layers.AddLayer` nodes (and the elementary nodes of
:mod:`chainrule.graph.nodes` for constants, ``exp`` and ``1 / x``); :meth:`Graph.apply` records any layer; and
:meth:`Graph.trace` records the layer calls of a network such as
:class:`~chainrule.TwoLayerNet` without changing it.

``backward`` visits the nodes in reverse recording order (a define-by-run
graph is recorded in topological order), calls each node's ``layer.backward``
and sums the gradients of a value used more than once. It is a loop, not a
recursion, so graphs of any depth work.

A layer caches one forward call, so a layer object can be a node of a graph
only once, and the graph's ``backward`` needs those caches intact: run it
before the same layers run forward again.

Here: the recorder (:class:`Graph`). The values and nodes a graph holds are in
:mod:`chainrule.graph.nodes`, the drawing in :mod:`chainrule.graph.draw`, the book's figures in
:mod:`chainrule.graph.figures`; every name is importable from :mod:`chainrule.graph`.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

import numpy as np

from . import draw
from .nodes import Node, Value, label_of

__all__ = ["Graph", "RENDER_TIMEOUT"]

#: Seconds Graphviz's ``dot`` may take to draw a graph before :meth:`Graph.render` gives up.
RENDER_TIMEOUT = 60.0


def _add(a, b):
    """``a + b`` where None means "no gradient yet"; never in place (``b`` may be a layer's own ``dW``)."""
    return b if a is None else a + b


# -- the graph --------------------------------------------------------------------------
class Graph:
    """A define-by-run computational graph whose nodes are chainrule layers.

    Create inputs with :meth:`input`, compute with operators or :meth:`apply`
    (or run a network under :meth:`trace`), then call ``backward()`` on the
    output. ``to_dot`` / ``render`` draw it in the book's style; ``to_html``
    writes a page that steps through it, and in Jupyter a graph displays as
    that page (front ends that show no HTML get SVG, when Graphviz is installed).

    Attributes
    ----------
    values : list of Value, in recording order (inputs, parameters and node outputs)
    nodes : list of Node, in recording order, which is a topological order
    """

    def __init__(self):
        self.values = []
        self.nodes = []
        self._layer_ids = set()  # each layer can be one node only: it caches one forward call
        self._by_array = {}  # id(ndarray) -> the Value holding it, to find traced inputs
        self._leaves = 0  # values without a node (inputs and parameters): names x1, x2, ... in O(1)
        self._param_nodes = 0  # nodes with parameters: names W1, b1, W2, ... in O(1)

    def _new_value(self, data, name=None, node=None):
        value = Value(self, data, name, node)
        self.values.append(value)
        self._leaves += node is None
        if isinstance(data, np.ndarray):
            self._by_array[id(data)] = value
        return value

    def input(self, data, name=None):
        """A named input value: a scalar or an array (``data`` is kept as given, not copied).

        Parameters
        ----------
        data : number or array_like, any shape (lists become arrays)
        name : str, optional
            Shown in drawings; defaults to ``x1``, ``x2``, ... in order.

        Returns
        -------
        Value
        """
        if isinstance(data, Value):
            raise TypeError(f"{data!r} is already a value of a graph; use it directly instead of input()")
        if not (np.isscalar(data) or isinstance(data, np.ndarray)):
            data = np.asarray(data)
        if name is None:
            name = f"x{self._leaves + 1}"
        return self._new_value(data, name)

    def __getitem__(self, name):
        """The first value named ``name`` (inputs, parameters such as ``"W1"``, named outputs)."""
        for value in self.values:
            if value.name == name:
                return value
        names = [v.name for v in self.values if v.name is not None]
        raise KeyError(f"no value named {name!r} in this graph; named values: {names}")

    def _own(self, arg):
        """``arg`` as a Value of this graph: a Value is checked, anything else becomes an input."""
        if isinstance(arg, Value):
            if arg.graph is not self:
                raise ValueError(
                    f"{arg!r} was recorded by another Graph: values of two graphs cannot be combined "
                    "(build the whole computation in one Graph)"
                )
            return arg
        known = self._by_array.get(id(arg))
        if known is not None and known.data is arg:
            return known
        return self.input(arg)

    def apply(self, layer, *args, label=None, param_names=None):
        """Record ``layer.forward(*args)`` as a node and return its output value.

        Parameters
        ----------
        layer : a chainrule layer (or any object with the layer contract)
            Its ``backward(dout)`` must return the gradients of the leading
            arguments, one (or a tuple); arguments without one (such as the
            labels of ``SoftmaxWithLoss``) get no gradient. Parameters listed in
            ``layer.param_names`` become values too, with gradients from ``layer.dW`` etc.
        *args : Value of this graph, or data (which becomes a new input)
        label : str, optional
            What the drawing shows; defaults to the book's symbol ("×", "+", "ReLU", ...).
        param_names : dict attribute -> str, optional
            Names of the parameter values; default ``W1``, ``b1`` for the first
            layer with parameters, ``W2``, ``b2`` for the second, ...

        Returns
        -------
        Value
            The output, of whatever shape ``layer.forward`` gives.
        """
        return self._record(layer, layer.forward, args, label, param_names)

    def _record(self, layer, forward, args, label, param_names):
        if id(layer) in self._layer_ids:
            raise RuntimeError(
                f"this {type(layer).__name__} object is already a node of the graph; a layer caches "
                "one forward call, so use a new layer object for each call"
            )
        inputs = [self._own(a) for a in args]
        attrs = tuple(getattr(layer, "param_names", ()))
        k = 1 + self._param_nodes if attrs else 0
        names = param_names or {}
        params = {a: self._new_value(getattr(layer, a), names.get(a, f"{a}{k}")) for a in attrs}
        data = forward(*(v.data for v in inputs))
        node = Node(layer, inputs, params, label or label_of(layer))
        node.output = self._new_value(data, node=node)
        self.nodes.append(node)
        self._param_nodes += bool(params)
        self._layer_ids.add(id(layer))
        return node.output

    def backward(self, output, dout=None, *, accumulate=False):
        """Backpropagate from ``output``: call every node's ``layer.backward`` in reverse order.

        Parameters
        ----------
        output : Value of this graph
        dout : scalar or array of ``output``'s shape, optional
            The upstream gradient. Defaults to 1 for a scalar output (the
            book's ``dprice = 1``); required for an array output.
        accumulate : bool
            False (default): every ``grad`` of the graph is first reset, so
            calling ``backward`` twice gives the same gradients. True: add this
            pass's gradients to the existing ones.

        After it, ``value.grad`` holds ``d output / d value`` for every value
        (None where ``output`` does not depend on it) and ``node.grads`` the
        gradient along each edge. Gradients of a value used several times are summed.
        """
        if not isinstance(output, Value):
            raise TypeError(f"backward() needs a Value of this graph; got {type(output).__name__}")
        self._own(output)  # raises if it belongs to another graph
        if dout is None:
            if np.ndim(output.data) != 0:
                raise ValueError(
                    f"backward() from an output of shape {output.shape} needs an upstream gradient: "
                    f"call backward(dout) with dout of shape {output.shape} (only a scalar output defaults to 1)"
                )
            dout = np.ones_like(output.data)[()]
        elif np.shape(dout) != output.shape:
            raise ValueError(f"backward(): dout has shape {np.shape(dout)} but the output has shape {output.shape}")

        if not accumulate:
            for value in self.values:
                value.grad = None
            for node in self.nodes:
                node.grads = [None] * len(node.sources)
        # Reverse recording order is reverse topological order: when a node is reached, every
        # use of its output has been visited and grads holds the output's whole gradient.
        # Nodes the output does not depend on never receive one and are skipped.
        grads = {output: dout}  # this pass's gradient of each value, summed over its uses
        for node in reversed(self.nodes):
            if node.output not in grads:
                continue
            result = node.layer.backward(grads[node.output])
            result = result if isinstance(result, tuple) else (result,)
            local = [result[i] if i < len(result) else None for i in range(len(node.inputs))]
            local += [getattr(node.layer, "d" + attr) for attr in node.params]
            for i, (value, g) in enumerate(zip(node.sources, local, strict=True)):
                if g is not None:
                    node.grads[i] = _add(node.grads[i], g)
                    grads[value] = _add(grads.get(value), g)
        for value, g in grads.items():
            value.grad = _add(value.grad, g)

    # -- tracing networks -----------------------------------------------------------
    @contextmanager
    def trace(self, *targets):
        """Record every call of the targets' layers as a node, while the ``with`` block runs.

        Parameters
        ----------
        *targets : networks (with ``layers`` and ``lastLayer``, like ``TwoLayerNet``) or single layers
            A network's nodes are labelled with its layer names ("Affine1",
            "Relu1", ...) and its parameters named as in ``net.params`` ("W1", "b1", ...).

        Each layer's ``forward`` is wrapped for the duration of the block (the
        layer classes are not changed). Arrays a traced layer receives that the
        graph did not compute become new inputs: register them first with
        ``g.input(x, name="x")`` to name them. Only layer calls are recorded:
        arithmetic a network does between them is not (see :meth:`trace_loss`).

        Examples
        --------
        >>> with g.trace(net):                        # doctest: +SKIP
        ...     net.loss(x.data, t.data)
        """
        layers = []  # (layer, label, param_names)
        for target in targets:
            if hasattr(target, "layers") and hasattr(target, "lastLayer"):
                names = {}  # id(layer) -> {attribute: name in net.params}
                if hasattr(target.params, "owner"):
                    for name in target.params:
                        layer, attr = target.params.owner(name)
                        names.setdefault(id(layer), {})[attr] = name
                items = [*target.layers.items(), (type(target.lastLayer).__name__, target.lastLayer)]
                layers += [(layer, label, names.get(id(layer))) for label, layer in items]
            elif callable(getattr(target, "forward", None)) and callable(getattr(target, "backward", None)):
                layers.append((target, None, None))
            else:
                raise TypeError(f"trace() takes networks or layers; got {type(target).__name__}")
        patched = []
        try:
            for layer, label, names in layers:
                if "forward" in vars(layer):
                    raise RuntimeError(f"{label or type(layer).__name__} is already being traced")
                layer.forward = self._recording(layer, layer.forward, label, names)
                patched.append(layer)
            yield self
        finally:
            for layer in patched:
                del layer.forward

    def _recording(self, layer, forward, label, names):
        def recording_forward(*args, **kwargs):  # keywords (train_flg=...) are settings, not inputs
            return self._record(layer, functools.partial(forward, **kwargs) if kwargs else forward,
                                args, label, names).data
        return recording_forward

    def trace_loss(self, net, x, t):
        """Run ``net.loss(x, t)`` under :meth:`trace` and return the loss value (named "L").

        Parameters
        ----------
        net : a network such as ``TwoLayerNet`` (``predict`` through ``layers``, then ``lastLayer``)
        x : array, shape (N, D): becomes the input "x"
        t : array, labels (N,) or one-hot (N, C): becomes the input "t" (it gets no gradient)

        Returns
        -------
        Value
            The scalar loss; ``loss.backward()`` then gives ``g["W1"].grad``, ...
            equal to ``net.gradient(x, t)``.
        """
        if getattr(net, "weight_decay_lambda", 0):
            raise ValueError(
                "trace_loss() records layer calls only, so it would miss this network's weight decay "
                "term; trace a network with weight_decay_lambda=0"
            )
        x, t = self.input(x, name="x"), self.input(t, name="t")
        with self.trace(net):
            net.loss(x.data, t.data)
        if not self.nodes or self.nodes[-1].layer is not net.lastLayer:
            raise RuntimeError("tracing net.loss() recorded no call of its lastLayer; is it a chainrule network?")
        loss = self.nodes[-1].output
        loss.name = "L"
        return loss

    # -- drawing --------------------------------------------------------------------
    def to_dot(self):
        """The graph as DOT text, drawn like the book's figures.

        Inputs are plain labels on the left, nodes show their operation, and
        every edge carries the forward value (its shape, for arrays) and beneath
        it the backward derivative, in red (once ``backward`` has run).
        Values no node consumes end in a plain label: the outputs.

        Returns
        -------
        str
        """
        return draw.to_dot(self)

    def render(self, path, *, force=False):
        """Draw the graph to ``path``: ``.dot`` (DOT text), ``.svg`` or ``.png`` (through Graphviz).

        The file is written atomically; an existing file is replaced only with
        ``force=True``, and only a regular file ever is (:mod:`chainrule.io.files`). SVG and PNG need the ``graphviz
        Python package (``pip install 'chainrule[graph]'``) and Graphviz's
        ``dot`` program; without them the DOT text is written next to ``path``
        (same name, ``.dot``) and a :class:`RuntimeError` says so.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        return draw.render(self, path, RENDER_TIMEOUT, force=force)

    def _repr_svg_(self):
        """Jupyter's display hook: the drawing as SVG, or None (plain repr) without Graphviz."""
        try:
            return draw.run_dot(self.to_dot(), "svg", RENDER_TIMEOUT).decode()
        except RuntimeError:
            return None

    def to_html(self, path, *, title=None, force=False, lang=None):
        """Write an offline HTML page that steps through this graph (see :mod:`chainrule.explore`).

        Forward and backward node by node, values above the edges and derivatives
        below, small inputs editable; in ``lang`` (en, ko, zh, ja; None: the locale's
        language). Returns the path written (atomically; ``force=True`` replaces an
        existing file, as for :meth:`render`).
        """
        from ..explore import write_graph_page

        return write_graph_page(self, path, title=title, force=force, lang=lang)

    def _repr_html_(self):
        """Jupyter's rich display: the interactive page of :meth:`to_html`, in an iframe."""
        from ..explore import graph_iframe

        return graph_iframe(self)

    def __repr__(self):
        return f"Graph({len(self.values)} values, {len(self.nodes)} nodes)"
