// The page's math (src/chainrule/explore/explore.js) against chainrule's own numbers.
// The fixtures are written by Python (tests/explore/test_page.py runs `node --test tests/explore` with
// EXPLORE_FIXTURES pointing at them); a summary of the largest differences goes to EXPLORE_REPORT.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const E = createRequire(import.meta.url)('../../src/chainrule/explore/explore.js');
const path = process.env.EXPLORE_FIXTURES;
if (!path) throw new Error('EXPLORE_FIXTURES is not set: run these tests through `pytest tests/explore/test_page.py`, which writes the fixtures');
const fixtures = JSON.parse(readFileSync(path, 'utf8'));
const report = {};

// Compare flat arrays: |actual - expected| <= tol * max(1, |expected|). Returns the largest such
// scaled difference (an absolute difference for numbers up to 1, a relative one above).
function close(actual, expected, tol, what) {
  if (expected === null) { assert.equal(actual, null, `${what}: chainrule has no gradient here`); return 0; }
  assert.ok(actual, `${what}: missing`);
  const a = Array.from(actual.data ?? actual);
  assert.equal(a.length, expected.length, `${what}: ${a.length} numbers, expected ${expected.length}`);
  let worst = 0;
  expected.forEach((e, i) => {
    const d = Math.abs(a[i] - e) / Math.max(1, Math.abs(e));
    if (Number.isFinite(d)) worst = Math.max(worst, d);
    assert.ok(d <= tol || Object.is(a[i], e), `${what}[${i}]: ${a[i]} vs chainrule ${e}`);
  });
  return worst;
}

for (const [name, { graph, cases }] of Object.entries(fixtures.graphs)) {
  test(`graph ${name}: ${cases.length} random inputs give chainrule's values and gradients (1e-12)`, () => {
    const g = E.prepareGraph(graph);
    let worst = 0;
    cases.forEach((c, n) => {
      const leaves = {};
      for (const [i, d] of Object.entries(c.leaves)) leaves[i] = E.tensor(g.values[i].shape, d);
      const r = E.evaluate(g, leaves, E.tensor(g.values[g.root].shape, c.seed));
      c.values.forEach((v, i) => { worst = Math.max(worst, close(r.values[i], v, 1e-12, `case ${n} value ${i}`)); });
      c.grads.forEach((v, i) => { worst = Math.max(worst, close(r.grads[i], v, 1e-12, `case ${n} grad ${i}`)); });
      c.edges.forEach((es, k) => es.forEach((v, i) => { worst = Math.max(worst, close(r.edges[k][i], v, 1e-12, `case ${n} node ${k} edge ${i}`)); }));
    });
    report[`graph ${name}`] = { cases: cases.length, max_diff: worst };
  });
}

test('graph batch-norm: the derivatives of x, gamma and beta equal BatchNormalization.backward\'s dx, dgamma, dbeta (1e-12)', () => {
  const { graph, cases } = fixtures.graphs['batch-norm'], g = E.prepareGraph(graph), at = (name) => g.values.findIndex((v) => v.name === name);
  let worst = 0;
  cases.forEach((c, n) => {
    const leaves = {};
    for (const [i, d] of Object.entries(c.leaves)) leaves[i] = E.tensor(g.values[i].shape, d);
    const r = E.evaluate(g, leaves, E.tensor(g.values[g.root].shape, c.seed));
    worst = Math.max(worst, close(r.grads[at('x')], c.layer.dx, 1e-12, `case ${n} dx`),
      close(r.grads[at('gamma')], c.layer.dgamma, 1e-12, `case ${n} dgamma`), close(r.grads[at('beta')], c.layer.dbeta, 1e-12, `case ${n} dbeta`));
  });
  report['batch-norm layer'] = { cases: cases.length, max_diff: worst };
});

test('graph apple-orange: the book\'s numbers, 715 and 2.2, 110, 3.3, 165, 650', () => {
  const g = E.prepareGraph(fixtures.graphs['apple-orange'].graph);
  const r = E.evaluate(g), at = (name) => g.values.findIndex((v) => v.name === name);
  assert.equal(E.fmtNumber(r.values[at('price')].data[0]), '715');
  assert.deepEqual(['apple', 'apple_num', 'orange', 'orange_num', 'tax'].map((k) => E.fmtNumber(r.grads[at(k)].data[0])),
    ['2.2', '110', '3.3', '165', '650']);
});

