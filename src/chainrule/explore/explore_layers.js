/* chainrule explore, the layers of chapters 6-8: a port of chainrule's im2col.py, convolution.py,
 * batchnorm.py and dropout.py in the book's formulation (im2col, one matrix product, col2im;
 * max pooling through im2col and an argmax per window; Batch Normalization node by node), and
 * a network of any of the page's layers run forward and backward down to the input pixels.
 * Tensors are {shape, data: Float64Array}, images (N, C, H, W) in row-major order as in NumPy.
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;
  const {
    size, fmtShape, affineForward, affineBackward, softmax, softmaxLossForward, softmaxLossBackward,
    reluForward, reluBackward, sigmoidForward, sigmoidBackward, scalar,
  } = E;

  // im2col.check_window: the output size of a window slid over an H x W input.
  function outSize(H, W, fh, fw, stride, pad) {
    if (H + 2 * pad < fh || W + 2 * pad < fw) throw new Error(`a ${fh}x${fw} window does not fit in a ${H}x${W} input padded by ${pad}`);
    return [Math.floor((H + 2 * pad - fh) / stride) + 1, Math.floor((W + 2 * pad - fw) / stride) + 1];
  }

  // Where im2col takes each entry from: for row (n, i, j) and column (c, y, x) of col, the index into the
  // images of the pixel at (n, c, i * stride + y - pad, j * stride + x - pad), or -1 over the padding.
  // Kept per shape: a page redraws the same shapes again and again.
  const windowsOf = new Map();
  function windowIndex(xShape, fh, fw, stride, pad) {
    const key = [...xShape, fh, fw, stride, pad].join(','), known = windowsOf.get(key);
    if (known) return known;
    const [N, C, H, W] = xShape, [OH, OW] = outSize(H, W, fh, fw, stride, pad), K = C * fh * fw;
    const index = new Int32Array(N * OH * OW * K);
    let o = 0;
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          for (let c = 0; c < C; c++) {
            for (let y = 0; y < fh; y++) {
              const yy = i * stride + y - pad;
              for (let x = 0; x < fw; x++, o++) {
                const xx = j * stride + x - pad;
                index[o] = yy >= 0 && yy < H && xx >= 0 && xx < W ? ((n * C + c) * H + yy) * W + xx : -1;
              }
            }
          }
        }
      }
    }
    const found = { index, rows: N * OH * OW, K, out: [OH, OW] };
    if (windowsOf.size > 64) windowsOf.clear();
    windowsOf.set(key, found);
    return found;
  }

  // im2col: row (n, i, j) holds the window whose top-left corner is (i * stride - pad, j * stride - pad),
  // channel by channel: col (N * OH * OW, C * fh * fw); zeros where the window hangs over the padding.
  function im2col(x, fh, fw, stride, pad) {
    const { index, rows, K, out } = windowIndex(x.shape, fh, fw, stride, pad), col = new Float64Array(index.length);
    for (let o = 0; o < index.length; o++) if (index[o] >= 0) col[o] = x.data[index[o]];
    return { shape: [rows, K], data: col, out };
  }

  // col2im: the adjoint of im2col; each row added back onto its window (overlaps add up).
  function col2im(col, xShape, fh, fw, stride, pad) {
    const { index } = windowIndex(xShape, fh, fw, stride, pad), img = new Float64Array(size(xShape));
    for (let o = 0; o < index.length; o++) if (index[o] >= 0) img[index[o]] += col.data[o];
    return { shape: xShape.slice(), data: img };
  }

  // Convolution.forward: out = im2col(x) @ W.reshape(FN, -1).T + b, as (N, FN, OH, OW).
  function convForward(x, W, b, stride, pad) {
    const [FN, C, FH, FW] = W.shape;
    if (x.shape.length !== 4 || x.shape[1] !== C) throw new Error(`Convolution input must have shape (N, ${C}, H, W); got ${fmtShape(x.shape)}`);
    const col = im2col(x, FH, FW, stride, pad), [OH, OW] = col.out, N = x.shape[0], K = C * FH * FW, P = OH * OW;
    const out = new Float64Array(N * FN * P), w = W.data, c = col.data;
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < P; p++) {
        const r = (n * P + p) * K, o = n * FN * P + p;
        let f = 0;
        for (; f + 4 <= FN; f += 4) { // four filters at a time over the same row (each sum in the same order)
          const w0 = f * K, w1 = w0 + K, w2 = w1 + K, w3 = w2 + K;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let k = 0; k < K; k++) {
            const x = c[r + k];
            s0 += x * w[w0 + k]; s1 += x * w[w1 + k]; s2 += x * w[w2 + k]; s3 += x * w[w3 + k];
          }
          out[o + f * P] = s0 + b.data[f]; out[o + (f + 1) * P] = s1 + b.data[f + 1];
          out[o + (f + 2) * P] = s2 + b.data[f + 2]; out[o + (f + 3) * P] = s3 + b.data[f + 3];
        }
        for (; f < FN; f++) {
          let s = 0;
          const wf = f * K;
          for (let k = 0; k < K; k++) s += c[r + k] * w[wf + k];
          out[o + f * P] = s + b.data[f];
        }
      }
    }
    return { out: { shape: [N, FN, OH, OW], data: out }, cache: { col, xShape: x.shape.slice() } };
  }

  // Convolution.backward: the Affine backward on the rows (db, dW, dcol), then col2im.
  function convBackward(cache, W, stride, pad, dout, needDW = true) {
    const [FN, C, FH, FW] = W.shape, K = C * FH * FW, [N, , OH, OW] = dout.shape, P = OH * OW;
    const g = dout.data, c = cache.col.data, w = W.data, res = {};
    if (needDW) {
      const dW = new Float64Array(FN * K), db = new Float64Array(FN);
      for (let n = 0; n < N; n++) {
        for (let f = 0; f < FN; f++) {
          for (let p = 0; p < P; p++) {
            const gv = g[(n * FN + f) * P + p], r = (n * P + p) * K, wf = f * K;
            db[f] += gv;
            if (gv !== 0) for (let k = 0; k < K; k++) dW[wf + k] += c[r + k] * gv;
          }
        }
      }
      res.dW = { shape: W.shape.slice(), data: dW };
      res.db = { shape: [FN], data: db };
    }
    const dcol = new Float64Array(N * P * K);
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < P; p++) {
        const r = (n * P + p) * K;
        for (let f = 0; f < FN; f++) {
          const gv = g[(n * FN + f) * P + p], wf = f * K;
          if (gv !== 0) for (let k = 0; k < K; k++) dcol[r + k] += gv * w[wf + k];
        }
      }
    }
    res.dx = col2im({ shape: [N * P, K], data: dcol }, cache.xShape, FH, FW, stride, pad);
    return res;
  }

  // Pooling.forward: im2col, one row per (n, i, j, c) window, its maximum (the first one on ties).
  function poolForward(x, ph, pw, stride, pad) {
    const [N, C] = x.shape, col = im2col(x, ph, pw, stride, pad), [OH, OW] = col.out, S = ph * pw, P = OH * OW;
    const rows = N * P * C, argMax = new Int32Array(rows), out = new Float64Array(rows), c = col.data;
    for (let r = 0; r < rows; r++) {
      let k = 0, m = c[r * S];
      for (let s = 1; s < S; s++) if (c[r * S + s] > m) { m = c[r * S + s]; k = s; }
      argMax[r] = k;
      const n = Math.floor(r / (P * C)), p = Math.floor(r / C) % P, ch = r % C;
      out[(n * C + ch) * P + p] = m;
    }
    return { out: { shape: [N, C, OH, OW], data: out }, cache: { argMax, xShape: x.shape.slice() } };
  }

  // Pooling.backward: each dout value goes to its window's maximum; col2im adds overlapping windows.
  function poolBackward(cache, ph, pw, stride, pad, dout) {
    const [N, C, OH, OW] = dout.shape, S = ph * pw, P = OH * OW, dmax = new Float64Array(N * P * C * S);
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < P; p++) {
        for (let ch = 0; ch < C; ch++) {
          const r = (n * P + p) * C + ch;
          dmax[r * S + cache.argMax[r]] = dout.data[(n * C + ch) * P + p];
        }
      }
    }
    return col2im({ shape: [N * P, C * S], data: dmax }, cache.xShape, ph, pw, stride, pad);
  }

  // BatchNormalization.forward: x (N, D) or (N, C, H, W) seen as (N, D). Training: the batch's mean and
  // variance; test: the running ones. out = gamma * (x - mu) / sqrt(var + eps) + beta.
  function batchnormForward(x, p, trainFlg) {
    const N = x.shape[0], D = size(x.shape) / N, eps = p.eps, xc = new Float64Array(N * D);
    const std = new Float64Array(D), out = new Float64Array(N * D), xn = new Float64Array(N * D);
    if (D !== p.gamma.data.length) throw new Error(`BatchNormalization input has ${D} features but gamma has ${p.gamma.data.length}`);
    for (let j = 0; j < D; j++) {
      let mu, v;
      if (trainFlg) {
        mu = 0;
        for (let i = 0; i < N; i++) mu += x.data[i * D + j];
        mu /= N;
        v = 0;
        for (let i = 0; i < N; i++) { const c = x.data[i * D + j] - mu; v += c * c; }
        v /= N;
      } else { mu = p.mean.data[j]; v = p.variance.data[j]; }
      std[j] = Math.sqrt(v + eps);
      for (let i = 0; i < N; i++) {
        const k = i * D + j;
        xc[k] = x.data[k] - mu;
        xn[k] = xc[k] / std[j];
        out[k] = p.gamma.data[j] * xn[k] + p.beta.data[j];
      }
    }
    return { out: { shape: x.shape.slice(), data: out }, cache: { xc, xn, std, N, D, trainFlg, shape: x.shape.slice() } };
  }

  // BatchNormalization.backward, the book's graph node by node: dbeta, dgamma, dxn, dxc, dstd, dvar, dmu.
  function batchnormBackward(cache, gamma, dout) {
    const { xc, xn, std, N, D, trainFlg } = cache, g = dout.data, dx = new Float64Array(N * D);
    const dgamma = new Float64Array(D), dbeta = new Float64Array(D);
    for (let j = 0; j < D; j++) {
      const dxc = new Float64Array(N);
      let dstd = 0;
      for (let i = 0; i < N; i++) {
        const k = i * D + j, dxn = gamma.data[j] * g[k];
        dbeta[j] += g[k];
        dgamma[j] += xn[k] * g[k];
        dxc[i] = dxn / std[j];
        dstd -= (dxn * xc[k]) / (std[j] * std[j]);
      }
      if (!trainFlg) { for (let i = 0; i < N; i++) dx[i * D + j] = dxc[i]; continue; }
      const dvar = 0.5 * dstd / std[j];
      let dmu = 0;
      for (let i = 0; i < N; i++) { dxc[i] += (2.0 / N) * xc[i * D + j] * dvar; dmu += dxc[i]; }
      for (let i = 0; i < N; i++) dx[i * D + j] = dxc[i] - dmu / N;
    }
    return { dx: { shape: cache.shape.slice(), data: dx }, dgamma: { shape: [D], data: dgamma }, dbeta: { shape: [D], data: dbeta } };
  }

  // Dropout in test mode (the page evaluates): out = x * (1 - ratio), dx = dout * (1 - ratio).
  const dropoutScale = (x, ratio) => ({ shape: x.shape.slice(), data: x.data.map((v) => v * (1.0 - ratio)) });

  // ---- a network of these layers (chainrule.explore.model_payload): forward, then backward from the loss ----
  // One layer forward: {out, cache}. Dropout and Batch Normalization run in test mode, as predict does.
  function layerForward(l, h) {
    switch (l.type) {
      case 'affine': return { out: affineForward(h, l.WT, l.bT), cache: null };
      case 'relu': return { out: reluForward(h), cache: null };
      case 'sigmoid': return { out: sigmoidForward(h), cache: null };
      case 'conv': return convForward(h, l.WT, l.bT, l.stride, l.pad);
      case 'pool': return poolForward(h, l.pool[0], l.pool[1], l.stride, l.pad);
      case 'batchnorm': return batchnormForward(h, l.bn, false);
      case 'dropout': return { out: dropoutScale(h, l.ratio), cache: null };
      default: throw new Error(`the page cannot compute a ${l.type} layer`);
    }
  }

  // One layer backward: d loss / d input from d loss / d output (parameters' gradients only if asked).
  function layerBackward(l, input, output, cache, d, needParams = false) {
    switch (l.type) {
      case 'affine': { const r = affineBackward(input, l.WT, d, needParams); return { dx: r[0], dW: r[1], db: r[2] }; }
      case 'relu': return { dx: reluBackward(input, d) };
      case 'sigmoid': return { dx: sigmoidBackward(output, d) };
      case 'conv': return convBackward(cache, l.WT, l.stride, l.pad, d, needParams);
      case 'pool': return { dx: poolBackward(cache, l.pool[0], l.pool[1], l.stride, l.pad, d) };
      case 'batchnorm': return batchnormBackward(cache, l.bn.gamma, d);
      case 'dropout': return { dx: dropoutScale(d, l.ratio) };
      default: throw new Error(`the page cannot compute a ${l.type} layer`);
    }
  }

  // Forward through the layers; acts: the output of every layer; scores: the last; probs: softmax.
  function networkForward(model, x) {
    const acts = [], caches = [];
    let h = x;
    for (const l of model.layers) {
      const r = layerForward(l, h);
      acts.push(r.out);
      caches.push(r.cache);
      h = r.out;
    }
    return { x, acts, caches, scores: h, probs: softmax(h) };
  }

  // Backward of SoftmaxWithLoss(scores, [label]) through every layer: grads[i] = d loss / d acts[i],
  // dx = d loss / d x (the input pixels), and the loss.
  function networkBackward(model, fwd, label) {
    const loss = softmaxLossForward(fwd.scores, scalar(label)), grads = new Array(model.layers.length);
    let d = softmaxLossBackward(loss.cache, scalar(1));
    for (let i = model.layers.length - 1; i >= 0; i--) {
      grads[i] = d;
      const input = i === 0 ? fwd.x : fwd.acts[i - 1];
      d = layerBackward(model.layers[i], input, fwd.acts[i], fwd.caches[i], d).dx;
    }
    return { dx: d, grads, loss: loss.out.data[0] };
  }

  Object.assign(E, {
    outSize, im2col, col2im, convForward, convBackward, poolForward, poolBackward, batchnormForward, batchnormBackward,
    dropoutScale, layerForward, layerBackward, networkForward, networkBackward,
  });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
