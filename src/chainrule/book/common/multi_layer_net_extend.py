"""``common.multi_layer_net_extend``: chainrule's MultiLayerNetExtend under the book's module name."""

from chainrule.networks_extend import MultiLayerNetExtend  # noqa: F401
