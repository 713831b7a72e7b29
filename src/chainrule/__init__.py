"""chainrule: error backpropagation the way chapter 5 of *Deep Learning from Scratch* teaches it.

The book's names come first; type the book's code against ``chainrule`` and get
the book's numbers::

    from chainrule import MulLayer, TwoLayerNet, load_mnist
"""

from .datasets import load_mnist
from .functions import cross_entropy_error, identity_function, relu, sigmoid, softmax, step_function
from .gradient import GradientCheckError, GradientCheckReport, gradient_check, numerical_gradient
from .graph import Graph
from .io import load, save
from .layers import AddLayer, Affine, Layer, MulLayer, Relu, Sigmoid, SoftmaxWithLoss
from .networks import MultiLayerNet, Sequential, TwoLayerNet
from .optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from .train import History, Trainer

__version__ = "0.1.0"

__all__ = [
    # the book's names
    "MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss",
    "softmax", "cross_entropy_error", "numerical_gradient", "TwoLayerNet", "load_mnist",
    "sigmoid", "relu", "step_function", "identity_function", "MultiLayerNet",
    "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "Trainer",
    # beyond the book
    "Layer", "Sequential", "Graph", "gradient_check", "GradientCheckReport", "GradientCheckError", "History",
    "save", "load",
]

# exercise mode: check a learner's own layers against chainrule's
from .exercises import CheckReport, check  # noqa: E402

__all__ += ["check", "CheckReport"]

# chapters 6-8: Batch Normalization, Dropout, convolutional networks
from .convnets import DeepConvNet, SimpleConvNet  # noqa: E402
from .functions import sigmoid_grad  # noqa: E402
from .layers import BatchNormalization, Convolution, Dropout, Pooling  # noqa: E402
from .networks_extend import MultiLayerNetExtend  # noqa: E402
from .util import col2im, im2col, shuffle_dataset, smooth_curve  # noqa: E402

__all__ += [
    "BatchNormalization", "Dropout", "Convolution", "Pooling", "MultiLayerNetExtend", "SimpleConvNet",
    "DeepConvNet", "sigmoid_grad", "im2col", "col2im", "smooth_curve", "shuffle_dataset",
]

# training that diverged (a loss that is not finite) stops with this error
from .train import TrainingDiverged  # noqa: E402

__all__ += ["TrainingDiverged"]
