"""``common.trainer``: chainrule's Trainer under the book's module name."""

from chainrule.train import Trainer  # noqa: F401
