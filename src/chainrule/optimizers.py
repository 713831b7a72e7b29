"""Optimizers: how the parameters move once backprop has given the gradients.

The book's ``common/optimizer.py`` (chapter 6), with its formulas and its one method::

    optimizer = SGD(lr=0.1)
    grads = network.gradient(x_batch, t_batch)
    optimizer.update(network.params, grads)

``update(params, grads)`` changes every array of ``params`` *in place* (so the
layers, which share those arrays, see the change) and keeps its dtype: a float32
network stays float32. All scalars that enter the arithmetic are Python floats,
which NumPy 2 never lets promote a float32 array to float64 (a ``np.float64``
scalar would). The optimizers' state (``v``, ``h``, ``m``) is kept per parameter
name in arrays of the parameter's dtype, created at the first update.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["OPTIMIZERS", "AdaGrad", "Adam", "Momentum", "Nesterov", "Optimizer", "RMSprop", "SGD", "make_optimizer"]


def _positive(name, value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number; got {value!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value}")
    return value


def _fraction(name, value):
    """A coefficient in [0, 1), such as a momentum or a decay rate."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number; got {value!r}") from None
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1); got {value}")
    return value


def _is_scalar(value):
    """A Python float or int (not bool), or a NumPy floating scalar: immutable, so updated by rebinding."""
    return (isinstance(value, (float, int, np.floating)) and not isinstance(value, (bool, np.bool_))
            and not isinstance(value, np.ndarray))


def _scalar_pair(params, grads, key, value):
    """``(key, param, grad)`` for a scalar parameter, then ``params[key]`` rebound to the updated value.

    The update works on a 0-d array (of float64, or of the scalar's own floating
    dtype), bound in ``params`` while it runs; afterwards the entry holds a value
    of the original kind again (a Python float for a Python number).
    """
    try:
        grad = grads[key]
    except KeyError:
        raise KeyError(f"grads has no {key!r}; it must have every key of params: {list(params)}") from None
    if np.shape(grad) != ():
        raise ValueError(f"grads[{key!r}] has shape {np.shape(grad)} but params[{key!r}] is a scalar")
    box = np.array(value, dtype=value.dtype if isinstance(value, np.floating) else np.float64)
    params[key] = box
    try:
        yield key, box, grad
    finally:  # also when the update stops half-way: the entry is a scalar again
        updated = params[key]
        params[key] = type(value)(updated) if isinstance(value, np.floating) else float(updated)


