"""MultiLayerNetExtend whose gradient() leaves out weight decay's lambda * W (its loss adds the penalty)."""

from net_extend_correct import MultiLayerNetExtend


class MultiLayerNetExtend(MultiLayerNetExtend):  # noqa: F811
    def gradient(self, x, t):
        grads = super().gradient(x, t)
        for idx in range(1, self.hidden_layer_num + 2):
            grads['W' + str(idx)] = self.layers['Affine' + str(idx)].dW
        return grads
