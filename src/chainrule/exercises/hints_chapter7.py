"""The hints of the chapter 7 exercises (Convolution, Pooling, im2col, col2im), in English.

Their translations are in the package's catalogs (:mod:`chainrule.i18n`, entries ``check.hint.*``).
"""

HINTS = {
    "hint.function_returns_nothing": "the function returns nothing (None): end it with return col (or return img)",
    "hint.conv_col_W_reshape":
        "col_W is reshaped the wrong way: each filter must become one column, col_W = self.W.reshape(FN, -1).T "
        "(W.reshape(-1, FN) mixes the filters)",
    "hint.conv_out_transpose":
        "the output is reshaped without its transpose: np.dot(col, col_W) has one row per position and one "
        "column per filter, so out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)",
    "hint.conv_forgot_bias": "forgot the bias: out = np.dot(col, col_W) + self.b",
    "hint.conv_dW_transpose":
        "dW is reshaped without its transpose: np.dot(self.col.T, dout) is (C*FH*FW, FN), so "
        "self.dW = self.dW.transpose(1, 0).reshape(FN, C, FH, FW)",
    "hint.conv_dout_transpose":
        "dout is reshaped without moving the filters last: dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN), "
        "in the order of im2col's rows",
    "hint.conv_dW_not_reshaped": "dW must have W's shape: self.dW.transpose(1, 0).reshape(FN, C, FH, FW)",
    "hint.conv_db_axes":
        "db adds up dout over everything but the filters (the batch and every position): "
        "self.db = np.sum(dout, axis=0) after dout.transpose(0, 2, 3, 1).reshape(-1, FN)",
    "hint.col2im_no_overlap_sum":
        "col2im must add where the windows overlap (img[...] += col[...]): a position in several windows gets "
        "the gradient of each",
    "hint.col2im_pad_not_removed":
        "the padding is not cut off: col2im returns img[:, :, pad:H + pad, pad:W + pad], the input's shape",
    "hint.conv_dx_not_folded":
        "dx must be folded back into images: dx = col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)",
    "hint.conv_shapes":
        "the shapes of a product or a reshape do not line up: col (N*out_h*out_w, C*FH*FW), col_W (C*FH*FW, FN), "
        "out (N, FN, out_h, out_w); in backward dout.transpose(0, 2, 3, 1).reshape(-1, FN) and dcol = "
        "np.dot(dout, self.col_W.T)",
    "hint.pool_out_transpose":
        "the output is reshaped without its transpose: the maxima come position by position with the channels "
        "last, so out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)",
    "hint.pool_mean": "this is average pooling: max pooling keeps np.max(col, axis=1)",
    "hint.pool_grad_everywhere":
        "the gradient goes to every position of the window: only the maximum influenced the output, so "
        "dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()",
    "hint.pool_grad_average":
        "the gradient is spread over the window (the backward of average pooling): max pooling sends all of it "
        "to the position of the maximum, self.arg_max",
    "hint.pool_dout_transpose":
        "dout is flattened without its transpose: dout = dout.transpose(0, 2, 3, 1), in the order of the "
        "windows of forward",
    "hint.pool_ties_all":
        "where a window has several equal maxima the gradient goes to each of them: the book sends it to the "
        "first (np.argmax), so that the gradient keeps its sum",
    "hint.pool_shapes":
        "the shapes do not line up: col.reshape(-1, pool_h * pool_w), out.reshape(N, out_h, out_w, C)"
        ".transpose(0, 3, 1, 2); in backward dmax has shape (dout.size, pool_h * pool_w)",
    "hint.im2col_transpose":
        "col is reshaped without its transpose: col.transpose(0, 4, 5, 1, 2, 3).reshape(N*out_h*out_w, -1), "
        "one row per window",
    "hint.im2col_channel_order":
        "a row's values are in the wrong order: channel first, then the window's rows and columns, "
        "transpose(0, 4, 5, 1, 2, 3)",
    "hint.im2col_no_pad":
        "the padding is missing: img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], 'constant')",
    "hint.im2col_out_size":
        "out_h and out_w must be integers: out_h = (H + 2*pad - filter_h) // stride + 1",
    "hint.im2col_stride":
        "the slices do not fit: col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride] with "
        "y_max = y + stride*out_h",
    "hint.col2im_transpose":
        "col is reshaped without its transpose: col.reshape(N, out_h, out_w, C, filter_h, filter_w)"
        ".transpose(0, 3, 4, 5, 1, 2)",
    "hint.col2im_average":
        "the overlaps are averaged: col2im adds them up (it is the backward of im2col, which copies a value into "
        "each window)",
    "hint.col2im_shapes":
        "the shapes do not line up: col2im reshapes col into (N, out_h, out_w, C, filter_h, filter_w) and adds "
        "into an image of shape (N, C, H + 2*pad + stride - 1, W + 2*pad + stride - 1)",
}

FORMULAS = {
    "Convolution.out": "col = im2col(x, FH, FW, self.stride, self.pad); col_W = self.W.reshape(FN, -1).T; "
                       "out = np.dot(col, col_W) + self.b; "
                       "out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)",
    "Convolution.dx": "dcol = np.dot(dout, self.col_W.T); dx = col2im(dcol, self.x.shape, FH, FW, self.stride, "
                      "self.pad)",
    "Convolution.dW": "self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW)",
    "Convolution.db": "self.db = np.sum(dout, axis=0)  (dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN))",
    "Pooling.out": "col = im2col(x, ...).reshape(-1, pool_h * pool_w); out = np.max(col, axis=1)"
                   ".reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)",
    "Pooling.dx": "dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.transpose(0, 2, 3, 1).flatten(); "
                  "dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)",
    "im2col.col": "col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]; "
                  "col = col.transpose(0, 4, 5, 1, 2, 3).reshape(N*out_h*out_w, -1)",
    "col2im.img": "img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]; "
                  "return img[:, :, pad:H + pad, pad:W + pad]",
}

CASES = {
    "case.conv_random": "random inputs",
    "case.conv_pad": "padding 1",
    "case.conv_stride": "stride 2 and padding 1",
    "case.conv_rect": "a rectangular input and filter",
    "case.pool_random": "random inputs",
    "case.pool_overlap": "overlapping windows",
    "case.pool_ties": "ties in a window",
    "case.pool_rect": "a rectangular window",
}
