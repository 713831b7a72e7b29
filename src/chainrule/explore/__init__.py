"""``chainrule explore``: one self-contained HTML page that shows the chain rule happening.

:mod:`~chainrule.explore.page` writes it (the data as JSON, the style and the script inline);
the page's script is the plain JavaScript beside it (``explore_core.js``, ``explore_graph.js``,
``explore_model.js``, ``explore.js``), its style ``explore.css``, its markup ``explore.html``.
"""

from .page import (
    check_out,
    embedded_images,
    graph_iframe,
    graph_payload,
    model_payload,
    page_html,
    pick_images,
    write_graph_page,
    write_page,
)

__all__ = ["check_out", "embedded_images", "graph_iframe", "graph_payload", "model_payload", "page_html",
           "pick_images", "write_graph_page", "write_page"]
