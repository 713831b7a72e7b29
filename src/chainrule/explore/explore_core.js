/* chainrule explore, part 1 of 4 (explore.py inlines explore_core, explore_graph, explore_model, explore):
 * what both views share. Tensors and the layers' math, a port of chainrule's layers
 * (chainrule/layers.py and functions.py), operation for operation, so the page's numbers
 * equal chainrule's; the number format of the book's figures; and the few page helpers
 * (elements, the address bar). Plain JavaScript, no build step; it runs in Node too, where
 * the tests check it. It opens the namespace the other parts add to: window.ChainruleExplore.
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

  // functions.py unbroadcast: sum the gradient over the axes that broadcasting copied along.
  function unbroadcast(g, shape) {
    if (sameShape(g.shape, shape)) return g;
    const map = indexMap(shape, g.shape), out = new Float64Array(size(shape));
    for (let k = 0; k < g.data.length; k++) out[map[k]] += g.data[k];
    return { shape: shape.slice(), data: out };
  }

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

  // Relu and Sigmoid (layers.py): forward, and backward from what forward cached.
  const reluForward = (x) => map1(x, (v) => (v <= 0 ? 0 : v));
  const reluBackward = (x, d) => binary(d, x, (g, v) => (v <= 0 ? 0 : g));
  const sigmoidForward = (x) => map1(x, sigmoid);
  const sigmoidBackward = (out, d) => binary(binary(d, map1(out, (v) => 1 - v), mul), out, mul);

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
  const fmtT = (t) => (t.shape.length ? fmtShape(t.shape) : fmtNumber(t.data[0]));

  // Small arrays by their numbers (3 significant digits), as NumPy prints them: one line per row.
  // At most SMALL numbers, in at most 6 rows; a larger array is shown by its shape.
  const SMALL = 12;
  function fmtShort(x) {
    if (x === 0) return '0'; // -0 too: a product with a zero is nothing
    if (!Number.isFinite(x)) return fmtNumber(x);
    const a = Math.abs(x);
    return a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(3))) : x.toExponential(2).replace(/\.?0+e/, 'e');
  }
  function fmtLines(t, f = fmtShort) {
    if (!t.shape.length) return [fmtNumber(t.data[0])];
    if (t.data.length > SMALL || t.shape.length > 2 || (t.shape.length === 2 && t.shape[0] > 6) || !t.data.length) return [fmtShape(t.shape)];
    const row = (a) => '[' + Array.from(a, f).join(', ') + ']';
    if (t.shape.length === 1) return [row(t.data)];
    const cols = t.shape[1], lines = [];
    for (let i = 0; i < t.shape[0]; i++) {
      const r = row(t.data.subarray(i * cols, (i + 1) * cols));
      lines.push((i === 0 ? '[' : ' ') + r + (i === t.shape[0] - 1 ? ']' : ','));
    }
    return lines;
  }
  const fmtInline = (t) => fmtLines(t).map((s) => s.trim()).join(' ');

  // ---- the page's elements and address bar (browser only) ----
  const $ = (id) => document.getElementById(id);
  const SVG = ['svg', 'g', 'line', 'text', 'circle', 'ellipse', 'rect', 'path', 'marker', 'defs', 'title', 'clipPath'];
  // An element with attributes and children (strings become text).
  function el(tag, attrs = {}, ...children) {
    const e = SVG.includes(tag) ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, v);
    for (const c of children) if (c !== undefined && c !== null) e.append(c);
    return e;
  }
  const hashParams = () => new URLSearchParams(location.hash.slice(1));
  function writeHash(params) {
    const h = '#' + params.toString().replace(/%2C/g, ','); // commas separate numbers, readably
    if (location.hash === h) return;
    try { history.replaceState(null, '', h); } catch (err) { location.hash = h; }
  }
  const typing = (e) => ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName) && !['radio', 'checkbox'].includes(e.target.type);

  // The step buttons of a view (ids prefix + reset, back, play, forward, end, step-count) in `box`, and the
  // keys: → ←, Space, Home, End while the view is shown. get() the step, go(s) shows step s (0..last()).
  function stepper(box, { prefix = '', last, get, go, shown, interval = 800 }) {
    const t = E.t, id = (k) => prefix + k, buttons = {};
    box.classList.add('controls');
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', t('step.group'));
    const keys = { // button: [its key, its text, its title]
      reset: ['Home', 'step.reset', 'step.reset.title'], back: ['ArrowLeft', 'step.back', 'step.back.title'],
      play: ['Space', 'step.play', 'step.play.title'], forward: ['ArrowRight', 'step.forward', 'step.forward.title'],
      end: ['End', 'step.end', 'step.end.title'],
    };
    for (const [k, [key, text, title]] of Object.entries(keys)) {
      buttons[k] = el('button', { type: 'button', id: id(k), 'aria-keyshortcuts': key, title: t(title) }, t(text));
      box.append(buttons[k]);
    }
    const count = el('span', { id: id('step-count'), class: 'step-count', 'aria-live': 'polite' });
    box.append(count);
    let timer = null;
    function stop() {
      if (timer) clearInterval(timer);
      timer = null;
      buttons.play.textContent = t('step.play');
      buttons.play.setAttribute('aria-pressed', 'false');
    }
    const to = (s) => go(Math.min(Math.max(s, 0), last()));
    function play() {
      if (timer) { stop(); return; }
      if (get() >= last()) to(0);
      buttons.play.textContent = t('step.pause');
      buttons.play.setAttribute('aria-pressed', 'true');
      timer = setInterval(() => { if (get() >= last()) stop(); else to(get() + 1); }, interval);
    }
    const moves = { reset: () => to(0), back: () => to(get() - 1), forward: () => to(get() + 1), end: () => to(last()) };
    for (const [k, f] of Object.entries(moves)) buttons[k].addEventListener('click', () => { stop(); f(); });
    buttons.play.addEventListener('click', play);
    document.addEventListener('keydown', (e) => {
      if (!shown() || typing(e) || e.altKey || e.ctrlKey || e.metaKey) return;
      const k = { ArrowRight: 'forward', ArrowLeft: 'back', Home: 'reset', End: 'end' }[e.key];
      if (k) { stop(); moves[k](); e.preventDefault(); } else if (e.key === ' ' && e.target.tagName !== 'BUTTON') { play(); e.preventDefault(); }
    });
    function update() { // after every change of step
      count.textContent = t('step.count', { step: get(), last: last() });
      buttons.back.disabled = buttons.reset.disabled = get() === 0;
      buttons.forward.disabled = buttons.end.disabled = get() >= last();
    }
    return { stop, update };
  }

  const E = {
    tensor, scalar, size, sameShape, fmtShape, broadcastShape, indexMap, binary, map1, mul, unbroadcast, sigmoid,
    rowsOf, affineForward, affineBackward, softmax, softmaxLossForward, softmaxLossBackward,
    reluForward, reluBackward, sigmoidForward, sigmoidBackward, fmtNumber, fmtT, fmtShort, fmtLines, fmtInline,
    page: { $, el, hashParams, writeHash, typing, stepper },
  };
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
  root.ChainruleExplore = E;
}(typeof window !== 'undefined' ? window : globalThis));
