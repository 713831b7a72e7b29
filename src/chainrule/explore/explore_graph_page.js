/* chainrule explore, the graph view: step through a recorded graph node by node, forward then backward,
 * forward values above the edges and derivatives (red) below, each local derivative under its edge on
 * the way back; edit the inputs (numbers, small arrays, and an array output's upstream derivative) and
 * the page recomputes everything (explore_graph.js); the address bar keeps the view.
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;
  const { tensor, fmtNumber, fmtT, fmtLines, fmtInline, t, prepareGraph, evaluate, layout, OPS } = E;
  const { $, el, writeHash, stepper } = E.page;

  // Inputs the page lets the learner edit: named leaves of at most MAX_EDIT numbers, and the upstream
  // derivative of an array output.
  const MAX_EDIT = 24;

  function graphView(graphs) {
    graphs.forEach(prepareGraph);
    let g, lay, res, step = 0, inputs = {}, seed = null;
    const n = () => g.nodes.length, last = () => 2 * n() + 1;
    const bstep = (k) => 2 * n() + 1 - k; // the step at which node k's backward runs
    const fwdShown = (v) => g.values[v].leaf || step > g.producer[v];
    const gradShown = (v) => (v === g.root && step >= n() + 1) ||
      (g.consumers[v].length > 0 && g.consumers[v].every((k) => step >= bstep(k)));
    const nameOf = (v) => g.values[v].name || t('graph.unnamed', { label: g.nodes[g.producer[v]].label });
    const steps = stepper($('graph-controls'), { last, get: () => step, go: (s) => { step = s; render(); }, shown: () => !$('graph-view').hidden });
    const seedName = () => 'd' + (g.values[g.root].name || 'out');

    // params: the address bar's; the graph named `graph=` (else the first), its step and edited inputs.
    function load(params) {
      steps.stop();
      g = graphs.find((x) => x.name === params.get('graph')) || graphs[0];
      $('graph-title').textContent = g.title;
      lay = layout(g);
      inputs = {};
      seed = null;
      const editable = g.computable ? g.values.map((v, i) => i).filter((i) => g.values[i].leaf && g.values[i].name &&
        g.values[i].data.length <= MAX_EDIT) : [];
      editable.forEach((i) => { const x = parseNumbers(params.get(g.values[i].name), g.values[i].data.length); if (x) inputs[i] = x; });
      const seedEditable = g.computable && g.values[g.root].shape.length > 0 && g.seed.length <= MAX_EDIT;
      if (seedEditable) seed = parseNumbers(params.get(seedName()), g.seed.length);
      buildInputs(editable, seedEditable);
      $('graph-note').hidden = g.computable;
      if (!g.computable) $('graph-note').textContent = t('graph.recorded', { why: whyNot(g) });
      compute();
      const s = Number(params.get('step'));
      step = Number.isInteger(s) ? Math.min(Math.max(s, 0), last()) : 0;
      render();
    }
    const whyNot = (graph) => t(graph.nodes.find((node) => !OPS[node.op]) ? 'graph.why.op' : 'graph.why.size');

    // "1,2,3" -> [1, 2, 3] when it holds `count` finite numbers, else null.
    function parseNumbers(text, count) {
      if (text === null || text === undefined || text.trim() === '') return null;
      const xs = text.split(',').map((p) => (p.trim() === '' ? NaN : Number(p)));
      return xs.length === count && xs.every(Number.isFinite) ? xs : null;
    }

    function compute() {
      if (g.computable) {
        const leaves = {};
        for (const [i, x] of Object.entries(inputs)) leaves[i] = tensor(g.values[i].shape, x);
        res = evaluate(g, leaves, seed ? tensor(g.values[g.root].shape, seed) : null);
        return;
      }
      const tt = (shape, d) => (d === 'omitted' ? { shape, data: [] } : tensor(shape, d)); // too large: its shape
      res = {
        values: g.values.map((v) => tt(v.shape, v.data)),
        grads: g.values.map((v) => (v.grad ? tt(v.shape, v.grad) : null)),
        edges: g.nodes.map((node) => node.grads.map((d, i) => (d ? tt(g.values[node.sources[i]].shape, d) : null))),
        caches: null,
      };
    }

    // One field per number: a scalar input is one field labelled by its name; an array a grid in a fieldset.
    function buildInputs(editable, seedEditable) {
      const box = $('input-fields');
      box.textContent = '';
      $('inputs').hidden = editable.length === 0 && !seedEditable;
      const fields = (name, label, shape, recorded, current, set) => {
        const one = shape.length === 0, cols = shape.length === 2 ? shape[1] : recorded.length;
        const wrap = one ? el('span', { class: 'field' }) : el('fieldset', { class: 'array', 'data-name': name });
        if (!one) wrap.append(el('legend', {}, label));
        const grid = one ? wrap : el('div', { class: 'grid', style: `grid-template-columns: repeat(${cols}, auto)` });
        const values = (current || recorded).slice(), all = [];
        values.forEach((x, k) => {
          const id = one ? `input-${name}` : `input-${name}-${k}`;
          const input = el('input', { id, type: 'number', step: 'any', inputmode: 'decimal', 'data-name': name });
          if (!one) input.setAttribute('aria-label', `${name}[${shape.length === 2 ? `${Math.floor(k / cols)}, ${k % cols}` : k}]`);
          input.value = String(x);
          input.addEventListener('input', () => {
            const v = Number(input.value), ok = input.value.trim() !== '' && Number.isFinite(v);
            input.setAttribute('aria-invalid', String(!ok));
            if (!ok) return;
            values[k] = v;
            set(values.every((y, j) => y === recorded[j]) ? null : values.slice());
            compute();
            render();
          });
          if (one) grid.append(el('label', { for: id }, label));
          grid.append(input);
          all.push(input);
        });
        if (!one) wrap.append(grid);
        box.append(wrap);
      };
      editable.forEach((i) => {
        const v = g.values[i];
        fields(v.name, v.name, v.shape, v.data, inputs[i], (x) => { if (x) inputs[i] = x; else delete inputs[i]; });
      });
      if (seedEditable) fields(seedName(), t('graph.upstream', { name: g.values[g.root].name || 'out' }), g.values[g.root].shape, g.seed, seed, (x) => { seed = x; });
    }

    // The local rule along edge i of node k ('× 1.1'); '' where it needs values the page does not have.
    function ruleOf(k, i) {
      const node = g.nodes[k];
      try { return OPS[node.op].rule(res.caches ? res.caches[k] : null, i, node) || ''; } catch (err) { return ''; }
    }

    const SHORT = 3, PAD = 46;
    let LINE = 16;
    let CW = 170, RH = 96, TOP = PAD, LINES = 1;
    const nodeBox = (k) => {
      const label = g.nodes[k].label;
      return label.length <= SHORT ? { r: 20 } : { hw: 8 + 5 * label.length, hh: 17 };
    };
    const centre = (p) => [PAD + 60 + p.col * CW, TOP + p.row * RH];
    function trim(x, y, box, dx, dy) { // where the line towards (x, y) meets the node's outline
      const len = Math.hypot(dx, dy) || 1;
      if (box.r) return [x - (dx / len) * box.r, y - (dy / len) * box.r];
      const s = Math.min(box.hw / (Math.abs(dx) || 1e-9), box.hh / (Math.abs(dy) || 1e-9));
      return [x - dx * s, y - dy * s];
    }
    // Columns wide enough and rows tall enough for the widest and tallest label (small arrays take lines).
    function measure() {
      let lines = 1, chars = 10;
      for (const x of [...res.values, ...res.grads]) {
        if (!x) continue;
        const ls = fmtLines(x);
        lines = Math.max(lines, ls.length);
        for (const l of ls) chars = Math.max(chars, l.length);
      }
      LINE = lines > 1 ? 14 : 16; // arrays in a smaller font (.arr)
      CW = Math.max(170, (lines > 1 ? 70 : 40) + (lines > 1 ? 7 : 8) * chars);
      RH = Math.max(96, 44 + 2 * LINE * lines);
      TOP = Math.max(PAD, 20 + LINE * lines);
      LINES = lines;
    }

    function render() {
      measure();
      const svg = $('graph'), N = n(), fwdNode = step >= 1 && step <= N ? step - 1 : -1;
      const bwdNode = step >= N + 2 ? 2 * N + 1 - step : -1;
      const W = PAD * 2 + 60 + (lay.cols - 1) * CW + Math.max(120, CW), H = TOP + (lay.rows - 1) * RH + LINE * (LINES + 2) + PAD;
      svg.textContent = '';
      svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
      svg.style.width = `${W}px`;
      const defs = el('defs'), marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
      marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
      defs.append(marker);
      svg.append(defs);
      const lines = (parent, x, y0, ls, dy, cls) => ls.forEach((l, j) => parent.append(el('text', { x, y: y0 + j * dy, class: cls + (LINE < 16 ? ' arr' : '') }, l)));
      const edge = (x1, y1, x2, y2, fwd, grad, rule, cls) => {
        const e = el('g', { class: 'edge ' + (cls || '') });
        e.append(el('line', { x1, y1, x2, y2, 'marker-end': 'url(#arrow)' }));
        // labels: on an edge within a row, midway across the last column before its node; on an edge between
        // rows, nearer its source (converging edges keep apart)
        const level = Math.abs(y2 - y1) < 1, f = level ? Math.max(0, 1 - (CW / 2) / Math.max(x2 - x1, 1)) : 0.42;
        const mx = x1 + f * (x2 - x1), my = y1 + f * (y2 - y1);
        if (fwd) lines(e, mx, my - 7 - (fwd.length - 1) * LINE, fwd, LINE, 'fwd');
        if (grad) lines(e, mx, my + LINE, grad, LINE, 'grad');
        if (rule) { // under the derivative; on an edge between rows, above the forward value (clear of the row's labels)
          const y = level ? my + LINE * (1 + (grad ? grad.length : 0)) - 1 : my - 9 - LINE * (fwd ? fwd.length : 0);
          e.append(el('text', { x: mx, y, class: 'rule' }, rule));
        }
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
          const grad = step >= bstep(k) && res.edges[k][i] ? fmtLines(res.edges[k][i]) : null;
          const rule = k === bwdNode && res.edges[k][i] ? ruleOf(k, i) : null;
          edge(x1, y1, ex, ey, fwdShown(v) ? fmtLines(res.values[v]) : null, grad, rule, k === bwdNode ? 'active' : '');
        });
      });
      lay.outputs.forEach((k) => {
        const v = g.nodes[k].output, [x, y] = centre(lay.nodes[k]), box = nodeBox(k);
        const x1 = x + (box.r || box.hw), x2 = x1 + Math.max(100, CW - 40); // room for its labels
        const grad = gradShown(v) && res.grads[v] ? fmtLines(res.grads[v]) : null;
        edge(x1, y, x2, y, fwdShown(v) ? fmtLines(res.values[v]) : null, grad, null, step === N + 1 && v === g.root ? 'active' : '');
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
      const active = fwdNode >= 0 ? fwdNode : bwdNode, wrap = svg.parentElement;
      if (active >= 0 && wrap.clientWidth) { // keep the node at work in sight when the graph is wider than its box
        const [x] = centre(lay.nodes[active]);
        if (x < wrap.scrollLeft + 60 || x > wrap.scrollLeft + wrap.clientWidth - 60) wrap.scrollLeft = x - wrap.clientWidth / 2;
      }
      renderTable();
      explain(fwdNode, bwdNode);
      steps.update();
      const p = new URLSearchParams();
      if (graphs.length > 1 || g.name !== 'graph') p.set('graph', g.name);
      p.set('step', String(step));
      for (const [i, x] of Object.entries(inputs)) p.set(g.values[i].name, x.join(','));
      if (seed) p.set(seedName(), seed.join(','));
      writeHash(p);
    }

    function renderTable() {
      const body = $('values').tBodies[0];
      body.textContent = '';
      g.values.forEach((v, i) => {
        if (!v.name) return;
        const val = res.values[i], grad = res.grads[i], row = el('tr', { 'data-name': v.name });
        const cell = (x, shown, cls) => {
          const td = el('td', { class: cls }, shown && x ? fmtLines(x, fmtNumber).join('\n') : '');
          if (shown && x && x.shape.length === 0) td.dataset.value = String(x.data[0]);
          if (shown && x && x.shape.length && x.data.length) td.dataset.values = JSON.stringify(Array.from(x.data));
          if (shown && x && x.data.length > 1 && fmtLines(x).length === 1 && x.shape.length) td.title = Array.from(x.data.slice(0, 8), fmtNumber).join(', ') + (x.data.length > 8 ? ', …' : '');
          return td;
        };
        row.append(el('th', { scope: 'row' }, v.name), cell(val, fwdShown(i), 'fwd'), cell(grad, gradShown(i), 'grad'));
        body.append(row);
      });
    }

    const short = (x) => (x.data.length && fmtLines(x).length <= 6 ? fmtInline(x) : fmtT(x));
    function explain(fwdNode, bwdNode) {
      const N = n(), out = nameOf(g.root);
      let text;
      if (step === 0) text = t('graph.start');
      else if (fwdNode >= 0) {
        const node = g.nodes[fwdNode], ins = node.sources.map((v) => short(res.values[v]));
        const sym = { mul: ' × ', add: ' + ', sub: ' − ' }[node.op];
        text = t('graph.forward', { label: node.label, expr: sym ? ins.join(sym) : `${node.label}(${ins.join(', ')})`, out: short(res.values[node.output]) });
        if (fwdNode === N - 1) text += ' ' + t('graph.forward.last');
      } else if (step === N + 1) {
        text = t('graph.backward.start', { out, grad: short(res.grads[g.root]) });
      } else {
        const node = g.nodes[bwdNode], d = short(res.grads[node.output]);
        const parts = node.sources.map((v, i) => {
          if (!res.edges[bwdNode][i]) return null;
          const rule = ruleOf(bwdNode, i), gi = short(res.edges[bwdNode][i]);
          return rule ? t('graph.backward.part', { name: nameOf(v), d, rule, g: gi }) : t('graph.backward.part.plain', { name: nameOf(v), d, g: gi });
        }).filter(Boolean);
        text = t('graph.backward', { label: node.label, parts: parts.join('; ') });
        if (step === last()) text += ' ' + t('graph.done');
      }
      $('explain').textContent = text;
    }

    return { load, names: graphs.map((x) => x.name), stop: () => steps.stop() };
  }

  Object.assign(E, { graphView });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
