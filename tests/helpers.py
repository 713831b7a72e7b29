"""Shared by the tests of the layers: gradients by central differences."""

from chainrule import numerical_gradient


def numeric_wrt(f, arr):
    """Numerical gradient of the scalar ``f()`` with respect to ``arr`` (changed in place, restored)."""
    return numerical_gradient(lambda _a: f(), arr)
