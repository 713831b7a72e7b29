"""Every word the explorer page shows, in English; translated through :mod:`chainrule.i18n` (``explore.*``).

The page gets the table in its language as JSON (``data.text``): its markup (``explore.html``) names
a message as ``{{key}}`` and :func:`~chainrule.explore.page.page_html` writes it in; its script
(``explore*.js``) asks for one with ``t(key, fields)``. A message's `backticks` are code (shown as
``<code>``) and never translated; ``{name}`` placeholders are filled by the page. Numbers, value
names (``apple``, ``W1``) and node labels (``×``, ``exp``) are the book's and stay as they are.
"""

from __future__ import annotations

from ..i18n import Messages

__all__ = ["TEXT"]

TEXT = Messages("explore", {
    # -- the markup (explore.html) ------------------------------------------------------------------
    "lede": "Forward values ride above each edge, derivatives (in red) below it: the chain rule, one node at a time.",
    "graph.pick": "Graph",
    "graph.controls": "Step through the graph",
    "graph.reset": "« Reset",
    "graph.reset_title": "Reset (Home)",
    "graph.back": "◀ Step backward",
    "graph.back_title": "Step backward (Left arrow)",
    "graph.play": "▶ Play",
    "graph.pause": "⏸ Pause",
    "graph.play_title": "Play (Space)",
    "graph.forward": "Step forward ▶",
    "graph.forward_title": "Step forward (Right arrow)",
    "graph.end": "End »",
    "graph.end_title": "Show everything (End)",
    "graph.inputs": "Inputs (edit them: the page recomputes every value and derivative)",
    "graph.values": "Values: forward, and the derivative of the output with respect to each",
    "graph.col_value": "value",
    "graph.col_forward": "forward",
    "graph.col_derivative": "derivative",
    "graph.keys":
        "Keys: → step forward, ← step backward, Space play/pause, Home reset, End show everything. The address "
        "bar keeps the view: copy it to share this state.",
    "model.draw": "Draw a digit",
    "model.draw_help": "Draw with the mouse, a pen or a finger; or start from a test image below.",
    "model.clear": "Clear",
    "model.samples": "MNIST test images to start from",
    "model.seen": "What the network sees (28×28)",
    "model.prepared":
        "Prepared as `chainrule predict` prepares a picture: inverted if light, cropped to the ink, scaled to "
        "20 px, centred by its centre of mass.",
    "model.forward": "Forward",
    "model.softmax": "Softmax",
    "model.prediction": "Prediction:",
    "model.bars": "Probabilities; pick the label whose loss to backpropagate",
    "model.backward": "Backward: d loss / d pixel for label {label}",
    "model.heat_help": "{blue} more ink here makes the label more likely; {red} less likely.",
    # -- the script (explore_graph.js, explore_model.js) ---------------------------------------------------
    "graph.step": "step {step} / {last}",
    "graph.output_of": "the {node} output",
    "graph.start": "The inputs are known. Step forward: each node computes its output from its inputs.",
    "graph.forward_through": "Forward through {node}: {computation} = {out}.",
    "graph.backward_begins": "Step on: the backward pass begins.",
    "graph.backward_starts": "Backward starts at the output: d {out} / d {out} = {grad}.",
    "graph.edge": "to {name}: {formula}",
    "graph.backward_through": "Backward through {node}: the upstream derivative times the local one; {edges}.",
    "graph.separator": "; ",
    "graph.done": "Done: every value and derivative is shown.",
    "graph.affine_dW": "with xᵀ · on the left",
    "graph.affine_db": "summed over the batch",
    "model.sample": "test image {n}: a {label}",
    "model.blank": "The picture looks blank.",
    "model.active": "{layer}: {active} of {units} units active",
    "model.hidden": "{layer}: {units} hidden units (brighter = larger)",
    "model.loss": "Loss for label {label}: {loss}.",
    # -- written by Python -------------------------------------------------------------------------------
    "your_graph": "Your graph",
    "no_images":
        "{dataset} is not on this computer, so the page has no test images to start from (run 'chainrule data' "
        "to get it); draw a digit instead",
})
