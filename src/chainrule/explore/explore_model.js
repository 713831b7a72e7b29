/* chainrule explore, part 3 of 4: the model view. A saved network (base64 float32 weights
 * from chainrule.explore.model_payload) run forward and backward down to the input pixels;
 * datasets.read_digit ported from the grey levels on (Pillow's Lanczos resampling included),
 * so a drawn digit becomes the same 28x28 bytes as in `chainrule predict`; and the page with
 * the canvas, the softmax bars, the hidden activations and the heat map of d loss / d x.
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;
  const {
    scalar, affineForward, affineBackward, softmax, softmaxLossForward, softmaxLossBackward,
    reluForward, reluBackward, sigmoidForward, sigmoidBackward, fmtNumber,
  } = E;
  const { $, el, hashParams, writeHash } = E.page;

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
      else if (l.type === 'relu') h = reluForward(h);
      else h = sigmoidForward(h);
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
      else if (l.type === 'relu') d = reluBackward(input, d);
      else d = sigmoidBackward(fwd.acts[i], d);
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

  Object.assign(E, {
    decodeBase64, encodeBase64Url, prepareModel, toInput, modelForward, modelBackward, prepareDigit,
    resizeLanczos, roundHalfEven, median, modelPage,
  });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
