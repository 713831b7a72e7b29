/* chainrule explore, the model view: draw a digit (or pick a test image), see the 28x28 the network sees,
 * the first layer's filters, every layer's output and the gradient of the loss for the picked label at
 * every layer's output down to the pixels; click a position of a map to see what it was made of
 * (explore_maps.js). Each redraw is timed (performance measures 'explore-update').
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;
  const { fmtNumber, fmtShort, t, prepareModel, toInput, modelForward, modelBackward, prepareDigit, decodeBase64, encodeBase64Url } = E;
  const { mapLayout, pixelOf, positionAt, flatIndex, paintMap, divergingOf, explainConv, explainPool, explainAffine, maxAbs } = E;
  const { $, el, hashParams, writeHash } = E.page;

  const KIND = { // a layer's kind as the page names it
    conv: (l) => t('kind.conv', { fn: l.shape[0], fh: l.shape[2], fw: l.shape[3], stride: l.stride, pad: l.pad }),
    pool: (l) => t('kind.pool', { ph: l.pool[0], pw: l.pool[1], stride: l.stride }),
    relu: () => t('kind.relu'), sigmoid: () => t('kind.sigmoid'),
    affine: (l) => t('kind.affine', { d: l.shape[0], m: l.shape[1] }),
    batchnorm: () => t('kind.batchnorm'), dropout: (l) => t('kind.dropout', { keep: 1 - l.ratio }),
  };
  const shapeText = (s) => (s.length === 3 ? t(s[0] === 1 ? 'model.layer.map' : 'model.layer.maps', { c: s[0], h: s[1], w: s[2] })
    : t('model.layer.units', { n: s.reduce((a, b) => a * b, 1) }));

  function modelPage(model) {
    prepareModel(model);
    $('model-view').hidden = false;
    $('model-title').textContent = model.title;
    if (model.note) { $('model-note').hidden = false; $('model-note').textContent = model.note; }
    const draw = $('draw'), ctx = draw.getContext('2d', { willReadFrequently: true });
    let pixels = null, source = null, chosen = null, drawing = false, lastPt = null, pending = false, at = null, state = null;

    // ---- the canvas, the test images, the softmax bars ----
    const clear = () => { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, draw.width, draw.height); };
    function paint28(canvas, rgb) { // 784 [r, g, b] triples onto a 28x28 canvas
      const c = canvas.getContext('2d'), img = c.createImageData(28, 28);
      rgb.forEach(([r, g, b], i) => { img.data.set([r, g, b, 255], 4 * i); });
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
    function fromCanvas() { // a stroke's redraw: read the canvas, prepare the digit, forward, backward, every map
      const start = root.performance ? performance.now() : 0;
      pending = false;
      const d = ctx.getImageData(0, 0, draw.width, draw.height).data, gray = new Float64Array(draw.width * draw.height);
      for (let i = 0; i < gray.length; i++) gray[i] = ((d[4 * i] * 19595 + d[4 * i + 1] * 38470 + d[4 * i + 2] * 7471 + 0x8000) >> 16) / 255;
      const r = prepareDigit(gray, draw.width, draw.height);
      pixels = r.error ? null : r.pixels;
      source = 'drawing';
      update(start);
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

    model.images.forEach((im, i) => {
      const b = el('button', { type: 'button', class: 'sample', 'aria-label': t('model.sample', { n: i + 1, label: model.classes[im.label] }) });
      const c = el('canvas', { width: 28, height: 28 });
      paint28(c, grey(im.bytes));
      b.append(c);
      b.addEventListener('click', () => pick(i));
      $('samples').append(b);
    });
    function pick(i) {
      pixels = model.images[i].bytes;
      source = i;
      showOnCanvas(pixels);
      update();
    }

    const radios = model.classes.map((name, k) => {
      const input = el('input', { type: 'radio', name: 'label', value: k, id: `label-${k}` });
      const row = el('label', { class: 'bar', for: `label-${k}` });
      const fill = el('span', { class: 'fill' }), pct = el('span', { class: 'pct' }), track = el('span', { class: 'track' });
      track.append(fill);
      row.append(input, el('span', { class: 'name' }, name), track, pct);
      $('bars').append(row);
      input.addEventListener('change', () => { chosen = k; update(); });
      return { input, fill, pct, row };
    });
    const [before, after] = t('model.backward', { label: '\u0000' }).split('\u0000');
    $('heat-title').append(before, el('span', { id: 'chosen' }, '–'), after || '');

    // ---- the first layer's filters (figure 7-24), each scaled from its own smallest to its largest weight ----
    const first = model.layers[0];
    if (first.type === 'conv' && first.shape[1] === 1) {
      const [FN, , FH, FW] = first.shape, lay = mapLayout([FN, FH, FW], 56), canvas = $('filters');
      const scaled = new Float64Array(FN * FH * FW); // each filter from its smallest (-1) to its largest weight (1)
      for (let f = 0; f < FN; f++) {
        const w = first.WT.data.subarray(f * FH * FW, (f + 1) * FH * FW);
        let lo = Infinity, hi = -Infinity;
        for (const v of w) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        w.forEach((v, k) => { scaled[f * FH * FW + k] = 2 * (v - lo) / ((hi - lo) || 1) - 1; });
      }
      paintMap(canvas, lay, scaled, 'forward');
      $('filters-title').textContent = t('model.filters', { n: FN, size: `${FH}×${FW}` });
      $('filters-panel').hidden = false;
    }

    // ---- every layer: its output and its gradient, as maps or cells ----
    const rows = [{ name: 'x', kind: t('kind.input'), shape: model.input.length === 1 ? [28, 28] : model.input.slice(1) }];
    let shape = model.input.length === 1 ? [1, 28, 28] : model.input;
    const outShapes = [];
    model.layers.forEach((l) => {
      shape = l.type === 'conv' ? [l.shape[0], ...E.outSize(shape[1], shape[2], l.shape[2], l.shape[3], l.stride, l.pad)]
        : l.type === 'pool' ? [shape[0], ...E.outSize(shape[1], shape[2], l.pool[0], l.pool[1], l.stride, l.pad)]
          : l.type === 'affine' ? [l.shape[1]] : shape;
      outShapes.push(shape);
      rows.push({ name: l.name, kind: KIND[l.type] ? KIND[l.type](l) : l.type, shape });
    });
    rows[0].shape = [1, 28, 28];
    rows.forEach((r, i) => {
      r.lay = mapLayout(r.shape);
      const fig = el('figure', { class: 'layer', 'data-layer': i - 1 });
      fig.append(el('figcaption', {}, t('model.layer.title', { name: i === 0 ? t('model.layer.input') : r.name, kind: r.kind, shape: shapeText(r.shape) })));
      const pair = el('div', { class: 'pair' });
      r.boxes = ['forward', 'backward'].map((kind) => {
        const side = el('div', { class: 'side ' + kind }), box = el('div', { class: 'mapbox' });
        const canvas = el('canvas', { class: 'map', 'data-kind': kind, 'aria-label': `${r.name}: ${t(kind === 'forward' ? 'model.col.forward' : 'model.col.backward')}` });
        canvas.addEventListener('click', (e) => {
          const b = canvas.getBoundingClientRect();
          const pos = positionAt(r.lay, Math.floor((e.clientX - b.left) / b.width * r.lay.width), Math.floor((e.clientY - b.top) / b.height * r.lay.height));
          if (pos) { at = { layer: i - 1, ...pos }; showPosition(); writeState(); }
        });
        box.append(canvas);
        const scale = el('span', { class: 'scale small' });
        side.append(el('span', { class: 'small head' }, t(kind === 'forward' ? 'model.col.forward' : 'model.col.backward')), box, scale);
        pair.append(side);
        return { canvas, box, scale };
      });
      fig.append(pair);
      r.figure = fig;
      $('layers').append(fig);
    });

    function paintRows(fwd, back) {
      rows.forEach((r, i) => {
        const values = i === 0 ? fwd.x.data : fwd.acts[i - 1].data, grads = i === 0 ? back.dx.data : back.grads[i - 1].data;
        [values, grads].forEach((data, s) => {
          const m = paintMap(r.boxes[s].canvas, r.lay, data, s === 0 ? 'forward' : 'backward');
          r.boxes[s].scale.textContent = t('model.scale', { max: fmtShort(m) });
        });
      });
    }

    // ---- a clicked position: outlines on the maps, and what it was made of ----
    function outline(box, lay, x, y, w, h, cls) {
      const o = el('div', { class: 'outline ' + cls });
      Object.assign(o.style, { left: `${100 * x / lay.width}%`, top: `${100 * y / lay.height}%`, width: `${100 * w / lay.width}%`, height: `${100 * h / lay.height}%` });
      box.append(o);
    }
    const clearOutlines = () => document.querySelectorAll('#layers .outline').forEach((o) => o.remove());
    function numbers(data, rowsN, cols, cls = '') { // a small table of numbers
      const table = el('table', { class: 'numbers ' + cls });
      for (let i = 0; i < rowsN; i++) {
        const tr = el('tr');
        for (let j = 0; j < cols; j++) tr.append(el('td', {}, fmtShort(data[i * cols + j])));
        table.append(tr);
      }
      return table;
    }
    function tiles(data, C, FH, FW, kind, caption) { // C channels of FH x FW as an image (and its numbers when few)
      const fig = el('figure', { class: 'tiles' }), lay = mapLayout([C, FH, FW], C === 1 ? 40 : 36), canvas = el('canvas', { class: 'map' });
      paintMap(canvas, lay, data, kind);
      fig.append(el('figcaption', { class: 'small' }, caption), canvas);
      if (C * FH * FW <= 50) for (let c = 0; c < C; c++) fig.append(numbers(data.subarray(c * FH * FW, (c + 1) * FH * FW), FH, FW, kind));
      return fig;
    }

    function showPosition() {
      clearOutlines();
      const panel = $('position');
      panel.textContent = '';
      if (!at || !state || at.layer < -1 || at.layer >= model.layers.length) { panel.hidden = true; return; }
      const r = rows[at.layer + 1];
      if ((r.lay.kind === 'maps') !== ('c' in at) || positionAt(r.lay, ...pixelOf(r.lay, at)) === null) { at = null; panel.hidden = true; return; }
      panel.hidden = false;
      r.figure.after(panel);
      const { fwd, back } = state, i = at.layer, k = flatIndex(r.lay, at);
      const out = i < 0 ? fwd.x : fwd.acts[i], grad = i < 0 ? back.dx : back.grads[i];
      const input = i <= 0 ? fwd.x : fwd.acts[i - 1], below = i <= 0 ? t('model.layer.input') : rows[i].name;
      const head = el('div', { class: 'pos-head' });
      head.append(el('strong', {}, 'c' in at ? t('pos.title', { name: r.name, c: at.c, y: at.y, x: at.x }) : t('pos.title.unit', { name: r.name, j: at.j })));
      const close = el('button', { type: 'button', class: 'close' }, t('pos.close'));
      close.addEventListener('click', () => { at = null; showPosition(); writeState(); });
      head.append(close);
      panel.append(head, el('p', { class: 'pos-value' }, t('pos.value', { v: fmtNumber(out.data[k]), g: fmtNumber(grad.data[k]) })));
      r.boxes.forEach((b) => { const [px, py] = pixelOf(r.lay, at); outline(b.box, r.lay, px, py, 1, 1, 'here'); });
      const l = i >= 0 ? model.layers[i] : null, lower = rows[i < 0 ? 0 : i];
      const field = (y0, x0, h, w, channels) => lower.boxes.forEach((b) => channels.forEach((c) => {
        const y1 = Math.max(y0, 0), x1 = Math.max(x0, 0), y2 = Math.min(y0 + h, lower.lay.H), x2 = Math.min(x0 + w, lower.lay.W);
        const [px, py] = pixelOf(lower.lay, { c, y: y1, x: x1 }), s = lower.lay.s;
        if (y2 > y1 && x2 > x1) outline(b.box, lower.lay, px, py, (x2 - x1) * s, (y2 - y1) * s, 'field');
      }));
      if (l && l.type === 'conv') {
        const e = explainConv(l, input, out, grad, at);
        field(e.y0, e.x0, e.FH, e.FW, [...Array(e.C).keys()]);
        panel.append(el('p', {}, t('pos.conv.field', { below, c: e.C, fh: e.FH, fw: e.FW, y0: e.y0, y1: e.y0 + e.FH - 1, x0: e.x0, x1: e.x0 + e.FW - 1 })));
        const row1 = el('div', { class: 'tile-row' });
        row1.append(tiles(e.window, e.C, e.FH, e.FW, 'forward', t('legend.window')), tiles(e.kernel, e.C, e.FH, e.FW, 'forward', t('pos.conv.kernel', { f: at.c })),
          tiles(e.products, e.C, e.FH, e.FW, 'forward', t('pos.conv.products')));
        panel.append(row1);
        if (e.C > 1) {
          const list = el('ul', { class: 'channel-sums small', 'aria-label': t('pos.conv.channels') });
          e.channelSums.forEach((s, c) => list.append(el('li', {}, `${t('pos.conv.channel', { c })}: ${fmtShort(s)}`)));
          panel.append(el('p', { class: 'small' }, t('pos.conv.channels')), list);
        }
        panel.append(el('p', { class: 'sum' }, t('pos.conv.sum', { n: e.window.length, s: fmtNumber(e.sum), b: fmtNumber(e.bias), v: fmtNumber(e.sum + e.bias) })));
        const row2 = el('div', { class: 'tile-row' });
        row2.append(tiles(e.dW, e.C, e.FH, e.FW, 'backward', t('pos.conv.dw', { g: fmtNumber(e.g) })),
          tiles(e.dx, e.C, e.FH, e.FW, 'backward', t('pos.conv.dx', { g: fmtNumber(e.g) })));
        panel.append(row2);
        state.explained = e;
      } else if (l && l.type === 'pool') {
        const e = explainPool(l, input, out, grad, at);
        field(e.y0, e.x0, e.ph, e.pw, [at.c]);
        if (e.maxY >= 0 && e.maxX >= 0 && e.maxY < lower.lay.H && e.maxX < lower.lay.W) {
          lower.boxes.forEach((b) => { const [px, py] = pixelOf(lower.lay, { c: at.c, y: e.maxY, x: e.maxX }); outline(b.box, lower.lay, px, py, lower.lay.s, lower.lay.s, 'max'); });
        }
        panel.append(el('p', {}, t('pos.pool.field', { below, c: at.c, y0: e.y0, y1: e.y0 + e.ph - 1, x0: e.x0, x1: e.x0 + e.pw - 1 })),
          numbers(e.window, e.ph, e.pw, 'forward pool'), el('p', {}, t('pos.pool.max', { v: fmtNumber(e.value), y: e.maxY, x: e.maxX })),
          el('p', {}, t('pos.pool.back', { g: fmtNumber(e.g), n: e.ph * e.pw - 1 })));
        state.explained = e;
      } else if (l && l.type === 'affine') {
        const e = explainAffine(l, input, out, at), list = el('ul', { class: 'small' });
        e.terms.forEach((term) => list.append(el('li', {}, t('pos.affine.term', { k: term.k, x: fmtShort(term.x), j: at.j, w: fmtShort(term.w), p: fmtShort(term.p) }))));
        panel.append(el('p', {}, t('pos.affine', { n: e.D, j: at.j, b: fmtShort(e.bias) })), list);
        state.explained = e;
      } else if (l) {
        const x = input.data[k], dx = (i === 0 ? back.dx : back.grads[i - 1]).data[k];
        if ('c' in at) field(at.y, at.x, 1, 1, [at.c]);
        panel.append(el('p', {}, l.type === 'relu'
          ? t('pos.relu', { x: fmtNumber(x), v: fmtNumber(out.data[k]), g: fmtNumber(grad.data[k]), passes: t(x > 0 ? 'pos.relu.passes' : 'pos.relu.blocked') })
          : t('pos.elementwise', { kind: KIND[l.type](l), x: fmtNumber(x), v: fmtNumber(out.data[k]), dx: fmtNumber(dx) })));
        state.explained = { x, dx };
      }
    }

    // ---- one redraw: forward, backward, every map ----
    const hidden = $('hidden');
    function update(start = root.performance ? performance.now() : 0) {
      writeState();
      if (!pixels) {
        state = null;
        hidden.textContent = '';
        $('prediction').textContent = '–';
        $('chosen').textContent = '–';
        $('loss').textContent = source === 'drawing' ? t('model.blank') : '';
        [$('seen'), $('heat')].forEach((c) => c.getContext('2d').clearRect(0, 0, 28, 28));
        document.querySelectorAll('#layers canvas').forEach((c) => c.getContext('2d').clearRect(0, 0, c.width, c.height));
        radios.forEach((r) => { r.fill.style.width = '0'; r.pct.textContent = ''; r.input.checked = false; });
        showPosition();
        return;
      }
      paint28($('seen'), grey(pixels));
      const fwd = modelForward(model, toInput(pixels, model.input)), probs = fwd.probs.data;
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
      const back = modelBackward(model, fwd, label), dx = back.dx.data, m = maxAbs(dx) || 1e-30;
      state = { fwd, back, label, pred, model };
      E.last = state; // what the page shows, for the curious (and the tests)
      const chain = [`x (${model.input.join('×')})`, ...model.layers.map((l, i) => `${l.name} (${outShapes[i].join('×')})`), `softmax (${probs.length})`];
      hidden.textContent = '';
      hidden.append(el('p', { class: 'chain' }, chain.join(' → ')));
      paint28($('heat'), Array.from(dx, (v) => divergingOf(v, m)));
      $('chosen').textContent = model.classes[label];
      $('loss').textContent = t('model.loss', { label: model.classes[label], loss: fmtNumber(back.loss) });
      paintRows(fwd, back);
      showPosition();
      if (root.performance && performance.measure) performance.measure('explore-update', { start, end: performance.now() });
    }

    function writeState() {
      const p = new URLSearchParams();
      p.set('label', chosen === null ? 'auto' : String(chosen));
      if (typeof source === 'number') p.set('img', String(source));
      else if (pixels) p.set('x', encodeBase64Url(pixels));
      if (at) p.set('at', [at.layer, ...('c' in at ? [at.c, at.y, at.x] : [at.j])].join(','));
      writeHash(p);
    }

    function load(params) {
      const l = params.get('label'), k = Number(l);
      chosen = l !== null && l !== 'auto' && Number.isInteger(k) && k >= 0 && k < model.classes.length ? k : null;
      const a = (params.get('at') || '').split(',').map(Number);
      at = a.length === 4 && a.every(Number.isInteger) ? { layer: a[0], c: a[1], y: a[2], x: a[3] }
        : a.length === 2 && a.every(Number.isInteger) ? { layer: a[0], j: a[1] } : null;
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

  Object.assign(E, { modelPage });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
