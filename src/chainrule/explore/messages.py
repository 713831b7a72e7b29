"""Every string the explore page shows, in English; translated through :mod:`chainrule.i18n`.

The page embeds the whole table in the language it is written in (``MESSAGES.table(lang)``: the
catalogs' ``explore.*`` entries, English where one is missing), and its script looks every string up
there (``t(id, fields)`` in ``explore_messages.js``; markup by ``data-msg="id"``). Terms follow the
translated editions of the book (docs/glossary.md): 순전파·역전파 / 正向传播·反向传播 / 順伝播·逆伝播,
합성곱 / 卷积 / 畳み込み, 풀링 / 池化 / プーリング, 배치 정규화 / Batch Normalization / Batch Normalization.
"""

from __future__ import annotations

from ..i18n import Messages

__all__ = ["MESSAGES"]

MESSAGES = Messages("explore", {
    # the page
    'page.lede':
        'Forward values ride above each edge, derivatives (in red) below it: the chain rule, one node at a '
        'time.',
    'page.figure': 'Figure',
    'page.keys':
        'Keys: → step forward, ← step backward, Space play/pause, Home reset, End show everything. The '
        'address bar keeps the view: copy it to share this state.',
    # the figure chooser's groups
    'group.chapter5': 'Chapter 5: computational graphs',
    'group.chapter6': 'Chapter 6: learning techniques',
    # stepping (graphs and optimizers)
    'step.reset': '« Reset',
    'step.reset.title': 'Reset (Home)',
    'step.back': '◀ Step backward',
    'step.back.title': 'Step backward (Left arrow)',
    'step.play': '▶ Play',
    'step.pause': '⏸ Pause',
    'step.play.title': 'Play (Space)',
    'step.forward': 'Step forward ▶',
    'step.forward.title': 'Step forward (Right arrow)',
    'step.end': 'End »',
    'step.end.title': 'Show everything (End)',
    'step.count': 'step {step} / {last}',
    'step.group': 'Step through',
    # the graph view
    'graph.yours': 'Your graph',
    'graph.inputs': 'Inputs (edit them: the page recomputes every value and derivative)',
    'graph.upstream': 'd {name} (the upstream derivative)',
    'graph.values': 'Values: forward, and the derivative of the output with respect to each',
    'graph.col.value': 'value',
    'graph.col.forward': 'forward',
    'graph.col.derivative': 'derivative',
    'graph.unnamed': 'the {label} output',
    'graph.start': 'The inputs are known. Step forward: each node computes its output from its inputs.',
    'graph.forward': 'Forward through {label}: {expr} = {out}.',
    'graph.forward.last': 'Step on: the backward pass begins.',
    'graph.backward.start': 'Backward starts at the output: d {out} / d {out} = {grad}.',
    'graph.backward': 'Backward through {label}: the upstream derivative times the local one; {parts}.',
    'graph.backward.part': 'to {name}: {d} {rule} = {g}',
    'graph.backward.part.plain': 'to {name}: {d} → {g}',
    'graph.done': 'Done: every value and derivative is shown.',
    'graph.why.op': 'a node it does not know',
    'graph.why.size': 'arrays too large to embed',
    'graph.recorded':
        'These numbers were recorded by chainrule; the page cannot recompute a graph with {why}, so its '
        'inputs cannot be edited.',
    # local derivatives, as the backward step shows them under an edge
    'rule.times': '× {x}',
    'rule.times.summed': '× {x}, summed over the batch',
    'rule.one': '× 1',
    'rule.minus.one': '× (−1)',
    'rule.minus.one.summed': '× (−1), summed over the batch',
    'rule.exp': '× exp(x) = × {x}',
    'rule.recip': '× −1/x² = × {x}',
    'rule.sigmoid': '× y(1 − y)',
    'rule.relu': '× (x > 0)',
    'rule.affine.x': '· Wᵀ',
    'rule.affine.w': 'with xᵀ · on the left',
    'rule.affine.b': 'summed over the batch',
    'rule.softmaxloss': '(y − t) / N',
    'rule.mean': '÷ N = ÷ {n}, to every row',
    'rule.square': '× 2x = × {x}',
    'rule.sqrt': '× 1/(2√x) = × {x}',
    # the model view
    'model.draw': 'Draw a digit',
    'model.draw.help': 'Draw with the mouse, a pen or a finger; or start from a test image below.',
    'model.clear': 'Clear',
    'model.samples': 'MNIST test images to start from',
    'model.sample': 'test image {n}: a {label}',
    'model.seen': 'What the network sees (28×28)',
    'model.seen.help':
        'Prepared as chainrule predict prepares a picture: inverted if light, cropped to the ink, scaled to '
        '20 px, centred by its centre of mass.',
    'model.softmax': 'Softmax',
    'model.prediction': 'Prediction:',
    'model.bars': 'Probabilities; pick the label whose loss to backpropagate',
    'model.backward': 'Backward: d loss / d pixel for label {label}',
    'model.heat.help': 'blue: more ink here makes the label more likely; red: less likely.',
    'model.blank': 'The picture looks blank.',
    'model.loss': 'Loss for label {label}: {loss}.',
    'model.filters': "The first layer's filters ({n} of {size}, figure 7-24)",
    'model.filters.help': 'Each filter as an image: white is a large weight, black a small (negative) one.',
    'model.layers': 'Every layer: its output (forward) and the gradient of the loss there (backward)',
    'model.layers.help':
        'Forward: the values each layer passes on (feature maps for images, one cell per unit for vectors). '
        'Backward: d loss / d output for the picked label, blue where a larger value makes the label more '
        'likely, red where it makes it less likely. Click a position to see how it was computed.',
    'model.col.forward': 'forward: output',
    'model.col.backward': 'backward: d loss / d output',
    'model.layer.input': 'input x',
    'model.layer.title': '{name} ({kind}): {shape}',
    'model.layer.map': 'one map of {h}×{w}',
    'model.layer.maps': '{c} maps of {h}×{w}',
    'model.layer.units': '{n} units',
    'model.scale': 'largest |value| {max}',
    # a layer's kind
    'kind.conv': 'Convolution {fn} filters {fh}×{fw}, stride {stride}, pad {pad}',
    'kind.pool': 'Max pooling {ph}×{pw}, stride {stride}',
    'kind.relu': 'ReLU',
    'kind.sigmoid': 'Sigmoid',
    'kind.tanh': 'tanh',
    'kind.affine': 'Affine {d}→{m}',
    'kind.batchnorm': 'Batch Normalization (running statistics)',
    'kind.dropout': 'Dropout (test: × {keep})',
    'kind.input': 'the prepared digit',
    # a clicked position of a map
    'pos.title': '{name}, map {c}, row {y}, column {x}',
    'pos.title.unit': '{name}, unit {j}',
    'pos.close': 'Close',
    'pos.value': 'value {v}; d loss / d value {g}',
    'pos.conv.field':
        'Its receptive field in {below}: {c} × {fh}×{fw} values (channels × rows × columns) at rows '
        '{y0}–{y1}, columns {x0}–{x1}; outside the maps, the zero padding.',
    'pos.conv.kernel': 'Filter {f} (the kernel)',
    'pos.conv.products': 'Products: receptive field × kernel',
    'pos.conv.sum': 'Sum of the {n} products {s} + bias {b} = {v}',
    'pos.conv.channels': 'The sum channel by channel',
    'pos.conv.channel': 'channel {c}',
    'pos.conv.dw': "Its share of the kernel's gradient dW: {g} × the receptive field",
    'pos.conv.dx': "Its share of the input's gradient dx: {g} × the kernel, added onto the receptive field",
    'pos.pool.field': 'Its window in {below}: rows {y0}–{y1}, columns {x0}–{x1} of map {c}',
    'pos.pool.max': 'The largest value, {v}, is at row {y}, column {x}: it is the output.',
    'pos.pool.back':
        'On the way back the whole derivative {g} goes to that position; the other {n} positions of the '
        'window get 0.',
    'pos.relu': 'ReLU: the input {x} becomes {v}. On the way back the derivative {g} {passes}.',
    'pos.relu.passes': 'passes (x > 0)',
    'pos.relu.blocked': 'is stopped (x ≤ 0): 0 goes back',
    'pos.elementwise': '{kind}: the input {x} becomes {v}; the derivative going back is {dx}.',
    'pos.affine':
        'Affine: the sum of {n} products of the inputs and column {j} of W, plus b[{j}] = {b}; the largest '
        'contributions:',
    'pos.affine.term': 'input {k}: {x} × W[{k}, {j}] {w} = {p}',
    'legend.window': 'the receptive field',
    # the optimizers' paths (figures 6-3 to 6-8)
    'opt.title': "The optimizers' paths on f(x, y) = x²/20 + y² (figures 6-3 to 6-8)",
    'opt.help':
        "Each optimizer starts at the same point and follows chainrule's update rule with the gradient (x/10, "
        '2y); the minimum is at (0, 0). Pick optimizers and learning rates, then step or play.',
    'opt.pick': 'Optimizers',
    'opt.lr': 'learning rate',
    'opt.start': 'Start',
    'opt.table': 'Where each optimizer is after {step} steps',
    'opt.col.optimizer': 'optimizer',
    'opt.col.x': 'x',
    'opt.col.y': 'y',
    'opt.col.f': 'f(x, y)',
    'opt.plot': 'Contour lines of f and the paths',
    # the activation histograms (figures 6-10 to 6-14)
    'init.title': 'Activations of five layers of 100 units (figures 6-10 to 6-14)',
    'init.help':
        '1000 random inputs (standard normal) go through five layers of 100 units: weights drawn with the '
        'chosen standard deviation (no bias), then the activation. Each histogram counts one layer\'s 100,000 '
        'outputs in 30 bins from 0 to 1 (−1 to 1 for tanh), as the book\'s figures do.',
    'init.activation': 'Activation',
    'init.std': "Weights' standard deviation",
    'init.std.1': '1',
    'init.std.001': '0.01',
    'init.std.xavier': 'Xavier: 1/√n',
    'init.std.he': 'He: √(2/n)',
    'init.redraw': 'Draw new random numbers',
    'init.layer': 'layer {n}',
    'init.stats': 'mean {mean}, std {std}',
    # notes
    'note.no_images':
        "{name} is not on this computer, so the page has no test images to start from (run 'chainrule data' "
        'to get it); draw a digit instead',
})
