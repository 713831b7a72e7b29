"""The error of every model-file reader of :mod:`chainrule.io` (``.npz`` model files, the book's pickles)."""

__all__ = ["ModelFileError"]


class ModelFileError(ValueError):
    """A file is not a chainrule model, is damaged, or does not match its architecture."""
