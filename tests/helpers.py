"""Shared by the tests: gradients by central differences; the house tool (tools/house.py) as a module."""

import importlib.util

from chainrule import numerical_gradient
from tests import ROOT


def numeric_wrt(f, arr):
    """Numerical gradient of the scalar ``f()`` with respect to ``arr`` (changed in place, restored)."""
    return numerical_gradient(lambda _a: f(), arr)


def house():
    """``tools/house.py``, which measures the imports of ``src/`` (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("house", ROOT / "tools" / "house.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
