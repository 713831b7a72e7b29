# Notebook 01: the computational graph and the apple examples (sections 5.1-5.4).
# Prose per language, code once; notebooks/build.py turns this into notebooks/<lang>/.
CELLS = [
    ("md", {
        "en": """
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
""",
        "ko": """
# 1. 계산 그래프: 사과 쇼핑

『밑바닥부터 시작하는 딥러닝』 5장 5.1~5.4절을 chainrule로 따라갑니다.

계산 그래프는 계산 과정을 노드와 에지로 나타낸 것입니다. 순전파(왼쪽에서 오른쪽)에서는 각
노드가 입력으로 자신의 결과를 계산하고, 역전파(오른쪽에서 왼쪽)에서는 오른쪽에서 전해진 미분에
자신의 **국소적 미분**을 곱해 왼쪽으로 넘깁니다. 이것이 연쇄법칙이며, 오차역전파법이 하는 일은
이것이 전부입니다.

이 노트북에서는 책의 사과 예제를 chainrule로 그대로 입력해 보고, 미분 하나를 직접 확인한 다음,
에지 위에 순전파 값, 아래에 미분을 적은 계산 그래프를 그려 봅니다.

> 준비: chainrule 저장소를 클론한 폴더에서 `pip install -e ".[all]" jupyter`를 실행한 뒤 이 파일을
> 여세요. 그래프를 그리려면 Graphviz의 `dot` 프로그램이 필요합니다(`apt-get install graphviz`
> 또는 `brew install graphviz`). 없으면 `g`가 텍스트로 표시될 뿐 나머지는 모두 동작합니다.
""",
        "zh-CN": """
# 1. 计算图：买苹果

对照《深度学习入门：基于Python的理论与实现》第5章5.1～5.4节，用 chainrule 动手实践。

计算图用节点和边来表示计算过程。正向传播（从左到右）时，每个节点根据输入计算自己的结果；
反向传播（从右到左）时，每个节点把从右边传来的导数乘以自己的**局部导数**，再传给左边。
这就是链式法则，误差反向传播法做的也仅此而已。

本 notebook 先用 chainrule 原样输入书中买苹果的例子，再亲手验证一个导数，最后画出计算图：
边的上方是正向传播的值，下方是导数。

> 准备：在 chainrule 的克隆目录中运行 `pip install -e ".[all]" jupyter`，然后打开本文件。
> 画图需要 Graphviz 的 `dot` 程序（`apt-get install graphviz` 或 `brew install graphviz`）；
> 没有它时 `g` 只会显示为文本，其余部分照常运行。
""",
        "ja": """
# 1. 計算グラフ：リンゴの買い物

『ゼロから作るDeep Learning』5章の5.1〜5.4節を、chainrule で手を動かしながらたどります。

計算グラフは、計算の過程をノードとエッジで表したものです。順伝播（左から右）では各ノードが
入力から自分の結果を計算し、逆伝播（右から左）では右から流れてきた微分に自分の
**局所的な微分**を乗算して左へ渡します。これが連鎖律であり、誤差逆伝播法がしていることは
これに尽きます。

このノートブックでは、本のリンゴの例を chainrule でそのまま入力し、微分をひとつ自分で確かめ、
エッジの上に順伝播の値、下に微分を書いた計算グラフを描きます。

> 準備：chainrule をクローンしたフォルダで `pip install -e ".[all]" jupyter` を実行してから、
> このファイルを開いてください。グラフの描画には Graphviz の `dot` コマンドが必要です
> （`apt-get install graphviz` または `brew install graphviz`）。なければ `g` がテキストで
> 表示されるだけで、ほかはすべて動きます。
""",
    }),
    ("md", {
        "en": """
## Forward: 2 apples at 100 each, 10% tax

The book's multiplication layer `MulLayer` keeps its two inputs in `forward` because
`backward` needs them: the local derivative of `x * y` is `y` with respect to `x` and `x`
with respect to `y`. chainrule's `MulLayer` has the book's name and signature.
""",
        "ko": """
## 순전파: 100원짜리 사과 2개, 소비세 10%

책의 곱셈 계층 `MulLayer`는 `forward`에서 두 입력을 저장해 둡니다. `backward`에 필요하기
때문입니다. `x * y`의 국소적 미분은 `x`에 대해 `y`, `y`에 대해 `x`입니다. chainrule의
`MulLayer`는 책과 같은 이름, 같은 시그니처입니다.
""",
        "zh-CN": """
## 正向传播：2个100日元的苹果，消费税10%

书中的乘法层 `MulLayer` 在 `forward` 中保存两个输入，因为 `backward` 要用到它们：
`x * y` 关于 `x` 的局部导数是 `y`，关于 `y` 的是 `x`。chainrule 的 `MulLayer`
与书中的名字和接口完全相同。
""",
        "ja": """
## 順伝播：1個100円のリンゴを2個、消費税10%

本の乗算レイヤ `MulLayer` は、`forward` で2つの入力を保持しておきます。`backward` で
必要になるからです。`x * y` の局所的な微分は、`x` については `y`、`y` については `x` です。
chainrule の `MulLayer` は本と同じ名前、同じ引数です。
""",
    }),
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
    ("md", {
        "en": """
## Backward: how much does the price move?

Backward starts from `dprice = 1` (the derivative of the price with respect to itself) and
calls the layers in the reverse order. The results are the book's figure 5-16: one more yen
per apple raises the price by 2.2 yen, one more apple by 110 yen, and the tax rate by 200.
""",
        "ko": """
## 역전파: 가격은 얼마나 변할까?

역전파는 `dprice = 1`(가격을 가격 자신으로 미분한 값)에서 시작해 계층을 순전파의 반대 순서로
호출합니다. 결과는 책의 그림 5-16과 같습니다. 사과 가격이 1원 오르면 최종 금액은 2.2원,
사과가 1개 늘면 110원, 소비세율에 대해서는 200만큼 변합니다.
""",
        "zh-CN": """
## 反向传播：价格会变化多少？

反向传播从 `dprice = 1`（价格对自身的导数）开始，按与正向传播相反的顺序调用各层。
结果与书中图5-16一致：苹果单价每涨1日元，支付金额增加2.2日元；苹果多买1个，增加110日元；
对消费税率的导数是200。
""",
        "ja": """
## 逆伝播：支払金額はどれだけ動く？

逆伝播は `dprice = 1`（支払金額をそれ自身で微分した値）から始め、レイヤを順伝播と逆の順番に
呼び出します。結果は本の図5-16と同じです。リンゴの値段が1円上がると支払金額は2.2円、
リンゴが1個増えると110円増え、消費税に関する微分は200です。
""",
    }),
    ("code", """
# backward
dprice = 1
dapple_price, dtax = mul_tax_layer.backward(dprice)
dapple, dapple_num = mul_apple_layer.backward(dapple_price)

print("dApple:", dapple)
print("dApple_num:", int(dapple_num))
print("dTax:", dtax)
"""),
    ("md", {
        "en": """
## Check it by nudging an input

A derivative says how much the output moves when one input moves a little. Nudge the
apple's price by `h` up and down and divide the change in price by `2h` (the central
difference of chapter 4): the numbers agree with backward's to about ten digits.
""",
        "ko": """
## 입력을 살짝 움직여 확인하기

미분은 입력 하나를 조금 움직였을 때 출력이 얼마나 변하는지를 나타냅니다. 사과 가격을 `h`만큼
올리고 내려서 가격 변화를 `2h`로 나누면(4장의 중심 차분) 역전파로 구한 값과 열 자리 정도까지
일치합니다.
""",
        "zh-CN": """
## 稍微改变一个输入来验证

导数表示一个输入稍微变化时输出变化多少。把苹果单价上下各移动 `h`，用价格的变化除以 `2h`
（第4章的中心差分），得到的值与反向传播的结果大约有十位数字一致。
""",
        "ja": """
## 入力を少し動かして確かめる

微分は、ひとつの入力を少しだけ動かしたときに出力がどれだけ動くかを表します。リンゴの値段を
`h` だけ上げ下げして、支払金額の変化を `2h` で割ると（4章の中心差分）、逆伝播で求めた値と
10桁ほど一致します。
""",
    }),
    ("code", """
def total(apple, apple_num, tax):
    return apple * apple_num * tax

h = 1e-4
print("dApple (numerical):", (total(apple + h, apple_num, tax) - total(apple - h, apple_num, tax)) / (2 * h))
print("dTax   (numerical):", (total(apple, apple_num, tax + h) - total(apple, apple_num, tax - h)) / (2 * h))
"""),
    ("md", {
        "en": """
## Apples and oranges: the addition layer

The addition layer `AddLayer` passes the upstream derivative to both inputs unchanged (its
local derivatives are 1), so it needs to remember nothing. This is the book's
`buy_apple_orange.py` (figure 5-17). `dOrange` prints as `3.3000000000000003` because
`1.1 * 3` is not exactly 3.3 in floating point; the book's figure rounds it to 3.3.
""",
        "ko": """
## 사과와 귤: 덧셈 계층

덧셈 계층 `AddLayer`는 상류에서 온 미분을 두 입력에 그대로 흘려보냅니다(국소적 미분이 1).
그래서 기억해 둘 것이 없습니다. 아래는 책의 `buy_apple_orange.py`(그림 5-17)입니다.
`dOrange`가 `3.3000000000000003`으로 출력되는 것은 부동소수점에서 `1.1 * 3`이 정확히 3.3이
아니기 때문이며, 책의 그림은 이를 3.3으로 반올림해 보여 줍니다.
""",
        "zh-CN": """
## 苹果和橘子：加法层

加法层 `AddLayer` 把上游传来的导数原封不动地传给两个输入（局部导数为1），所以什么都不用保存。
下面是书中的 `buy_apple_orange.py`（图5-17）。`dOrange` 打印为 `3.3000000000000003`，
是因为在浮点数中 `1.1 * 3` 并不恰好等于3.3；书中的图把它四舍五入为3.3。
""",
        "ja": """
## リンゴとみかん：加算レイヤ

加算レイヤ `AddLayer` は、上流から来た微分をそのまま両方の入力へ流します（局所的な微分が1）。
そのため何も覚えておく必要がありません。以下は本の `buy_apple_orange.py`（図5-17）です。
`dOrange` が `3.3000000000000003` と表示されるのは、浮動小数点数では `1.1 * 3` がちょうど
3.3 にならないためで、本の図では 3.3 に丸めてあります。
""",
    }),
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
    ("md", {
        "en": """
## Draw the graph

`chainrule.graph.Graph` records a calculation while it runs: `g.input(...)` makes an input,
and `*` and `+` record a `MulLayer` or an `AddLayer` node. `backward()` then calls each
node's own `backward` in reverse order. Showing `g` in Jupyter draws it like the book's
figures: the forward value above each edge, the derivative below it in red. The cells print
the values to six significant digits, as the book's figures do (`1.1 * 100` is
`110.00000000000001` in floating point; the book's script hides this with `int()`).
`display(g, exclude=["text/html"])` shows the static drawing; `g` on its own shows an
interactive page instead (the last cell of this notebook).
""",
        "ko": """
## 그래프 그리기

`chainrule.graph.Graph`는 계산이 실행되는 동안 그 과정을 기록합니다. `g.input(...)`으로 입력을
만들고, `*`와 `+`는 `MulLayer`, `AddLayer` 노드로 기록됩니다. 이어서 `backward()`를 부르면 각
노드의 `backward`를 역순으로 호출합니다. Jupyter에서 `g`를 표시하면 책의 그림처럼 에지 위에는
순전파 값이, 아래에는 미분이 빨간색으로 그려집니다. 셀에서는 책의 그림처럼 유효숫자 여섯 자리로
출력합니다(부동소수점에서 `1.1 * 100`은 `110.00000000000001`이며, 책의 코드는 `int()`로 이를
감춥니다). `display(g, exclude=["text/html"])`는 정적인 그림을 보여 주고, `g`만 쓰면 그 대신 대화형
페이지가 나타납니다(이 노트북의 마지막 셀).
""",
        "zh-CN": """
## 画出计算图

`chainrule.graph.Graph` 会在计算运行的同时把它记录下来：`g.input(...)` 创建输入，
`*` 和 `+` 分别记录为 `MulLayer`、`AddLayer` 节点。然后 `backward()` 按相反顺序调用每个节点
自己的 `backward`。在 Jupyter 中显示 `g`，就会像书中的图一样画出来：边的上方是正向传播的值，
下方用红色标出导数。单元格像书中的图一样输出6位有效数字（在浮点数中 `1.1 * 100` 是
`110.00000000000001`，书中的代码用 `int()` 把它掩盖了）。`display(g, exclude=["text/html"])`
显示静态的图；只写 `g` 则会显示一个可交互的页面（本 notebook 的最后一个单元格）。
""",
        "ja": """
## グラフを描く

`chainrule.graph.Graph` は、計算を実行しながらその過程を記録します。`g.input(...)` で入力を作り、
`*` と `+` はそれぞれ `MulLayer`、`AddLayer` のノードとして記録されます。続けて `backward()` を
呼ぶと、各ノード自身の `backward` を逆の順番に呼び出します。Jupyter で `g` を表示すると、本の図と
同じように、エッジの上に順伝播の値、下に微分が赤で描かれます。セルでは本の図にならって有効数字
6桁で表示します（浮動小数点数では `1.1 * 100` は `110.00000000000001` で、本のコードは `int()` で
これを隠しています）。`display(g, exclude=["text/html"])` は静的な図を表示し、`g` だけを書くと代わりに
対話的なページが表示されます（このノートブックの最後のセル）。
""",
    }),
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
    ("md", {
        "en": """
## Step through it

In Jupyter, showing a graph by itself opens chainrule's explorer inside the notebook: *Step
forward* lights one node at a time with its value, *Step backward* brings each derivative back
with the local rule that made it (`× 1.1` at the tax node), and the inputs can be edited. The
page runs in your browser, so a static view of this notebook (GitHub, for example) cannot
show it; open the notebook in Jupyter, or write the same page to a file with
`g.to_html("apples.html")` or `chainrule explore`.
""",
        "ko": """
## 한 단계씩 따라가기

Jupyter에서 그래프 자체를 표시하면 노트북 안에 chainrule의 탐색 페이지가 열립니다. *Step forward*를
누르면 노드가 하나씩 켜지며 값이 나타나고, *Step backward*를 누르면 각 미분이 그것을 만든 국소적 규칙
(소비세 노드에서는 `× 1.1`)과 함께 거꾸로 전해집니다. 입력값도 바꿀 수 있습니다. 이 페이지는 브라우저에서
실행되므로 노트북을 정적으로 보여 주는 곳(예: GitHub)에서는 볼 수 없습니다. Jupyter에서
노트북을 열거나, `g.to_html("apples.html")` 또는 `chainrule explore`로 같은 페이지를 파일로 저장하세요.
""",
        "zh-CN": """
## 一步一步地看

在 Jupyter 中单独显示一个计算图，会在 notebook 里打开 chainrule 的浏览页面：点 *Step forward*，节点
逐个亮起并显示各自的值；点 *Step backward*，每个导数会连同产生它的局部规则（消费税节点上是 `× 1.1`）
一起反向传回来，输入的值也可以修改。这个页面在浏览器里运行，所以在静态显示 notebook 的地方（例如
GitHub）无法显示它；请在 Jupyter 中打开本 notebook，或者用 `g.to_html("apples.html")` 或
`chainrule explore` 把同样的页面保存为文件。
""",
        "ja": """
## 1ステップずつたどる

Jupyter でグラフそのものを表示すると、ノートブックの中に chainrule の探索ページが開きます。
*Step forward* でノードがひとつずつ値とともに点灯し、*Step backward* で各微分が、それを生んだ局所的な
規則（消費税のノードでは `× 1.1`）とともに逆向きに戻ってきます。入力の値も変えられます。このページは
ブラウザの中で動くので、ノートブックを静的に表示する場所（たとえば GitHub）では見られません。
Jupyter でノートブックを開くか、`g.to_html("apples.html")` や `chainrule explore` で同じページをファイルに
書き出してください。
""",
    }),
    ("code", """
g
"""),
    ("md", {
        "en": """
## Try it

- Change `orange_num` to 5 and predict `dTax` before you run the cell (it is the price
  before tax: 200 + 750).
- Add a third fruit to the graph above and check its derivative by nudging it as we did
  for the apple.
- `g.render("apples.svg")` writes the drawing to a file; `chainrule graph apple-orange --out
  fig.svg` does the same from the command line.

Next: [2. Activation layers](02_activation_layers.ipynb).
""",
        "ko": """
## 직접 해 보기

- `orange_num`을 5로 바꾸고, 셀을 실행하기 전에 `dTax`를 예상해 보세요(소비세 전 금액인
  200 + 750입니다).
- 위 그래프에 세 번째 과일을 추가하고, 사과에서 한 것처럼 값을 살짝 움직여 미분을 확인해 보세요.
- `g.render("apples.svg")`는 그림을 파일로 저장합니다. 명령줄에서는 `chainrule graph apple-orange
  --out fig.svg`로 같은 그림을 얻을 수 있습니다.

다음: [2. 활성화 함수 계층](02_activation_layers.ipynb)
""",
        "zh-CN": """
## 动手试试

- 把 `orange_num` 改成5，运行之前先预测 `dTax`（它等于税前金额 200 + 750）。
- 在上面的计算图中加入第三种水果，像对苹果那样稍微改变输入来验证它的导数。
- `g.render("apples.svg")` 把图保存为文件；在命令行中用 `chainrule graph apple-orange --out
  fig.svg` 也能得到同样的图。

下一节：[2. 激活函数层](02_activation_layers.ipynb)
""",
        "ja": """
## やってみよう

- `orange_num` を5に変えて、セルを実行する前に `dTax` を予想してみましょう（税抜きの金額
  200 + 750 になります）。
- 上のグラフに3つめの果物を加え、リンゴでしたように値を少し動かして微分を確かめましょう。
- `g.render("apples.svg")` で図をファイルに保存できます。コマンドラインでは `chainrule graph
  apple-orange --out fig.svg` で同じ図が得られます。

次へ：[2. 活性化関数レイヤ](02_activation_layers.ipynb)
""",
    }),
]
