"""chainrule: error backpropagation the way chapter 5 of *Deep Learning from Scratch* teaches it."""

__version__ = "0.1.0"
