# Notebook 02: activation function layers, ReLU and Sigmoid (section 5.5).
# English prose and code; the translations of the prose are in notebooks/locales (gettext catalogs).
CELLS = [
    ("md", """
# 2. Activation layers: ReLU and Sigmoid

*Deep Learning from Scratch*, section 5.5. An activation function becomes a layer with a
`forward` that remembers what `backward` will need: ReLU remembers *where* the input was
not positive, Sigmoid remembers its output `y`, because its derivative is `y * (1 - y)`.
"""),
    ("md", """
## ReLU: a mask of the inputs that were not positive

The book builds the mask with `x <= 0`: `True` where the input was 0 or less. In backward
the derivative passes through where the input was positive and stops (becomes 0) where
the mask is `True`.
"""),
    ("code", """
import numpy as np

from chainrule import Relu, Sigmoid

x = np.array([[1.0, -0.5], [-2.0, 3.0]])
print(x)
mask = (x <= 0)
print(mask)
"""),
    ("code", """
relu = Relu()
out = relu.forward(x)
dout = np.array([[10.0, 20.0], [30.0, 40.0]])
dx = relu.backward(dout)

print(out)
print(relu.mask)
print(dx)
print(dout)  # unchanged
"""),
    ("md", """
## The book's `Relu.backward` writes into `dout`

The book's `common/layers.py` computes `dout[self.mask] = 0; dx = dout`: it returns the
caller's own array after zeroing part of it. In a plain chain nobody looks at `dout` again,
so the book's results are right. But when the same upstream derivative also goes to a second
branch, or you keep it to inspect it, it has silently changed. chainrule's `Relu` computes a
new array and leaves `dout` alone; here is the book's version for comparison:
"""),
    ("code", """
class BookRelu:  # the book's common/layers.py
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout
        return dx


book_relu = BookRelu()
book_relu.forward(x)
dout = np.array([[10.0, 20.0], [30.0, 40.0]])
dx = book_relu.backward(dout)
print(dout)  # the caller's array was changed
print(dx is dout)
"""),
    ("md", """
## Sigmoid: the derivative from the output alone

`y = 1 / (1 + exp(-x))` has the derivative `y * (1 - y)`, so the layer keeps `y` and needs
nothing else. At `x = 0` the derivative is 0.25, its largest value.
"""),
    ("code", """
sigmoid = Sigmoid()
x = np.array([-1.0, 0.0, 1.0, 2.0])
y = sigmoid.forward(x)
dx = sigmoid.backward(np.ones_like(x))

print(y)
print(dx)
print(y * (1 - y))
"""),
    ("md", """
The book derives `y * (1 - y)` by taking sigmoid apart into four nodes: `× -1`, `exp`,
`+ 1` and `/` (figure 5-19). chainrule's graph recorder builds exactly that graph; at
`x = 1` the derivative that reaches `x` is `0.196612`, the same as the layer's above.
"""),
    ("code", """
from IPython.display import display

from chainrule.graph import sigmoid_graph

display(sigmoid_graph(1.0), exclude=["text/html"])  # the static drawing
"""),
    ("md", """
## Both layers at a glance

Forward output (solid) and the derivative that `backward` returns for `dout = 1` (dashed).
ReLU's derivative jumps at 0; that kink matters again in the gradient check (notebook 4).
"""),
    ("code", """
import matplotlib.pyplot as plt

x = np.linspace(-5, 5, 201)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
for ax, layer in zip(axes, [Relu(), Sigmoid()]):
    y = layer.forward(x)
    dx = layer.backward(np.ones_like(x))
    ax.plot(x, y, label="forward: y")
    ax.plot(x, dx, linestyle="--", label="backward: dy/dx")
    ax.set_title(type(layer).__name__)
    ax.set_xlabel("x")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
plt.tight_layout()
plt.show()
"""),
    ("md", """
## Try it

- Feed `Relu` an input with an exact 0. Which way does the book's mask send it, and why
  does it not matter for training?
- Write `Sigmoid.backward` from the four-node graph above (multiply the four local
  derivatives) and compare with `y * (1 - y)`. Notebook 6 checks your own layers for you.

Next: [3. Affine and Softmax-with-Loss](03_affine_softmax.ipynb).
"""),
]
