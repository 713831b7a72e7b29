"""``common.gradient``: chainrule's numerical gradient under the book's module name."""

from chainrule.gradient import numerical_gradient  # noqa: F401
