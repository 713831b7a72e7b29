/* chainrule explore, a saved network's data: its layers with base64 float32 weights (from
 * chainrule.explore.model_payload), run forward and backward by explore_layers.js; and
 * datasets.read_digit ported from the grey levels on (Pillow's Lanczos resampling included),
 * so a drawn digit becomes the same 28x28 bytes as in `chainrule predict`.
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;

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

  const vec = (b64, shape) => ({ shape, data: Float64Array.from(floats(b64)) });
  function prepareModel(model) {
    model.input = model.input || [784];
    model.layers.forEach((l) => {
      if (l.type === 'affine' || l.type === 'conv') {
        l.WT = vec(l.W, l.shape);
        l.bT = vec(l.b, [l.shape[l.type === 'affine' ? 1 : 0]]);
      } else if (l.type === 'batchnorm') {
        l.bn = { gamma: vec(l.gamma, [l.size]), beta: vec(l.beta, [l.size]), mean: vec(l.mean, [l.size]),
          variance: vec(l.var, [l.size]), eps: l.eps };
      }
    });
    model.images.forEach((im) => { im.bytes = decodeBase64(im.pixels); });
    return model;
  }

  // The network input of 784 uint8 pixels, as `chainrule predict` makes it: float32(p) * float32(1/255),
  // shaped (1, 784) or (1, 1, 28, 28).
  const INV255 = Math.fround(1 / 255);
  const toInput = (pixels, shape = [pixels.length]) => ({ shape: [1, ...shape], data: Float64Array.from(pixels, (p) => Math.fround(p * INV255)) });
  // Forward through the layers and back from the loss (explore_layers.js).
  const modelForward = (model, x) => E.networkForward(model, x);
  const modelBackward = (model, fwd, label) => E.networkBackward(model, fwd, label);

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

  Object.assign(E, {
    decodeBase64, encodeBase64Url, prepareModel, toInput, modelForward, modelBackward, prepareDigit,
    resizeLanczos, roundHalfEven, median,
  });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
