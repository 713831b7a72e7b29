"""Chapter 6's extended network: ``MultiLayerNetExtend`` (weight decay, Dropout, Batch Normalization).

Dropout and Batch Normalization behave differently in training and in testing,
so networks holding them take the book's ``train_flg``: ``predict(x, train_flg=False)``
and ``loss(x, t, train_flg=False)`` evaluate; ``gradient(x, t)`` always runs the
forward pass in training mode, as the book's does. :class:`ModeSequential` is
that core, shared with the convolutional networks of :mod:`chainrule.convnets`.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .batchnorm import BatchNormalization
from .dropout import Dropout
from .io.bounds import size_check
from .layers import SoftmaxWithLoss
from .networks import (
    ACTIVATIONS,
    NETWORKS,
    ParamDict,
    Sequential,
    check_dtype,
    check_mlp_arguments,
    constructor_arguments,
    mlp_shapes,
    scaled_affine,
)

__all__ = ["ModeSequential", "MultiLayerNetExtend"]


def _takes_train_flg(layer):
    return isinstance(layer, (Dropout, BatchNormalization))


class ModeSequential(Sequential):
    """A :class:`~chainrule.networks.Sequential` whose Dropout / BatchNormalization layers get ``train_flg``.

    ``predict(x, train_flg=False)``, ``loss(x, t, train_flg=False)``; ``gradient``
    and ``numerical_gradient`` use training mode (``training_loss``), as the book's
    networks do. Weight decay is :class:`~chainrule.networks.Sequential`'s.
    """

    def predict(self, x, train_flg=False):
        for layer in self.layers.values():
            if _takes_train_flg(layer):
                x = layer.forward(x, train_flg=train_flg)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, t, train_flg=False):
        y = self.predict(x, train_flg)
        return self.lastLayer.forward(y, t) + self.regularization()

    def training_loss(self, x, t):
        """The loss in training mode: what ``gradient`` differentiates (``gradient_check`` compares with it)."""
        return self.loss(x, t, train_flg=True)

    def _running_statistics(self):
        return [layer for layer in self.layers.values() if isinstance(layer, BatchNormalization)]

    @property
    def state(self):
        """Each BatchNormalization's ``running_mean{k}`` and ``running_var{k}`` (k counts them from 1)."""
        state = ParamDict()
        for k, layer in enumerate(self._running_statistics(), start=1):
            state.bind(f"running_mean{k}", layer, "running_mean")
            state.bind(f"running_var{k}", layer, "running_var")
        return state

    def _bind_params(self, names):
        """Name the parameters: ``names`` is ``[(layer name, {attribute: parameter name})]`` in order."""
        self.params = ParamDict()
        for layer_name, attrs in names:
            for attr, name in attrs.items():
                self.params.bind(name, self.layers[layer_name], attr)


class MultiLayerNetExtend(ModeSequential):
    """The book's ``MultiLayerNetExtend``: ``MultiLayerNet`` with Dropout and Batch Normalization.

    ``Affine1 -> [BatchNorm1] -> Activation_function1 -> [Dropout1] -> ... -> Affine{L} -> SoftmaxWithLoss``

    Parameters
    ----------
    input_size, hidden_size_list, output_size, activation, weight_init_std, weight_decay_lambda :
        As for :class:`~chainrule.MultiLayerNet`.
    use_dropout : bool
        A Dropout layer after each hidden activation.
    dropout_ration : float
        The Dropout ratio (the book's argument name, spelling included; 0.5).
    use_batchnorm : bool
        A BatchNormalization layer before each hidden activation, with parameters
        ``gamma{i}`` (ones) and ``beta{i}`` (zeros).
    dtype : float64 (default) or float32
    rng : numpy.random.Generator, int or None
        The initial weights and the Dropout masks.

    ``params``: ``W1, b1, ..., W{L}, b{L}`` then ``gamma1, beta1, ...`` (the book's order).
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0, use_dropout=False, dropout_ration=0.5, use_batchnorm=False, *,
                 dtype=np.float64, rng=None):
        dtype = check_dtype(dtype)
        sizes = check_mlp_arguments(input_size, hidden_size_list, output_size, activation, weight_init_std,
                                    weight_decay_lambda)
        rng = np.random.default_rng(rng)
        self._config = {"class": "MultiLayerNetExtend", "input_size": sizes[0],
                        "hidden_size_list": sizes[1:-1], "output_size": sizes[-1], "activation": activation,
                        "weight_init_std": weight_init_std, "weight_decay_lambda": float(weight_decay_lambda),
                        "use_dropout": bool(use_dropout), "dropout_ration": float(dropout_ration),
                        "use_batchnorm": bool(use_batchnorm)}
        self.hidden_layer_num = len(sizes) - 2
        self.use_dropout = bool(use_dropout)
        self.use_batchnorm = bool(use_batchnorm)
        self.weight_decay_lambda = float(weight_decay_lambda)

        layers = OrderedDict()
        weights, norms = [], []
        for i in range(1, len(sizes)):
            layers[f"Affine{i}"] = scaled_affine(rng, weight_init_std, sizes[i - 1], sizes[i], dtype)
            weights.append((f"Affine{i}", {"W": f"W{i}", "b": f"b{i}"}))
            if i == len(sizes) - 1:
                break
            if self.use_batchnorm:
                layers[f"BatchNorm{i}"] = BatchNormalization(np.ones(sizes[i], dtype=dtype),
                                                             np.zeros(sizes[i], dtype=dtype))
                norms.append((f"BatchNorm{i}", {"gamma": f"gamma{i}", "beta": f"beta{i}"}))
            layers[f"Activation_function{i}"] = ACTIVATIONS[activation]()
            if self.use_dropout:
                layers[f"Dropout{i}"] = Dropout(dropout_ration, rng=rng)
        super().__init__(layers, SoftmaxWithLoss())
        self._bind_params(weights + norms)

    def numerical_gradient(self, x, t):
        """Numerical gradients, listed layer by layer as the book does: ``W1, b1, gamma1, beta1, W2, ...``."""
        grads = super().numerical_gradient(x, t)
        order = [f"{p}{i}" for i in range(1, self.hidden_layer_num + 2) for p in ("W", "b", "gamma", "beta")]
        return {k: grads[k] for k in order if k in grads}

    @property
    def config(self):
        return dict(self._config)

    @classmethod
    def parameter_shapes(cls, config, size=None):
        """``W1, b1, ...``, and with Batch Normalization ``gamma{i}``, ``beta{i}`` and the state
        ``running_mean{i}``, ``running_var{i}`` of each hidden layer (see :meth:`Sequential.parameter_shapes`)."""
        a = constructor_arguments(cls, config)
        sizes, shapes = mlp_shapes(a, size or size_check())
        if bool(a["use_batchnorm"]):
            for i, n in enumerate(sizes[1:-1], start=1):
                for name in ("gamma", "beta", "running_mean", "running_var"):
                    shapes[f"{name}{i}"] = (n,)
        return shapes


NETWORKS["MultiLayerNetExtend"] = MultiLayerNetExtend
