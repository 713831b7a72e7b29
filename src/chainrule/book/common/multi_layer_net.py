"""``common.multi_layer_net``: chainrule's MultiLayerNet under the book's module name."""

from chainrule.networks import MultiLayerNet  # noqa: F401
