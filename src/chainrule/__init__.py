"""chainrule: error backpropagation the way chapter 5 of *Deep Learning from Scratch* teaches it.

The book's names come first; type the book's code against ``chainrule`` and get
the book's numbers::

    from chainrule import MulLayer, TwoLayerNet, load_mnist

The book's modules are at the top of the package (``functions``, ``layers``, ``gradient``,
``networks``, ``optimizers``; chapters 6-8: ``im2col``, ``convolution``, ``batchnorm``,
``dropout``, ``networks_extend``, ``convnets``, ``util``); every other job is a subpackage
named after it: ``train``, ``datasets``, ``io``, ``graph``, ``explore``, ``exercises``,
``export``, ``sklearn``, ``cli``, ``book``.
"""

import sys as _sys

from ._version import __version__  # noqa: F401 - chainrule.__version__
from .batchnorm import BatchNormalization
from .convnets import DeepConvNet, SimpleConvNet
from .convolution import Convolution, Pooling
from .datasets import load_mnist
from .dropout import Dropout
from .exercises import CheckReport, check
from .functions import cross_entropy_error, identity_function, relu, sigmoid, sigmoid_grad, softmax, step_function
from .gradient import GradientCheckError, GradientCheckReport, gradient_check, numerical_gradient
from .graph import Graph
from .io import load, save
from .layers import AddLayer, Affine, Layer, MulLayer, Relu, Sigmoid, SoftmaxWithLoss
from .networks import MultiLayerNet, Sequential, TwoLayerNet
from .networks_extend import MultiLayerNetExtend
from .optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from .train import History, Trainer, TrainingDiverged, history, metrics, plot
from .util import col2im, im2col, shuffle_dataset, smooth_curve

__all__ = [
    # the book's names
    "MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss",
    "softmax", "cross_entropy_error", "numerical_gradient", "TwoLayerNet", "load_mnist",
    "sigmoid", "relu", "step_function", "identity_function", "MultiLayerNet",
    "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "Trainer",
    # chapters 6-8
    "BatchNormalization", "Dropout", "Convolution", "Pooling", "MultiLayerNetExtend", "SimpleConvNet",
    "DeepConvNet", "sigmoid_grad", "im2col", "col2im", "smooth_curve", "shuffle_dataset",
    # beyond the book
    "Layer", "Sequential", "Graph", "gradient_check", "GradientCheckReport", "GradientCheckError", "History",
    "TrainingDiverged", "save", "load", "check", "CheckReport",
]

# Modules that moved into the rooms keep their old import paths: chainrule.history, chainrule.metrics
# and chainrule.plot are chainrule.train's, chainrule.files is chainrule.io's.
from .io import files  # noqa: E402

for _module in (history, metrics, plot, files):
    _sys.modules.setdefault(f"{__name__}.{_module.__name__.rpartition('.')[2]}", _module)
del _module