class Optimizer:
    """Base of the optimizers: argument checks and per-parameter state.

    Subclasses implement :meth:`update`. ``_state(store, params)`` creates, on first
    use, a zero array per parameter (same shape and dtype) in the dict ``store``.
    """

    def update(self, params, grads):  # pragma: no cover - abstract
        """Move every ``params[key]`` in place, using ``grads[key]`` (same shape)."""
        raise NotImplementedError

    @staticmethod
    def _pairs(params, grads):
        """``(key, param, grad)`` for every parameter, with clear errors for mismatches."""
        for key in params:
            param = params[key]
            if _is_scalar(param):  # the book's 2-D examples: {'x': -7.0, 'y': 2.0}
                yield from _scalar_pair(params, grads, key, param)
                continue
            if not isinstance(param, np.ndarray) or param.dtype.kind != "f":  # (kind: cheaper than issubdtype)
                raise TypeError(
                    f"params[{key!r}] must be a floating NumPy array (updated in place); "
                    f"got {type(param).__name__}{'' if not hasattr(param, 'dtype') else ' of ' + str(param.dtype)}"
                )
            try:
                grad = grads[key]
            except KeyError:
                raise KeyError(f"grads has no {key!r}; it must have every key of params: {list(params)}") from None
            if np.shape(grad) != param.shape:
                raise ValueError(
                    f"grads[{key!r}] has shape {np.shape(grad)} but params[{key!r}] has shape {param.shape}"
                )
            yield key, param, grad

    @staticmethod
    def _state(store, key, param):
        state = store.get(key)
        if state is None:
            state = store[key] = np.zeros_like(param)
        elif state.shape != param.shape:
            raise ValueError(
                f"this optimizer's state for {key!r} has shape {state.shape} but the parameter now has "
                f"shape {param.shape}: use a new optimizer for a different network"
            )
        return state

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if isinstance(v, float))
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent: ``W <- W - lr * dW``.

    Parameters
    ----------
    lr : float
        The learning rate (the book's default 0.01; its chapter 5 run uses 0.1).
    """

    def __init__(self, lr=0.01):
        self.lr = _positive("lr", lr)
        self._step = {}

    def update(self, params, grads):
        for key, param, grad in self._pairs(params, grads):
            # params[key] -= lr * grad, with lr * grad written into an array kept per parameter
            step = self._state(self._step, key, param)
            np.multiply(grad, self.lr, out=step)
            param -= step


class Momentum(Optimizer):
    """SGD with momentum: ``v <- momentum * v - lr * dW``; ``W <- W + v``.

    Parameters
    ----------
    lr : float
    momentum : float in [0, 1)
        How much of the previous velocity is kept (the book's 0.9).
    """

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = _positive("lr", lr)
        self.momentum = _fraction("momentum", momentum)
        self.v = {}

    def update(self, params, grads):
        for key, _param, grad in self._pairs(params, grads):
            v = self._state(self.v, key, params[key])
            v *= self.momentum
            v -= self.lr * grad
            params[key] += v


class Nesterov(Optimizer):
    """Nesterov's accelerated gradient as the book's repository computes it since 2021
    (http://arxiv.org/abs/1212.0901)::

        W <- W + momentum**2 * v - (1 + momentum) * lr * dW
        v <- momentum * v - lr * dW

    The publisher corrected ``common/optimizer.py`` in January 2021 to update ``W`` with
    the velocity *before* it is updated; this is that code. It is the update of
    ``torch.optim.SGD(nesterov=True)`` (with ``v = -lr * buf``), step for step. The first
    printing of the book shows the older order (``v`` updated first, then
    ``W <- W + momentum**2 * v - (1 + momentum) * lr * dW`` with the new ``v``), whose
    first step is ``(1 + momentum + momentum**2) * lr * dW`` instead of ``(1 + momentum) * lr * dW``.

    Parameters
    ----------
    lr : float
    momentum : float in [0, 1)
    """

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = _positive("lr", lr)
        self.momentum = _fraction("momentum", momentum)
        self.v = {}

    def update(self, params, grads):
        m = self.momentum
        for key, _param, grad in self._pairs(params, grads):
            v = self._state(self.v, key, params[key])
            params[key] += m * m * v
            params[key] -= (1 + m) * self.lr * grad
            v *= m
            v -= self.lr * grad


class AdaGrad(Optimizer):
    """AdaGrad: a learning rate per parameter that shrinks as its gradients add up::

        h <- h + dW * dW
        W <- W - lr * dW / (sqrt(h) + eps)

    Parameters
    ----------
    lr : float
    eps : float
        Keeps the division finite while ``h`` is 0 (the book's 1e-7).
    """

    def __init__(self, lr=0.01, *, eps=1e-7):
        self.lr = _positive("lr", lr)
        self.eps = _positive("eps", eps)
        self.h = {}

    def update(self, params, grads):
        for key, _param, grad in self._pairs(params, grads):
            h = self._state(self.h, key, params[key])
            h += grad * grad
            params[key] -= self.lr * grad / (np.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: AdaGrad with a moving average of the squared gradients::

        h <- decay_rate * h + (1 - decay_rate) * dW * dW
        W <- W - lr * dW / (sqrt(h) + eps)

    Parameters
    ----------
    lr : float
    decay_rate : float in [0, 1)
        How much of the past average is kept (the book's 0.99).
    eps : float
        The book's 1e-7.
    """

    def __init__(self, lr=0.01, decay_rate=0.99, *, eps=1e-7):
        self.lr = _positive("lr", lr)
        self.decay_rate = _fraction("decay_rate", decay_rate)
        self.eps = _positive("eps", eps)
        self.h = {}

    def update(self, params, grads):
        for key, _param, grad in self._pairs(params, grads):
            h = self._state(self.h, key, params[key])
            h *= self.decay_rate
            h += (1 - self.decay_rate) * grad * grad
            params[key] -= self.lr * grad / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (http://arxiv.org/abs/1412.6980v8) in the book's form, bias correction folded into ``lr_t``::

        iter <- iter + 1
        lr_t <- lr * sqrt(1 - beta2**iter) / (1 - beta1**iter)
        m <- m + (1 - beta1) * (dW - m)
        v <- v + (1 - beta2) * (dW**2 - v)
        W <- W - lr_t * m / (sqrt(v) + eps)

    This equals ``torch.optim.Adam`` except that ``eps`` is added before the bias
    correction of ``v`` rather than after it (a difference of order ``eps``).

    Parameters
    ----------
    lr : float
        The book's 0.001.
    beta1, beta2 : float in [0, 1)
        Decay of the moving averages of the gradient and of its square (0.9, 0.999).
    eps : float
        The book's 1e-7.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, *, eps=1e-7):
        self.lr = _positive("lr", lr)
        self.beta1 = _fraction("beta1", beta1)
        self.beta2 = _fraction("beta2", beta2)
        self.eps = _positive("eps", eps)
        self.iter = 0
        self.m = {}
        self.v = {}

    def update(self, params, grads):
        self.iter += 1
        # math.sqrt keeps lr_t a Python float: a float32 network stays float32.
        lr_t = self.lr * math.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for key, _param, grad in self._pairs(params, grads):
            m = self._state(self.m, key, params[key])
            v = self._state(self.v, key, params[key])
            m += (1 - self.beta1) * (grad - m)
            v += (1 - self.beta2) * (grad**2 - v)
            params[key] -= lr_t * m / (np.sqrt(v) + self.eps)


#: Optimizers by lower-case name (``chainrule train --optimizer NAME``).
OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def make_optimizer(optimizer="sgd", **params):
    """An optimizer from its name (case-insensitive) and its arguments.

    ``make_optimizer("adam", lr=0.001)`` is ``Adam(lr=0.001)``; an optimizer
    object is returned as it is (then ``params`` must be empty).
    """
    if isinstance(optimizer, str):
        cls = OPTIMIZERS.get(optimizer.lower())
        if cls is None:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        return cls(**params)
    if not callable(getattr(optimizer, "update", None)):
        raise TypeError(
            f"optimizer must be a name ({', '.join(OPTIMIZERS)}) or an object with update(params, grads); "
            f"got {type(optimizer).__name__}"
        )
    if params:
        raise TypeError("optimizer parameters can only be given with an optimizer name")
    return optimizer
