"""What a graph holds: the values on its edges, a node per layer call, and the book's elementary nodes.

:class:`Value` is what flows along an edge (its arithmetic records nodes in its graph);
:class:`Node` is one recorded layer call; :class:`Exp`, :class:`Reciprocal`,
:class:`MulConst` and :class:`AddConst` are the nodes the book uses to take the sigmoid
apart (figure 5-19), :class:`Mean`, :class:`Sub`, :class:`Square` and :class:`Sqrt` those that
take Batch Normalization apart (figure 6-17): layers like chainrule's others.
"""

from __future__ import annotations

import numpy as np

from ..functions import unbroadcast
from ..layers import AddLayer, Affine, Layer, MulLayer, Relu, Sigmoid, SoftmaxWithLoss
from .draw import compact

__all__ = ["AddConst", "Exp", "Mean", "MulConst", "Node", "Reciprocal", "Sqrt", "Square", "Sub", "Value", "label_of"]


# -- the elementary nodes the book uses to take sigmoid apart ---------------------------
class Exp(Layer):
    """``out = exp(x)``; ``x: any shape -> out: same shape``; ``backward(dout) = dout * out``."""

    label = "exp"

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = np.exp(x)
        return self.out

    def backward(self, dout):
        self._require_forward(self.out)
        self._check_dout(dout, np.shape(self.out))
        return dout * self.out


class Reciprocal(Layer):
    """The book's "/" node ``out = 1 / x``; ``backward(dout) = -dout * out**2`` (same shape as ``x``)."""

    label = "/"

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1 / x
        return self.out

    def backward(self, dout):
        self._require_forward(self.out)
        self._check_dout(dout, np.shape(self.out))
        return -dout * self.out * self.out


class MulConst(Layer):
    """Multiplication by a constant, ``out = x * c`` (the "x(-1)" node of the sigmoid figure).

    ``x`` and ``c``: broadcastable shapes ``-> out``: the broadcast shape;
    ``backward(dout) = dout * c`` summed back to ``x``'s shape. ``c`` gets no gradient.
    """

    def __init__(self, c):
        self.c = c
        self._x_shape = None

    @property
    def label(self):
        return f"×{compact(self.c)}"

    def forward(self, x):
        self._x_shape = np.shape(x)
        out = x * self.c
        self._out_shape = np.shape(out)
        return out

    def backward(self, dout):
        self._require_forward(self._x_shape)
        self._check_dout(dout, self._out_shape)
        return unbroadcast(dout * self.c, self._x_shape)


class AddConst(Layer):
    """Addition of a constant, ``out = x + c`` (the "+1" node of the sigmoid figure).

    ``x`` and ``c``: broadcastable shapes ``-> out``: the broadcast shape;
    ``backward(dout) = dout`` summed back to ``x``'s shape. ``c`` gets no gradient.
    """

    def __init__(self, c):
        self.c = c
        self._x_shape = None

    @property
    def label(self):
        c = compact(self.c)
        return c if c.startswith("-") else f"+{c}"

    def forward(self, x):
        self._x_shape = np.shape(x)
        out = x + self.c
        self._out_shape = np.shape(out)
        return out

    def backward(self, dout):
        self._require_forward(self._x_shape)
        self._check_dout(dout, self._out_shape)
        return unbroadcast(dout * 1, self._x_shape)


# -- the nodes of Batch Normalization's graph (the book's figure 6-17, taken apart) ------
class Mean(Layer):
    """The mean over the batch, ``out = x.mean(axis=0)``: ``x: (N, ...) -> out: x.shape[1:]``;
    ``backward(dout) = dout / N`` for every row of ``x``."""

    label = "mean"

    def __init__(self):
        self._x_shape = None

    def forward(self, x):
        x = np.asarray(x)
        self._x_shape = x.shape
        return x.mean(axis=0)

    def backward(self, dout):
        self._require_forward(self._x_shape)
        self._check_dout(dout, self._x_shape[1:])
        return np.broadcast_to(np.asarray(dout) / self._x_shape[0], self._x_shape).copy()


class Sub(Layer):
    """Subtraction node ``out = x - y`` (broadcasting); ``backward(dout) -> (dout, -dout)``, each summed
    back to its input's shape (``x - mu``: the mean's derivative sums over the batch)."""

    label = "−"

    def __init__(self):
        self._shapes = None

    def forward(self, x, y):
        self._shapes = (np.shape(x), np.shape(y))
        out = x - y
        self._out_shape = np.shape(out)
        return out

    def backward(self, dout):
        self._require_forward(self._shapes)
        self._check_dout(dout, self._out_shape)
        return unbroadcast(dout * 1, self._shapes[0]), unbroadcast(-dout, self._shapes[1])


