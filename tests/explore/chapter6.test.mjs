// Chapter 6 in the page (src/chainrule/explore/explore_chapter6.js) against chainrule and NumPy: the optimizers'
// paths on f(x, y) = x²/20 + y² against chainrule.optimizers (1e-12, float64), and the activation histograms'
// five layers against NumPy on the same random numbers (1e-12) with np.histogram's counts. The fixtures are
// written by tests/explore/test_page_chapter6.py; a summary of the largest differences goes to EXPLORE_REPORT.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const E = createRequire(import.meta.url)('../../src/chainrule/explore/explore.js');
const path = process.env.EXPLORE_CHAPTER6;
if (!path) throw new Error('EXPLORE_CHAPTER6 is not set: run these tests through `pytest tests/explore/test_page_chapter6.py`');
const fixtures = JSON.parse(readFileSync(path, 'utf8'));
const report = {};
const rel = (a, e) => Math.abs(a - e) / Math.max(1, Math.abs(e));

test(`the optimizers' paths: ${fixtures.paths.length} random runs give chainrule's points (1e-12)`, () => {
  const worst = {};
  fixtures.paths.forEach((c, n) => {
    const path = E.optimizerPath(c.optimizer, c.lr, c.start[0], c.start[1], c.points.length - 1);
    assert.equal(path.length, c.points.length);
    c.points.forEach(([x, y], i) => {
      const d = Math.max(rel(path[i][0], x), rel(path[i][1], y));
      worst[c.optimizer] = Math.max(worst[c.optimizer] || 0, d);
      assert.ok(d <= 1e-12, `run ${n} (${c.optimizer}, lr ${c.lr}) step ${i}: (${path[i]}) vs chainrule (${x}, ${y})`);
    });
  });
  report.paths = { runs: fixtures.paths.length, steps: fixtures.paths[0].points.length - 1, max_diff: worst };
});

test('the book\'s figure 6-8: SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3 from (-7, 2)', () => {
  const book = fixtures.book;
  for (const [name, points] of Object.entries(book)) {
    const path = E.optimizerPath(name, E.OPTIMIZERS[name].lr, -7, 2, points.length - 1);
    points.forEach(([x, y], i) => assert.ok(rel(path[i][0], x) <= 1e-12 && rel(path[i][1], y) <= 1e-12, `${name} step ${i}`));
  }
});

test('the activation histograms: five layers of 100 units as NumPy computes them, np.histogram\'s counts', () => {
  const { x, draws, cases } = fixtures.init, input = { shape: x.shape, data: Float64Array.from(x.data) };
  const ws = draws.map((d) => Float64Array.from(d));
  let worst = 0, counted = 0;
  for (const c of cases) {
    const layers = E.initActivations(input, ws, c.activation, c.std);
    layers.forEach((z, i) => {
      let s = 0, s2 = 0;
      for (const v of z) { s += v; s2 += v * v; }
      const L = c.layers[i];
      worst = Math.max(worst, rel(s, L.sum), rel(s2, L.sum2));
      assert.ok(rel(s, L.sum) <= 1e-10 && rel(s2, L.sum2) <= 1e-10, `${c.activation} ${c.std} layer ${i + 1}: sums ${s}, ${s2} vs ${L.sum}, ${L.sum2}`);
      L.head.forEach((v, k) => { worst = Math.max(worst, rel(z[k], v)); assert.ok(rel(z[k], v) <= 1e-12, `${c.activation} ${c.std} layer ${i + 1} [${k}]`); });
      const counts = Array.from(E.histogram(z, 30, ...c.range));
      assert.deepEqual(counts, L.counts, `${c.activation} ${c.std} layer ${i + 1}: the histogram`);
      counted += counts.reduce((a, b) => a + b, 0);
    });
  }
  report.init = { cases: cases.length, max_diff: worst, counted };
});

test('the page\'s own random numbers look standard normal (mean 0, std 1)', () => {
  const z = E.normals(200000, 7);
  let s = 0, s2 = 0;
  for (const v of z) { s += v; s2 += v * v; }
  const mean = s / z.length, std = Math.sqrt(s2 / z.length - mean * mean);
  assert.ok(Math.abs(mean) < 0.01 && Math.abs(std - 1) < 0.01, `mean ${mean}, std ${std}`);
  assert.deepEqual(Array.from(E.normals(4, 3)), Array.from(E.normals(4, 3)), 'a seed gives the same numbers');
  report.normals = { mean, std };
});

after(() => { if (process.env.EXPLORE_REPORT) writeFileSync(process.env.EXPLORE_REPORT, JSON.stringify(report, null, 1)); });
