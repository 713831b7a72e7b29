// The layers of chapters 6-8 in the page (src/chainrule/explore/explore_layers.js) against chainrule's own
// numbers: Convolution, Pooling, BatchNormalization and Dropout (and the networks they make) on 50 MNIST
// images. The fixtures are written by Python (tests/explore/test_page_layers.py, through tests/explore/models.py);
// a summary of the largest differences goes to EXPLORE_REPORT.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const E = createRequire(import.meta.url)('../../src/chainrule/explore/explore.js');
const path = process.env.EXPLORE_LAYERS;
if (!path) throw new Error('EXPLORE_LAYERS is not set: run these tests through `pytest tests/explore/test_page_layers.py`');
const fixtures = JSON.parse(readFileSync(path, 'utf8'));
const read = (file, Type) => { const b = readFileSync(file); return new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
const blobs = { 32: read(fixtures.blob, Float32Array), 64: read(fixtures.blob64, Float64Array) };
const get = ([offset, shape, bits = 32]) => ({ shape, data: Float64Array.from(blobs[bits].subarray(offset, offset + E.size(shape))) });
const report = {};
const TOL = 1e-5;

// |actual - expected| <= tol * max(1, |expected|), element by element; returns the largest such scaled difference.
function close(actual, expected, what, tol = TOL) {
  assert.ok(actual, `${what}: missing`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  let worst = 0;
  expected.data.forEach((e, i) => {
    const d = Math.abs(actual.data[i] - e) / Math.max(1, Math.abs(e));
    worst = Math.max(worst, d);
    assert.ok(d <= tol, `${what}[${i}]: ${actual.data[i]} vs chainrule ${e}`);
  });
  return worst;
}

for (const [name, fx] of Object.entries(fixtures.networks)) {
  const model = E.prepareModel(fx.model);
  const kinds = model.layers.map((l) => l.type);

  test(`${name}: each layer's forward and backward on a batch of ${fx.pixels.length} MNIST images equal chainrule's (1e-5)`, () => {
    const worst = {};
    model.layers.forEach((l, i) => {
      const x = get(fx.batch.acts[i]), r = E.layerForward(l, x);
      const w = [close(r.out, get(fx.batch.acts[i + 1]), `${l.name} forward`)];
      const back = E.layerBackward(l, x, r.out, r.cache, get(fx.batch.grads[i + 1]), true);
      w.push(close(back.dx, get(fx.batch.grads[i]), `${l.name} dx`));
      for (const [p, ref] of Object.entries(fx.batch.params[i])) w.push(close(back[p], get(ref), `${l.name} ${p}`));
      worst[l.type] = Math.max(worst[l.type] || 0, ...w);
    });
    report[`${name} layers`] = { images: fx.pixels.length, kinds: [...new Set(kinds)], max_diff: worst };
  });

  if (fx.bn_training) {
    test(`${name}: BatchNormalization in training mode (batch statistics) equals chainrule's (1e-5)`, () => {
      const b = fx.bn_training, x = get(b.x), D = b.gamma[1][0];
      const p = { gamma: get(b.gamma), beta: get(b.beta), eps: model.layers.find((l) => l.type === 'batchnorm').eps };
      const r = E.batchnormForward(x, p, true), back = E.batchnormBackward(r.cache, p.gamma, get(b.dout));
      const worst = Math.max(close(r.out, get(b.out), 'out'), close(back.dx, get(b.dx), 'dx'),
        close(back.dgamma, get(b.dgamma), 'dgamma'), close(back.dbeta, get(b.dbeta), 'dbeta'));
      report[`${name} batchnorm training`] = { features: D, max_diff: worst };
    });
  }

  // One image at a time, as the page runs them. The page computes in float64 with the float32 weights: the
  // float32 network's softmax and prediction to 1e-5, and everything to 1e-9 against its float64 copy.
  test(`${name}: ${fx.images.length} images one at a time, as the page runs them: softmax, loss, every layer's output and gradient, d loss / d pixels`, () => {
    const worst = { probs32: 0, probs: 0, loss: 0, dx: 0, acts: 0, grads: 0 }, tight = 1e-9;
    let detailed = 0;
    fx.images.forEach((c, n) => {
      const f = E.modelForward(model, E.toInput(Uint8Array.from(fx.pixels[n]), model.input));
      const b = E.modelBackward(model, f, c.label);
      const probs32 = get(c.probs32);
      worst.probs32 = Math.max(worst.probs32, close(f.probs, probs32, `image ${n} softmax (float32 network)`));
      const top = (t) => t.data.indexOf(Math.max(...t.data));
      assert.equal(top(f.probs), top(probs32), `image ${n}: the predicted class`);
      worst.probs = Math.max(worst.probs, close(f.probs, get(c.probs), `image ${n} softmax`, tight));
      worst.loss = Math.max(worst.loss, Math.abs(b.loss - c.loss) / Math.max(1, Math.abs(c.loss)));
      assert.ok(worst.loss <= tight, `image ${n} loss ${b.loss} vs chainrule ${c.loss}`);
      worst.dx = Math.max(worst.dx, close(b.dx, get(c.dx), `image ${n} d loss / d x`, tight));
      if (!c.acts) return;
      detailed++;
      c.acts.forEach((a, i) => { worst.acts = Math.max(worst.acts, close(f.acts[i], get(a), `image ${n} ${model.layers[i].name} output`, tight)); });
      c.grads.forEach((g, i) => { worst.grads = Math.max(worst.grads, close(b.grads[i], get(g), `image ${n} d loss / d ${model.layers[i].name}`, tight)); });
    });
    report[`${name} images`] = { images: fx.images.length, every_layer: detailed, max_diff: worst };
  });
}

// What a clicked position shows (explore_maps.js) adds up to the layer: for every output position of every
// convolution, the products' sum plus the bias is the output, and the shares of dW and dx summed over all
// positions are the layer's dW and dx; for max pooling, the window's maximum is the output and the routed
// derivatives make up the layer's dx.
for (const [name, fx] of Object.entries(fixtures.networks)) {
  const model = E.prepareModel(fx.model);
  if (!model.layers.some((l) => l.type === 'conv')) continue;
  test(`${name}: every position's receptive field, products, sum and shares of dW and dx add up to the layer`, () => {
    const f = E.modelForward(model, E.toInput(Uint8Array.from(fx.pixels[0]), model.input)), b = E.modelBackward(model, f, fx.images[0].label);
    let worst = 0, positions = 0;
    model.layers.forEach((l, i) => {
      if (l.type !== 'conv' && l.type !== 'pool') return;
      const input = i === 0 ? f.x : f.acts[i - 1], out = f.acts[i], grad = b.grads[i], [, C, OH, OW] = out.shape, [, IC, H, W] = input.shape;
      const dx = new Float64Array(input.data.length), dW = l.type === 'conv' ? new Float64Array(l.WT.data.length) : null;
      for (let c = 0; c < C; c++) {
        for (let y = 0; y < OH; y++) {
          for (let x = 0; x < OW; x++) {
            positions++;
            const at = (c * OH + y) * OW + x;
            if (l.type === 'conv') {
              const e = E.explainConv(l, input, out, grad, { c, y, x }), [, , FH, FW] = l.WT.shape;
              worst = Math.max(worst, Math.abs(e.sum + e.bias - out.data[at]) / Math.max(1, Math.abs(out.data[at])));
              assert.ok(Math.abs(e.sum + e.bias - out.data[at]) <= 1e-12 * Math.max(1, Math.abs(out.data[at])), `${l.name} (${c}, ${y}, ${x}): the sum`);
              e.dW.forEach((v, k) => { dW[c * e.dW.length + k] += v; });
              for (let ch = 0; ch < IC; ch++) {
                for (let r = 0; r < FH; r++) {
                  for (let q = 0; q < FW; q++) {
                    const yy = e.y0 + r, xx = e.x0 + q;
                    if (yy >= 0 && yy < H && xx >= 0 && xx < W) dx[(ch * H + yy) * W + xx] += e.dx[(ch * FH + r) * FW + q];
                  }
                }
              }
            } else {
              const e = E.explainPool(l, input, out, grad, { c, y, x });
              assert.equal(e.value, e.window[e.best], `${l.name} (${c}, ${y}, ${x}): the maximum is the output`);
              assert.ok(e.window.every((v) => v <= e.value));
              dx[(c * H + e.maxY) * W + e.maxX] += e.g;
            }
          }
        }
      }
      const want = i === 0 ? b.dx : b.grads[i - 1];
      want.data.forEach((v, k) => { worst = Math.max(worst, Math.abs(dx[k] - v)); assert.ok(Math.abs(dx[k] - v) <= 1e-12, `${l.name} dx[${k}]: ${dx[k]} vs ${v}`); });
      if (dW) {
        const r = E.layerForward(l, input), full = E.layerBackward(l, input, r.out, r.cache, grad, true);
        full.dW.data.forEach((v, k) => { worst = Math.max(worst, Math.abs(dW[k] - v)); assert.ok(Math.abs(dW[k] - v) <= 1e-12, `${l.name} dW[${k}]: ${dW[k]} vs ${v}`); });
      }
    });
    report[`${name} positions`] = { positions, max_diff: worst };
  });
}

after(() => { if (process.env.EXPLORE_REPORT) writeFileSync(process.env.EXPLORE_REPORT, JSON.stringify(report, null, 1)); });