class Square(Layer):
    """``out = x * x``; ``x: any shape -> out: same shape``; ``backward(dout) = dout * 2 * x``."""

    label = "x²"

    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, dout):
        self._require_forward(self.x)
        self._check_dout(dout, np.shape(self.x))
        return dout * 2 * self.x


class Sqrt(Layer):
    """``out = sqrt(x)``; ``x: any shape -> out: same shape``; ``backward(dout) = 0.5 * dout / out``."""

    label = "√"

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = np.sqrt(x)
        return self.out

    def backward(self, dout):
        self._require_forward(self.out)
        self._check_dout(dout, np.shape(self.out))
        return 0.5 * dout / self.out


_LABELS = {MulLayer: "×", AddLayer: "+", Relu: "ReLU", Sigmoid: "sigmoid", Affine: "Affine",
           SoftmaxWithLoss: "Softmax-with-Loss"}


def label_of(layer):
    """What a node shows: the layer's ``label``, the book's symbol, or the class name."""
    return getattr(layer, "label", None) or _LABELS.get(type(layer), type(layer).__name__)


# -- values and nodes -------------------------------------------------------------------
class Value:
    """A value flowing along an edge of a :class:`Graph`: a scalar or an array, and its gradient.

    Attributes
    ----------
    data : scalar or ndarray, any shape
        The forward value (an input's data is kept as given, arrays are not copied).
    grad : same shape as ``data``, or None
        ``d output / d data`` after :meth:`backward`; None where the output does not depend on it.
    name : str or None
        Shown in drawings for inputs and outputs; set it freely (``price.name = "price"``).
    node : Node or None
        The node that computed this value (None for inputs).
    graph : Graph
        The graph that recorded it; values of different graphs cannot be combined.

    Arithmetic (``+ - * /``, also with plain numbers or arrays on either side) and
    :meth:`exp`, :meth:`reciprocal`, :meth:`relu`, :meth:`sigmoid` record nodes.
    """

    __array_ufunc__ = None  # `array * value` calls Value.__rmul__ instead of looping over the array

    def __init__(self, graph, data, name=None, node=None):
        self.graph = graph
        self.data = data
        self.name = name
        self.node = node
        self.grad = None

    @property
    def shape(self):
        """``np.shape(data)``: ``()`` for a scalar."""
        return np.shape(self.data)

    def backward(self, dout=None, *, accumulate=False):
        """Backpropagate from this value; see :meth:`Graph.backward`."""
        self.graph.backward(self, dout, accumulate=accumulate)

    def _binary(self, other, layer, const_layer):
        if isinstance(other, Value):
            return self.graph.apply(layer(), self, other)
        return self.graph.apply(const_layer(other), self)

    def __add__(self, other):
        return self._binary(other, AddLayer, AddConst)

    def __mul__(self, other):
        return self._binary(other, MulLayer, MulConst)

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __truediv__(self, other):
        return self * (other.reciprocal() if isinstance(other, Value) else 1 / other)

    def __rtruediv__(self, other):
        inv = self.reciprocal()
        return inv if np.ndim(other) == 0 and other == 1 else inv * other

    def exp(self):
        """``exp(self)`` through an :class:`Exp` node."""
        return self.graph.apply(Exp(), self)

    def reciprocal(self):
        """``1 / self`` through a :class:`Reciprocal` node (the book's "/")."""
        return self.graph.apply(Reciprocal(), self)

    def relu(self):
        """``max(0, self)`` through a :class:`~chainrule.layers.Relu` node."""
        return self.graph.apply(Relu(), self)

    def sigmoid(self):
        """``1 / (1 + exp(-self))`` through one :class:`~chainrule.layers.Sigmoid` node."""
        return self.graph.apply(Sigmoid(), self)

    def __repr__(self):
        grad = "None" if self.grad is None else compact(self.grad)
        return f"Value({self.name!r}, data={compact(self.data)}, grad={grad})"


class Node:
    """One recorded layer call: ``output = layer.forward(*inputs)``.

    Attributes
    ----------
    layer : the chainrule layer whose ``backward`` this node calls
    inputs : list of Value, the arguments of ``forward`` in order
    params : dict attribute -> Value, the layer's parameters (``{"W": W1, "b": b1}`` for an Affine)
    sources : list of Value, ``inputs`` then the parameter values: every edge into the node
    grads : list, the gradient that flowed back along each edge of ``sources`` (None if none)
    label : str, what the drawing shows ("×", "+", "exp", "/", "Affine1", ...)
    output : Value
    """

    def __init__(self, layer, inputs, params, label):
        self.layer = layer
        self.inputs = inputs
        self.params = params
        self.sources = [*inputs, *params.values()]
        self.grads = [None] * len(self.sources)
        self.label = label
        self.output = None

    def __repr__(self):
        return f"Node({self.label!r}, {len(self.inputs)} inputs)"
