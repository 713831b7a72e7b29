# Notebook 03: the Affine layer and the Softmax-with-Loss layer (section 5.6), with the shapes drawn.
CELLS = [
    ("md", {
        "en": """
# 3. The Affine and Softmax-with-Loss layers

*Deep Learning from Scratch*, section 5.6. The Affine layer computes `X · W + b`; its
backward is three matrix formulas whose shapes must match those of the forward pass. The
Softmax-with-Loss layer ends the network; its backward is the strikingly simple
`(y - t) / batch_size`.
""",
        "ko": """
# 3. Affine 계층과 Softmax-with-Loss 계층

『밑바닥부터 시작하는 딥러닝』 5.6절입니다. Affine 계층은 `X · W + b`를 계산합니다. 역전파는 세 개의
행렬 식이며, 각 결과의 형상은 순전파의 형상과 맞아야 합니다. Softmax-with-Loss 계층은 신경망의
마지막에 놓이며, 역전파는 놀랄 만큼 간단한 `(y - t) / 배치 크기`입니다.
""",
        "zh-CN": """
# 3. Affine 层与 Softmax-with-Loss 层

对应《深度学习入门》5.6节。Affine 层计算 `X · W + b`，它的反向传播是三个矩阵公式，
每个结果的形状都必须与正向传播时的形状对应。Softmax-with-Loss 层位于神经网络的最后，
它的反向传播是出奇简单的 `(y - t) / batch_size`。
""",
        "ja": """
# 3. Affine レイヤと Softmax-with-Loss レイヤ

『ゼロから作るDeep Learning』5.6節です。Affine レイヤは `X · W + b` を計算します。逆伝播は3つの
行列の式で、それぞれの結果の形状は順伝播の形状と一致しなければなりません。Softmax-with-Loss
レイヤはニューラルネットワークの最後に置かれ、その逆伝播は驚くほどシンプルな
`(y - t) / バッチサイズ` です。
""",
    }),
    ("md", {
        "en": """
## The shapes of the matrix product

The book starts with one sample: `X` of shape `(2,)`, `W` of shape `(2, 3)`, `B` of shape
`(3,)`. The number of elements in matching dimensions must agree, and `Y` gets shape `(3,)`.
""",
        "ko": """
## 행렬 곱의 형상

책은 데이터 하나로 시작합니다. `X`의 형상은 `(2,)`, `W`는 `(2, 3)`, `B`는 `(3,)`입니다. 대응하는
차원의 원소 수가 일치해야 하며, `Y`의 형상은 `(3,)`이 됩니다.
""",
        "zh-CN": """
## 矩阵乘积的形状

书中从一个样本开始：`X` 的形状是 `(2,)`，`W` 是 `(2, 3)`，`B` 是 `(3,)`。
对应维度的元素个数必须一致，`Y` 的形状为 `(3,)`。
""",
        "ja": """
## 行列の積の形状

本はデータ1個から始めます。`X` の形状は `(2,)`、`W` は `(2, 3)`、`B` は `(3,)` です。対応する
次元の要素数が一致している必要があり、`Y` の形状は `(3,)` になります。
""",
    }),
    ("code", """
import numpy as np

rng = np.random.default_rng(0)
X = rng.random(2)       # input
W = rng.random((2, 3))  # weights
B = rng.random(3)       # bias

Y = np.dot(X, W) + B
print(X.shape, W.shape, B.shape, Y.shape)
"""),
    ("md", {
        "en": """
## A batch: the bias is added to every row, so its derivative sums the rows

With a batch of `N` samples, `B` is broadcast to each of the `N` rows of `X · W`. In backward
each row's derivative flows into the same `B`, so `dB` is the sum over axis 0. The book's
example (section 5.6.2):
""",
        "ko": """
## 배치: 편향은 모든 행에 더해지므로 미분은 행을 합한다

데이터 `N`개를 묶은 배치에서는 `B`가 `X · W`의 `N`개 행 각각에 브로드캐스트되어 더해집니다.
역전파에서는 각 행의 미분이 같은 `B`로 모이므로 `dB`는 0번째 축의 합입니다. 책의 예(5.6.2절)입니다.
""",
        "zh-CN": """
## 批处理：偏置加到每一行上，所以它的导数要按行求和

`N` 个数据组成一批时，`B` 会广播并加到 `X · W` 的 `N` 行中的每一行。反向传播时各行的导数都流向
同一个 `B`，因此 `dB` 是沿第0轴的和。书中的例子（5.6.2节）：
""",
        "ja": """
## バッチ：バイアスは各行に足されるので、微分は行の合計になる

データ `N` 個をまとめたバッチでは、`B` が `X · W` の `N` 行それぞれにブロードキャストされて足されます。
逆伝播では各行の微分が同じ `B` に集まるので、`dB` は0番目の軸についての合計です。本の例（5.6.2節）：
""",
    }),
    ("code", """
X_dot_W = np.array([[0, 0, 0], [10, 10, 10]])
B = np.array([1, 2, 3])
print(X_dot_W + B)

dY = np.array([[1, 2, 3], [4, 5, 6]])
dB = np.sum(dY, axis=0)
print(dB)
"""),
    ("md", {
        "en": """
## The Affine layer, and a picture of its shapes

`dX = dY · Wᵀ`, `dW = Xᵀ · dY`, `db = sum(dY, axis=0)`. The easiest way to remember which
transpose goes where is the shapes: `dX` must have the shape of `X`, `dW` that of `W`. The
figure draws each array of a real `Affine` call with one square per element (`N = 2`
samples, `D = 4` inputs, `M = 3` outputs).
""",
        "ko": """
## Affine 계층과 형상 그림

`dX = dY · Wᵀ`, `dW = Xᵀ · dY`, `db = sum(dY, axis=0)`입니다. 어느 쪽에 전치가 붙는지는 형상으로
기억하는 것이 가장 쉽습니다. `dX`는 `X`와, `dW`는 `W`와 같은 형상이어야 합니다. 아래 그림은 실제
`Affine` 호출의 배열을 원소 하나당 사각형 하나로 그린 것입니다(데이터 `N = 2`개, 입력 `D = 4`,
출력 `M = 3`).
""",
        "zh-CN": """
## Affine 层，以及它的形状图

`dX = dY · Wᵀ`，`dW = Xᵀ · dY`，`db = sum(dY, axis=0)`。要记住转置加在哪里，最简单的办法是看形状：
`dX` 必须和 `X` 形状相同，`dW` 必须和 `W` 形状相同。下图把一次真实的 `Affine` 调用中的每个数组画出来，
每个元素一个方格（`N = 2` 个样本，`D = 4` 个输入，`M = 3` 个输出）。
""",
        "ja": """
## Affine レイヤと形状の図

`dX = dY · Wᵀ`、`dW = Xᵀ · dY`、`db = sum(dY, axis=0)` です。どちらに転置が付くかは、形状で覚える
のがいちばん簡単です。`dX` は `X` と、`dW` は `W` と同じ形状でなければなりません。下の図は、実際の
`Affine` 呼び出しの配列を、要素1つにつき正方形1つで描いたものです（データ `N = 2` 個、入力
`D = 4`、出力 `M = 3`）。
""",
    }),
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
    ("md", {
        "en": """
## Images as input: 4-D tensors

The book's Affine also accepts images shaped `(N, C, H, W)`: forward flattens each sample to
a row, and backward gives `dx` back the original shape, so the layer before it gets a
derivative of the shape it produced.
""",
        "ko": """
## 이미지 입력: 4차원 텐서

책의 Affine 계층은 `(N, C, H, W)` 형상의 이미지도 받습니다. 순전파에서는 데이터 하나하나를 한 행으로
평탄화하고, 역전파에서는 `dx`를 원래 형상으로 되돌립니다. 그래서 앞 계층은 자신이 출력한 것과 같은
형상의 미분을 받습니다.
""",
        "zh-CN": """
## 图像输入：四维张量

书中的 Affine 层也接受形状为 `(N, C, H, W)` 的图像：正向传播时把每个样本展平为一行，
反向传播时把 `dx` 恢复成原来的形状，这样前一层收到的导数与它输出的形状相同。
""",
        "ja": """
## 画像の入力：4次元のテンソル

本の Affine レイヤは `(N, C, H, W)` の形状の画像も受け付けます。順伝播では各データを1行に平らにし、
逆伝播では `dx` を元の形状に戻します。そのため前のレイヤは、自分が出力したものと同じ形状の微分を
受け取ります。
""",
    }),
    ("code", """
images = rng.standard_normal((2, 1, 2, 2))  # N=2 images of 1 channel, 2x2 pixels: 4 values each
affine = Affine(W, b)
out = affine.forward(images)
dx = affine.backward(np.ones_like(out))
print(images.shape, "->", out.shape, "; dx:", dx.shape)
"""),
    ("md", {
        "en": """
## Softmax-with-Loss

Softmax turns scores into probabilities; the book's example in section 3.5.1 is
`[0.3, 2.9, 4.0]`. The layer combines softmax with the cross entropy error, and its
backward returns `(y - t) / batch_size`: the difference between the prediction and the
correct answer. With the correct label 2 (probability 0.737), the loss is
`-log(0.737) = 0.306` and the derivative of the third score is `0.737 - 1`.
""",
        "ko": """
## Softmax-with-Loss 계층

소프트맥스 함수는 점수를 확률로 바꿉니다. 책의 3.5.1절 예는 `[0.3, 2.9, 4.0]`입니다. 이 계층은
소프트맥스와 교차 엔트로피 오차를 합친 것으로, 역전파는 `(y - t) / 배치 크기`, 즉 예측과 정답의 차이를
돌려줍니다. 정답 레이블이 2(확률 0.737)라면 손실은 `-log(0.737) = 0.306`이고, 세 번째 점수의 미분은
`0.737 - 1`입니다.
""",
        "zh-CN": """
## Softmax-with-Loss 层

softmax 函数把分数变成概率，书中3.5.1节的例子是 `[0.3, 2.9, 4.0]`。这个层把 softmax 和交叉熵误差
合在一起，反向传播返回 `(y - t) / batch_size`，也就是预测与正确答案之差。正确标签为2（概率0.737）时，
损失是 `-log(0.737) = 0.306`，第三个分数的导数是 `0.737 - 1`。
""",
        "ja": """
## Softmax-with-Loss レイヤ

ソフトマックス関数はスコアを確率に変えます。本の3.5.1節の例は `[0.3, 2.9, 4.0]` です。このレイヤは
ソフトマックスと交差エントロピー誤差を合わせたもので、逆伝播は `(y - t) / バッチサイズ`、つまり予測と
正解の差を返します。正解ラベルが2（確率0.737）なら、損失は `-log(0.737) = 0.306`、3番目のスコアの
微分は `0.737 - 1` です。
""",
    }),
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
    ("md", {
        "en": """
With a batch the derivative is divided by the batch size, because the loss is the *mean*
over the batch. Numerical differentiation confirms it (the difference is about 1e-10):
""",
        "ko": """
배치에서는 손실이 배치 전체의 *평균*이므로 미분을 배치 크기로 나눕니다. 수치 미분으로 확인하면
차이는 1e-10 정도입니다.
""",
        "zh-CN": """
对一批数据，损失是整批的*平均值*，所以导数要除以批大小。用数值微分验证，差值在1e-10左右：
""",
        "ja": """
バッチでは損失がバッチ全体の*平均*なので、微分をバッチサイズで割ります。数値微分で確かめると、
差は1e-10程度です。
""",
    }),
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
    ("md", {
        "en": """
## Try it

- Give `SoftmaxWithLoss` one-hot targets (`np.eye(3)[t]`) instead of labels: same loss,
  same derivative.
- Forget the `/ batch_size` in your own backward: the gradient check of the next notebook
  is then off by a factor of `N`, and notebook 6's `chainrule check` names that mistake.

Next: [4. The two-layer net and the gradient check](04_two_layer_net.ipynb).
""",
        "ko": """
## 직접 해 보기

- `SoftmaxWithLoss`에 레이블 대신 원-핫 형태의 정답(`np.eye(3)[t]`)을 주어 보세요. 손실도 미분도
  같습니다.
- 직접 작성한 역전파에서 `/ 배치 크기`를 빠뜨리면 다음 노트북의 기울기 확인에서 `N`배만큼 어긋납니다.
  노트북 6의 `chainrule check`는 이 실수를 짚어 줍니다.

다음: [4. 2층 신경망과 기울기 확인](04_two_layer_net.ipynb)
""",
        "zh-CN": """
## 动手试试

- 给 `SoftmaxWithLoss` 传入 one-hot 形式的监督数据（`np.eye(3)[t]`）代替标签：损失和导数都不变。
- 如果自己写的反向传播漏掉了 `/ batch_size`，下一个 notebook 的梯度确认会相差 `N` 倍；
  第6个 notebook 的 `chainrule check` 会指出这个错误。

下一节：[4. 两层神经网络与梯度确认](04_two_layer_net.ipynb)
""",
        "ja": """
## やってみよう

- `SoftmaxWithLoss` にラベルの代わりに one-hot 表現の教師データ（`np.eye(3)[t]`）を与えてみましょう。
  損失も微分も同じです。
- 自作の逆伝播で `/ バッチサイズ` を忘れると、次のノートブックの勾配確認で `N` 倍ずれます。
  ノートブック6の `chainrule check` はこの間違いを指摘してくれます。

次へ：[4. 2層ニューラルネットワークと勾配確認](04_two_layer_net.ipynb)
""",
    }),
]
