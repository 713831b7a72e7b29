"""The hints of exercise mode, in English: the usual mistake each wrong tensor's numbers matched.

Their translations are in the package's catalogs (:mod:`chainrule.i18n`, entries ``check.hint.*``).
"""

HINTS = {
    "hint.forgot_dout":
        "forgot `dout *`: backward multiplies the gradient that flows in from upstream (dout) by the node's local "
        "derivative (the chain rule)",
    "hint.swapped_xy":
        "x and y are swapped: for out = x * y, dx = dout * y and dy = dout * x (each input gets the other input)",
    "hint.mul_passthrough":
        "dout was passed on unchanged, as an addition node does; a multiplication node multiplies it by the other "
        "input: dx = dout * y, dy = dout * x",
    "hint.add_times_input":
        "an addition node passes dout on unchanged (dx = dout * 1, dy = dout * 1); multiplying by the other input "
        "is the multiplication node's rule",
    "hint.wrong_operation": "forward computes the other operation: MulLayer returns x * y, AddLayer returns x + y",
    "hint.returns_two": "backward must return both gradients: return dx, dy",
    "hint.missing_method": "the class needs both methods, forward() and backward()",
    "hint.relu_mask_direction":
        "the mask points the wrong way: mask = (x <= 0) marks the inputs that were set to 0; backward sets dout to "
        "0 there and passes it on where x > 0",
    "hint.relu_zero":
        "only at x == 0 does your gradient differ: you pass dout on there, the book's mask (x <= 0) and chainrule "
        "give 0 (a convention: ReLU has no derivative at 0)",
    "hint.mutates_dout":
        "backward changed the dout it was given (the book's `dout[self.mask] = 0` writes into it, and the caller "
        "may still need it): work on a copy, dx = dout.copy(), or use np.where",
    "hint.mutates_input": "forward changed the array it was given (e.g. x[mask] = 0): copy it first, out = x.copy()",
    "hint.sigmoid_x_instead_of_out":
        "used x instead of the output: the sigmoid's derivative is y(1 - y) with y the forward's output, so keep "
        "it (self.out = out) and write dx = dout * (1.0 - self.out) * self.out",
    "hint.sigmoid_missing_one_minus":
        "a factor is missing: the local derivative is y(1 - y), so dx = dout * (1.0 - self.out) * self.out",
    "hint.sigmoid_sign": "the sign inside exp is wrong: sigmoid is 1 / (1 + np.exp(-x))",
    "hint.affine_forgot_bias": "forgot the bias: out = np.dot(x, self.W) + self.b",
    "hint.affine_no_reshape":
        "a 4-D input (N, C, H, W) must be flattened: in forward keep self.original_x_shape = x.shape and use x = "
        "x.reshape(x.shape[0], -1); backward returns dx.reshape(*self.original_x_shape)",
    "hint.affine_dx_not_reshaped":
        "dx has the right numbers in the flattened shape: return dx.reshape(*self.original_x_shape), the shape of "
        "the input",
    "hint.affine_dx_transposed": "dx came out transposed: dx = np.dot(dout, self.W.T), of shape (N, D) like x",
    "hint.affine_dW_order":
        "dW came out transposed: the order is xᵀ · dout, self.dW = np.dot(self.x.T, dout), of shape (D, M) like W",
    "hint.affine_forgot_xT": "forgot x.T: self.dW = np.dot(self.x.T, dout); (D, N) · (N, M) gives W's shape (D, M)",
    "hint.affine_transpose":
        "the shapes of a product do not line up: dx = np.dot(dout, self.W.T) and self.dW = np.dot(self.x.T, dout); "
        "check each transpose against x (N, D), W (D, M), dout (N, M)",
    "hint.sum_wrong_axis":
        "summed over the wrong axis: self.db = np.sum(dout, axis=0) adds up the batch (axis 0) and has b's shape "
        "(M,)",
    "hint.sum_no_axis":
        "summed over every element: self.db = np.sum(dout, axis=0) sums over the batch only, one value per output",
    "hint.db_not_summed":
        "db must add up dout over the batch: forward broadcast b to every sample, so self.db = np.sum(dout, "
        "axis=0)",
    "hint.db_mean":
        "db is a sum, not a mean: self.db = np.sum(dout, axis=0) (the / batch_size is already in SoftmaxWithLoss's "
        "gradient)",
    "hint.db_is_b": "db is the gradient of b, not b itself: self.db = np.sum(dout, axis=0)",
    "hint.missing_batch_size":
        "missing / batch_size: the loss is the mean over the batch, so dx = (self.y - self.t) / batch_size",
    "hint.loss_not_averaged":
        "the loss is summed over the batch: cross_entropy_error divides by batch_size and returns the mean",
    "hint.loss_sign": "the loss has the wrong sign: the cross-entropy error is -Σ t log y",
    "hint.softmax_dx_sign":
        "the sign is reversed: dx = (self.y - self.t) / batch_size, the softmax output minus the target",
    "hint.softmax_dx_forgot_t": "forgot to subtract the target: dx = (self.y - self.t) / batch_size",
    "hint.labels_not_supported":
        "label targets (t of shape (N,), such as [2, 0, 1]) are not handled; the book's common/ code handles them: "
        "the loss takes each sample's probability y[np.arange(batch_size), t], and backward subtracts 1 at each "
        "label: dx = self.y.copy(); dx[np.arange(batch_size), self.t] -= 1",
    "hint.softmax_overflow":
        "softmax overflowed on large scores (np.exp(1000) is inf): subtract the maximum first, np.exp(x - "
        "np.max(x)), as the book's softmax does",
    "hint.low_precision":
        "right up to rounding, but computed in float32 (or shorter): check gradients in float64, as the book does, "
        "to see differences as small as 1e-10",
    "hint.affine_grads_not_set":
        "backward keeps the parameter gradients in the layer: self.dW = np.dot(self.x.T, dout) and self.db = "
        "np.sum(dout, axis=0) (the network reads them from there)",
    "hint.forward_returns_nothing": "forward returns nothing (None): end it with return out",
    "hint.backward_returns_nothing":
        "backward returns nothing (None): end it with return dx (return dx, dy for MulLayer and AddLayer)",
    "hint.shape": "the shape is wrong: {got_shape} instead of {expected_shape}",
    "hint.not_numbers": "what came back is not an array of numbers",
    "hint.not_run": "never run: forward failed in every case",
    "hint.matches_your_forward":
        "this gradient agrees with the numerical gradient of your own forward, so backward is consistent with it: "
        "the forward is what is wrong",
    "hint.formula": "no usual mistake gives these numbers; compare with the book's formula: {formula}",
    "hint.net_see_below": "see the note under the table",
    "net.culprit_forward":
        "the forward pass first goes wrong in {layer} ({kind}.forward, {tensor}); the layers before it are right",
    "net.culprit_backward":
        "walking backward from the loss, the gradient first goes wrong in {layer} ({kind}.backward, {tensor}); "
        "every layer between it and the loss is right",
    "net.no_walk":
        "the layers could not be walked one by one (layers / lastLayer missing or of unknown kinds), so only the "
        "gradients were compared",
    "net.not_shared":
        "params['{param}'] and layers['{layer}'].W are different arrays: the layer computes with its own copy and "
        "never sees params; pass the same array, Affine(self.params['{param}'], ...)",
    "net.swapped": "every layer is right, but gradient() hands out the gradient of {other} as grads['{param}']",
    "net.gradient_method":
        "every layer is right, so the mistake is in the net's own methods: gradient() runs loss() first, then "
        "lastLayer.backward(1), then each layer's backward in reverse order, and collects dW and db",
}
