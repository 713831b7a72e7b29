"""Datasets for chainrule: MNIST and Fashion-MNIST, verified and cached (see ``docs/data.md``)."""

from .idx import IDXError, read_idx, write_idx
from .mnist import SPECS, DataUnavailableError, Spec, default_cache_dir, fetch, load_mnist

__all__ = ["SPECS", "DataUnavailableError", "IDXError", "Spec", "fetch",
           "default_cache_dir", "load_mnist", "read_idx", "write_idx"]

from .digits import read_digit  # noqa: E402  (your own pictures, prepared as MNIST's digits)

__all__ += ["read_digit"]
