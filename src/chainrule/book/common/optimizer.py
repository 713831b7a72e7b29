"""``common.optimizer``: chainrule's optimizers under the book's module name."""

from chainrule.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop  # noqa: F401
