"""The hints of the chapter 6 exercises (optimizers, Batch Normalization, Dropout), in English.

Their translations are in the package's catalogs (:mod:`chainrule.i18n`, entries ``check.hint.*``).
"""

HINTS = {
    # -- optimizers ------------------------------------------------------------------------------------
    "hint.missing_update": "the class needs the method update(params, grads)",
    "hint.optimizer_signature":
        "the book's arguments are not taken: SGD(lr=0.01), Momentum(lr=0.01, momentum=0.9), AdaGrad(lr=0.01), "
        "RMSprop(lr=0.01, decay_rate=0.99), Adam(lr=0.001, beta1=0.9, beta2=0.999)",
    "hint.optimizer_rebinds":
        "params[key] was bound to a new array (params[key] = params[key] - ...), so the array the network's layers "
        "hold never changes and the network stops learning: update it in place, params[key] -= ...",
    "hint.mutates_grads":
        "update() changed the grads it was given (e.g. grads[key] *= lr): compute into a new array instead",
    "hint.optimizer_not_updated":
        "this parameter was not updated at all: is there a return inside the loop, or a loop over only some keys? "
        "for key in params.keys(): updates every one",
    "hint.optimizer_defaults":
        "these are the numbers of the book's default arguments: use the values given to __init__ "
        "(self.lr = lr, ...), not constants",
    "hint.shared_state":
        "one state array is shared by every parameter: keep it per parameter in a dict, "
        "self.h[key] = np.zeros_like(val) for each key, val in params.items()",
    "hint.sgd_sign": "the step goes uphill: params[key] -= self.lr * grads[key] (minus: against the gradient)",
    "hint.sgd_no_lr": "the learning rate is missing: params[key] -= self.lr * grads[key]",
    "hint.momentum_shared_velocity":
        "one velocity is shared by every parameter: keep one per parameter, self.v[key] = np.zeros_like(val) "
        "for each key, val in params.items()",
    "hint.momentum_reset":
        "the state starts from zero at every update: create it only once (if self.v is None:), so that it "
        "carries over from one update to the next",
    "hint.momentum_sign":
        "a sign is reversed: v = momentum * v - lr * grad, then params += v (the velocity points downhill)",
    "hint.momentum_no_decay":
        "the old velocity is not multiplied by momentum: self.v[key] = self.momentum * self.v[key] - "
        "self.lr * grads[key]",
    "hint.nesterov_old_order":
        "this is the order of the book's first printing, corrected in its repository in 2021: move the "
        "parameter with the velocity before updating it, params[key] += momentum * momentum * v[key], "
        "params[key] -= (1 + momentum) * lr * grads[key], then v[key] *= momentum, v[key] -= lr * grads[key]",
    "hint.nesterov_is_momentum":
        "this is the plain Momentum update; Nesterov looks ahead: params[key] += momentum * momentum * v[key], "
        "then params[key] -= (1 + momentum) * lr * grads[key]",
    "hint.nesterov_factor":
        "the gradient step needs the factor (1 + momentum): params[key] -= (1 + self.momentum) * self.lr * "
        "grads[key]",
    "hint.eps_inside_sqrt":
        "epsilon belongs outside the square root: np.sqrt(h) + 1e-7 (inside, it changes every step, not only "
        "where h is 0)",
    "hint.adagrad_no_sqrt": "the square root is missing: divide by np.sqrt(self.h[key]) + 1e-7",
    "hint.adagrad_no_accumulate":
        "h must add up the squared gradients of every step (self.h[key] += grads[key] * grads[key]), not hold "
        "only the last one",
    "hint.adagrad_h_after":
        "h is updated after the step: add grads[key] * grads[key] to h first, then divide by np.sqrt(h) + 1e-7",
    "hint.rmsprop_decay_swapped":
        "decay_rate is on the wrong term: h *= decay_rate, then h += (1 - decay_rate) * grad * grad (the old "
        "average decays, the new square enters with 1 - decay_rate)",
    "hint.rmsprop_no_decay":
        "the old average is never multiplied by decay_rate: self.h[key] *= self.decay_rate before adding "
        "(1 - self.decay_rate) * grads[key] * grads[key]",
    "hint.adam_paper_eps":
        "the paper's form: m and v corrected, epsilon added last; the book folds the correction into lr_t "
        "and adds epsilon to np.sqrt(v), a difference of the order of epsilon",
    "hint.adam_no_bias_correction":
        "no bias correction: lr_t = lr * np.sqrt(1.0 - beta2**iter) / (1.0 - beta1**iter), with iter counted "
        "from 1 (m and v start at 0 and are too small in the first steps without it)",
    "hint.adam_first_only":
        "only m's bias is corrected: lr_t = lr * np.sqrt(1.0 - beta2**iter) / (1.0 - beta1**iter) corrects "
        "v's too",
    "hint.adam_iter_per_param":
        "iter counts the updates, not the parameters: self.iter += 1 once per update(), before the loop",
    "hint.adam_v_not_squared":
        "v is the moving average of the squared gradient: v += (1 - beta2) * (grads[key]**2 - v)",
    "hint.adam_betas_swapped": "beta1 and beta2 are swapped: m uses beta1 (0.9), v uses beta2 (0.999)",
    # -- Batch Normalization -----------------------------------------------------------------------------
    "hint.bn_signature":
        "the book's signature is BatchNormalization(gamma, beta, momentum=0.9, running_mean=None, "
        "running_var=None) and forward(x, train_flg=True)",
    "hint.bn_4d":
        "a 4-D input (N, C, H, W) fails: as the book does, keep self.input_shape = x.shape, normalize "
        "x.reshape(N, -1) and give the output (and dx) back in the input's shape",
    "hint.bn_running_not_kept":
        "the running statistics are not kept: self.running_mean and self.running_var, updated at every training "
        "forward, are what test mode uses",
    "hint.bn_grads_not_set": "backward keeps the parameter gradients in the layer: self.dgamma and self.dbeta",
    "hint.bn_axis":
        "normalized over the wrong axis: Batch Normalization normalizes each feature over the batch, "
        "x.mean(axis=0)",
    "hint.bn_std_without_sqrt": "divided by the variance: divide by the standard deviation, np.sqrt(var + 10e-7)",
    "hint.bn_unbiased_var":
        "the variance is divided by N - 1: the book uses the batch's own variance, np.mean(xc**2, axis=0)",
    "hint.bn_no_scale_shift": "the scale and shift are missing: out = self.gamma * xn + self.beta",
    "hint.bn_other_eps":
        "right with another epsilon: the book adds 10e-7 (that is 1e-6) to the variance before the square root",
    "hint.bn_dx_no_mean_path":
        "the mean's path is missing: mu feeds every xc, so dx = dxc - dmu / N with dmu = np.sum(dxc, axis=0)",
    "hint.bn_dx_no_var_path":
        "the variance's path is missing: var depends on x too, so add (2.0 / N) * xc * dvar to dxc, with "
        "dstd = -np.sum(dxn * xc / (std * std), axis=0) and dvar = 0.5 * dstd / std",
    "hint.bn_dx_only_scale":
        "dx = dxn / std treats the mean and the variance as constants (true in test mode only): in training "
        "both depend on x, so add the paths through var and mu",
    "hint.bn_dx_forgot_gamma": "gamma is missing: dxn = self.gamma * dout",
    "hint.bn_dx_batch_size":
        "divided by N at the wrong step: var and mu are means over the batch, so the factors are (2.0 / N) in "
        "dxc += (2.0 / N) * xc * dvar and 1 / N in dx = dxc - dmu / N",
    "hint.bn_dx_var_derivative":
        "the derivative of std = np.sqrt(var + eps) is 0.5 / std: dvar = 0.5 * dstd / std, with "
        "dstd = -np.sum(dxn * xc / (std * std), axis=0)",
    "hint.bn_dgamma_not_summed":
        "dgamma must add up over the batch: gamma is shared by every sample, so "
        "dgamma = np.sum(self.xn * dout, axis=0)",
    "hint.bn_dgamma_uses_x": "dgamma multiplies dout by the normalized xn: np.sum(self.xn * dout, axis=0)",
    "hint.bn_grad_mean": "a sum, not a mean: dgamma = np.sum(xn * dout, axis=0), dbeta = np.sum(dout, axis=0)",
    "hint.bn_dbeta_not_summed": "dbeta must add up dout over the batch: dbeta = dout.sum(axis=0)",
    "hint.bn_running_momentum_swapped":
        "momentum is on the wrong term: running = momentum * running + (1 - momentum) * batch value",
    "hint.bn_running_var_std": "the running variance averages the batch's variance var, not its std",
    "hint.bn_running_unbiased":
        "the running variance averages the batch's own variance (divided by N, as the book does); dividing by "
        "N - 1 is torch.nn.BatchNorm's choice",
    "hint.bn_running_not_updated":
        "the running statistics never change: update them at each training forward, running_mean = momentum * "
        "running_mean + (1 - momentum) * mu",
    "hint.bn_test_uses_batch":
        "test mode uses the batch's own statistics: use the running ones, (x - self.running_mean) / "
        "np.sqrt(self.running_var + 10e-7)",
    "hint.bn_test_std": "test mode divides by the variance: divide by np.sqrt(self.running_var + 10e-7)",
    # -- Dropout ------------------------------------------------------------------------------------------
    "hint.dropout_inverted":
        "inverted dropout: scaled by 1 / (1 - ratio) in training and left alone in test; right, the book "
        "scales in test instead (x * (1.0 - self.dropout_ratio))",
    "hint.dropout_no_mask": "nothing is dropped in training: self.mask = np.random.rand(*x.shape) > self.dropout_ratio",
    "hint.dropout_mask_direction":
        "the mask keeps a fraction dropout_ratio instead of dropping it: self.mask = "
        "np.random.rand(*x.shape) > self.dropout_ratio (greater than: kept)",
    "hint.dropout_ratio_ignored":
        "the fraction dropped is not dropout_ratio: draw the mask with the ratio given to __init__",
    "hint.dropout_mask_once":
        "the same elements are dropped at every forward: draw a new mask at every training forward",
    "hint.dropout_backward_no_mask": "backward must drop what forward dropped: return dout * self.mask",
    "hint.dropout_backward_new_mask":
        "backward draws a new mask: use the mask of the forward (self.mask), so that the gradient flows exactly "
        "where the signal did",
    "hint.dropout_scaled_twice":
        "scaled twice: the output is scaled in training and again in test mode; the book scales only in test "
        "(x * (1.0 - self.dropout_ratio))",
    "hint.dropout_test_not_scaled":
        "test mode must scale by the fraction kept in training: return x * (1.0 - self.dropout_ratio)",
    "hint.dropout_test_ratio_swapped":
        "test mode scales by the fraction dropped: the fraction kept is 1.0 - self.dropout_ratio",
    "hint.dropout_test_drops": "test mode must drop nothing: return x * (1.0 - self.dropout_ratio)",
    "hint.dropout_train_scaled":
        "training mode must drop elements at random (x * self.mask); scaling by 1 - ratio is test mode's",
    "hint.dropout_train_flg": "forward takes the book's second argument: forward(self, x, train_flg=True)",
    # -- networks --------------------------------------------------------------------------------------------
    "net.weight_decay":
        "every layer is right, but gradient() leaves weight decay out: the loss adds 0.5 * lambda * np.sum(W**2), "
        "so grads['W1'] = self.layers['Affine1'].dW + self.weight_decay_lambda * self.params['W1']",
}

