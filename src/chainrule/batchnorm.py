"""Chapter 6's Batch Normalization layer: each feature normalized over the minibatch, then scaled and shifted.

In training mode a feature's values over the batch are centred (``xc = x - mu``)
and divided by their standard deviation (``xn = xc / std``); the layer outputs
``gamma * xn + beta``, and keeps running averages of ``mu`` and of the variance
for test mode, where those averages replace the batch's statistics. Backward
follows the book's computational graph node by node (``dbeta``, ``dgamma``,
``dxn``, ``dxc``, ``dstd``, ``dvar``, ``dmu``).
"""

from __future__ import annotations

import numpy as np

from .layers import Layer

__all__ = ["BatchNormalization"]

#: The book's ``10e-7`` (that is, 1e-6), added to the variance before the square root.
EPS = 10e-7


class BatchNormalization(Layer):
    """Batch Normalization node (http://arxiv.org/abs/1502.03167), the book's version.

    Parameters
    ----------
    gamma, beta : ndarray, shape (D,), floating, one dtype
        Scale and shift, one per feature (the book starts them at 1 and 0).
    momentum : float in [0, 1)
        ``running = momentum * running + (1 - momentum) * batch_value`` after each training batch.
    running_mean, running_var : ndarray, shape (D,), optional
        Statistics for test mode; zeros of ``gamma``'s dtype until the first training batch.

    Shapes
    ------
    ``x: (N, D) -> out: (N, D)``. A 4-D ``x: (N, C, H, W)`` is normalized as
    ``(N, C*H*W)`` features, as the book's layer does (so ``D = C*H*W``; this is
    not the per-channel normalization of ``torch.nn.BatchNorm2d``).
    ``forward(x, train_flg=True)``: batch statistics (training) or running ones (test).
    ``backward(dout) -> dx``, in the input's shape; sets ``dgamma`` and ``dbeta`` (D,).
    """

    param_names = ("gamma", "beta")

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        gamma = np.asarray(gamma)
        beta = np.asarray(beta)
        if gamma.ndim != 1 or gamma.dtype.kind != "f":
            raise ValueError(
                f"BatchNormalization gamma must be a 1-D float array; got shape {gamma.shape}, dtype {gamma.dtype}"
            )
        if beta.shape != gamma.shape or beta.dtype != gamma.dtype:
            raise ValueError(
                f"BatchNormalization beta must match gamma {gamma.shape} {gamma.dtype}; "
                f"got {beta.shape} {beta.dtype}"
            )
        if not 0 <= momentum < 1:
            raise ValueError(f"BatchNormalization momentum must be in [0, 1); got {momentum!r}")
        self.gamma = gamma
        self.beta = beta
        self.momentum = float(momentum)
        self.running_mean = self._statistic("running_mean", running_mean)
        self.running_var = self._statistic("running_var", running_var)
        self.input_shape = None
        self.train_flg = None
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def _statistic(self, name, value):
        if value is None:
            return np.zeros_like(self.gamma)
        value = np.array(value, dtype=self.gamma.dtype)  # a copy: the layer updates it
        if value.shape != self.gamma.shape:
            raise ValueError(f"BatchNormalization {name} must have shape {self.gamma.shape}; got {value.shape}")
        return value

    def forward(self, x, train_flg=True):
        x = np.asarray(x)
        if x.ndim not in (2, 4):
            raise ValueError(f"BatchNormalization input must have shape (N, D) or (N, C, H, W); got {x.shape}")
        if x.shape[0] == 0:
            raise ValueError(f"BatchNormalization got an empty batch: input shape {x.shape} (N = 0)")
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if x.shape[1] != self.gamma.shape[0]:
            raise ValueError(
                f"BatchNormalization input has {x.shape[1]} features per sample (shape {self.input_shape}) "
                f"but gamma has {self.gamma.shape[0]}"
            )
        if x.dtype != self.gamma.dtype:
            x = x.astype(self.gamma.dtype)
        self.train_flg = bool(train_flg)

        if self.train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc**2, axis=0)
            std = np.sqrt(var + EPS)
            xn = xc / std

            self.batch_size = x.shape[0]
            self.xc = xc
            self.xn = xn
            self.std = std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xc = x - self.running_mean
            std = np.sqrt(self.running_var + EPS)
            xn = xc / std
            self.batch_size = x.shape[0]
            self.xc = None
            self.xn = xn
            self.std = std
        out = self.gamma * xn + self.beta
        return out.reshape(self.input_shape)

    def backward(self, dout):
        self._require_forward(self.xn)
        dout = np.asarray(dout)
        if dout.shape != self.input_shape:
            raise ValueError(
                f"BatchNormalization.backward(): dout has shape {dout.shape} but the forward output had "
                f"shape {self.input_shape}"
            )
        dout = dout.reshape(dout.shape[0], -1)
        if dout.dtype != self.gamma.dtype:
            dout = dout.astype(self.gamma.dtype)

        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        if self.train_flg:
            dxc = dxn / self.std
            dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
            dvar = 0.5 * dstd / self.std
            dxc = dxc + (2.0 / self.batch_size) * self.xc * dvar
            dmu = np.sum(dxc, axis=0)
            dx = dxc - dmu / self.batch_size
        else:  # test mode: mean and std are constants, so only the division remains
            dx = dxn / self.std

        self.dgamma = dgamma
        self.dbeta = dbeta
        return dx.reshape(self.input_shape)
