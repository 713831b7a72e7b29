"""SimpleConvNet whose Pooling sends the gradient to every position of the window."""

import net_simpleconv_correct
from mistake_pool_grad_everywhere import Pooling

net_simpleconv_correct.Pooling = Pooling
SimpleConvNet = net_simpleconv_correct.SimpleConvNet
