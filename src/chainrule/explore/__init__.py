"""``chainrule explore``: one self-contained HTML page that shows the chain rule happening.

:mod:`~chainrule.explore.page` writes it (the data as JSON, the style and the script inline);
:mod:`~chainrule.explore.model` describes a network for it. The page's script is the plain
JavaScript beside them (``explore_*.js``, listed in :data:`~chainrule.explore.page.SCRIPTS`),
its style ``explore.css``, its markup ``explore.html``.
"""

from .model import embedded_images, model_payload, pick_images
from .page import VIEWS, check_out, graph_iframe, graph_payload, page_html, write_graph_page, write_page

__all__ = ["VIEWS", "check_out", "embedded_images", "graph_iframe", "graph_payload", "model_payload", "page_html",
           "pick_images", "write_graph_page", "write_page"]
