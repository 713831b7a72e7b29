/* chainrule explore, graphs: the nodes a recorded graph can hold (chainrule/graph/nodes.py's elementary
 * nodes and the layers), evaluating a graph forward and backward as Graph.backward does, and laying it
 * out like the book's figures. The page that steps through it is explore_graph_page.js.
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;
  const {
    tensor, fmtShape, binary, map1, mul, unbroadcast, affineForward, affineBackward, sameShape,
    softmaxLossForward, softmaxLossBackward, reluForward, reluBackward, sigmoidForward, sigmoidBackward,
    fmtNumber, fmtInline, t,
  } = E;

  const addT = (a, b) => (a === null ? b : binary(a, b, (x, y) => x + y)); // graph.py _add
  const fmtC = (c) => (c.shape.length ? fmtShape(c.shape) : fmtNumber(c.data.length === 1 ? c.data[0] : NaN));

  // The nodes a graph can hold. forward(inputs, node) -> {out, cache}; backward(cache, dout, node) -> a
  // gradient per source (null for none); rule(cache, i, node): the local derivative along edge i, as text.
  const times = (x, summed) => t(summed ? 'rule.times.summed' : 'rule.times', { x: fmtInline(x) });
  const summedInto = (c, i) => !sameShape(c.shapes[i], c.outShape); // broadcast: the gradient sums over copies
  const OPS = {
    mul: {
      forward: ([x, y]) => { const out = binary(x, y, mul); return { out, cache: { x, y, shapes: [x.shape, y.shape], outShape: out.shape } }; },
      backward: (c, d) => [unbroadcast(binary(d, c.y, mul), c.x.shape), unbroadcast(binary(d, c.x, mul), c.y.shape)],
      rule: (c, i) => times(i === 0 ? c.y : c.x, summedInto(c, i)),
    },
    add: {
      forward: ([x, y]) => { const out = binary(x, y, (a, b) => a + b); return { out, cache: { x, y, shapes: [x.shape, y.shape], outShape: out.shape } }; },
      backward: (c, d) => [unbroadcast(map1(d, (g) => g * 1), c.x.shape), unbroadcast(map1(d, (g) => g * 1), c.y.shape)],
      rule: (c, i) => (summedInto(c, i) ? t('rule.affine.b') : t('rule.one')),
    },
    sub: { // graph/nodes.py Sub: x - y; backward (dout, -dout), each summed back to its input's shape
      forward: ([x, y]) => { const out = binary(x, y, (a, b) => a - b); return { out, cache: { x, y, shapes: [x.shape, y.shape], outShape: out.shape } }; },
      backward: (c, d) => [unbroadcast(map1(d, (g) => g * 1), c.x.shape), unbroadcast(map1(d, (g) => -g), c.y.shape)],
      rule: (c, i) => (i === 0 ? t('rule.one') : t(summedInto(c, 1) ? 'rule.minus.one.summed' : 'rule.minus.one')),
    },
    mulconst: {
      forward: ([x], node) => ({ out: binary(x, node.cT, mul), cache: { x } }),
      backward: (c, d, node) => [unbroadcast(binary(d, node.cT, mul), c.x.shape)],
      rule: (c, i, node) => t('rule.times', { x: fmtC(node.cT) }),
    },
    addconst: {
      forward: ([x], node) => ({ out: binary(x, node.cT, (a, b) => a + b), cache: { x } }),
      backward: (c, d) => [unbroadcast(map1(d, (g) => g * 1), c.x.shape)],
      rule: () => t('rule.one'),
    },
    exp: {
      forward: ([x]) => { const out = map1(x, Math.exp); return { out, cache: { out } }; },
      backward: (c, d) => [binary(d, c.out, mul)],
      rule: (c) => t('rule.exp', { x: fmtInline(c.out) }),
    },
    recip: {
      forward: ([x]) => { const out = map1(x, (v) => 1 / v); return { out, cache: { out } }; },
      backward: (c, d) => [binary(binary(map1(d, (g) => -g), c.out, mul), c.out, mul)],
      rule: (c) => t('rule.recip', { x: fmtInline(map1(c.out, (v) => -v * v)) }),
    },
    mean: { // graph/nodes.py Mean: the mean over the batch (axis 0); backward dout / N to every row
      forward: ([x]) => {
        const n = x.shape[0], m = x.data.length / n, out = new Float64Array(m);
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j] += x.data[i * m + j];
        for (let j = 0; j < m; j++) out[j] /= n;
        return { out: { shape: x.shape.slice(1), data: out }, cache: { xShape: x.shape } };
      },
      backward: (c, d) => {
        const n = c.xShape[0], m = d.data.length, dx = new Float64Array(n * m);
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) dx[i * m + j] = d.data[j] / n;
        return [{ shape: c.xShape.slice(), data: dx }];
      },
      rule: (c) => t('rule.mean', { n: c.xShape[0] }),
    },
    square: { // graph/nodes.py Square: x * x; backward dout * 2 * x
      forward: ([x]) => ({ out: binary(x, x, mul), cache: { x } }),
      backward: (c, d) => [binary(map1(d, (g) => g * 2), c.x, mul)],
      rule: (c) => t('rule.square', { x: fmtInline(map1(c.x, (v) => 2 * v)) }),
    },
    sqrt: { // graph/nodes.py Sqrt: sqrt(x); backward 0.5 * dout / out
      forward: ([x]) => { const out = map1(x, Math.sqrt); return { out, cache: { out } }; },
      backward: (c, d) => [binary(map1(d, (g) => 0.5 * g), c.out, (a, b) => a / b)],
      rule: (c) => t('rule.sqrt', { x: fmtInline(map1(c.out, (v) => 0.5 / v)) }),
    },
    sigmoid: {
      forward: ([x]) => { const out = sigmoidForward(x); return { out, cache: { out } }; },
      backward: (c, d) => [sigmoidBackward(c.out, d)],
      rule: () => t('rule.sigmoid'),
    },
    relu: {
      forward: ([x]) => ({ out: reluForward(x), cache: { x } }),
      backward: (c, d) => [reluBackward(c.x, d)],
      rule: () => t('rule.relu'),
    },
    affine: {
      forward: ([x, W, b]) => ({ out: affineForward(x, W, b), cache: { x, W } }),
      backward: (c, d) => affineBackward(c.x, c.W, d),
      rule: (c, i) => t(['rule.affine.x', 'rule.affine.w', 'rule.affine.b'][i]),
    },
    softmaxloss: {
      forward: ([x, labels]) => softmaxLossForward(x, labels),
      backward: (c, d) => [softmaxLossBackward(c, d), null],
      rule: (c, i) => (i === 0 ? t('rule.softmaxloss') : ''),
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
  // leaves: {valueIndex: tensor} overriding the recorded leaf values;
  // seed: the upstream derivative of the root (a tensor), instead of the recorded one.
  function evaluate(g, leaves = {}, seed = null) {
    const values = g.values.map((v, i) => leaves[i] || (v.leaf ? tensor(v.shape, v.data) : null));
    const caches = g.nodes.map((node) => {
      const res = OPS[node.op].forward(node.sources.map((i) => values[i]), node);
      values[node.output] = res.out;
      return res.cache;
    });
    const grads = values.map(() => null), edges = g.nodes.map((n) => n.sources.map(() => null));
    grads[g.root] = seed || tensor(g.values[g.root].shape, g.seed);
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

  // ---- layout: columns by depth (like the book's figures, left to right), rows from the output back ----
  // Loops only (no recursion, no Math.max(...array)): a recorded chain of any length lays out.
  // A figure may bring its own places (g.layout: [col, row] per node, {leaf name: [col, row]}), as the book
  // draws Batch Normalization's graph on three rows.
  function layout(g) {
    if (g.layout) {
      const nodes = g.layout.nodes.map(([col, row]) => ({ col, row }));
      const leaves = g.values.map((v) => (v.leaf && g.layout.leaves[v.name] ? { col: g.layout.leaves[v.name][0], row: g.layout.leaves[v.name][1] } : null));
      const outputs = g.nodes.map((n, k) => k).filter((k) => g.consumers[g.nodes[k].output].length === 0);
      const all = [...nodes, ...leaves.filter(Boolean)];
      return { nodes, leaves, outputs, cols: all.reduce((m, p) => Math.max(m, p.col), 0) + 2, rows: all.reduce((m, p) => Math.max(m, p.row), 0) + 1 };
    }
    const col = new Array(g.nodes.length).fill(1), pos = g.values.map(() => null);
    let maxCol = 0;
    g.nodes.forEach((node, k) => {
      node.sources.forEach((v) => { if (g.producer[v] >= 0) col[k] = Math.max(col[k], col[g.producer[v]] + 1); });
      maxCol = Math.max(maxCol, col[k]);
    });
    const leafCol = (v) => g.consumers[v].reduce((m, c) => Math.min(m, col[c]), Infinity) - 1;
    // rows: leaves in the order a walk back from the output meets them (depth first, each node's sources
    // in order); a node sits at the mean row of its sources. The walk keeps its own stack.
    const rowOf = g.nodes.map(() => null);
    let slot = 0;
    for (let start = g.nodes.length - 1; start >= 0; start--) {
      if (rowOf[start] !== null) continue;
      const stack = [[start, 0]]; // [node, the next of its sources to visit]
      while (stack.length) {
        const top = stack[stack.length - 1], node = g.nodes[top[0]];
        if (top[1] < node.sources.length) {
          const v = node.sources[top[1]++], p = g.producer[v];
          if (p >= 0) { if (rowOf[p] === null) stack.push([p, 0]); } else if (pos[v] === null) pos[v] = { col: leafCol(v), row: slot++ };
          continue;
        }
        stack.pop();
        const rows = node.sources.map((v) => (g.producer[v] >= 0 ? rowOf[g.producer[v]] : pos[v].row));
        rowOf[top[0]] = rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : slot++;
      }
    }
    g.values.forEach((v, i) => { if (pos[i] === null && v.leaf) pos[i] = { col: 0, row: slot++ }; });
    const nodes = g.nodes.map((n, k) => ({ col: col[k], row: rowOf[k] }));
    const outputs = g.nodes.map((n, k) => k).filter((k) => g.consumers[g.nodes[k].output].length === 0);
    return { nodes, leaves: pos, outputs, cols: maxCol + 2, rows: Math.max(slot, 1) };
  }

  Object.assign(E, { OPS, prepareGraph, evaluate, layout });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
