"""Numerical differentiation and the gradient check of chapter 5.

Backpropagation is fast but easy to get subtly wrong; numerical
differentiation is slow but simple. Comparing the two ("gradient check") is how
the book proves a backward pass right, and how chainrule tests every layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "GradientCheckError",
    "GradientCheckReport",
    "GradientCheckRow",
    "gradient_check",
    "numerical_gradient",
]


def numerical_gradient(f, x, h=1e-4):
    """Central-difference gradient ``(f(x+h) - f(x-h)) / 2h`` of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x) -> scalar``. As in the book it may ignore its argument and read
        ``x`` through a closure (``lambda W: net.loss(x, t)``): ``x`` is changed
        in place, one element at a time, and restored exactly afterwards.
    x : ndarray of floats, any shape
    h : float
        The step; the book's 1e-4 balances truncation error (O(h^2)) against
        rounding error (O(eps / h)) in float64.

    Returns
    -------
    grad : ndarray, same shape and dtype as ``x``

    Raises
    ------
    TypeError
        When ``x`` is not a floating-point ndarray: ``x[i] + h`` on an integer
        array would be truncated and the result silently garbage.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"numerical_gradient needs x as a NumPy float array (it perturbs x in place); "
            f"got {type(x).__name__}"
        )
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"numerical_gradient needs a floating-point x; got dtype {x.dtype}: "
            "x[i] + h would be truncated to an integer. Use x.astype(np.float64)"
        )
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        tmp = x[idx]
        x[idx] = tmp + h
        fxh1 = f(x)
        x[idx] = tmp - h
        fxh2 = f(x)
        x[idx] = tmp
        grad[idx] = (fxh1 - fxh2) / (2 * h)
    return grad


class GradientCheckError(AssertionError):
    """Raised by :meth:`GradientCheckReport.raise_if_failed` when a tolerance is exceeded."""


@dataclass(frozen=True)
class GradientCheckRow:
    """One parameter's comparison of backprop (``a``) against numerical (``n``) gradients."""

    name: str
    shape: tuple
    mean_abs: float
    max_abs: float
    max_rel: float
    where: tuple  # index of the largest relative error (of the first non-finite value, if any)
    nonfinite: int = 0  # how many positions hold a NaN or infinity in either gradient

    @classmethod
    def compare(cls, name, analytic, numeric, rel_floor):
        a = np.asarray(analytic, dtype=np.float64)
        n = np.asarray(numeric, dtype=np.float64)
        if a.shape != n.shape:
            raise ValueError(f"gradient {name!r}: backprop shape {a.shape} != numerical shape {n.shape}")
        if a.size == 0:
            return cls(name, a.shape, 0.0, 0.0, 0.0, ())
        bad = ~(np.isfinite(a) & np.isfinite(n))
        with np.errstate(invalid="ignore"):  # inf - inf: the row fails on `nonfinite` anyway
            diff = np.abs(a - n)
            rel = diff / np.maximum(np.abs(a) + np.abs(n), rel_floor)
        flat = int(np.argmax(bad)) if bad.any() else int(np.argmax(rel))
        idx = np.unravel_index(flat, rel.shape)
        return cls(name, a.shape, float(diff.mean()), float(diff.max()), float(rel[idx]),
                   tuple(int(i) for i in idx), int(bad.sum()))

    def passes(self, mean_tol, rel_tol):
        """True when every value is finite and both errors are within the tolerances.

        Written so that a NaN error fails (``nan <= tol`` is False).
        """
        return self.nonfinite == 0 and self.mean_abs <= mean_tol and self.max_rel <= rel_tol


@dataclass
class GradientCheckReport:
    """Result of :func:`gradient_check`: one :class:`GradientCheckRow` per gradient.

    ``str(report)`` is a table; ``report.ok`` tells whether every row is within
    the tolerances; ``report.raise_if_failed()`` raises :class:`GradientCheckError`.
    ``report[name]`` gives a row by parameter name.
    """

    rows: list = field(default_factory=list)
    mean_tol: float = 1e-7
    rel_tol: float = 1e-4

    def __getitem__(self, name):
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)

    def failures(self):
        """Rows with a NaN or infinity, or whose mean absolute difference or max relative error
        exceeds a tolerance."""
        return [r for r in self.rows if not r.passes(self.mean_tol, self.rel_tol)]

    @property
    def ok(self):
        return not self.failures()

    def raise_if_failed(self):
        """Raise :class:`GradientCheckError` naming every failing parameter; return ``self``."""
        bad = self.failures()
        if bad:
            lines = [
                f"{r.name}: {r.nonfinite} of {int(np.prod(r.shape))} gradient values not finite "
                f"(NaN or infinity), the first at {r.where}"
                if r.nonfinite else
                f"{r.name}: mean |a-n| = {r.mean_abs:.3e} (tol {self.mean_tol:.0e}), "
                f"max rel = {r.max_rel:.3e} at {r.where} (tol {self.rel_tol:.0e})"
                for r in bad
            ]
            raise GradientCheckError("gradient check failed:\n  " + "\n  ".join(lines))
        return self

    def __str__(self):
        head = f"{'param':<10} {'shape':<14} {'mean |a-n|':>11} {'max |a-n|':>11} {'max rel':>11}  where"
        lines = [head, "-" * len(head)]
        for r in self.rows:
            flag = "" if r.passes(self.mean_tol, self.rel_tol) else "  FAIL (not finite)" if r.nonfinite else "  FAIL"
            lines.append(
                f"{r.name:<10} {str(r.shape):<14} {r.mean_abs:>11.3e} {r.max_abs:>11.3e} "
                f"{r.max_rel:>11.3e}  {r.where}{flag}"
            )
        lines.append(
            f"{'ok' if self.ok else 'FAILED'} (tolerances: mean |a-n| <= {self.mean_tol:.0e}, "
            f"max rel <= {self.rel_tol:.0e})"
        )
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):  # IPython / Jupyter
        p.text(str(self))


