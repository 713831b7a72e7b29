# Notebook 02: activation function layers, ReLU and Sigmoid (section 5.5).
CELLS = [
    ("md", {
        "en": """
# 2. Activation layers: ReLU and Sigmoid

*Deep Learning from Scratch*, section 5.5. An activation function becomes a layer with a
`forward` that remembers what `backward` will need: ReLU remembers *where* the input was
not positive, Sigmoid remembers its output `y`, because its derivative is `y * (1 - y)`.
""",
        "ko": """
# 2. 활성화 함수 계층: ReLU와 Sigmoid

『밑바닥부터 시작하는 딥러닝』 5.5절입니다. 활성화 함수도 `forward`에서 `backward`에 필요한 것을
기억해 두는 계층이 됩니다. ReLU는 입력이 0 이하였던 *위치*를, Sigmoid는 출력 `y`를 기억합니다.
Sigmoid의 미분이 `y * (1 - y)`이기 때문입니다.
""",
        "zh-CN": """
# 2. 激活函数层：ReLU 和 Sigmoid

对应《深度学习入门》5.5节。激活函数也被实现为层：`forward` 记住 `backward` 需要的信息。
ReLU 记住输入不大于0的*位置*，Sigmoid 记住输出 `y`，因为它的导数是 `y * (1 - y)`。
""",
        "ja": """
# 2. 活性化関数レイヤ：ReLU と Sigmoid

『ゼロから作るDeep Learning』5.5節です。活性化関数も、`forward` で `backward` に必要なものを
覚えておくレイヤになります。ReLU は入力が0以下だった*場所*を、Sigmoid は出力 `y` を覚えます。
Sigmoid の微分は `y * (1 - y)` だからです。
""",
    }),
    ("md", {
        "en": """
## ReLU: a mask of the inputs that were not positive

The book builds the mask with `x <= 0`: `True` where the input was 0 or less. In backward
the derivative passes through where the input was positive and stops (becomes 0) where
the mask is `True`.
""",
        "ko": """
## ReLU: 0 이하였던 입력의 마스크

책에서는 `x <= 0`으로 마스크를 만듭니다. 입력이 0 이하인 원소가 `True`입니다. 역전파에서는 입력이
양수였던 곳으로는 미분을 그대로 흘려보내고, 마스크가 `True`인 곳에서는 멈춥니다(0이 됩니다).
""",
        "zh-CN": """
## ReLU：记录输入不大于0的 mask

书中用 `x <= 0` 生成 mask：输入小于等于0的元素为 `True`。反向传播时，输入为正的位置把导数
原样传过去，mask 为 `True` 的位置则停止传播（变为0）。
""",
        "ja": """
## ReLU：0以下だった入力のマスク

本では `x <= 0` でマスクを作ります。入力が0以下の要素が `True` です。逆伝播では、入力が正だった
場所には微分をそのまま流し、マスクが `True` の場所では止めます（0にします）。
""",
    }),
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
    ("md", {
        "en": """
## The book's `Relu.backward` writes into `dout`

The book's `common/layers.py` computes `dout[self.mask] = 0; dx = dout`: it returns the
caller's own array after zeroing part of it. In a plain chain nobody looks at `dout` again,
so the book's results are right. But when the same upstream derivative also goes to a second
branch, or you keep it to inspect it, it has silently changed. chainrule's `Relu` computes a
new array and leaves `dout` alone; here is the book's version for comparison:
""",
        "ko": """
## 책의 `Relu.backward`는 `dout`을 덮어쓴다

책의 `common/layers.py`는 `dout[self.mask] = 0; dx = dout`으로 계산합니다. 호출한 쪽의 배열 일부를
0으로 바꾼 뒤 그 배열을 그대로 돌려주는 것입니다. 단순한 직렬 연결에서는 아무도 `dout`을 다시 보지
않으므로 책의 결과는 옳습니다. 하지만 같은 상류 미분을 다른 분기에도 보내거나 확인하려고 보관해 둔
경우에는 값이 몰래 바뀌어 있습니다. chainrule의 `Relu`는 새 배열을 계산하고 `dout`은 건드리지
않습니다. 비교를 위해 책의 구현을 그대로 실행해 봅시다.
""",
        "zh-CN": """
## 书中的 `Relu.backward` 会改写 `dout`

书中 `common/layers.py` 的写法是 `dout[self.mask] = 0; dx = dout`：把调用者传入的数组部分置0，
再把这个数组本身返回。在简单的串联结构中没有人会再看 `dout`，所以书中的结果是正确的。
但如果同一个上游导数还要传给另一个分支，或者你把它保存下来查看，它已经被悄悄改掉了。
chainrule 的 `Relu` 计算一个新数组，不动 `dout`。下面运行书中的实现作对比：
""",
        "ja": """
## 本の `Relu.backward` は `dout` を書き換える

本の `common/layers.py` は `dout[self.mask] = 0; dx = dout` と計算します。呼び出し側の配列の一部を
0にしてから、その配列自体を返すのです。単純な直列のつながりでは誰も `dout` を見直さないので、本の
結果は正しいままです。しかし同じ上流の微分を別の分岐にも流したり、確認のために取っておいたりすると、
いつの間にか値が変わっています。chainrule の `Relu` は新しい配列を計算し、`dout` には手を触れません。
比較のために本の実装を動かしてみます。
""",
    }),
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
    ("md", {
        "en": """
## Sigmoid: the derivative from the output alone

`y = 1 / (1 + exp(-x))` has the derivative `y * (1 - y)`, so the layer keeps `y` and needs
nothing else. At `x = 0` the derivative is 0.25, its largest value.
""",
        "ko": """
## Sigmoid: 출력만으로 구하는 미분

`y = 1 / (1 + exp(-x))`의 미분은 `y * (1 - y)`입니다. 그래서 계층은 `y`만 저장하면 됩니다.
`x = 0`에서 미분은 최댓값인 0.25입니다.
""",
        "zh-CN": """
## Sigmoid：只用输出就能求导

`y = 1 / (1 + exp(-x))` 的导数是 `y * (1 - y)`，因此这一层只需保存 `y`。
在 `x = 0` 处导数取最大值0.25。
""",
        "ja": """
## Sigmoid：出力だけで求まる微分

`y = 1 / (1 + exp(-x))` の微分は `y * (1 - y)` です。そのためレイヤは `y` だけを保持すれば
十分です。`x = 0` で微分は最大値の0.25になります。
""",
    }),
    ("code", """
sigmoid = Sigmoid()
x = np.array([-1.0, 0.0, 1.0, 2.0])
y = sigmoid.forward(x)
dx = sigmoid.backward(np.ones_like(x))

print(y)
print(dx)
print(y * (1 - y))
"""),
    ("md", {
        "en": """
The book derives `y * (1 - y)` by taking sigmoid apart into four nodes: `× -1`, `exp`,
`+ 1` and `/` (figure 5-19). chainrule's graph recorder builds exactly that graph; at
`x = 1` the derivative that reaches `x` is `0.196612`, the same as the layer's above.
""",
        "ko": """
책은 시그모이드를 `× -1`, `exp`, `+ 1`, `/`의 네 노드로 나누어 `y * (1 - y)`를 유도합니다
(그림 5-19). chainrule의 그래프 기록기가 바로 그 그래프를 만듭니다. `x = 1`에서 `x`에 도달하는
미분은 `0.196612`로, 위에서 계층이 계산한 값과 같습니다.
""",
        "zh-CN": """
书中把 sigmoid 拆成 `× -1`、`exp`、`+ 1`、`/` 四个节点来推导 `y * (1 - y)`（图5-19）。
chainrule 的计算图记录器画出的正是这个图：在 `x = 1` 处传到 `x` 的导数是 `0.196612`，
与上面层计算的结果相同。
""",
        "ja": """
本はシグモイドを `× -1`、`exp`、`+ 1`、`/` の4つのノードに分解して `y * (1 - y)` を導きます
（図5-19）。chainrule のグラフ記録機能は、まさにそのグラフを作ります。`x = 1` で `x` に届く微分は
`0.196612` で、上でレイヤが計算した値と同じです。
""",
    }),
    ("code", """
from IPython.display import display

from chainrule.graph import sigmoid_graph

display(sigmoid_graph(1.0), exclude=["text/html"])  # the static drawing
"""),
    ("md", {
        "en": """
## Both layers at a glance

Forward output (solid) and the derivative that `backward` returns for `dout = 1` (dashed).
ReLU's derivative jumps at 0; that kink matters again in the gradient check (notebook 4).
""",
        "ko": """
## 두 계층을 한눈에

순전파 출력(실선)과 `dout = 1`일 때 `backward`가 돌려주는 미분(점선)입니다. ReLU의 미분은 0에서
갑자기 바뀝니다. 이 꺾이는 점은 기울기 확인(노트북 4)에서 다시 등장합니다.
""",
        "zh-CN": """
## 两个层一目了然

实线是正向传播的输出，虚线是 `dout = 1` 时 `backward` 返回的导数。ReLU 的导数在0处突变；
这个折点在梯度确认（第4个 notebook）中还会再出现。
""",
        "ja": """
## 2つのレイヤをひと目で

実線は順伝播の出力、破線は `dout = 1` のときに `backward` が返す微分です。ReLU の微分は0で
急に変わります。この折れ目は勾配確認（ノートブック4）でもう一度登場します。
""",
    }),
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
    ("md", {
        "en": """
## Try it

- Feed `Relu` an input with an exact 0. Which way does the book's mask send it, and why
  does it not matter for training?
- Write `Sigmoid.backward` from the four-node graph above (multiply the four local
  derivatives) and compare with `y * (1 - y)`. Notebook 6 checks your own layers for you.

Next: [3. Affine and Softmax-with-Loss](03_affine_softmax.ipynb).
""",
        "ko": """
## 직접 해 보기

- `Relu`에 정확히 0인 입력을 넣어 보세요. 책의 마스크는 이 값을 어느 쪽으로 보내나요? 그리고 왜
  학습에는 영향이 없을까요?
- 위의 네 노드 그래프에서 출발해 `Sigmoid.backward`를 직접 작성하고(네 국소적 미분을 곱합니다)
  `y * (1 - y)`와 비교해 보세요. 직접 만든 계층은 노트북 6에서 자동으로 검사할 수 있습니다.

다음: [3. Affine 계층과 Softmax-with-Loss 계층](03_affine_softmax.ipynb)
""",
        "zh-CN": """
## 动手试试

- 给 `Relu` 输入一个恰好为0的值。书中的 mask 会怎样处理它？为什么这对学习没有影响？
- 根据上面四个节点的计算图自己写出 `Sigmoid.backward`（把四个局部导数相乘），
  再与 `y * (1 - y)` 比较。第6个 notebook 会帮你自动检查自己写的层。

下一节：[3. Affine 层与 Softmax-with-Loss 层](03_affine_softmax.ipynb)
""",
        "ja": """
## やってみよう

- `Relu` にちょうど0の入力を与えてみましょう。本のマスクはこの値をどちらに振り分けますか？
  また、それが学習に影響しないのはなぜでしょう？
- 上の4ノードのグラフから `Sigmoid.backward` を自分で書き（4つの局所的な微分を掛け合わせます）、
  `y * (1 - y)` と比べましょう。自作のレイヤはノートブック6で自動的にチェックできます。

次へ：[3. Affine レイヤと Softmax-with-Loss レイヤ](03_affine_softmax.ipynb)
""",
    }),
]
