/* chainrule explore, the page's start. Plain JavaScript: no framework, no build step.
 *
 * The page's script is these files, inlined in this order by chainrule/explore/page.py (SCRIPTS):
 *   explore_core.js        tensors, the dense layers' math, the number format, the page helpers
 *   explore_messages.js    every string the page shows (message id -> English) and t()
 *   explore_layers.js      Convolution, Pooling, BatchNormalization, Dropout; networks forward and backward
 *   explore_graph.js       a recorded graph's nodes, forward and backward, layout
 *   explore_graph_page.js  the graph view: stepping, editing, the address bar
 *   explore_model.js       a saved network's data and the digit's preparation (datasets.read_digit)
 *   explore_maps.js        feature maps, gradient maps and what a clicked position was made of
 *   explore_model_page.js  the model view: the canvas, softmax, every layer forward and backward
 *   explore_chapter6.js    the optimizers' paths and the activation histograms of chapter 6
 *   explore.js             this file: starts the page from its embedded data
 * In Node, requiring this file gives the whole namespace (the tests load it so).
 */
(function (root) {
  'use strict';
  if (typeof module !== 'undefined' && module.exports) {
    for (const part of ['messages', 'layers', 'graph', 'graph_page', 'model', 'maps', 'model_page', 'chapter6']) require(`./explore_${part}.js`);
    module.exports = require('./explore_core.js');
    return;
  }
  const E = root.ChainruleExplore;
  const { $, hashParams, writeHash } = E.page;

  // The views a page can hold besides its graphs (data.views), by name: [section, message id of the title, group].
  const VIEWS = { optimizers: ['optimizer-view', 'opt.title', 'group.chapter6'], 'weight-init': ['init-view', 'init.title', 'group.chapter6'] };

  function startPage() {
    const data = JSON.parse(document.getElementById('explore-data').textContent);
    E.useCatalog(data.catalog, document);
    if (data.model) {
      E.modelPage(data.model);
    } else {
      const graphs = data.graphs.length ? E.graphView(data.graphs) : null;
      const views = {};
      for (const name of data.views || []) views[name] = E[name === 'optimizers' ? 'optimizerView' : 'initView']();
      const select = $('figure'), groups = {};
      const option = (group, value, text) => {
        if (!groups[group]) { groups[group] = document.createElement('optgroup'); groups[group].label = E.t(group); select.append(groups[group]); }
        groups[group].append(new Option(text, value));
      };
      const GROUPS = { 5: 'group.chapter5', 6: 'group.chapter6' };
      data.graphs.forEach((g) => option(GROUPS[g.chapter] || GROUPS[5], 'graph:' + g.name, g.title));
      for (const name of Object.keys(views)) option(VIEWS[name][2], 'view:' + name, E.t(VIEWS[name][1]));
      select.parentElement.hidden = select.options.length < 2;
      if (Object.keys(groups).length === 1) { // one group: no headings
        const only = Object.values(groups)[0];
        while (only.firstChild) select.append(only.firstChild);
        only.remove();
      }
      const show = (params) => {
        let view = params.get('view');
        if (!views[view] && !params.has('graph') && !graphs) view = Object.keys(views)[0];
        if (!views[view] && !params.has('graph') && data.initial in views) view = data.initial;
        const graphName = view && views[view] ? null : (params.get('graph') || data.initial);
        $('graph-view').hidden = graphName === null;
        if (graphs) graphs.stop();
        for (const [name, v] of Object.entries(views)) { $(VIEWS[name][0]).hidden = name !== view || graphName !== null; v.stop(); }
        if (graphName !== null) {
          const p = new URLSearchParams(params);
          p.set('graph', graphs.names.includes(graphName) ? graphName : graphs.names[0]);
          graphs.load(p);
          select.value = 'graph:' + p.get('graph');
        } else {
          views[view].load(params);
          select.value = 'view:' + view;
        }
      };
      select.addEventListener('change', () => {
        const [kind, name] = select.value.split(':');
        const p = new URLSearchParams({ [kind]: name });
        writeHash(p);
        show(p);
      });
      root.addEventListener('hashchange', () => show(hashParams()));
      show(hashParams());
    }
    document.body.dataset.ready = 'true';
    if (root.performance && performance.mark) performance.mark('explore-ready');
  }

  if (typeof document !== 'undefined' && document.getElementById('explore-data')) startPage();
}(typeof window !== 'undefined' ? window : globalThis));
