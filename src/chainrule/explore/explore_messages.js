/* chainrule explore: t(id, fields), every string the page shows. The strings are chainrule.explore.messages'
 * table (English in the code, translated by the catalogs), embedded by chainrule.explore.page in the language
 * the page was written in (data.catalog: message id -> text); "{name}" marks a value put in. Markup takes its
 * text from the table too: an element with data-msg="id" gets t(id) as its text, data-msg-title /
 * data-msg-aria-label / data-msg-placeholder set those attributes.
 */
(function (root) {
  'use strict';
  const E = typeof module !== 'undefined' && module.exports ? require('./explore_core.js') : root.ChainruleExplore;

  let catalog = {};

  // The message `id` in the page's language, with {name} filled from params.
  function t(id, params) {
    if (!Object.prototype.hasOwnProperty.call(catalog, id)) throw new Error(`no message ${id}`);
    let text = catalog[id];
    if (params) text = text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
    return text;
  }

  // Use `messages` ({id: text}) for the page's strings; the markup's data-msg attributes follow.
  function useCatalog(messages, doc) {
    catalog = messages || {};
    if (!doc) return;
    doc.querySelectorAll('[data-msg]').forEach((e) => { e.textContent = t(e.dataset.msg); });
    for (const attr of ['title', 'aria-label', 'placeholder']) {
      const key = 'msg' + attr.replace(/(^|-)(\w)/g, (m, d, c) => c.toUpperCase());
      doc.querySelectorAll(`[data-msg-${attr}]`).forEach((e) => e.setAttribute(attr, t(e.dataset[key])));
    }
  }

  Object.assign(E, { t, useCatalog });
  if (typeof module !== 'undefined' && module.exports) module.exports = E;
}(typeof window !== 'undefined' ? window : globalThis));
