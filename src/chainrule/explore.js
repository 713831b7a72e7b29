/* chainrule explore: the page's script. Plain JavaScript: no framework, no build step.
 *
 * Part 1, the math, is a port of chainrule's layers (chainrule/layers.py and the
 * elementary nodes of chainrule/graph.py), operation for operation, so the page's
 * numbers equal chainrule's; it runs in Node too, where the tests check it.
 * Part 2 draws the page and handles the keyboard, the pointer and the address bar.
 */
(function (root) {
  'use strict';

  // ---- tensors: {shape: [d1, d2, ...], data: Float64Array}; a scalar has shape [] ----
  const size = (shape) => shape.reduce((a, b) => a * b, 1);
  const sameShape = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);
  const tensor = (shape, data) => ({ shape: shape.slice(), data: Float64Array.from(data, Number) });
  const scalar = (x) => ({ shape: [], data: Float64Array.of(x) });
  const fmtShape = (s) => '(' + s.join(', ') + (s.length === 1 ? ',)' : ')');

  function broadcastShape(a, b) {
    const n = Math.max(a.length, b.length), out = [];
    for (let i = 0; i < n; i++) {
      const x = i < n - a.length ? 1 : a[i - n + a.length];
      const y = i < n - b.length ? 1 : b[i - n + b.length];
      if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
      out.push(x === 1 ? y : x);
    }
    return out;
  }

  // For each flat index of outShape, the flat index into a tensor of `shape` broadcast to it.
  function indexMap(shape, outShape) {
    const n = size(outShape), map = new Int32Array(n), lead = outShape.length - shape.length, strides = [];
    for (let i = shape.length - 1, s = 1; i >= 0; i--) { strides[i] = shape[i] === 1 ? 0 : s; s *= shape[i]; }
    for (let k = 0; k < n; k++) {
      let rem = k, idx = 0;
      for (let i = outShape.length - 1; i >= lead; i--) {
        idx += (rem % outShape[i]) * strides[i - lead];
        rem = Math.floor(rem / outShape[i]);
      }
      map[k] = idx;
    }
    return map;
  }

  function binary(a, b, f) {
    const shape = broadcastShape(a.shape, b.shape), n = size(shape), out = new Float64Array(n);
    const ia = indexMap(a.shape, shape), ib = indexMap(b.shape, shape);
    for (let k = 0; k < n; k++) out[k] = f(a.data[ia[k]], b.data[ib[k]]);
    return { shape, data: out };
  }
  const map1 = (a, f) => ({ shape: a.shape.slice(), data: a.data.map(f) });
  const mul = (a, b) => a * b;

  // layers.py _unbroadcast: sum the gradient over the axes that broadcasting copied along.
  function unbroadcast(g, shape) {
    if (sameShape(g.shape, shape)) return g;
    const map = indexMap(shape, g.shape), out = new Float64Array(size(shape));
    for (let k = 0; k < g.data.length; k++) out[map[k]] += g.data[k];
    return { shape: shape.slice(), data: out };
  }
  const addT = (a, b) => (a === null ? b : binary(a, b, (x, y) => x + y)); // graph.py _add

  // functions.sigmoid: 1 / (1 + exp(-|x|)), mirrored for x < 0, so exp never overflows.
  function sigmoid(x) {
    const e = Math.exp(-Math.abs(x));
    return x >= 0 ? 1 / (1 + e) : e / (1 + e);
  }

  // Rows of a tensor seen as (N, C): a 1-D tensor is one sample.
  const rowsOf = (t) => (t.shape.length === 1 ? [1, t.shape[0]] : [t.shape[0], size(t.shape.slice(1))]);

  // Affine: out = x @ W + b; x (N, D) or (D,), W (D, M), b (M,).
  function affineForward(x, W, b) {
    const [n, d] = rowsOf(x), m = W.shape[1];
    if (d !== W.shape[0]) throw new Error(`Affine input has ${d} features but W has shape ${fmtShape(W.shape)}`);
    const out = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += x.data[i * d + k] * W.data[k * m + j];
        out[i * m + j] = s + b.data[j];
      }
    }
    return { shape: x.shape.length === 1 ? [m] : [n, m], data: out };
  }

  // Affine backward: dx = dout @ W.T, dW = x.T @ dout, db = sum of dout over the batch.
  function affineBackward(x, W, dout, needDW = true) {
    const [n, d] = rowsOf(x), m = W.shape[1], dx = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += dout.data[i * m + j] * W.data[k * m + j];
        dx[i * d + k] = s;
      }
    }
    const grads = [{ shape: x.shape.slice(), data: dx }];
    if (!needDW) return grads;
    const dW = new Float64Array(d * m), db = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const g = dout.data[i * m + j];
        db[j] += g;
        for (let k = 0; k < d; k++) dW[k * m + j] += x.data[i * d + k] * g;
      }
    }
    grads.push({ shape: [d, m], data: dW }, { shape: [m], data: db });
    return grads;
  }

  // functions.softmax over the last axis: exp(x - max) / sum.
  function softmax(x) {
    const [n, c] = rowsOf(x), out = new Float64Array(n * c);
    for (let i = 0; i < n; i++) {
      const row = x.data.subarray(i * c, i * c + c), top = Math.max(...row);
      let s = 0;
      for (let j = 0; j < c; j++) { out[i * c + j] = Math.exp(row[j] - top); s += out[i * c + j]; }
      for (let j = 0; j < c; j++) out[i * c + j] /= s;
    }
    return { shape: x.shape.slice(), data: out };
  }

  // SoftmaxWithLoss: y from the log-softmax, loss = -mean(log y[label]); t labels (N,) or one-hot (N, C).
  function softmaxLossForward(x, t) {
    const [n, c] = rowsOf(x), labels = [];
    const oneHot = t.shape.length === 2 || (x.shape.length === 1 && t.data.length === c && c > 1);
    for (let i = 0; i < n; i++) {
      if (!oneHot) { labels.push(t.data[i]); continue; }
      let k = 0;
      for (let j = 1; j < c; j++) if (t.data[i * c + j] > t.data[i * c + k]) k = j;
      labels.push(k);
    }
    const y = new Float64Array(n * c);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = x.data.subarray(i * c, i * c + c), top = Math.max(...row);
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(row[j] - top);
      const logSum = Math.log(s);
      for (let j = 0; j < c; j++) y[i * c + j] = Math.exp((row[j] - top) - logSum);
      loss += (row[labels[i]] - top) - logSum;
    }
    return { out: scalar(-loss / n), cache: { y: { shape: x.shape.slice(), data: y }, labels, n, c } };
  }

  function softmaxLossBackward(cache, dout) {
    const { y, labels, n, c } = cache, dx = Float64Array.from(y.data), f = dout.data[0] / n;
    for (let i = 0; i < n; i++) dx[i * c + labels[i]] -= 1;
    for (let k = 0; k < dx.length; k++) dx[k] *= f;
    return { shape: y.shape.slice(), data: dx };
  }

  const fmtC = (c) => fmt(c.data.length === 1 ? c.data[0] : NaN, c.shape);

  // The nodes a graph can hold. forward(inputs, node) -> {out, cache}; backward(cache, dout, node) -> a
  // gradient per source (null for none); rule(cache, i, node): the local derivative along edge i, as text.
  const OPS = {
    mul: {
      forward: ([x, y]) => ({ out: binary(x, y, mul), cache: { x, y } }),
      backward: (c, d) => [unbroadcast(binary(d, c.y, mul), c.x.shape), unbroadcast(binary(d, c.x, mul), c.y.shape)],
      rule: (c, i) => '× ' + fmtT(i === 0 ? c.y : c.x),
    },
    add: {
      forward: ([x, y]) => ({ out: binary(x, y, (a, b) => a + b), cache: { x, y } }),
      backward: (c, d) => [unbroadcast(map1(d, (g) => g * 1), c.x.shape), unbroadcast(map1(d, (g) => g * 1), c.y.shape)],
      rule: () => '× 1',
    },
    mulconst: {
      forward: ([x], node) => ({ out: binary(x, node.cT, mul), cache: { x } }),
      backward: (c, d, node) => [unbroadcast(binary(d, node.cT, mul), c.x.shape)],
      rule: (c, i, node) => '× ' + fmtC(node.cT),
    },
    addconst: {
      forward: ([x], node) => ({ out: binary(x, node.cT, (a, b) => a + b), cache: { x } }),
      backward: (c, d) => [unbroadcast(map1(d, (g) => g * 1), c.x.shape)],
      rule: () => '× 1',
    },
    exp: {
      forward: ([x]) => { const out = map1(x, Math.exp); return { out, cache: { out } }; },
      backward: (c, d) => [binary(d, c.out, mul)],
      rule: (c) => '× exp(x) = × ' + fmtT(c.out),
    },
    recip: {
      forward: ([x]) => { const out = map1(x, (v) => 1 / v); return { out, cache: { out } }; },
      backward: (c, d) => [binary(binary(map1(d, (g) => -g), c.out, mul), c.out, mul)],
      rule: (c) => '× −1/x² = × ' + fmtT(map1(c.out, (v) => -v * v)),
    },
    sigmoid: {
      forward: ([x]) => { const out = map1(x, sigmoid); return { out, cache: { out } }; },
      backward: (c, d) => [binary(binary(d, map1(c.out, (v) => 1 - v), mul), c.out, mul)],
      rule: (c) => '× y(1 − y)',
    },
    relu: {
      forward: ([x]) => ({ out: map1(x, (v) => (v <= 0 ? 0 : v)), cache: { x } }),
      backward: (c, d) => [binary(d, c.x, (g, v) => (v <= 0 ? 0 : g))],
      rule: () => '× (x > 0)',
    },
    affine: {
      forward: ([x, W, b]) => ({ out: affineForward(x, W, b), cache: { x, W } }),
      backward: (c, d) => affineBackward(c.x, c.W, d),
      rule: (c, i) => ['· Wᵀ', 'with xᵀ · on the left', 'summed over the batch'][i],
    },
    softmaxloss: {
      forward: ([x, t]) => softmaxLossForward(x, t),
      backward: (c, d) => [softmaxLossBackward(c, d), null],
      rule: (c, i) => (i === 0 ? '(y − t) / N' : ''),
    },
  };

  // Prepare a graph payload (from chainrule.explore.graph_payload) for evaluation.
  function prepareGraph(g) {
    g.nodes.forEach((node) => { if (node.c) node.cT = tensor(node.c.shape, node.c.data); });
    g.consumers = g.values.map(() => []);
    g.producer = g.values.map(() => -1);
    g.nodes.forEach((node, k) => {
      node.sources.forEach((i) => g.consumers[i].push(k));
      g.producer[node.output] = k;
    });
    return g;
  }

  // Forward through every node in recording order, then backward from the root in reverse order,
  // as chainrule.graph.Graph.backward does (gradients of a value used twice are summed).
  // leaves: {valueIndex: tensor} overriding the recorded leaf values.
  function evaluate(g, leaves = {}) {
    const values = g.values.map((v, i) => leaves[i] || (v.leaf ? tensor(v.shape, v.data) : null));
    const caches = g.nodes.map((node) => {
      const res = OPS[node.op].forward(node.sources.map((i) => values[i]), node);
      values[node.output] = res.out;
      return res.cache;
    });
    const grads = values.map(() => null), edges = g.nodes.map((n) => n.sources.map(() => null));
    grads[g.root] = tensor(g.values[g.root].shape, g.seed);
    for (let k = g.nodes.length - 1; k >= 0; k--) {
      const node = g.nodes[k], dout = grads[node.output];
      if (dout === null) continue;
      const local = OPS[node.op].backward(caches[k], dout, node);
      node.sources.forEach((v, i) => {
        if (!local[i]) return;
        edges[k][i] = addT(edges[k][i], local[i]);
        grads[v] = addT(grads[v], local[i]);
      });
    }
    return { values, grads, edges, caches };
  }

  // ---- a saved network: layers with base64 float32 weights (chainrule.explore.model_payload) ----
  function decodeBase64(text) {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/')), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }
  function encodeBase64Url(bytes) {
    let bin = '';
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  const floats = (b64) => new Float32Array(decodeBase64(b64).buffer); // little-endian, as written

  function prepareModel(model) {
    model.layers.forEach((l) => {
      if (l.type !== 'affine') return;
      l.WT = { shape: l.shape, data: Float64Array.from(floats(l.W)) };
      l.bT = { shape: [l.shape[1]], data: Float64Array.from(floats(l.b)) };
    });
    model.images.forEach((im) => { im.bytes = decodeBase64(im.pixels); });
    return model;
  }

  // The network input of 784 uint8 pixels, as `chainrule predict` makes it: float32(p) * float32(1/255).
  const INV255 = Math.fround(1 / 255);
  const toInput = (pixels) => ({ shape: [1, pixels.length], data: Float64Array.from(pixels, (p) => Math.fround(p * INV255)) });

  // Forward through the layers; acts: the output of every layer; scores: the last; probs: softmax.
  function modelForward(model, x) {
    const acts = [];
    let h = x;
    for (const l of model.layers) {
      if (l.type === 'affine') h = affineForward(h, l.WT, l.bT);
      else if (l.type === 'relu') h = OPS.relu.forward([h]).out;
      else h = OPS.sigmoid.forward([h]).out;
      acts.push(h);
    }
    return { x, acts, scores: h, probs: softmax(h) };
  }

  // Backward of SoftmaxWithLoss(scores, [label]) down to the input pixels: d loss / d x, and the loss.
  function modelBackward(model, fwd, label) {
    const loss = softmaxLossForward(fwd.scores, scalar(label));
    let d = softmaxLossBackward(loss.cache, scalar(1));
    for (let i = model.layers.length - 1; i >= 0; i--) {
      const l = model.layers[i], input = i === 0 ? fwd.x : fwd.acts[i - 1];
      if (l.type === 'affine') d = affineBackward(input, l.WT, d, false)[0];
      else if (l.type === 'relu') d = OPS.relu.backward({ x: input }, d)[0];
      else d = OPS.sigmoid.backward({ out: fwd.acts[i] }, d)[0];
    }
    return { dx: d, loss: loss.out.data[0] };
  }

  // ---- datasets.read_digit, from the grey levels on: the 28x28 the network sees ----
  function median(values) {
    const s = Float64Array.from(values).sort(), n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
  function borderOf(img, w, h) {
    const out = [];
    for (let x = 0; x < w; x++) out.push(img[x], img[(h - 1) * w + x]);
    for (let y = 0; y < h; y++) out.push(img[y * w], img[y * w + w - 1]);
    return out;
  }
  // NumPy's and Python's round: halves go to the even neighbour.
  function roundHalfEven(x) {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }
  const sinc = (x) => (x === 0 ? 1 : Math.sin(x * Math.PI) / (x * Math.PI));
  const lanczos = (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0);

  // Pillow's resampling coefficients (libImaging/Resample.c, precompute_coeffs) for one axis.
  function coefficients(inSize, outSize) {
    const scale = inSize / outSize, filterscale = Math.max(scale, 1), support = 3 * filterscale, rows = [];
    for (let xx = 0; xx < outSize; xx++) {
      const center = (xx + 0.5) * scale, ss = 1 / filterscale;
      const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
      const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
      const k = [];
      let ww = 0;
      for (let x = xmin; x < xmax; x++) { const w = lanczos((x - center + 0.5) * ss); k.push(w); ww += w; }
      rows.push({ xmin, k: ww === 0 ? k : k.map((w) => w / ww) });
    }
    return rows;
  }
  // Image.resize((newW, newH), LANCZOS) of a float32 ("F") image: horizontal pass, then vertical.
  function resizeLanczos(img, w, h, newW, newH) {
    let cur = Float32Array.from(img), cw = w;
    if (newW !== w) {
      const cs = coefficients(w, newW), out = new Float32Array(newW * h);
      for (let y = 0; y < h; y++) {
        cs.forEach((c, xx) => { let s = 0; c.k.forEach((kv, i) => { s += cur[y * w + c.xmin + i] * kv; }); out[y * newW + xx] = s; });
      }
      cur = out; cw = newW;
    }
    if (newH !== h) {
      const cs = coefficients(h, newH), out = new Float32Array(cw * newH);
      cs.forEach((c, yy) => {
        for (let x = 0; x < cw; x++) { let s = 0; c.k.forEach((kv, i) => { s += cur[(c.xmin + i) * cw + x] * kv; }); out[yy * cw + x] = s; }
      });
      cur = out;
    }
    return cur;
  }

  // gray: grey levels in [0, 1], row-major (h, w). Returns {pixels: Uint8Array(size*size)} or {error}.
  function prepareDigit(gray, w, h, size = 28, box = 20) {
    let ink = median(borderOf(gray, w, h)) > 0.5 ? gray.map((v) => 1 - v) : Float64Array.from(gray);
    const background = median(borderOf(ink, w, h));
    let top = -Infinity;
    for (const v of ink) top = Math.max(top, v);
    const contrast = top - background;
    if (contrast < 0.1) return { error: 'the picture looks blank' };
    ink = ink.map((v) => Math.min(Math.max((v - background) / contrast, 0), 1));
    let r0 = h, r1 = -1, c0 = w, c1 = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (ink[y * w + x] > 0.25) { r0 = Math.min(r0, y); r1 = Math.max(r1, y); c0 = Math.min(c0, x); c1 = Math.max(c1, x); }
      }
    }
    const ch = r1 - r0 + 1, cw = c1 - c0 + 1, crop = new Float64Array(ch * cw);
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) crop[y * cw + x] = ink[(r0 + y) * w + c0 + x];
    const scale = box / Math.max(ch, cw);
    const newW = Math.max(1, roundHalfEven(cw * scale)), newH = Math.max(1, roundHalfEven(ch * scale));
    const small = Float64Array.from(resizeLanczos(crop, cw, ch, newW, newH), (v) => Math.min(Math.max(v, 0), 1));
    let mass = 0, my = 0, mx = 0;
    for (let y = 0; y < newH; y++) for (let x = 0; x < newW; x++) { const v = small[y * newW + x]; mass += v; my += y * v; mx += x * v; }
    if (mass <= 0) return { error: 'the picture looks blank' };
    const centre = size / 2;
    const t = Math.min(Math.max(roundHalfEven(centre - my / mass), 0), size - newH);
    const l = Math.min(Math.max(roundHalfEven(centre - mx / mass), 0), size - newW);
    const pixels = new Uint8Array(size * size);
    for (let y = 0; y < newH; y++) for (let x = 0; x < newW; x++) pixels[(t + y) * size + l + x] = roundHalfEven(small[y * newW + x] * 255);
    return { pixels };
  }

  // ---- numbers as the book's figures print them (graph.py _fmt: 6 significant digits) ----
  function fmtNumber(x) {
    if (Number.isNaN(x)) return 'nan';
    if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
    if (x === 0) return Object.is(x, -0) ? '-0' : '0';
    const [m, e] = x.toExponential(5).split('e'), exp = Number(e);
    const strip = (s) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
    if (exp < -4 || exp >= 6) return strip(m) + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
    return strip(x.toFixed(5 - exp));
  }
  const fmt = (x, shape) => (shape && shape.length ? fmtShape(shape) : fmtNumber(x));
  const fmtT = (t) => (t.shape.length ? fmtShape(t.shape) : fmtNumber(t.data[0]));

  // ---- layout: columns by depth (like the book's figures, left to right), rows from the output back ----
  function layout(g) {
    const col = g.nodes.map(() => 0), pos = g.values.map(() => null);
    g.nodes.forEach((node, k) => {
      node.sources.forEach((v) => { if (g.producer[v] >= 0) col[k] = Math.max(col[k], col[g.producer[v]] + 1); });
      col[k] = Math.max(col[k], 1);
    });
    const rowOf = g.nodes.map(() => null);
    let slot = 0;
    const place = (k) => { // rows: leaves in the order a walk back from the output meets them
      if (rowOf[k] !== null) return rowOf[k];
      const ys = g.nodes[k].sources.map((v) => {
        if (g.producer[v] >= 0) return place(g.producer[v]);
        if (pos[v] === null) pos[v] = { col: Math.min(...g.consumers[v].map((c) => col[c])) - 1, row: slot++ };
        return pos[v].row;
      });
      rowOf[k] = ys.reduce((a, b) => a + b, 0) / ys.length;
      return rowOf[k];
    };
    for (let k = g.nodes.length - 1; k >= 0; k--) place(k);
    g.values.forEach((v, i) => { if (pos[i] === null && v.leaf) pos[i] = { col: 0, row: slot++ }; });
    const nodes = g.nodes.map((n, k) => ({ col: col[k], row: rowOf[k] }));
    const outputs = g.nodes.map((n, k) => k).filter((k) => g.consumers[g.nodes[k].output].length === 0);
    return { nodes, leaves: pos, outputs, cols: Math.max(...col) + 2, rows: Math.max(slot, 1) };
  }

  const api = {
    OPS, tensor, scalar, broadcastShape, unbroadcast, sigmoid, softmax, affineForward, affineBackward,
    softmaxLossForward, softmaxLossBackward, prepareGraph, evaluate, decodeBase64, encodeBase64Url, prepareModel,
    toInput, modelForward, modelBackward, prepareDigit, resizeLanczos, roundHalfEven, median, fmtNumber, layout,
  };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  root.ChainruleExplore = api;

  // ======================= Part 2: the page (browser only) =======================
  function startPage() {
    const data = JSON.parse(document.getElementById('explore-data').textContent);
    if (data.graphs.length) graphPage(data);
    if (data.model) modelPage(data.model);
    document.body.dataset.ready = 'true';
    if (root.performance && performance.mark) performance.mark('explore-ready');
  }

  const $ = (id) => document.getElementById(id);
  function el(tag, attrs = {}, text) {
    const ns = ['svg', 'g', 'line', 'text', 'circle', 'rect', 'path', 'marker', 'defs', 'title'].includes(tag);
    const e = ns ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const hashParams = () => new URLSearchParams(location.hash.slice(1));
  function writeHash(params) {
    const h = '#' + params.toString();
    if (location.hash === h) return;
    try { history.replaceState(null, '', h); } catch (err) { location.hash = h; }
  }
  const typing = (e) => ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName) && e.target.type !== 'radio';

  // ---- the graph view ----
  function graphPage(data) {
    $('graph-view').hidden = false;
    const graphs = data.graphs.map(prepareGraph), select = $('figure');
    graphs.forEach((g) => select.append(new Option(g.title, g.name)));
    if (graphs.length < 2) select.parentElement.hidden = true;
    let g, lay, res, step = 0, timer = null, inputs = {};
    const n = () => g.nodes.length, last = () => 2 * n() + 1;
    const bstep = (k) => 2 * n() + 1 - k; // the step at which node k's backward runs
    const fwdShown = (v) => g.values[v].leaf || step > g.producer[v];
    const gradShown = (v) => (v === g.root && step >= n() + 1) ||
      (g.consumers[v].length > 0 && g.consumers[v].every((k) => step >= bstep(k)));
    const nameOf = (v) => g.values[v].name || `the ${g.nodes[g.producer[v]].label} output`;

    function load(params) {
      stop();
      g = graphs.find((x) => x.name === params.get('graph')) || graphs.find((x) => x.name === data.initial) || graphs[0];
      select.value = g.name;
      $('graph-title').textContent = g.title;
      lay = layout(g);
      inputs = {};
      const editable = g.computable ? g.values.map((v, i) => i).filter((i) => g.values[i].leaf && !g.values[i].shape.length && g.values[i].name) : [];
      editable.forEach((i) => {
        const p = params.get(g.values[i].name);
        if (p !== null && p.trim() !== '' && Number.isFinite(Number(p))) inputs[i] = Number(p);
      });
      buildInputs(editable);
      compute();
      const s = Number(params.get('step'));
      step = Number.isInteger(s) ? Math.min(Math.max(s, 0), last()) : 0;
      render();
    }

    function compute() {
      if (g.computable) {
        const leaves = {};
        for (const [i, x] of Object.entries(inputs)) leaves[i] = scalar(x);
        res = evaluate(g, leaves);
        return;
      }
      const t = (shape, d) => (d === 'omitted' ? { shape, data: [] } : tensor(shape, d)); // too large: its shape
      res = {
        values: g.values.map((v) => t(v.shape, v.data)),
        grads: g.values.map((v) => (v.grad ? t(v.shape, v.grad) : null)),
        edges: g.nodes.map((node) => node.grads.map((d, i) => (d ? t(g.values[node.sources[i]].shape, d) : null))),
        caches: null,
      };
    }

    function buildInputs(editable) {
      const box = $('input-fields');
      box.textContent = '';
      $('inputs').hidden = editable.length === 0;
      editable.forEach((i) => {
        const v = g.values[i], id = `input-${v.name}`;
        const input = el('input', { id, type: 'number', step: 'any', inputmode: 'decimal', 'data-name': v.name });
        input.value = String(i in inputs ? inputs[i] : v.data[0]);
        input.addEventListener('input', () => {
          const x = Number(input.value);
          const ok = input.value.trim() !== '' && Number.isFinite(x);
          input.setAttribute('aria-invalid', String(!ok));
          if (!ok) return;
          if (x === v.data[0]) delete inputs[i]; else inputs[i] = x;
          compute();
          render();
        });
        const label = el('label', { for: id }, v.name);
        const field = el('span', { class: 'field' });
        field.append(label, input);
        box.append(field);
      });
    }

    // The local rule along edge i of node k ('× 1.1'); '' where it needs values the page does not have.
    function ruleOf(k, i) {
      const node = g.nodes[k];
      try { return OPS[node.op].rule(res.caches ? res.caches[k] : null, i, node) || ''; } catch (err) { return ''; }
    }

    const SHORT = 3, CW = 170, RH = 96, PAD = 46;
    const nodeBox = (k) => {
      const label = g.nodes[k].label;
      return label.length <= SHORT ? { r: 20 } : { hw: 8 + 5 * label.length, hh: 17 };
    };
    const centre = (p) => [PAD + 60 + p.col * CW, PAD + p.row * RH];
    function trim(x, y, box, dx, dy) { // where the line towards (x, y) meets the node's outline
      const len = Math.hypot(dx, dy) || 1;
      if (box.r) return [x - (dx / len) * box.r, y - (dy / len) * box.r];
      const t = Math.min(box.hw / (Math.abs(dx) || 1e-9), box.hh / (Math.abs(dy) || 1e-9));
      return [x - dx * t, y - dy * t];
    }

    function render() {
      const svg = $('graph'), N = n(), fwdNode = step >= 1 && step <= N ? step - 1 : -1;
      const bwdNode = step >= N + 2 ? 2 * N + 1 - step : -1;
      const W = PAD * 2 + 60 + (lay.cols - 1) * CW + 120, H = PAD * 2 + (lay.rows - 1) * RH + 30;
      svg.textContent = '';
      svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
      svg.style.maxWidth = `${W}px`;
      const defs = el('defs'), marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
      marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
      defs.append(marker);
      svg.append(defs);
      const edge = (x1, y1, x2, y2, fwd, grad, rule, cls) => {
        const e = el('g', { class: 'edge ' + (cls || '') });
        e.append(el('line', { x1, y1, x2, y2, 'marker-end': 'url(#arrow)' }));
        const mx = x1 + 0.42 * (x2 - x1), my = y1 + 0.42 * (y2 - y1); // nearer the source: converging edges keep apart
        if (fwd !== null) e.append(el('text', { x: mx, y: my - 7, class: 'fwd' }, fwd));
        if (grad !== null) e.append(el('text', { x: mx, y: my + 16, class: 'grad' }, grad));
        if (rule) e.append(el('text', { x: mx, y: my + 31, class: 'rule' }, rule));
        svg.append(e);
      };
      g.nodes.forEach((node, k) => {
        const [x2, y2] = centre(lay.nodes[k]);
        node.sources.forEach((v, i) => {
          const from = g.producer[v] >= 0 ? lay.nodes[g.producer[v]] : lay.leaves[v];
          let [x1, y1] = centre(from);
          if (g.producer[v] >= 0) [x1, y1] = trim(x1, y1, nodeBox(g.producer[v]), x1 - x2, y1 - y2);
          else x1 += 8;
          const [ex, ey] = trim(x2, y2, nodeBox(k), x2 - x1, y2 - y1);
          const grad = step >= bstep(k) && res.edges[k][i] ? fmtT(res.edges[k][i]) : null;
          const rule = k === bwdNode && res.edges[k][i] ? ruleOf(k, i) : null;
          edge(x1, y1, ex, ey, fwdShown(v) ? fmtT(res.values[v]) : null, grad, rule, k === bwdNode ? 'active' : '');
        });
      });
      lay.outputs.forEach((k) => {
        const v = g.nodes[k].output, [x, y] = centre(lay.nodes[k]), box = nodeBox(k);
        const x1 = x + (box.r || box.hw), x2 = x1 + 100;
        const grad = gradShown(v) && res.grads[v] ? fmtT(res.grads[v]) : null;
        edge(x1, y, x2, y, fwdShown(v) ? fmtT(res.values[v]) : null, grad, null, step === N + 1 && v === g.root ? 'active' : '');
        svg.append(el('text', { x: x2 + 6, y: y + 5, class: 'name' }, g.values[v].name || ''));
      });
      g.values.forEach((v, i) => {
        if (!lay.leaves[i]) return;
        const [x, y] = centre(lay.leaves[i]);
        svg.append(el('text', { x, y: y + 5, class: 'name leaf' }, v.name || ''));
      });
      g.nodes.forEach((node, k) => {
        const [x, y] = centre(lay.nodes[k]), box = nodeBox(k);
        const state = k === fwdNode ? 'active-fwd' : k === bwdNode ? 'active-bwd' : step > k ? 'done' : '';
        const grp = el('g', { class: 'node ' + state, 'data-node': k });
        grp.append(box.r ? el('circle', { cx: x, cy: y, r: box.r })
          : el('rect', { x: x - box.hw, y: y - box.hh, width: 2 * box.hw, height: 2 * box.hh, rx: 10 }));
        grp.append(el('text', { x, y: y + 5 }, node.label));
        svg.append(grp);
      });
      renderTable();
      renderControls(fwdNode, bwdNode);
      const p = new URLSearchParams();
      if (graphs.length > 1 || g.name !== 'graph') p.set('graph', g.name);
      p.set('step', String(step));
      for (const [i, x] of Object.entries(inputs)) p.set(g.values[i].name, String(x));
      writeHash(p);
    }

    function renderTable() {
      const body = $('values').tBodies[0];
      body.textContent = '';
      g.values.forEach((v, i) => {
        if (!v.name) return;
        const val = res.values[i], grad = res.grads[i], row = el('tr', { 'data-name': v.name });
        const cell = (t, shown, cls) => {
          const td = el('td', { class: cls }, shown && t ? fmtT(t) : '');
          if (shown && t && t.data.length === 1) td.dataset.value = String(t.data[0]);
          if (shown && t && t.data.length > 1) td.title = Array.from(t.data.slice(0, 8), fmtNumber).join(', ') + (t.data.length > 8 ? ', …' : '');
          return td;
        };
        row.append(el('th', { scope: 'row' }, v.name), cell(val, fwdShown(i), 'fwd'), cell(grad, gradShown(i), 'grad'));
        body.append(row);
      });
    }

    function renderControls(fwdNode, bwdNode) {
      const N = n(), out = nameOf(g.root);
      $('step-count').textContent = `step ${step} / ${last()}`;
      $('back').disabled = $('reset').disabled = step === 0;
      $('forward').disabled = $('end').disabled = step === last();
      let text;
      if (step === 0) text = 'The inputs are known. Step forward: each node computes its output from its inputs.';
      else if (fwdNode >= 0) {
        const node = g.nodes[fwdNode], ins = node.sources.map((v) => fmtT(res.values[v])), o = fmtT(res.values[node.output]);
        const sym = { mul: ' × ', add: ' + ' }[node.op];
        text = `Forward through ${node.label}: ` + (sym ? ins.join(sym) : `${node.label}(${ins.join(', ')})`) + ` = ${o}.`;
        if (fwdNode === N - 1) text += ' Step on: the backward pass begins.';
      } else if (step === N + 1) {
        text = `Backward starts at the output: d ${out} / d ${out} = ${fmtT(res.grads[g.root])}.`;
      } else {
        const node = g.nodes[bwdNode], d = fmtT(res.grads[node.output]);
        const parts = node.sources.map((v, i) => {
          if (!res.edges[bwdNode][i]) return null;
          const rule = ruleOf(bwdNode, i);
          return `to ${nameOf(v)}: ${d} ${rule ? rule + ' =' : '→'} ${fmtT(res.edges[bwdNode][i])}`;
        }).filter(Boolean);
        text = `Backward through ${node.label}: the upstream derivative times the local one; ${parts.join('; ')}.`;
        if (step === last()) text += ' Done: every value and derivative is shown.';
      }
      $('explain').textContent = text;
    }

    const go = (s) => { step = Math.min(Math.max(s, 0), last()); render(); };
    function stop() {
      if (timer) clearInterval(timer);
      timer = null;
      $('play').textContent = '▶ Play';
      $('play').setAttribute('aria-pressed', 'false');
    }
    function play() {
      if (timer) { stop(); return; }
      if (step === last()) go(0);
      $('play').textContent = '⏸ Pause';
      $('play').setAttribute('aria-pressed', 'true');
      timer = setInterval(() => { if (step >= last()) stop(); else go(step + 1); }, 800);
    }
    $('forward').addEventListener('click', () => { stop(); go(step + 1); });
    $('back').addEventListener('click', () => { stop(); go(step - 1); });
    $('reset').addEventListener('click', () => { stop(); go(0); });
    $('end').addEventListener('click', () => { stop(); go(last()); });
    $('play').addEventListener('click', play);
    select.addEventListener('change', () => load(new URLSearchParams({ graph: select.value })));
    document.addEventListener('keydown', (e) => {
      if (typing(e) || e.altKey || e.ctrlKey || e.metaKey) return;
      const keys = { ArrowRight: () => go(step + 1), ArrowLeft: () => go(step - 1), Home: () => go(0), End: () => go(last()) };
      if (keys[e.key]) { stop(); keys[e.key](); e.preventDefault(); } else if (e.key === ' ' && e.target.tagName !== 'BUTTON') { play(); e.preventDefault(); }
    });
    root.addEventListener('hashchange', () => load(hashParams()));
    load(hashParams());
  }

  // ---- the model view ----
  function modelPage(model) {
    prepareModel(model);
    $('model-view').hidden = false;
    $('model-title').textContent = model.title;
    if (model.note) { $('model-note').hidden = false; $('model-note').textContent = model.note; }
    const draw = $('draw'), ctx = draw.getContext('2d', { willReadFrequently: true });
    let pixels = null, source = null, chosen = null, drawing = false, lastPt = null, pending = false;

    const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, draw.width, draw.height); };
    function paint28(canvas, rgba) { // 784 [r, g, b] triples onto a 28x28 canvas
      const c = canvas.getContext('2d'), img = c.createImageData(28, 28);
      rgba.forEach(([r, gg, b], i) => { img.data.set([r, gg, b, 255], 4 * i); });
      c.putImageData(img, 0, 0);
    }
    const grey = (px) => Array.from(px, (p) => [p, p, p]);
    function showOnCanvas(px) { // a 28x28 image, scaled up onto the drawing canvas
      const tmp = el('canvas', { width: 28, height: 28 });
      paint28(tmp, grey(px));
      clear();
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(tmp, 0, 0, draw.width, draw.height);
    }

    function fromCanvas() {
      pending = false;
      const d = ctx.getImageData(0, 0, draw.width, draw.height).data, gray = new Float64Array(draw.width * draw.height);
      for (let i = 0; i < gray.length; i++) gray[i] = ((d[4 * i] * 19595 + d[4 * i + 1] * 38470 + d[4 * i + 2] * 7471 + 0x8000) >> 16) / 255;
      const r = prepareDigit(gray, draw.width, draw.height);
      pixels = r.error ? null : r.pixels;
      source = 'drawing';
      update();
    }
    const point = (e) => {
      const box = draw.getBoundingClientRect();
      return [(e.clientX - box.left) * draw.width / box.width, (e.clientY - box.top) * draw.height / box.height];
    };
    function stroke(a, b) {
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 20;
      ctx.lineCap = ctx.lineJoin = 'round';
      ctx.beginPath();
      ctx.moveTo(...a);
      ctx.lineTo(...b);
      ctx.stroke();
    }
    draw.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      draw.setPointerCapture(e.pointerId);
      drawing = true;
      lastPt = point(e);
      stroke(lastPt, lastPt);
    });
    draw.addEventListener('pointermove', (e) => {
      if (!drawing) return;
      const p = point(e);
      stroke(lastPt, p);
      lastPt = p;
      if (!pending) { pending = true; requestAnimationFrame(fromCanvas); }
    });
    const end = () => { if (drawing) { drawing = false; fromCanvas(); } };
    draw.addEventListener('pointerup', end);
    draw.addEventListener('pointercancel', end);
    $('clear').addEventListener('click', () => { clear(); pixels = null; source = null; update(); });

    const samples = $('samples');
    model.images.forEach((im, i) => {
      const b = el('button', { type: 'button', class: 'sample', 'aria-label': `test image ${i + 1}: a ${model.classes[im.label]}` });
      const c = el('canvas', { width: 28, height: 28 });
      paint28(c, grey(im.bytes));
      b.append(c);
      b.addEventListener('click', () => pick(i));
      samples.append(b);
    });
    function pick(i) {
      pixels = model.images[i].bytes;
      source = i;
      showOnCanvas(pixels);
      update();
    }

    const bars = $('bars');
    const radios = model.classes.map((name, k) => {
      const input = el('input', { type: 'radio', name: 'label', value: k, id: `label-${k}` });
      const row = el('label', { class: 'bar', for: `label-${k}` });
      const fill = el('span', { class: 'fill' }), pct = el('span', { class: 'pct' });
      const track = el('span', { class: 'track' });
      track.append(fill);
      row.append(input, el('span', { class: 'name' }, name), track, pct);
      bars.append(row);
      input.addEventListener('change', () => { chosen = k; update(); });
      return { input, fill, pct, row };
    });

    const hidden = $('hidden');
    function update() {
      const p = new URLSearchParams();
      p.set('label', chosen === null ? 'auto' : String(chosen));
      if (typeof source === 'number') p.set('img', String(source));
      else if (pixels) p.set('x', encodeBase64Url(pixels));
      writeHash(p);
      hidden.textContent = '';
      if (!pixels) {
        $('prediction').textContent = '–';
        $('chosen').textContent = '–';
        $('loss').textContent = source === 'drawing' ? 'The picture looks blank.' : '';
        [$('seen'), $('heat')].forEach((c) => c.getContext('2d').clearRect(0, 0, 28, 28));
        radios.forEach((r) => { r.fill.style.width = '0'; r.pct.textContent = ''; r.input.checked = false; });
        return;
      }
      paint28($('seen'), grey(pixels));
      const fwd = modelForward(model, toInput(pixels)), probs = fwd.probs.data;
      let pred = 0;
      probs.forEach((q, k) => { if (q > probs[pred]) pred = k; });
      const label = chosen === null ? pred : chosen;
      $('prediction').textContent = model.classes[pred];
      radios.forEach((r, k) => {
        r.fill.style.width = `${(100 * probs[k]).toFixed(1)}%`;
        r.pct.textContent = `${(100 * probs[k]).toFixed(1)}%`;
        r.row.classList.toggle('predicted', k === pred);
        r.input.checked = k === label;
      });
      const chain = [`x (${fwd.x.shape[1]})`];
      model.layers.forEach((l, i) => {
        chain.push(l.name + (l.type === 'affine' ? '' : ` (${fwd.acts[i].shape[1]})`));
        if (l.type === 'affine') return;
        const acts = fwd.acts[i].data, top = Math.max(...acts, 1e-12);
        const strip = el('canvas', { width: acts.length, height: 1, class: 'strip', 'aria-label': `${l.name}: ${acts.filter((a) => a > 0).length} of ${acts.length} units active` });
        const c = strip.getContext('2d'), img = c.createImageData(acts.length, 1);
        acts.forEach((a, j) => { const v = Math.round(255 * Math.max(a, 0) / top); img.data.set([v, v, v, 255], 4 * j); });
        c.putImageData(img, 0, 0);
        hidden.append(el('p', { class: 'small' }, `${l.name}: ${acts.length} hidden units (brighter = larger)`), strip);
      });
      chain.push(`softmax (${probs.length})`);
      hidden.prepend(el('p', { class: 'chain' }, chain.join(' → ')));
      const back = modelBackward(model, fwd, label), dx = back.dx.data;
      const m = Math.max(...Array.from(dx, Math.abs), 1e-30);
      paint28($('heat'), Array.from(dx, (v) => {
        const t = Math.min(Math.abs(v) / m, 1), to = v < 0 ? [33, 102, 172] : [178, 24, 43];
        return to.map((c) => Math.round(255 + (c - 255) * t));
      }));
      $('chosen').textContent = model.classes[label];
      $('loss').textContent = `Loss for label ${model.classes[label]}: ${fmtNumber(back.loss)}.`;
    }

    function load(params) {
      const l = params.get('label'), k = Number(l);
      chosen = l !== null && l !== 'auto' && Number.isInteger(k) && k >= 0 && k < model.classes.length ? k : null;
      const i = Number(params.get('img'));
      if (params.has('img') && Number.isInteger(i) && i >= 0 && i < model.images.length) { pick(i); return; }
      let x = null;
      try { x = params.has('x') ? decodeBase64(params.get('x')) : null; } catch (err) { x = null; }
      if (x && x.length === 784) { pixels = x; source = 'hash'; showOnCanvas(x); update(); return; }
      clear();
      if (model.images.length) pick(0); else update();
    }
    load(hashParams());
  }

  if (typeof document !== 'undefined' && document.getElementById('explore-data')) startPage();
}(typeof window !== 'undefined' ? window : globalThis));
