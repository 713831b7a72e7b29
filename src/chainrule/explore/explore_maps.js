/* chainrule explore, maps: a layer's output (one image) drawn as tiles, one per channel (feature maps,
 * pooled maps) or as a grid of cells (hidden units, scores); the gradient of the loss there the same way;
 * and what one position was made of: for a convolution its receptive field, the kernel, the products and
 * their sum, and its share of the kernel's and the input's gradients; for max pooling the window and where
 * the derivative goes back; for elementwise layers the value in and out.
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;

  // ---- where things are: a layer's output as tiles or cells, drawn at s canvas pixels per value ----
  // shape: one sample's shape without N: [C, H, W] (maps) or [n] (units). size: about how wide a tile is.
  function mapLayout(shape, size = 48) {
    if (shape.length === 3) {
      const [C, H, W] = shape, cols = Math.min(C, 8), rows = Math.ceil(C / cols), gap = 2;
      const s = Math.max(1, Math.min(16, Math.round((C === 1 ? 2.5 * size : size) / Math.max(H, W))));
      return { kind: 'maps', C, H, W, cols, rows, s, gap, width: cols * (W * s + gap) - gap, height: rows * (H * s + gap) - gap };
    }
    const n = shape.reduce((a, b) => a * b, 1), cols = Math.min(n, n <= 10 ? 10 : 25), rows = Math.ceil(n / cols);
    const s = n <= 10 ? 24 : 14, gap = 1;
    return { kind: 'units', n, cols, rows, s, gap, H: 1, W: 1, width: cols * (s + gap) - gap, height: rows * (s + gap) - gap };
  }
  // The top-left canvas pixel of position (c, y, x) of maps, or of unit j; a value covers s x s pixels.
  function pixelOf(lay, p) {
    if (lay.kind === 'units') return [(p.j % lay.cols) * (lay.s + lay.gap), Math.floor(p.j / lay.cols) * (lay.s + lay.gap)];
    const tx = p.c % lay.cols, ty = Math.floor(p.c / lay.cols);
    return [tx * (lay.W * lay.s + lay.gap) + p.x * lay.s, ty * (lay.H * lay.s + lay.gap) + p.y * lay.s];
  }
  // The position under canvas pixel (px, py), or null (a gap between tiles, or past the last one).
  function positionAt(lay, px, py) {
    if (px < 0 || py < 0 || px >= lay.width || py >= lay.height) return null;
    if (lay.kind === 'units') {
      const pitch = lay.s + lay.gap, x = px % pitch, y = py % pitch, j = Math.floor(py / pitch) * lay.cols + Math.floor(px / pitch);
      return x < lay.s && y < lay.s && j < lay.n ? { j } : null;
    }
    const pw = lay.W * lay.s + lay.gap, ph = lay.H * lay.s + lay.gap, tx = Math.floor(px / pw), ty = Math.floor(py / ph);
    const x = Math.floor((px % pw) / lay.s), y = Math.floor((py % ph) / lay.s), c = ty * lay.cols + tx;
    return px % pw < lay.W * lay.s && py % ph < lay.H * lay.s && c < lay.C ? { c, y, x } : null;
  }
  const flatIndex = (lay, p) => (lay.kind === 'maps' ? (p.c * lay.H + p.y) * lay.W + p.x : p.j);

  // ---- colours ----
  // Forward values: grey, white the largest; a layer with negative values has black at -max and grey at 0.
  function greyOf(v, max, signed) {
    const s = signed ? 0.5 + 0.5 * v / max : v / max, g = Math.round(255 * Math.min(Math.max(s, 0), 1));
    return [g, g, g];
  }
  // Gradients: white at 0, blue where negative (more of it makes the label more likely), red where positive.
  const BLUE = [33, 102, 172], RED = [178, 24, 43];
  function divergingOf(v, max) {
    const s = Math.min(Math.abs(v) / max, 1), to = v < 0 ? BLUE : RED;
    return to.map((c) => Math.round(255 + (c - 255) * s));
  }
  const maxAbs = (data) => { let m = 0; for (const v of data) m = Math.max(m, Math.abs(v)); return m; };
  const hasNegative = (data) => { for (const v of data) if (v < 0) return true; return false; };

  // Paint one sample's values (Float64Array in the layer's order) onto a canvas laid out by `lay`; returns the
  // largest |value| (the colours' scale). Each value is one pixel of a small image (the maps one under the
  // other), which the canvas draws scaled up, tile by tile, without smoothing.
  function paintMap(canvas, lay, data, kind) {
    if (canvas.width !== lay.width) canvas.width = lay.width;
    if (canvas.height !== lay.height) canvas.height = lay.height;
    const max = maxAbs(data) || 1, signed = kind === 'forward' && hasNegative(data);
    const colour = kind === 'forward' ? (v) => greyOf(v, max, signed) : (v) => divergingOf(v, max);
    const W = lay.kind === 'maps' ? lay.W : 1, H = lay.kind === 'maps' ? lay.H * lay.C : data.length;
    const small = paintMap.scratch || (paintMap.scratch = document.createElement('canvas'));
    small.width = W;
    small.height = H;
    const sctx = small.getContext('2d'), img = sctx.createImageData(W, H), px = img.data;
    for (let k = 0; k < data.length; k++) {
      const [r, g, b] = colour(data[k]);
      px[4 * k] = r; px[4 * k + 1] = g; px[4 * k + 2] = b; px[4 * k + 3] = 255;
    }
    sctx.putImageData(img, 0, 0);
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, lay.width, lay.height);
    ctx.fillStyle = '#d6d6d6'; // the gaps between tiles
    if (lay.kind === 'maps') {
      for (let c = 0; c < lay.C; c++) {
        const [x0, y0] = pixelOf(lay, { c, y: 0, x: 0 }), w = lay.W * lay.s, h = lay.H * lay.s;
        ctx.fillRect(Math.max(x0 - lay.gap, 0), Math.max(y0 - lay.gap, 0), w + 2 * lay.gap, h + 2 * lay.gap);
        ctx.drawImage(small, 0, c * lay.H, lay.W, lay.H, x0, y0, w, h);
      }
    } else {
      for (let j = 0; j < lay.n; j++) {
        const [x0, y0] = pixelOf(lay, { j });
        ctx.drawImage(small, 0, j, 1, 1, x0, y0, lay.s, lay.s);
      }
    }
    return max;
  }

  // ---- what a position was made of ----
  // A convolution's output (c, y, x) for sample 0: the window of the input it saw (zeros over the padding),
  // filter c, their products, the sum channel by channel and in all, the bias; on the way back its share of
  // dW (g * window) and of dx (g * kernel, at the window's place). input: (1, C, H, W); l: a prepared conv.
  function explainConv(l, input, out, grad, pos) {
    const [FN, C, FH, FW] = l.WT.shape, [, , H, W] = input.shape, K = C * FH * FW, s = l.stride, pad = l.pad;
    const y0 = pos.y * s - pad, x0 = pos.x * s - pad, window = new Float64Array(K), kernel = l.WT.data.subarray(pos.c * K, (pos.c + 1) * K);
    const products = new Float64Array(K), channelSums = new Float64Array(C);
    let sum = 0;
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < FH; i++) {
        for (let j = 0; j < FW; j++) {
          const k = (c * FH + i) * FW + j, yy = y0 + i, xx = x0 + j;
          window[k] = yy >= 0 && yy < H && xx >= 0 && xx < W ? input.data[(c * H + yy) * W + xx] : 0;
          products[k] = window[k] * kernel[k];
          channelSums[c] += products[k];
          sum += products[k];
        }
      }
    }
    const [OH, OW] = out.shape.slice(2), at = (pos.c * OH + pos.y) * OW + pos.x, g = grad ? grad.data[at] : null;
    return {
      C, FH, FW, y0, x0, window, kernel: Float64Array.from(kernel), products, channelSums, sum, bias: l.bT.data[pos.c],
      value: out.data[at], g, dW: g === null ? null : window.map((v) => g * v), dx: g === null ? null : Float64Array.from(kernel, (w) => g * w),
    };
  }

  // Max pooling's output (c, y, x): its window in the input, the position of the maximum (the first, on ties),
  // and where the derivative goes back (all of it to the maximum).
  function explainPool(l, input, out, grad, pos) {
    const [ph, pw] = l.pool, [, , H, W] = input.shape, s = l.stride, y0 = pos.y * s - l.pad, x0 = pos.x * s - l.pad;
    const window = new Float64Array(ph * pw);
    let best = 0;
    for (let i = 0; i < ph; i++) {
      for (let j = 0; j < pw; j++) {
        const yy = y0 + i, xx = x0 + j;
        window[i * pw + j] = yy >= 0 && yy < H && xx >= 0 && xx < W ? input.data[(pos.c * H + yy) * W + xx] : 0;
        if (window[i * pw + j] > window[best]) best = i * pw + j;
      }
    }
    const [OH, OW] = out.shape.slice(2), at = (pos.c * OH + pos.y) * OW + pos.x, g = grad ? grad.data[at] : null;
    return { ph, pw, y0, x0, window, best, maxY: y0 + Math.floor(best / pw), maxX: x0 + best % pw, value: out.data[at], g };
  }

  // An Affine unit j: its value, and its largest contributions x[k] * W[k, j] (sample 0).
  function explainAffine(l, input, out, pos, top = 5) {
    const [D, M] = l.WT.shape, terms = [];
    for (let k = 0; k < D; k++) terms.push({ k, x: input.data[k], w: l.WT.data[k * M + pos.j], p: input.data[k] * l.WT.data[k * M + pos.j] });
    terms.sort((a, b) => Math.abs(b.p) - Math.abs(a.p));
    return { D, terms: terms.slice(0, top), bias: l.bT.data[pos.j], value: out.data[pos.j] };
  }

  Object.assign(E, {
    mapLayout, pixelOf, positionAt, flatIndex, greyOf, divergingOf, maxAbs, paintMap, explainConv, explainPool, explainAffine,
  });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
