"""``dataset.mnist``: chainrule's MNIST loader under the book's module name (a subset under ``--mnist``)."""

from chainrule.book import load_mnist  # noqa: F401
