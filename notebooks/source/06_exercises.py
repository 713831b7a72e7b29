# Notebook 06: exercises, write the layers yourself and let `chainrule check` point at the wrong tensor.
CELLS = [
    ("md", {
        "en": """
# 6. Exercises: write the layers yourself

Reading backprop is one thing; writing it is where the chain rule sinks in. Here you write the
book's layers yourself, and `chainrule.check` runs each of your layers next to chainrule's own
and against numerical differentiation, on random shapes and on the edge cases where the usual
mistakes show (negative inputs to ReLU, a bias broadcast over a batch, 4-D input to Affine,
one-hot and label targets). It prints one row per tensor:

- **verdict**: *exact* (the same numbers as chainrule's), *close* (the same up to rounding) or
  *wrong*; **max |diff|** against chainrule's layer and **vs numerical** against central
  differences;
- **shape**: right or not; **changes input**: whether your code wrote into an array it was given;
- for a wrong tensor: the first element that differs and a **hint** naming the usual mistake its
  numbers match.

The messages come in the language of your system's locale; `lang="en"`, `"ko"`, `"zh"` or
`"ja"` chooses one. This notebook was run with an English locale.

In this notebook the classes are written in cells and passed as `{"Relu": Relu, ...}`. To work
in files instead, copy the starter `examples/exercises/my_layers.py` (method bodies left blank)
and run `chainrule check my_layers.py` in a terminal.
""",
        "ko": """
# 6. 연습 문제: 계층을 직접 구현하기

오차역전파법은 읽을 때보다 직접 작성할 때 비로소 연쇄법칙이 몸에 익습니다. 여기서는 책의 계층을 직접
작성하고, `chainrule.check`로 검사합니다. 직접 만든 계층 하나하나를 chainrule의 계층과 나란히, 그리고
수치 미분과 비교해 실행합니다. 무작위 형상뿐 아니라 흔한 실수가 드러나는 경우(ReLU에 음수 입력, 배치에
브로드캐스트되는 편향, Affine에 4차원 입력, 원-핫 정답과 레이블 정답)도 시험합니다. 결과는 텐서마다
한 줄씩 출력됩니다.

- **판정**: *일치*(chainrule과 같은 숫자), *근사 일치*(반올림 오차 범위에서 같음), *틀림*. **최대 차이**는
  chainrule의 계층과의 차이, **수치 미분과의 차이**는 중심 차분과의 차이입니다.
- **형상**: 맞는지 여부. **입력 변경**: 전달받은 배열에 값을 써 넣었는지 여부.
- 틀린 텐서에는 처음으로 값이 다른 원소와, 그 숫자에 들어맞는 흔한 실수를 알려 주는 **힌트**가 붙습니다.

메시지는 시스템 로캘의 언어로 출력되며, `lang="ko"`(또는 `"en"`, `"zh"`, `"ja"`)로 직접 고를 수도
있습니다. 이 노트북은 한국어 로캘에서 실행했습니다.

이 노트북에서는 클래스를 셀에 작성하고 `{"Relu": Relu, ...}` 형태로 넘깁니다. 파일로 작업하고 싶다면
메서드 본문이 비어 있는 시작 파일 `examples/exercises/my_layers.py`를 복사한 뒤 터미널에서
`chainrule check my_layers.py`를 실행하세요.
""",
        "zh-CN": """
# 6. 练习：自己实现各层

误差反向传播法光读是不够的，亲手写一遍才能真正掌握链式法则。这里你要自己写出书中的各层，
再用 `chainrule.check` 检查：它把你写的每个层与 chainrule 自己的层并排运行，同时与数值微分比较；
除了随机形状，还会专门测试常见错误容易暴露的情形（ReLU 的负数输入、在批数据上广播的偏置、
Affine 的四维输入、one-hot 形式和标签形式的监督数据）。每个张量输出一行：

- **判定**：*完全一致*（与 chainrule 的数字相同）、*近似一致*（在舍入误差范围内相同）或*错误*；
  **最大差值**是与 chainrule 的层之差，**与数值微分之差**是与中心差分之差；
- **形状**：是否正确；**改写输入**：你的代码有没有写入传给它的数组；
- 对错误的张量，会给出第一个不同的元素，以及一条**提示**，指出与这些数字相符的常见错误。

消息使用系统区域设置（locale）的语言，也可以用 `lang="zh"`（或 `"en"`、`"ko"`、`"ja"`）指定。
本 notebook 是在中文区域设置下运行的。

本 notebook 把类写在单元格里，以 `{"Relu": Relu, ...}` 的形式传入。如果想在文件中练习，
可以复制方法体留空的起始文件 `examples/exercises/my_layers.py`，然后在终端中运行
`chainrule check my_layers.py`。
""",
        "ja": """
# 6. 演習：レイヤを自分で実装する

誤差逆伝播法は、読むだけでなく自分で書いてみて初めて連鎖律が身につきます。ここでは本のレイヤを自分で
書き、`chainrule.check` で確かめます。自作のレイヤひとつひとつを chainrule のレイヤと並べて、さらに
数値微分と比べて実行します。ランダムな形状だけでなく、よくある間違いが表に出るケース（ReLU への負の
入力、バッチ全体にブロードキャストされるバイアス、Affine への4次元の入力、one-hot 表現とラベル表現の
教師データ）も試します。結果はテンソルごとに1行ずつ表示されます。

- **判定**：*完全一致*（chainrule と同じ数値）、*ほぼ一致*（丸め誤差の範囲で同じ）、*誤り*。
  **最大の差**は chainrule のレイヤとの差、**数値微分との差**は中心差分との差です。
- **形状**：合っているかどうか。**入力の書き換え**：渡された配列に書き込んだかどうか。
- 誤りのテンソルには、最初に値が異なる要素と、その数値に当てはまるよくある間違いを教える**ヒント**が
  付きます。

メッセージはシステムのロケールの言語で表示されます。`lang="ja"`（または `"en"`、`"ko"`、`"zh"`）で
選ぶこともできます。このノートブックは日本語のロケールで実行しました。

このノートブックではクラスをセルに書き、`{"Relu": Relu, ...}` の形で渡します。ファイルで取り組みたい
ときは、メソッドの中身を空にしたひな形 `examples/exercises/my_layers.py` をコピーし、ターミナルで
`chainrule check my_layers.py` を実行してください。
""",
    }),
    ("md", {
        "en": """
## Exercise 1: ReLU and Sigmoid

Here is a first attempt. The `Relu` is the book's own; the `Sigmoid` has a mistake. Run the
check and read the rows.
""",
        "ko": """
## 연습 1: ReLU와 Sigmoid

첫 번째 시도입니다. `Relu`는 책의 코드 그대로이고, `Sigmoid`에는 실수가 하나 있습니다. 검사를 실행하고
결과를 읽어 보세요.
""",
        "zh-CN": """
## 练习1：ReLU 和 Sigmoid

这是第一次尝试。`Relu` 就是书中的代码，`Sigmoid` 里有一个错误。运行检查，读一读输出的每一行。
""",
        "ja": """
## 演習1：ReLU と Sigmoid

最初の試みです。`Relu` は本のコードそのままで、`Sigmoid` にはひとつ間違いがあります。チェックを実行して、
各行を読んでみましょう。
""",
    }),
    ("code", """
import numpy as np

import chainrule


class Relu:
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


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = (1.0 - self.out) * self.out
        return dx
"""),
    ("code", """
report = chainrule.check({"Relu": Relu, "Sigmoid": Sigmoid})
print(report)
print(report.ok)
"""),
    ("md", {
        "en": """
Two findings. `Relu`'s numbers are right, but its backward *changes its input*: the book's
`dout[self.mask] = 0` writes into the caller's array (notebook 2). And `Sigmoid`'s `dx` is
wrong: the local derivative `y * (1 - y)` was never multiplied by the `dout` that flows in
from upstream. Fix both and check again:
""",
        "ko": """
두 가지가 발견되었습니다. `Relu`는 숫자는 맞지만 역전파가 *입력을 변경*합니다. 책의
`dout[self.mask] = 0`이 호출한 쪽의 배열에 값을 써 넣기 때문입니다(노트북 2). 그리고 `Sigmoid`의
`dx`가 틀렸습니다. 국소적 미분 `y * (1 - y)`에 상류에서 흘러온 `dout`을 곱하지 않았습니다. 둘 다 고치고
다시 검사해 봅시다.
""",
        "zh-CN": """
发现了两个问题。`Relu` 的数字是对的，但它的反向传播*改写了输入*：书中的 `dout[self.mask] = 0`
写入了调用者的数组（见第2个 notebook）。`Sigmoid` 的 `dx` 则是错的：局部导数 `y * (1 - y)` 没有乘以
从上游传来的 `dout`。把两处都改好，再检查一次：
""",
        "ja": """
2つのことがわかりました。`Relu` は数値は正しいものの、逆伝播が*入力を書き換えて*います。本の
`dout[self.mask] = 0` が呼び出し側の配列に書き込むからです（ノートブック2）。そして `Sigmoid` の `dx`
が誤りです。局所的な微分 `y * (1 - y)` に、上流から流れてきた `dout` を掛けていません。両方を直して、
もう一度チェックしましょう。
""",
    }),
    ("code", """
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out
        return dx


report = chainrule.check({"Relu": Relu, "Sigmoid": Sigmoid})
print(report)
print(report.ok)
"""),
    ("md", {
        "en": """
## Exercise 2: MulLayer, Affine and Softmax-with-Loss

Three more layers, with three of the mistakes learners make most often. Before you run the
check, try to find them yourself.
""",
        "ko": """
## 연습 2: MulLayer, Affine, Softmax-with-Loss

계층 세 개를 더 작성했습니다. 학습자가 가장 자주 하는 실수 세 가지가 들어 있습니다. 검사를 실행하기
전에 직접 찾아보세요.
""",
        "zh-CN": """
## 练习2：MulLayer、Affine 和 Softmax-with-Loss

又写了三个层，其中藏着学习者最常犯的三个错误。运行检查之前，先试着自己找出来。
""",
        "ja": """
## 演習2：MulLayer、Affine、Softmax-with-Loss

さらに3つのレイヤを書きました。学習者がいちばんよくする間違いが3つ入っています。チェックを実行する前に、
自分で探してみましょう。
""",
    }),
    ("code", """
class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        return out

    def backward(self, dout):
        dx = dout * self.x
        dy = dout * self.y
        return dx, dy


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out = np.dot(self.x, self.W) + self.b
        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=1)
        dx = dx.reshape(*self.original_x_shape)
        return dx


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        if self.t.size == self.y.size:
            dx = self.y - self.t
        else:
            dx = self.y.copy()
            dx[np.arange(self.t.shape[0]), self.t] -= 1
        return dx
"""),
    ("code", """
report = chainrule.check({"MulLayer": MulLayer, "Affine": Affine, "SoftmaxWithLoss": SoftmaxWithLoss})
print(report)
print(report.ok)
"""),
    ("md", {
        "en": """
Each wrong tensor says where it differs and why. `MulLayer` gives 110 where the book's apple
example expects 2.2: `x` and `y` are swapped (each input gets the *other* input). `Affine`'s
`db` has the wrong shape: the sum must run over the batch, `axis=0`. `SoftmaxWithLoss`'s `dx`
is `N` times too large: the loss is a mean, so the derivative is divided by the batch size.

## Exercise 3: the whole network

A learner's `TwoLayerNet` in the book's form, built on the layers above. `check(...,
network=True)` gives it small random weights, compares the loss and the gradient of every
parameter with chainrule's and with numerical differentiation, and, walking backward from
the loss, names the layer where the gradient first goes wrong.
""",
        "ko": """
틀린 텐서마다 어디가 왜 다른지 알려 줍니다. `MulLayer`는 책의 사과 예에서 2.2가 나와야 할 곳에 110을
돌려줍니다. `x`와 `y`가 뒤바뀐 것입니다(각 입력에는 *다른 쪽* 입력을 곱합니다). `Affine`의 `db`는
형상이 틀렸습니다. 합은 배치 방향, 즉 `axis=0`으로 구해야 합니다. `SoftmaxWithLoss`의 `dx`는 `N`배 큽니다.
손실이 평균이므로 미분을 배치 크기로 나누어야 합니다.

## 연습 3: 신경망 전체

위의 계층으로 만든, 책과 같은 형태의 `TwoLayerNet`입니다. `check(..., network=True)`는 작은 무작위
가중치를 넣고, 손실과 각 매개변수의 기울기를 chainrule의 결과 및 수치 미분과 비교합니다. 그리고 손실에서
거꾸로 거슬러 올라가며 기울기가 처음 틀어지는 계층을 짚어 줍니다.
""",
        "zh-CN": """
每个错误的张量都会说明哪里不同、为什么不同。在书中买苹果的例子里，`MulLayer` 应该给出2.2的地方给出了
110：`x` 和 `y` 弄反了（每个输入乘的是*另一个*输入）。`Affine` 的 `db` 形状不对：求和必须沿批的方向，
即 `axis=0`。`SoftmaxWithLoss` 的 `dx` 大了 `N` 倍：损失是平均值，所以导数要除以批大小。

## 练习3：整个神经网络

下面是一个按书中形式、用上面这些层搭起来的 `TwoLayerNet`。`check(..., network=True)` 给它设定较小的
随机权重，把损失和每个参数的梯度与 chainrule 的结果以及数值微分比较，并从损失开始反向追溯，
指出梯度最先出错的那一层。
""",
        "ja": """
誤りのテンソルごとに、どこがなぜ違うのかを教えてくれます。`MulLayer` は本のリンゴの例で2.2になるべき
ところに110を返しています。`x` と `y` が入れ替わっているのです（各入力には*もう一方の*入力を掛けます）。
`Affine` の `db` は形状が違います。和はバッチの方向、つまり `axis=0` でとる必要があります。
`SoftmaxWithLoss` の `dx` は `N` 倍大きくなっています。損失は平均なので、微分をバッチサイズで割ります。

## 演習3：ネットワーク全体

上のレイヤで組み立てた、本と同じ形の `TwoLayerNet` です。`check(..., network=True)` は小さなランダムな
重みを入れ、損失と各パラメータの勾配を chainrule の結果および数値微分と比べます。そして損失から逆に
たどって、勾配が最初におかしくなるレイヤを指し示します。
""",
    }),
    ("code", """
from collections import OrderedDict


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        rng = np.random.default_rng(0)
        self.params = {}
        self.params["W1"] = weight_init_std * rng.standard_normal((input_size, hidden_size))
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = weight_init_std * rng.standard_normal((hidden_size, output_size))
        self.params["b2"] = np.zeros(output_size)

        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = 1
        dout = self.lastLayer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
        grads = {}
        grads["W1"], grads["b1"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads


report = chainrule.check({"TwoLayerNet": TwoLayerNet}, network=True)
print(report)
print(report.ok)
"""),
    ("md", {
        "en": """
Every parameter is wrong, but the cause is a single place: the check walks backward from the
loss and stops at `lastLayer`, the missing `/ batch_size`, because every derivative after it
inherits the error. Fix the earliest wrong layer first.

## Your turn

1. Fix `MulLayer`, `Affine` and `SoftmaxWithLoss` in the cell of exercise 2 (one line each),
   run it, and run the two checks again until `report.ok` is `True`.
2. Write `AddLayer` yourself and check it with `chainrule.check({"AddLayer": AddLayer})`.
3. Break something on purpose (drop the `.T` in `dW`, return `dout` from `Relu.backward`) and
   see which hint you get.

On your own machine, the same checks run on files:

```bash
cp examples/exercises/my_layers.py examples/exercises/my_two_layer_net.py .
chainrule check my_layers.py                       # --lang en|ko|zh|ja
chainrule check --network my_two_layer_net.py
```
""",
        "ko": """
모든 매개변수가 틀렸지만 원인은 한 곳입니다. 검사는 손실에서 거꾸로 거슬러 올라가다가 `/ 배치 크기`가
빠진 `lastLayer`에서 멈춥니다. 그 뒤의 미분은 모두 이 오차를 물려받기 때문입니다. 가장 먼저 틀린
계층부터 고치세요.

## 이제 직접 해 보세요

1. 연습 2의 셀에서 `MulLayer`, `Affine`, `SoftmaxWithLoss`를 고치고(각각 한 줄) 셀을 실행한 다음,
   `report.ok`가 `True`가 될 때까지 두 검사를 다시 실행하세요.
2. `AddLayer`를 직접 작성하고 `chainrule.check({"AddLayer": AddLayer})`로 검사해 보세요.
3. 일부러 망가뜨려 보세요(`dW`에서 `.T`를 빼거나 `Relu.backward`에서 `dout`을 그대로 반환하기).
   어떤 힌트가 나오나요?

자신의 컴퓨터에서는 같은 검사를 파일에 대해 실행할 수 있습니다.

```bash
cp examples/exercises/my_layers.py examples/exercises/my_two_layer_net.py .
chainrule check my_layers.py                       # --lang en|ko|zh|ja
chainrule check --network my_two_layer_net.py
```
""",
        "zh-CN": """
所有参数都错了，但原因只在一处：检查从损失开始反向追溯，停在了漏掉 `/ batch_size` 的 `lastLayer`，
因为它之后的所有导数都继承了这个误差。先修正最早出错的那一层。

## 轮到你了

1. 在练习2的单元格里修正 `MulLayer`、`Affine` 和 `SoftmaxWithLoss`（各改一行），运行它，
   然后重新运行两次检查，直到 `report.ok` 变为 `True`。
2. 自己写出 `AddLayer`，用 `chainrule.check({"AddLayer": AddLayer})` 检查。
3. 故意弄坏点什么（去掉 `dW` 里的 `.T`，或让 `Relu.backward` 直接返回 `dout`），看看会得到什么提示。

在自己的电脑上，也可以对文件运行同样的检查：

```bash
cp examples/exercises/my_layers.py examples/exercises/my_two_layer_net.py .
chainrule check my_layers.py                       # --lang en|ko|zh|ja
chainrule check --network my_two_layer_net.py
```
""",
        "ja": """
すべてのパラメータが誤りですが、原因は1か所です。チェックは損失から逆にたどり、`/ バッチサイズ` が
抜けている `lastLayer` で止まります。その後の微分はすべてこの誤差を受け継ぐからです。最初に誤っている
レイヤから直しましょう。

## 自分でやってみよう

1. 演習2のセルで `MulLayer`、`Affine`、`SoftmaxWithLoss` を直し（それぞれ1行）、セルを実行してから、
   `report.ok` が `True` になるまで2つのチェックをやり直しましょう。
2. `AddLayer` を自分で書き、`chainrule.check({"AddLayer": AddLayer})` でチェックしましょう。
3. わざと壊してみましょう（`dW` の `.T` を消す、`Relu.backward` で `dout` をそのまま返す）。
   どんなヒントが出るでしょうか。

自分のパソコンでは、同じチェックをファイルに対して実行できます。

```bash
cp examples/exercises/my_layers.py examples/exercises/my_two_layer_net.py .
chainrule check my_layers.py                       # --lang en|ko|zh|ja
chainrule check --network my_two_layer_net.py
```
""",
    }),
]
