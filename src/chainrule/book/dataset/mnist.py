"""``dataset.mnist``: chainrule's MNIST loader under the book's module name."""

from chainrule.datasets import load_mnist  # noqa: F401
