/* chainrule explore, chapter 6: the optimizers' paths on f(x, y) = x²/20 + y² (figures 6-3 to 6-8), a port of
 * chainrule/optimizers.py on the book's two scalar parameters, operation for operation; and the activation
 * histograms of figures 6-10 to 6-14 (ch06/weight_init_activation_histogram.py): five layers of 100 units,
 * weights drawn with a chosen standard deviation, sigmoid, tanh or ReLU, 30 bins as np.histogram counts them.
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;
  const { fmtNumber, fmtShort, sigmoid, t } = E;
  const { $, el, writeHash, stepper } = E.page;

  // ---- the optimizers (chainrule/optimizers.py), one update of params {x, y} with grads {x, y} ----
  // Each: {name, lr (the book's figure), make(lr) -> update(params, grads)}; state kept per key as chainrule does.
  const OPTIMIZERS = {
    sgd: { name: 'SGD', lr: 0.95, make: (lr) => (p, g) => { for (const k in p) p[k] -= g[k] * lr; } },
    momentum: { name: 'Momentum', lr: 0.1, make: (lr, momentum = 0.9) => {
      const v = { x: 0, y: 0 };
      return (p, g) => { for (const k in p) { v[k] *= momentum; v[k] -= lr * g[k]; p[k] += v[k]; } };
    } },
    nesterov: { name: 'Nesterov', lr: 0.1, make: (lr, m = 0.9) => {
      const v = { x: 0, y: 0 };
      return (p, g) => { for (const k in p) { p[k] += m * m * v[k]; p[k] -= (1 + m) * lr * g[k]; v[k] *= m; v[k] -= lr * g[k]; } };
    } },
    adagrad: { name: 'AdaGrad', lr: 1.5, make: (lr, eps = 1e-7) => {
      const h = { x: 0, y: 0 };
      return (p, g) => { for (const k in p) { h[k] += g[k] * g[k]; p[k] -= lr * g[k] / (Math.sqrt(h[k]) + eps); } };
    } },
    rmsprop: { name: 'RMSprop', lr: 0.1, make: (lr, decay = 0.99, eps = 1e-7) => {
      const h = { x: 0, y: 0 };
      return (p, g) => { for (const k in p) { h[k] *= decay; h[k] += (1 - decay) * g[k] * g[k]; p[k] -= lr * g[k] / (Math.sqrt(h[k]) + eps); } };
    } },
    adam: { name: 'Adam', lr: 0.3, make: (lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-7) => {
      const m = { x: 0, y: 0 }, v = { x: 0, y: 0 };
      let iter = 0;
      return (p, g) => {
        iter += 1;
        const lrT = lr * Math.sqrt(1.0 - beta2 ** iter) / (1.0 - beta1 ** iter);
        for (const k in p) {
          m[k] += (1 - beta1) * (g[k] - m[k]);
          v[k] += (1 - beta2) * (g[k] * g[k] - v[k]);
          p[k] -= lrT * m[k] / (Math.sqrt(v[k]) + eps);
        }
      };
    } },
  };
  const f = (x, y) => x ** 2 / 20.0 + y ** 2;
  const df = (x, y) => ({ x: x / 10.0, y: 2.0 * y }); // the book's df

  // The path of `name` with learning rate lr from (x0, y0): steps + 1 points [x, y], the start first.
  function optimizerPath(name, lr, x0, y0, steps) {
    const update = OPTIMIZERS[name].make(lr), params = { x: x0, y: y0 }, path = [[x0, y0]];
    for (let i = 0; i < steps; i++) {
      update(params, df(params.x, params.y));
      path.push([params.x, params.y]);
    }
    return path;
  }

  // ---- the activation histograms ----
  // Standard normal numbers from a seed: mulberry32 and the Box-Muller transform.
  function normals(count, seed) {
    let a = seed >>> 0;
    const uniform = () => {
      a = (a + 0x6D2B79F5) >>> 0;
      let z = a;
      z = Math.imul(z ^ (z >>> 15), z | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
    };
    const out = new Float64Array(count);
    for (let i = 0; i < count; i += 2) {
      const u = 1 - uniform(), r = Math.sqrt(-2 * Math.log(u)), th = 2 * Math.PI * uniform();
      out[i] = r * Math.cos(th);
      if (i + 1 < count) out[i + 1] = r * Math.sin(th);
    }
    return out;
  }
  const ACTIVATIONS = { sigmoid, tanh: Math.tanh, relu: (v) => Math.max(0, v) };
  // The weights of the book's script from standard normal draws w: w * 1, w * 0.01, w / sqrt(n), w / sqrt(n / 2).
  const STDS = { 1: (w) => w * 1, 0.01: (w) => w * 0.01, xavier: (w, n) => w / Math.sqrt(n), he: (w, n) => w / Math.sqrt(n / 2.0) };
  const RANGES = { sigmoid: [0, 1], tanh: [-1, 1], relu: [0, 1] };

  // x: {shape: [N, n], data}, draws: one Float64Array of n*n standard normal numbers per layer. Returns each
  // layer's activations z = act(x @ w) as Float64Array (N * n), as the book's script computes them.
  function initActivations(x, draws, activation, std) {
    const [N, n] = x.shape, act = ACTIVATIONS[activation], scale = STDS[std], layers = [];
    let h = x.data;
    for (const d of draws) {
      const w = d.map((v) => scale(v, n)), z = new Float64Array(N * n);
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += h[i * n + k] * w[k * n + j];
          z[i * n + j] = act(s);
        }
      }
      layers.push(z);
      h = z;
    }
    return layers;
  }

  // np.histogram(values, bins, range=(lo, hi)): equal bins from np.linspace, values outside not counted.
  function histogram(values, bins, lo, hi) {
    const edges = Float64Array.from({ length: bins + 1 }, (_, i) => i * ((hi - lo) / bins) + lo), counts = new Int32Array(bins);
    edges[bins] = hi;
    const norm = bins / (hi - lo);
    for (const v of values) {
      if (!(v >= lo && v <= hi)) continue;
      let i = Math.floor((v - lo) * norm);
      if (i === bins) i -= 1;
      if (v < edges[i]) i -= 1;
      else if (i !== bins - 1 && v >= edges[i + 1]) i += 1;
      counts[i] += 1;
    }
    return counts;
  }

  // ---- the optimizers' view ----
  const COLOURS = { sgd: '#d62728', momentum: '#1f77b4', nesterov: '#17becf', adagrad: '#2ca02c', rmsprop: '#9467bd', adam: '#ff7f0e' };
  const BOOK = ['sgd', 'momentum', 'adagrad', 'adam'];
  const START = [-7.0, 2.0], STEPS = 30, X = [-10, 10], Y = [-5, 5];

  function optimizerView() {
    let used = BOOK.slice(), lrs = {}, start = START.slice(), step = STEPS, paths = {};
    const steps = stepper($('opt-controls'), { prefix: 'opt-', last: () => STEPS, get: () => step, go: (s) => { step = s; render(); }, shown: () => !$('optimizer-view').hidden, interval: 300 });
    const boxes = {}, rates = {};
    for (const [key, o] of Object.entries(OPTIMIZERS)) {
      const row = el('span', { class: 'field opt' }), box = el('input', { type: 'checkbox', id: `opt-use-${key}` });
      const lr = el('input', { type: 'number', step: 'any', min: '0', inputmode: 'decimal', id: `opt-lr-${key}`, 'aria-label': `${o.name}: ${t('opt.lr')}` });
      box.addEventListener('change', () => { used = Object.keys(OPTIMIZERS).filter((k) => boxes[k].checked); compute(); render(); });
      lr.addEventListener('input', () => {
        const v = Number(lr.value), ok = lr.value.trim() !== '' && Number.isFinite(v) && v > 0;
        lr.setAttribute('aria-invalid', String(!ok));
        if (!ok) return;
        if (v === o.lr) delete lrs[key]; else lrs[key] = v;
        compute();
        render();
      });
      const swatch = el('span', { class: 'line-swatch', style: `background:${COLOURS[key]}` });
      row.append(box, el('label', { for: `opt-use-${key}` }, swatch, ` ${o.name}`), el('span', { class: 'small', title: t('opt.lr') }, 'lr'), lr);
      $('opt-pick').append(row);
      boxes[key] = box;
      rates[key] = lr;
    }
    ['opt-x0', 'opt-y0'].forEach((id, i) => $(id).addEventListener('input', () => {
      const v = Number($(id).value), ok = $(id).value.trim() !== '' && Number.isFinite(v) && Math.abs(v) <= 1e6;
      $(id).setAttribute('aria-invalid', String(!ok));
      if (!ok) return;
      start[i] = v;
      compute();
      render();
    }));

    function compute() {
      paths = {};
      for (const key of used) paths[key] = optimizerPath(key, lrs[key] || OPTIMIZERS[key].lr, start[0], start[1], STEPS);
    }

    function load(params) {
      steps.stop();
      const use = params.get('use');
      used = use === null ? BOOK.slice() : use.split(',').filter((k) => k in OPTIMIZERS);
      lrs = {};
      for (const key of Object.keys(OPTIMIZERS)) {
        const v = Number(params.get(`lr.${key}`));
        if (params.has(`lr.${key}`) && Number.isFinite(v) && v > 0) lrs[key] = v;
        boxes[key].checked = used.includes(key);
        rates[key].value = String(lrs[key] || OPTIMIZERS[key].lr);
      }
      start = ['x0', 'y0'].map((k, i) => { const v = Number(params.get(k)); return params.has(k) && Number.isFinite(v) && Math.abs(v) <= 1e6 ? v : START[i]; });
      $('opt-x0').value = String(start[0]);
      $('opt-y0').value = String(start[1]);
      const s = Number(params.get('step'));
      step = params.has('step') && Number.isInteger(s) ? Math.min(Math.max(s, 0), STEPS) : STEPS;
      compute();
      render();
    }

    function render() {
      const svg = $('opt-plot'), W = 640, H = 340, P = 36, sx = (W - 2 * P) / (X[1] - X[0]), sy = (H - 2 * P) / (Y[1] - Y[0]);
      const px = (x) => P + (x - X[0]) * sx, py = (y) => H - P - (y - Y[0]) * sy;
      svg.textContent = '';
      svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
      const clip = el('clipPath', { id: 'opt-clip' });
      clip.append(el('rect', { x: P, y: P, width: W - 2 * P, height: H - 2 * P }));
      const defs = el('defs');
      defs.append(clip);
      svg.append(defs, el('rect', { x: P, y: P, width: W - 2 * P, height: H - 2 * P, class: 'frame' }));
      const plot = el('g', { 'clip-path': 'url(#opt-clip)' });
      for (const c of [0.25, 0.5, 1, 2, 3, 4, 5, 6, 7]) { // contour lines x²/20 + y² = c: ellipses
        plot.append(el('ellipse', { cx: px(0), cy: py(0), rx: Math.sqrt(20 * c) * sx, ry: Math.sqrt(c) * sy, class: 'contour' }));
      }
      plot.append(el('path', { d: `M${px(0) - 6},${py(0)} h12 M${px(0)},${py(0) - 6} v12`, class: 'minimum' }));
      for (const key of used) {
        const pts = paths[key].slice(0, step + 1), g = el('g', { class: 'opt-path', 'data-optimizer': key, stroke: COLOURS[key], fill: COLOURS[key] });
        g.append(el('path', { d: pts.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x).toFixed(2)},${py(y).toFixed(2)}`).join(' '), fill: 'none' }));
        pts.forEach(([x, y]) => g.append(el('circle', { cx: px(x), cy: py(y), r: 2.6 })));
        plot.append(g);
      }
      svg.append(plot);
      for (const x of [-10, -5, 0, 5, 10]) svg.append(el('text', { x: px(x), y: H - P + 16, class: 'tick' }, String(x)));
      for (const y of [-5, 0, 5]) svg.append(el('text', { x: P - 8, y: py(y) + 4, class: 'tick y' }, String(y)));
      svg.append(el('text', { x: W - P, y: H - 6, class: 'tick' }, 'x'), el('text', { x: P - 24, y: P - 10, class: 'tick' }, 'y'));
      const body = $('opt-table').tBodies[0];
      body.textContent = '';
      $('opt-caption').textContent = t('opt.table', { step });
      for (const key of used) {
        const [x, y] = paths[key][step], row = el('tr', { 'data-optimizer': key });
        const cell = (v) => { const td = el('td', {}, fmtNumber(v)); td.dataset.value = String(v); return td; };
        row.append(el('th', { scope: 'row' }, el('span', { class: 'line-swatch', style: `background:${COLOURS[key]}` }), ` ${OPTIMIZERS[key].name}`), cell(x), cell(y), cell(f(x, y)));
        body.append(row);
      }
      steps.update();
      const p = new URLSearchParams({ view: 'optimizers' });
      if (used.join(',') !== BOOK.join(',')) p.set('use', used.join(','));
      for (const [k, v] of Object.entries(lrs)) p.set(`lr.${k}`, String(v));
      if (start[0] !== START[0]) p.set('x0', String(start[0]));
      if (start[1] !== START[1]) p.set('y0', String(start[1]));
      p.set('step', String(step));
      writeHash(p);
    }
    return { load, stop: () => steps.stop() };
  }

  // ---- the activation histograms' view ----
  function initView() {
    const N = 1000, n = 100, L = 5, BINS = 30;
    let activation = 'sigmoid', std = '1', seed = 1;
    const radios = (box, name, values, label) => values.map((v) => {
      const id = `init-${name}-${String(v).replace('.', '')}`, input = el('input', { type: 'radio', name: `init-${name}`, id, value: v });
      input.addEventListener('change', () => { if (name === 'act') activation = v; else std = v; render(); });
      const span = el('span', { class: 'field' });
      span.append(input, el('label', { for: id }, label(v)));
      $(box).append(span);
      return input;
    });
    const ACT = { sigmoid: 'kind.sigmoid', tanh: 'kind.tanh', relu: 'kind.relu' };
    const STD = { 1: 'init.std.1', 0.01: 'init.std.001', xavier: 'init.std.xavier', he: 'init.std.he' };
    const acts = radios('init-activation', 'act', Object.keys(ACT), (v) => t(ACT[v]));
    const stds = radios('init-std', 'std', ['1', '0.01', 'xavier', 'he'], (v) => t(STD[v]));
    $('init-redraw').addEventListener('click', () => { seed += 1; render(); });

    function render() {
      acts.forEach((r) => { r.checked = r.value === activation; });
      stds.forEach((r) => { r.checked = r.value === std; });
      const z = normals(N * n, seed), draws = [...Array(L).keys()].map((k) => normals(n * n, seed * 1000 + k + 1));
      const layers = initActivations({ shape: [N, n], data: z }, draws, activation, std), [lo, hi] = RANGES[activation];
      const box = $('init-hists');
      box.textContent = '';
      const counts = layers.map((a) => histogram(a, BINS, lo, hi)), top = Math.max(...counts.map((c) => Math.max(...c)), 1);
      layers.forEach((a, i) => {
        let s = 0, s2 = 0;
        for (const v of a) { s += v; s2 += v * v; }
        const mean = s / a.length, sd = Math.sqrt(Math.max(s2 / a.length - mean * mean, 0)), W = 180, H = 120;
        const svg = el('svg', { viewBox: `0 0 ${W} ${H + 18}`, class: 'hist', role: 'img', 'data-counts': Array.from(counts[i]).join(',') });
        counts[i].forEach((c, b) => svg.append(el('rect', { x: b * W / BINS, y: H - H * c / top, width: W / BINS - 0.5, height: H * c / top })));
        svg.append(el('text', { x: 0, y: H + 14, class: 'tick start' }, String(lo)), el('text', { x: W, y: H + 14, class: 'tick end' }, String(hi)));
        const fig = el('figure', { class: 'hist-fig' });
        fig.append(el('figcaption', {}, t('init.layer', { n: i + 1 })), svg, el('p', { class: 'small' }, t('init.stats', { mean: fmtShort(mean), std: fmtShort(sd) })));
        svg.setAttribute('aria-label', `${t('init.layer', { n: i + 1 })}: ${t('init.stats', { mean: fmtShort(mean), std: fmtShort(sd) })}`);
        box.append(fig);
      });
      const p = new URLSearchParams({ view: 'weight-init', act: activation, std });
      if (seed !== 1) p.set('seed', String(seed));
      writeHash(p);
    }
    function load(params) {
      activation = ['sigmoid', 'tanh', 'relu'].includes(params.get('act')) ? params.get('act') : 'sigmoid';
      std = ['1', '0.01', 'xavier', 'he'].includes(params.get('std')) ? params.get('std') : '1';
      const s = Number(params.get('seed'));
      seed = params.has('seed') && Number.isInteger(s) && s > 0 ? s : 1;
      render();
    }
    return { load, stop: () => {} };
  }

  Object.assign(E, { OPTIMIZERS, optimizerPath, normals, initActivations, histogram, optimizerView, initView });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