#: The book's formula of each tensor, shown when no usual mistake matches the numbers.
FORMULAS = {
    **{f"{name}.*": formula for name, formula in {
        "SGD": "params[key] -= self.lr * grads[key]",
        "Momentum": "self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]; params[key] += self.v[key]",
        "Nesterov": "params[key] += self.momentum**2 * self.v[key]; params[key] -= (1 + self.momentum) * self.lr * "
                    "grads[key]; self.v[key] *= self.momentum; self.v[key] -= self.lr * grads[key]",
        "AdaGrad": "self.h[key] += grads[key] * grads[key]; params[key] -= self.lr * grads[key] / "
                   "(np.sqrt(self.h[key]) + 1e-7)",
        "RMSprop": "self.h[key] *= self.decay_rate; self.h[key] += (1 - self.decay_rate) * grads[key]**2; "
                   "params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)",
        "Adam": "lr_t = lr * np.sqrt(1 - beta2**iter) / (1 - beta1**iter); m += (1 - beta1) * (g - m); "
                "v += (1 - beta2) * (g**2 - v); params[key] -= lr_t * m / (np.sqrt(v) + 1e-7)",
    }.items()},
    "BatchNormalization.out": "xc = x - mu; xn = xc / np.sqrt(var + 10e-7); out = self.gamma * xn + self.beta",
    "BatchNormalization.dx": "dxn = gamma * dout; dxc = dxn / std; dstd = -np.sum(dxn * xc / (std * std), axis=0); "
                             "dvar = 0.5 * dstd / std; dxc += (2.0 / N) * xc * dvar; "
                             "dx = dxc - np.sum(dxc, axis=0) / N",
    "BatchNormalization.dgamma": "self.dgamma = np.sum(self.xn * dout, axis=0)",
    "BatchNormalization.dbeta": "self.dbeta = dout.sum(axis=0)",
    "BatchNormalization.running_mean": "self.running_mean = momentum * self.running_mean + (1 - momentum) * mu",
    "BatchNormalization.running_var": "self.running_var = momentum * self.running_var + (1 - momentum) * var",
    "BatchNormalization.out_test": "xn = (x - self.running_mean) / np.sqrt(self.running_var + 10e-7); "
                                   "out = self.gamma * xn + self.beta",
    "Dropout.out": "self.mask = np.random.rand(*x.shape) > self.dropout_ratio; return x * self.mask",
    "Dropout.dx": "return dout * self.mask",
    "Dropout.out_test": "return x * (1.0 - self.dropout_ratio)",
}

CASES = {
    "case.opt_one_shape": "four parameters of one shape",
    "case.opt_network": "a small network's parameters, the book's default arguments",
    "case.bn_train": "a training step",
    "case.bn_4d": "a training step on a 4-D input",
    "case.bn_running": "running statistics",
    "case.bn_test": "test mode",
    "case.dropout_train_test": "training, then test",
    "case.dropout_half": "another ratio",
    "case.dropout_again": "two training forwards",
}