def gradient_check(target, x, t=None, *, grad=None, h=1e-4, mean_tol=1e-7, rel_tol=1e-4,
                   rel_floor=1e-8, raise_on_failure=False):
    """Compare backprop gradients with numerical ones, in float64.

    Parameters
    ----------
    target : network or callable
        A network (anything with ``params``, ``loss(x, t)`` and ``gradient(x, t)``,
        such as :class:`~chainrule.TwoLayerNet`): every parameter is checked. A
        network of another dtype is checked through a float64 copy (``astype``).
        Or a callable ``f(x) -> scalar``, with its analytic gradient given as
        ``grad`` (an array, or a callable ``grad(x) -> array``): the gradient with
        respect to ``x`` is checked.
    x, t : array_like
        The inputs (and targets, for a network). The book uses 3 MNIST samples.
    grad : ndarray or callable, optional
        The analytic gradient, for a callable ``target``.
    h : float
        Central-difference step (the book's 1e-4).
    mean_tol : float
        Tolerance on each parameter's mean absolute difference. The default
        1e-7 is the bar chapter 5 sets: in float64 a correct backprop agrees to
        about 1e-10 (the book prints 1e-13 to 1e-10), while a wrong one is off
        by the size of the gradient itself. One caveat of the numerical side:
        when an input lands within ``h`` of a ReLU kink, the central difference
        straddles the kink and is wrong there (for the book's check, 3 MNIST
        images and a random ``TwoLayerNet(784, 50, 10)``, about one start in
        eight, seen as a ``b1`` difference of 1e-6 to 1e-5). The row's ``where``
        points at the unit; another seed or a smaller ``h`` confirms it.
    rel_tol : float
        Tolerance on the max relative error ``|a - n| / max(|a| + |n|, rel_floor)``.
        Central differences are accurate to O(h^2) = 1e-8 relative on smooth
        functions; 1e-4 leaves room for an input landing within ``h`` of a ReLU
        kink while still catching a wrong factor anywhere.
    rel_floor : float
        Below this size both gradients are "zero" and their relative error is
        not inflated by rounding noise.
    raise_on_failure : bool
        Raise :class:`GradientCheckError` instead of returning a failing report.

    Returns
    -------
    report : GradientCheckReport
    """
    report = GradientCheckReport(mean_tol=mean_tol, rel_tol=rel_tol)
    if hasattr(target, "params") and hasattr(target, "gradient"):
        net = target
        if any(np.asarray(p).dtype != np.float64 for p in net.params.values()):
            if not hasattr(net, "astype"):
                raise TypeError("gradient_check needs a float64 network (or one with astype())")
            net = net.astype(np.float64)
        x = np.asarray(x, dtype=np.float64)
        backprop = {k: np.array(v, copy=True) for k, v in net.gradient(x, t).items()}
        # networks with Dropout / BatchNormalization differentiate their training-mode loss
        loss = getattr(net, "training_loss", net.loss)
        for name, param in net.params.items():
            numeric = numerical_gradient(lambda _p: loss(x, t), param, h)
            report.rows.append(GradientCheckRow.compare(name, backprop[name], numeric, rel_floor))
    elif callable(target):
        if grad is None:
            raise TypeError("gradient_check(f, x) needs the analytic gradient: grad=array or grad=callable")
        x = np.array(x, dtype=np.float64)
        analytic = grad(x.copy()) if callable(grad) else grad
        numeric = numerical_gradient(target, x, h)
        report.rows.append(GradientCheckRow.compare("x", analytic, numeric, rel_floor))
    else:
        raise TypeError(
            f"gradient_check needs a network (params, loss, gradient) or a callable; got {type(target).__name__}"
        )
    if raise_on_failure:
        report.raise_if_failed()
    return report
