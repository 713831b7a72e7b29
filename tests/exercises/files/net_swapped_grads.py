"""The book's TwoLayerNet whose gradient() takes W1's gradient from the wrong layer."""

import net_correct


class TwoLayerNet(net_correct.TwoLayerNet):
    def gradient(self, x, t):
        grads = super().gradient(x, t)
        grads['W1'], grads['W2'] = grads['W2'], grads['W1']
        return grads
