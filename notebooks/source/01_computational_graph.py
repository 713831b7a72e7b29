# Notebook 01: the computational graph and the apple examples (sections 5.1-5.4).
# English prose and code; the translations of the prose are in notebooks/locales (gettext catalogs).
CELLS = [
    ("md", """
# 1. Computational graphs: buying apples

*Deep Learning from Scratch*, chapter 5, sections 5.1-5.4, with chainrule.

A computational graph draws a calculation as nodes joined by edges. Going forward (left to
right) each node computes its result from its inputs; going backward (right to left) each
node multiplies the derivative that arrives from the right by its own **local derivative**
and passes it on. That is the chain rule, and it is all that error backpropagation does.

This notebook types the book's apple examples against chainrule, checks one derivative by
hand, and draws the graph with the values above each edge and the derivatives below it.

> Setup: from a clone of chainrule, `pip install -e ".[all]" jupyter`, then open this file.
> Drawing the graph needs Graphviz's `dot` program (`apt-get install graphviz` or
> `brew install graphviz`); without it `g` prints as text and everything else works.
"""),
    ("md", """
## Forward: 2 apples at 100 each, 10% tax

The book's multiplication layer `MulLayer` keeps its two inputs in `forward` because
`backward` needs them: the local derivative of `x * y` is `y` with respect to `x` and `x`
with respect to `y`. chainrule's `MulLayer` has the book's name and signature.
"""),
    ("code", """
from chainrule import AddLayer, MulLayer

apple = 100
apple_num = 2
tax = 1.1

mul_apple_layer = MulLayer()
mul_tax_layer = MulLayer()

# forward
apple_price = mul_apple_layer.forward(apple, apple_num)
price = mul_tax_layer.forward(apple_price, tax)

print("price:", int(price))
"""),
    ("md", """
## Backward: how much does the price move?

Backward starts from `dprice = 1` (the derivative of the price with respect to itself) and
calls the layers in the reverse order. The results are the book's figure 5-16: one more yen
per apple raises the price by 2.2 yen, one more apple by 110 yen, and the tax rate by 200.
"""),
    ("code", """
# backward
dprice = 1
dapple_price, dtax = mul_tax_layer.backward(dprice)
dapple, dapple_num = mul_apple_layer.backward(dapple_price)

print("dApple:", dapple)
print("dApple_num:", int(dapple_num))
print("dTax:", dtax)
"""),
    ("md", """
## Check it by nudging an input

A derivative says how much the output moves when one input moves a little. Nudge the
apple's price by `h` up and down and divide the change in price by `2h` (the central
difference of chapter 4): the numbers agree with backward's to about ten digits.
"""),
    ("code", """
def total(apple, apple_num, tax):
    return apple * apple_num * tax

h = 1e-4
print("dApple (numerical):", (total(apple + h, apple_num, tax) - total(apple - h, apple_num, tax)) / (2 * h))
print("dTax   (numerical):", (total(apple, apple_num, tax + h) - total(apple, apple_num, tax - h)) / (2 * h))
"""),
    ("md", """
## Apples and oranges: the addition layer

The addition layer `AddLayer` passes the upstream derivative to both inputs unchanged (its
local derivatives are 1), so it needs to remember nothing. This is the book's
`buy_apple_orange.py` (figure 5-17). `dOrange` prints as `3.3000000000000003` because
`1.1 * 3` is not exactly 3.3 in floating point; the book's figure rounds it to 3.3.
"""),
    ("code", """
apple = 100
apple_num = 2
orange = 150
orange_num = 3
tax = 1.1

# layer
mul_apple_layer = MulLayer()
mul_orange_layer = MulLayer()
add_apple_orange_layer = AddLayer()
mul_tax_layer = MulLayer()

# forward
apple_price = mul_apple_layer.forward(apple, apple_num)  # (1)
orange_price = mul_orange_layer.forward(orange, orange_num)  # (2)
all_price = add_apple_orange_layer.forward(apple_price, orange_price)  # (3)
price = mul_tax_layer.forward(all_price, tax)  # (4)

# backward
dprice = 1
dall_price, dtax = mul_tax_layer.backward(dprice)  # (4)
dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)  # (3)
dorange, dorange_num = mul_orange_layer.backward(dorange_price)  # (2)
dapple, dapple_num = mul_apple_layer.backward(dapple_price)  # (1)

print("price:", int(price))
print("dApple:", dapple)
print("dApple_num:", int(dapple_num))
print("dOrange:", dorange)
print("dOrange_num:", int(dorange_num))
print("dTax:", dtax)
"""),
    ("md", """
## Draw the graph

`chainrule.graph.Graph` records a calculation while it runs: `g.input(...)` makes an input,
and `*` and `+` record a `MulLayer` or an `AddLayer` node. `backward()` then calls each
node's own `backward` in reverse order. Showing `g` in Jupyter draws it like the book's
figures: the forward value above each edge, the derivative below it in red. The cells print
the values to six significant digits, as the book's figures do (`1.1 * 100` is
`110.00000000000001` in floating point; the book's script hides this with `int()`).
`display(g, exclude=["text/html"])` shows the static drawing; `g` on its own shows an
interactive page instead (the last cell of this notebook).
"""),
    ("code", """
from IPython.display import display

from chainrule.graph import Graph

g = Graph()
apple, apple_num, tax = g.input(100, name="apple"), g.input(2, name="apple_num"), g.input(1.1, name="tax")
price = apple * apple_num * tax
price.name = "price"
price.backward()
print(*(f"{v:.6g}" for v in (price.data, apple.grad, apple_num.grad, tax.grad)))
display(g, exclude=["text/html"])
"""),
    ("code", """
g = Graph()
apple, apple_num = g.input(100, name="apple"), g.input(2, name="apple_num")
orange, orange_num = g.input(150, name="orange"), g.input(3, name="orange_num")
tax = g.input(1.1, name="tax")
price = (apple * apple_num + orange * orange_num) * tax
price.name = "price"
price.backward()
print(*(f"{v:.6g}" for v in (price.data, apple.grad, apple_num.grad, orange.grad, orange_num.grad, tax.grad)))
display(g, exclude=["text/html"])
"""),
    ("md", """
## Step through it

In Jupyter, showing a graph by itself opens chainrule's explorer inside the notebook: *Step
forward* lights one node at a time with its value, *Step backward* brings each derivative back
with the local rule that made it (`× 1.1` at the tax node), and the inputs can be edited. The
page runs in your browser, so a static view of this notebook (GitHub, for example) cannot
show it; open the notebook in Jupyter, or write the same page to a file with
`g.to_html("apples.html")` or `chainrule explore`.
"""),
    ("code", """
g
"""),
    ("md", """
## Try it

- Change `orange_num` to 5 and predict `dTax` before you run the cell (it is the price
  before tax: 200 + 750).
- Add a third fruit to the graph above and check its derivative by nudging it as we did
  for the apple.
- `g.render("apples.svg")` writes the drawing to a file; `chainrule graph apple-orange --out
  fig.svg` does the same from the command line.

Next: [2. Activation layers](02_activation_layers.ipynb).
"""),
]
