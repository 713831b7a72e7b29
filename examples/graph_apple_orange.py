"""The book's apples and oranges (section 5.4.2) as a recorded graph, drawn like figure 5-17.

Prints: price: 715 / dApple: 2.2 / dApple_num: 110 / dOrange: 3.3 / dOrange_num: 165 /
dTax: 650, then where the figure went. Usage: python graph_apple_orange.py [OUT.svg|.png|.dot]
"""

import sys

from chainrule.graph import Graph

g = Graph()
apple, apple_num = g.input(100, name="apple"), g.input(2, name="apple_num")
orange, orange_num = g.input(150, name="orange"), g.input(3, name="orange_num")
tax = g.input(1.1, name="tax")

price = (apple * apple_num + orange * orange_num) * tax  # forward: records the nodes
price.name = "price"
price.backward()  # backward: every node's layer.backward, in reverse order

print(f"price: {price.data:.6g}")
print(f"dApple: {apple.grad:.6g}")
print(f"dApple_num: {apple_num.grad:.6g}")
print(f"dOrange: {orange.grad:.6g}")
print(f"dOrange_num: {orange_num.grad:.6g}")
print(f"dTax: {tax.grad:.6g}")

out = sys.argv[1] if len(sys.argv) > 1 else "apple_orange.dot"
print("figure:", g.render(out, force=True))  # this script's figure: replaced at every run
