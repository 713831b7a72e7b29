/* chainrule explore, part 2 of 4: the graph view. The nodes a recorded graph can hold
 * (chainrule/graph.py's elementary nodes and the layers), evaluating a graph forward and
 * backward as Graph.backward does, laying it out like the book's figures, and the page that
 * steps through it, edits its inputs and keeps the view in the address bar.
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;
  const {
    tensor, scalar, fmtShape, binary, map1, mul, unbroadcast, affineForward, affineBackward,
    softmaxLossForward, softmaxLossBackward, reluForward, reluBackward, sigmoidForward, sigmoidBackward,
    fmtNumber, fmtT,
  } = E;
  const { $, el, hashParams, writeHash, typing } = E.page;

  const addT = (a, b) => (a === null ? b : binary(a, b, (x, y) => x + y)); // graph.py _add
  const fmtC = (c) => (c.shape.length ? fmtShape(c.shape) : fmtNumber(c.data.length === 1 ? c.data[0] : NaN));

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
      forward: ([x]) => { const out = sigmoidForward(x); return { out, cache: { out } }; },
      backward: (c, d) => [sigmoidBackward(c.out, d)],
      rule: (c) => '× y(1 − y)',
    },
    relu: {
      forward: ([x]) => ({ out: reluForward(x), cache: { x } }),
      backward: (c, d) => [reluBackward(c.x, d)],
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

  Object.assign(E, { OPS, prepareGraph, evaluate, layout, graphPage });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
