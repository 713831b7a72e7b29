"""Chapter 6's Dropout layer: in training, each neuron is switched off at random for one step.

In training mode every element of the input is kept with probability
``1 - dropout_ratio`` (the mask is drawn anew at each forward) and the rest are
set to 0; backward lets the gradient through where the mask kept the input.
In test mode nothing is dropped and the output is scaled by
``1 - dropout_ratio``, the expected fraction kept in training (the book's form;
"inverted" dropout scales in training instead).
"""

from __future__ import annotations

import numpy as np

from .layers import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Dropout node (http://arxiv.org/abs/1207.0580).

    Parameters
    ----------
    dropout_ratio : float in [0, 1)
        The probability that an element is dropped in training (the book's 0.5).
    rng : numpy.random.Generator, int or None
        Draws the masks (the book's layer uses the global ``np.random``).

    Shapes
    ------
    ``forward(x, train_flg=True)``: ``x: any shape -> out: same shape and dtype``.
    ``backward(dout) -> dx = dout * mask`` (training) or ``dout * (1 - dropout_ratio)`` (test).
    ``mask`` is the boolean array of the elements kept by the last training forward.
    """

    def __init__(self, dropout_ratio=0.5, *, rng=None):
        if isinstance(dropout_ratio, bool) or not isinstance(dropout_ratio, (int, float, np.floating)) \
                or not 0 <= dropout_ratio < 1:
            raise ValueError(f"Dropout dropout_ratio must be a number in [0, 1); got {dropout_ratio!r}")
        self.dropout_ratio = float(dropout_ratio)
        self.rng = np.random.default_rng(rng)
        self.mask = None
        self.train_flg = None
        self._shape = None

    def forward(self, x, train_flg=True):
        x = np.asarray(x)
        if x.dtype.kind != "f":
            x = x.astype(np.float64)
        self._shape = x.shape
        self.train_flg = bool(train_flg)
        if self.train_flg:
            self.mask = self.rng.random(x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        self._require_forward(self._shape)
        self._check_dout(dout, self._shape)
        if self.train_flg:
            return dout * self.mask
        return dout * (1.0 - self.dropout_ratio)

    def __repr__(self):
        return f"Dropout(dropout_ratio={self.dropout_ratio})"
