"""SimpleConvNet whose Convolution reshapes dW without its transpose."""

import net_simpleconv_correct
from mistake_conv_dW_transpose import Convolution

net_simpleconv_correct.Convolution = Convolution
SimpleConvNet = net_simpleconv_correct.SimpleConvNet
