# Notebook 03: the Affine layer and the Softmax-with-Loss layer (section 5.6), with the shapes drawn.
# English prose and code; the translations of the prose are in notebooks/locales (gettext catalogs).
CELLS = [
    ("md", """
# 3. The Affine and Softmax-with-Loss layers

*Deep Learning from Scratch*, section 5.6. The Affine layer computes `X · W + b`; its
backward is three matrix formulas whose shapes must match those of the forward pass. The
Softmax-with-Loss layer ends the network; its backward is the strikingly simple
`(y - t) / batch_size`.
"""),
    ("md", """
## The shapes of the matrix product

The book starts with one sample: `X` of shape `(2,)`, `W` of shape `(2, 3)`, `B` of shape
`(3,)`. The number of elements in matching dimensions must agree, and `Y` gets shape `(3,)`.
"""),
    ("code", """
import numpy as np

rng = np.random.default_rng(0)
X = rng.random(2)       # input
W = rng.random((2, 3))  # weights
B = rng.random(3)       # bias

Y = np.dot(X, W) + B
print(X.shape, W.shape, B.shape, Y.shape)
"""),
    ("md", """
## A batch: the bias is added to every row, so its derivative sums the rows

With a batch of `N` samples, `B` is broadcast to each of the `N` rows of `X · W`. In backward
each row's derivative flows into the same `B`, so `dB` is the sum over axis 0. The book's
example (section 5.6.2):
"""),
    ("code", """
X_dot_W = np.array([[0, 0, 0], [10, 10, 10]])
B = np.array([1, 2, 3])
print(X_dot_W + B)

dY = np.array([[1, 2, 3], [4, 5, 6]])
dB = np.sum(dY, axis=0)
print(dB)
"""),
    ("md", """
## The Affine layer, and a picture of its shapes

`dX = dY · Wᵀ`, `dW = Xᵀ · dY`, `db = sum(dY, axis=0)`. The easiest way to remember which
transpose goes where is the shapes: `dX` must have the shape of `X`, `dW` that of `W`. The
figure draws each array of a real `Affine` call with one square per element (`N = 2`
samples, `D = 4` inputs, `M = 3` outputs).
"""),
    ("code", """
from chainrule import Affine

N, D, M = 2, 4, 3
W = rng.standard_normal((D, M))
b = rng.standard_normal(M)
x = rng.standard_normal((N, D))

affine = Affine(W, b)
out = affine.forward(x)
dout = rng.standard_normal(out.shape)
dx = affine.backward(dout)

for name, array in [("x", x), ("W", W), ("b", b), ("out", out), ("dout", dout),
                    ("dx", dx), ("dW", affine.dW), ("db", affine.db)]:
    print(f"{name:5} {array.shape}")
print(np.allclose(dx, dout @ W.T), np.allclose(affine.dW, x.T @ dout), np.allclose(affine.db, dout.sum(axis=0)))
"""),
    ("code", """
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

COLORS = {"X": "tab:blue", "W": "tab:orange", "b": "tab:green", "Y": "tab:purple"}


def draw_row(ax, y, title, terms, cell=0.5):
    \"\"\"One equation: each (name, shape) is drawn as a grid with one cell per element.\"\"\"
    ax.text(0, y + 1.3, title, fontsize=11, va="bottom")
    x0 = 0.0
    for term in terms:
        if isinstance(term, str):
            ax.text(x0 + 0.35, y, term, ha="center", va="center", fontsize=15)
            x0 += 0.7
            continue
        name, shape = term
        rows, cols = shape if len(shape) == 2 else (1, shape[0])
        for r in range(rows):
            for c in range(cols):
                ax.add_patch(Rectangle((x0 + c * cell, y + rows * cell / 2 - (r + 1) * cell), cell, cell,
                                       facecolor=COLORS[name.lstrip("d")[0]],
                                       alpha=0.35 if name[0] == "d" else 0.75, edgecolor="white"))
        ax.text(x0 + cols * cell / 2, y - rows * cell / 2 - 0.1, f"{name} {shape}", ha="center", va="top")
        x0 += cols * cell + 0.15


fig, ax = plt.subplots(figsize=(7, 9))
draw_row(ax, 0, "forward:  Y = X · W + b",
         [("X", x.shape), "·", ("W", W.shape), "+", ("b", b.shape), "=", ("Y", out.shape)])
draw_row(ax, -4, "backward:  dX = dY · Wᵀ",
         [("dX", dx.shape), "=", ("dY", dout.shape), "·", ("Wᵀ", W.T.shape)])
draw_row(ax, -8, "backward:  dW = Xᵀ · dY",
         [("dW", affine.dW.shape), "=", ("Xᵀ", x.T.shape), "·", ("dY", dout.shape)])
draw_row(ax, -12, "backward:  db = dY summed over axis 0 (the batch)",
         [("db", affine.db.shape), "=", "Σ", ("dY", dout.shape)])
ax.set_xlim(-0.2, 8.5)
ax.set_ylim(-13.6, 1.9)
ax.set_aspect("equal")
ax.axis("off")
plt.show()
"""),
    ("md", """
## Images as input: 4-D tensors

The book's Affine also accepts images shaped `(N, C, H, W)`: forward flattens each sample to
a row, and backward gives `dx` back the original shape, so the layer before it gets a
derivative of the shape it produced.
"""),
    ("code", """
images = rng.standard_normal((2, 1, 2, 2))  # N=2 images of 1 channel, 2x2 pixels: 4 values each
affine = Affine(W, b)
out = affine.forward(images)
dx = affine.backward(np.ones_like(out))
print(images.shape, "->", out.shape, "; dx:", dx.shape)
"""),
    ("md", """
## Softmax-with-Loss

Softmax turns scores into probabilities; the book's example in section 3.5.1 is
`[0.3, 2.9, 4.0]`. The layer combines softmax with the cross entropy error, and its
backward returns `(y - t) / batch_size`: the difference between the prediction and the
correct answer. With the correct label 2 (probability 0.737), the loss is
`-log(0.737) = 0.306` and the derivative of the third score is `0.737 - 1`.
"""),
    ("code", """
from chainrule import SoftmaxWithLoss, numerical_gradient, softmax

a = np.array([0.3, 2.9, 4.0])
print(softmax(a))

scores = np.array([[0.3, 2.9, 4.0]])
t = np.array([2])
layer = SoftmaxWithLoss()
loss = layer.forward(scores, t)
dscores = layer.backward()
print(loss)
print(dscores)
print(softmax(scores) - np.eye(3)[t])  # y - t
"""),
    ("md", """
With a batch the derivative is divided by the batch size, because the loss is the *mean*
over the batch. Numerical differentiation confirms it (the difference is about 1e-10):
"""),
    ("code", """
scores = np.array([[0.3, 2.9, 4.0], [0.3, 2.9, 4.0]])
t = np.array([2, 0])
layer = SoftmaxWithLoss()
layer.forward(scores, t)
dscores = layer.backward()
numerical = numerical_gradient(lambda s: SoftmaxWithLoss().forward(s, t), scores.copy())
print(dscores)
print(np.abs(dscores - numerical).max())
"""),
    ("md", """
## Try it

- Give `SoftmaxWithLoss` one-hot targets (`np.eye(3)[t]`) instead of labels: same loss,
  same derivative.
- Forget the `/ batch_size` in your own backward: the gradient check of the next notebook
  is then off by a factor of `N`, and notebook 6's `chainrule check` names that mistake.

Next: [4. The two-layer net and the gradient check](04_two_layer_net.ipynb).
"""),
]