for (const [name, { model, cases }] of Object.entries(fixtures.networks)) {
  test(`network ${name}: ${cases.length} MNIST images give chainrule's activations, softmax, loss and input gradient (1e-5)`, () => {
    const m = E.prepareModel(model), worst = { acts: 0, probs: 0, dx: 0, loss: 0 };
    cases.forEach((c, n) => {
      const f = E.modelForward(m, E.toInput(Uint8Array.from(c.pixels)));
      c.acts.forEach((a, i) => { worst.acts = Math.max(worst.acts, close(f.acts[i], a, 1e-5, `image ${n} layer ${i}`)); });
      worst.probs = Math.max(worst.probs, close(f.probs, c.probs, 1e-5, `image ${n} softmax`));
      const b = E.modelBackward(m, f, c.label);
      worst.dx = Math.max(worst.dx, close(b.dx, c.dx, 1e-5, `image ${n} d loss / d x`));
      worst.loss = Math.max(worst.loss, close([b.loss], [c.loss], 1e-5, `image ${n} loss`));
      const pred = f.probs.data.indexOf(Math.max(...f.probs.data));
      assert.equal(pred, c.probs.indexOf(Math.max(...c.probs)), `image ${n}: the predicted class`);
    });
    report[`network ${name}`] = { images: cases.length, max_diff: worst };
  });
}

test('drawn digits are prepared as io.read_digit prepares them (the same 28x28 uint8)', () => {
  let differing = 0;
  fixtures.digits.forEach((d, n) => {
    const r = E.prepareDigit(Float64Array.from(d.gray, (v) => v / 255), d.w, d.h);
    if (d.error) { assert.ok(r.error, `picture ${n}: chainrule says "${d.error}"`); return; }
    assert.ok(r.pixels, `picture ${n}: ${r.error}`);
    r.pixels.forEach((p, i) => { if (p !== d.expected[i]) differing++; });
    assert.deepEqual(Array.from(r.pixels), d.expected, `picture ${n}`);
  });
  report.digits = { pictures: fixtures.digits.length, differing_pixels: differing };
});

test('base64 round trip and the number format of the figures', () => {
  const bytes = Uint8Array.from({ length: 784 }, (_, i) => (i * 37) % 256);
  assert.deepEqual(E.decodeBase64(E.encodeBase64Url(bytes)), bytes);
  assert.deepEqual([715.0000000000001, 2.2000000000000002, 1e-7, 1234567, 0.5, -0.196612].map(E.fmtNumber),
    ['715', '2.2', '1e-07', '1.23457e+06', '0.5', '-0.196612']);
  assert.deepEqual([0.5, 1.5, 2.5, -2.5, 2.4999].map(E.roundHalfEven), [0, 2, 2, -2, 2]);
});

test('a chain of 100,000 nodes lays out, evaluates and backpropagates (no recursion, no spread of huge arrays)', () => {
  const n = 100000, values = [{ name: 'x', shape: [], leaf: true, data: [1], grad: null }], nodes = [];
  for (let k = 0; k < n; k++) {
    values.push({ name: null, shape: [], leaf: false, data: [1], grad: null });
    nodes.push({ op: 'addconst', label: '+1', sources: [k], output: k + 1, grads: [null], c: { shape: [], data: [1] } });
  }
  const g = E.prepareGraph({ name: 'chain', title: 'chain', values, nodes, root: n, seed: [1], computable: true });
  const lay = E.layout(g);
  assert.equal(lay.cols, n + 2);
  assert.equal(lay.nodes[n - 1].col, n);
  assert.deepEqual(lay.leaves[0], { col: 0, row: 0 });
  assert.ok(lay.nodes.every((p) => p.row === 0), 'a chain stays on one row');
  const r = E.evaluate(g);
  assert.equal(r.values[n].data[0], n + 1);
  assert.equal(r.grads[0].data[0], 1);
  report.chain = { nodes: n, cols: lay.cols };
});

after(() => { if (process.env.EXPLORE_REPORT) writeFileSync(process.env.EXPLORE_REPORT, JSON.stringify(report, null, 1)); });
