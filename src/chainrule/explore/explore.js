/* chainrule explore, part 4 of 4: the page's start. Plain JavaScript: no framework, no build step.
 *
 * The page's script is four files, inlined in this order by chainrule/explore/page.py:
 *   explore_core.js   tensors, the layers' math, the number format, the page helpers
 *   explore_graph.js  the graph view: its nodes, forward and backward, layout, stepping
 *   explore_model.js  the model view: the network, the digit's preprocessing, the canvas
 *   explore.js        this file: starts the page from its embedded data
 * In Node, requiring this file gives the whole namespace (the tests load it so).
 */
(function (root) {
  'use strict';
  if (typeof module !== 'undefined' && module.exports) {
    require('./explore_graph.js');
    require('./explore_model.js');
    module.exports = require('./explore_core.js');
    return;
  }
  const E = root.ChainruleExplore;

  function startPage() {
    const data = JSON.parse(document.getElementById('explore-data').textContent);
    if (data.graphs.length) E.graphPage(data);
    if (data.model) E.modelPage(data.model);
    document.body.dataset.ready = 'true';
    if (root.performance && performance.mark) performance.mark('explore-ready');
  }

  if (typeof document !== 'undefined' && document.getElementById('explore-data')) startPage();
}(typeof window !== 'undefined' ? window : globalThis));
