# Notebook 04: the two-layer net built from layers, and the gradient check (sections 5.7.1-5.7.3).
CELLS = [
    ("md", {
        "en": """
# 4. The two-layer net and the gradient check

*Deep Learning from Scratch*, sections 5.7.1-5.7.3. `TwoLayerNet` stacks `Affine1 → Relu1 →
Affine2` and ends in `SoftmaxWithLoss`. Its `gradient()` runs forward once and backward once
through the layers; `numerical_gradient()` nudges every one of its 39,760 parameters. The
gradient check compares the two on three MNIST images: if backprop is right they agree to
about 1e-10 or better.

MNIST comes from `chainrule.load_mnist`, which works offline once the data is cached
(`chainrule data` fetches and verifies it; see the README).
""",
        "ko": """
# 4. 2층 신경망과 기울기 확인

『밑바닥부터 시작하는 딥러닝』 5.7.1~5.7.3절입니다. `TwoLayerNet`은 `Affine1 → Relu1 → Affine2`를
쌓고 마지막에 `SoftmaxWithLoss`를 둡니다. `gradient()`는 계층들을 순전파로 한 번, 역전파로 한 번
지나갈 뿐이지만, `numerical_gradient()`는 매개변수 39,760개를 하나씩 움직여 봅니다. 기울기 확인은
MNIST 이미지 3장으로 두 결과를 비교합니다. 오차역전파법이 올바르다면 차이는 1e-10 정도 이하입니다.

MNIST는 `chainrule.load_mnist`로 읽습니다. 데이터가 한 번 캐시되면 오프라인에서도 동작합니다
(`chainrule data`가 내려받아 검증합니다. README 참고).
""",
        "zh-CN": """
# 4. 两层神经网络与梯度确认

对应《深度学习入门》5.7.1～5.7.3节。`TwoLayerNet` 把 `Affine1 → Relu1 → Affine2` 叠起来，最后接
`SoftmaxWithLoss`。它的 `gradient()` 只需让各层正向传播一次、反向传播一次；而 `numerical_gradient()`
要逐个改变全部39,760个参数。梯度确认用3张 MNIST 图像比较两者：如果误差反向传播法实现正确，
差值在1e-10左右或更小。

MNIST 通过 `chainrule.load_mnist` 读取，数据缓存之后离线也能使用（`chainrule data` 负责下载和校验，
见 README）。
""",
        "ja": """
# 4. 2層ニューラルネットワークと勾配確認

『ゼロから作るDeep Learning』5.7.1〜5.7.3節です。`TwoLayerNet` は `Affine1 → Relu1 → Affine2` を
積み重ね、最後に `SoftmaxWithLoss` を置きます。`gradient()` はレイヤを順伝播で1回、逆伝播で1回
通るだけですが、`numerical_gradient()` は39,760個のパラメータを1つずつ動かします。勾配確認では
MNIST の画像3枚で両者を比べます。誤差逆伝播法が正しければ、差は1e-10程度以下です。

MNIST は `chainrule.load_mnist` で読み込みます。一度キャッシュされればオフラインでも動きます
（`chainrule data` がダウンロードと検証を行います。README を参照）。
""",
    }),
    ("code", """
import numpy as np

from chainrule import TwoLayerNet, load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
print(x_train.shape, t_train.shape, x_test.shape, t_test.shape)

network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, rng=0)
for key, value in network.params.items():
    print(key, value.shape)
print(list(network.layers), "->", type(network.lastLayer).__name__)
"""),
    ("md", {
        "en": """
`rng=0` fixes the starting weights, so this notebook prints the same numbers every time (the
book draws new random weights on every run).

## The network as a computational graph

Tracing `network.loss` on the three images records each layer call as a node, with the
array shapes on the edges (forward above, the derivative's shape below). The derivative of
each parameter has the parameter's own shape, and it is exactly what `network.gradient`
returns.
""",
        "ko": """
`rng=0`은 가중치의 초깃값을 고정합니다. 그래서 이 노트북은 실행할 때마다 같은 숫자를 출력합니다(책의
코드는 실행할 때마다 새로운 난수로 가중치를 정합니다).

## 계산 그래프로 본 신경망

이미지 3장에 대해 `network.loss`를 추적하면 계층 호출 하나하나가 노드로 기록되고, 에지에는 배열의
형상이 적힙니다(위는 순전파, 아래는 미분의 형상). 각 매개변수의 미분은 그 매개변수와 같은 형상이며,
`network.gradient`가 돌려주는 값과 정확히 같습니다.
""",
        "zh-CN": """
`rng=0` 固定了权重的初始值，因此本 notebook 每次都输出同样的数字（书中的代码每次运行都重新随机
生成权重）。

## 把神经网络看作计算图

在这3张图像上追踪 `network.loss`，每次层的调用都会被记录为一个节点，边上标出数组的形状
（上方是正向传播，下方是导数的形状）。每个参数的导数与参数本身形状相同，并且与 `network.gradient`
返回的值完全一致。
""",
        "ja": """
`rng=0` は重みの初期値を固定します。そのため、このノートブックは毎回同じ数値を表示します（本のコードは
実行のたびに新しい乱数で重みを決めます）。

## 計算グラフとして見たニューラルネットワーク

画像3枚について `network.loss` をトレースすると、レイヤの呼び出しひとつひとつがノードとして記録され、
エッジには配列の形状が書かれます（上が順伝播、下が微分の形状）。各パラメータの微分はそのパラメータと
同じ形状で、`network.gradient` が返す値とぴったり一致します。
""",
    }),
    ("code", """
from IPython.display import display

from chainrule.graph import Graph

x_batch = x_train[:3]
t_batch = t_train[:3]

g = Graph()
loss = g.trace_loss(network, x_batch, t_batch)
loss.backward()
print("loss:", loss.data)
print(np.array_equal(g["W1"].grad, network.gradient(x_batch, t_batch)["W1"]))
display(g, exclude=["text/html"])  # the static drawing (g alone: the interactive page)
"""),
    ("md", {
        "en": """
## The gradient check (the book's `gradient_check.py`)

The book prints the mean absolute difference between the two gradients for each parameter.
The numerical gradient takes seconds here; backprop takes well under a millisecond.
""",
        "ko": """
## 기울기 확인(책의 `gradient_check.py`)

책은 매개변수마다 두 기울기의 절댓값 차이의 평균을 출력합니다. 수치 미분은 여기서 몇 초가 걸리지만
오차역전파법은 1밀리초도 걸리지 않습니다.
""",
        "zh-CN": """
## 梯度确认（书中的 `gradient_check.py`）

书中对每个参数输出两种梯度之差的绝对值的平均。这里数值微分需要几秒钟，误差反向传播法连1毫秒都用不了。
""",
        "ja": """
## 勾配確認（本の `gradient_check.py`）

本はパラメータごとに、2つの勾配の差の絶対値の平均を表示します。ここでは数値微分に数秒かかりますが、
誤差逆伝播法は1ミリ秒もかかりません。
""",
    }),
    ("code", """
grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)

for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
"""),
    ("md", {
        "en": """
Differences of 1e-10 to 1e-13 mean the two agree: the numerical gradient itself is only
accurate to about `h² = 1e-8` relative, and rounding adds about `1e-16 / h`. A wrong
backward is off by the size of the gradient itself.

## When the difference is large but backprop is right: ReLU's kink

ReLU bends at 0. If a hidden unit's input lies within `h = 1e-4` of 0, the central
difference steps across the bend and mixes the two slopes, while backprop uses the one slope
that applies. Below we move hidden unit 0 of the first image to `5e-5`, just above the kink,
and compare the gradients of `b1`: that one unit is off by 4e-4 (its gradient is -1.6e-3), which
lifts the book's mean for `b1` to about 1e-5, while the other units still agree to about
1e-12. It is the *numerical* gradient that is wrong: with a step `h = 1e-6`, which no longer
crosses the kink, the difference falls back to the usual size.
""",
        "ko": """
차이가 1e-10~1e-13이면 두 기울기가 일치한다는 뜻입니다. 수치 미분 자체의 정확도가 상대적으로
`h² = 1e-8` 정도이고, 반올림 오차가 `1e-16 / h` 정도 더해지기 때문입니다. 역전파가 틀렸다면 차이는
기울기 자체의 크기만큼 벌어집니다.

## 역전파가 맞는데도 차이가 클 때: ReLU의 꺾이는 점

ReLU는 0에서 꺾입니다. 어떤 은닉 뉴런의 입력이 0에서 `h = 1e-4` 이내에 있으면 중심 차분은 꺾이는 점을
넘나들며 양쪽 기울기를 섞어 버리지만, 역전파는 해당하는 쪽의 기울기만 씁니다. 아래에서는 첫 번째
이미지의 은닉 뉴런 0의 입력을 꺾이는 점 바로 위인 `5e-5`로 옮긴 뒤 `b1`의 기울기를 비교합니다. 그
뉴런 하나만 4e-4나 어긋나고(기울기 자체는 -1.6e-3), 그 때문에 책 방식의 `b1` 평균은 1e-5 정도로 커집니다.
나머지 뉴런은 여전히 1e-12 정도로 일치합니다. 틀린 쪽은 *수치 미분*입니다. 꺾이는 점을 넘지 않는
`h = 1e-6`으로 계산하면 차이는 평소 크기로 돌아옵니다.
""",
        "zh-CN": """
差值在1e-10到1e-13之间，说明两者一致：数值微分本身的相对精度只有大约 `h² = 1e-8`，舍入误差还会带来
约 `1e-16 / h`。如果反向传播写错了，差值会和梯度本身一样大。

## 反向传播正确但差值很大：ReLU 的折点

ReLU 在0处弯折。如果某个隐藏神经元的输入离0不到 `h = 1e-4`，中心差分就会跨过折点，把两边的斜率
混在一起，而反向传播只用适用的那一边。下面把第一张图像的隐藏神经元0的输入移到折点上方一点的
`5e-5`，再比较 `b1` 的梯度：只有这一个神经元偏差了4e-4（它的梯度是-1.6e-3），这使书中那样计算的 `b1` 平均值
变成1e-5左右，其他神经元仍然在1e-12左右一致。出错的是*数值微分*：改用不会跨过折点的步长
`h = 1e-6`，差值就回到平常的大小。
""",
        "ja": """
差が1e-10〜1e-13なら、2つの勾配は一致しています。数値微分そのものの精度が相対的に `h² = 1e-8`
程度しかなく、丸め誤差が `1e-16 / h` 程度加わるからです。逆伝播が間違っていれば、差は勾配そのものと
同じくらいの大きさになります。

## 逆伝播は正しいのに差が大きいとき：ReLU の折れ目

ReLU は0で折れ曲がります。ある隠れニューロンの入力が0から `h = 1e-4` 以内にあると、中心差分は折れ目を
またいで両側の傾きを混ぜてしまいますが、逆伝播は当てはまる側の傾きだけを使います。以下では、1枚目の
画像の隠れニューロン0の入力を折れ目のすぐ上の `5e-5` に動かしてから、`b1` の勾配を比べます。その
ニューロンだけが4e-4もずれ（勾配そのものは-1.6e-3）、そのせいで本のやり方で求めた `b1` の平均は1e-5程度になります。
ほかのニューロンは相変わらず1e-12程度で一致しています。間違っているのは*数値微分*のほうです。
折れ目をまたがない `h = 1e-6` で計算すると、差はふだんの大きさに戻ります。
""",
    }),
    ("code", """
from chainrule import numerical_gradient

a1 = x_batch @ network.params["W1"] + network.params["b1"]  # inputs of Relu1
network.params["b1"][0] -= a1[0, 0] - 5e-5                   # unit 0 of image 0 now sits at 5e-5

loss_b1 = lambda b1: network.loss(x_batch, t_batch)
bp_b1 = network.gradient(x_batch, t_batch)["b1"]
diff = np.abs(bp_b1 - numerical_gradient(loss_b1, network.params["b1"]))
print("b1:" + str(diff.mean()))
print("largest difference:", diff.max(), "at unit", diff.argmax(), "where the gradient is", bp_b1[diff.argmax()])
print("mean difference over the other units:", np.delete(diff, diff.argmax()).mean())
diff_small_h = np.abs(bp_b1 - numerical_gradient(loss_b1, network.params["b1"], h=1e-6))
print("with h = 1e-6, largest difference:", diff_small_h.max())
"""),
    ("md", {
        "en": """
`chainrule.gradient_check(network, x, t)` does the whole comparison in float64 and prints
a table per parameter: mean and max difference, max relative error, and *where* the largest
one is. On this network it marks `W1` and `b1` as FAIL and points at hidden unit 0, which is
where to look (here: the kink). `chainrule gradcheck` runs the check on MNIST from the
command line.

## `params` and the layers share the same arrays

The layers were built from `network.params`, so updating a parameter in place
(`network.params["W1"] -= lr * grad["W1"]`, as the book's training loop does) reaches the
layer. In the book's code, *rebinding* the key instead
(`network.params["W1"] = network.params["W1"] - lr * grad["W1"]`) makes a new array that
the layer never sees, and the network silently stops learning. chainrule's `params` passes a
rebinding on to the layer, so both forms train:
""",
        "ko": """
`chainrule.gradient_check(network, x, t)`는 이 비교 전체를 float64로 수행하고 매개변수마다 표를
출력합니다. 차이의 평균과 최댓값, 최대 상대 오차, 그리고 가장 큰 차이가 난 *위치*입니다. 위의
신경망이라면 `W1`과 `b1`을 FAIL로 표시하고 은닉 뉴런 0을 가리키는데, 바로 그곳(여기서는 꺾이는 점)을
살펴보면 됩니다. 명령줄에서는 `chainrule gradcheck`가 MNIST로 기울기 확인을 실행합니다.

## `params`와 계층은 같은 배열을 공유한다

계층은 `network.params`로부터 만들어졌으므로, 매개변수를 제자리에서 갱신하면(책의 학습 루프처럼
`network.params["W1"] -= lr * grad["W1"]`) 계층에 반영됩니다. 책의 코드에서 키를 *다시 바인딩*하면
(`network.params["W1"] = network.params["W1"] - lr * grad["W1"]`) 새 배열이 만들어지고 계층은
그것을 보지 못해, 신경망은 아무 말 없이 학습을 멈춥니다. chainrule의 `params`는 다시 바인딩한 것도
계층에 전달하므로 두 방식 모두 학습됩니다.
""",
        "zh-CN": """
`chainrule.gradient_check(network, x, t)` 用 float64 完成整个比较，并为每个参数打印一张表：
差值的平均和最大值、最大相对误差，以及最大差值出现的*位置*。对上面的网络，它会把 `W1` 和 `b1`
标为 FAIL，并指向隐藏神经元0，那里就是该检查的地方（这里是折点）。在命令行中，
`chainrule gradcheck` 会在 MNIST 上进行梯度确认。

## `params` 和各层共享同一组数组

各层是用 `network.params` 创建的，所以原地更新参数（像书中的学习循环那样
`network.params["W1"] -= lr * grad["W1"]`）会作用到层上。在书中的代码里，如果改为*重新绑定*这个键
（`network.params["W1"] = network.params["W1"] - lr * grad["W1"]`），就会生成一个层看不到的新数组，
神经网络会悄无声息地停止学习。chainrule 的 `params` 会把重新绑定也传给层，所以两种写法都能学习：
""",
        "ja": """
`chainrule.gradient_check(network, x, t)` はこの比較全体を float64 で行い、パラメータごとに表を
表示します。差の平均と最大値、最大相対誤差、そして最大の差が出た*場所*です。上のネットワークなら
`W1` と `b1` を FAIL とし、隠れニューロン0を指し示します。そこ（ここでは折れ目）を調べればよいわけです。
コマンドラインでは `chainrule gradcheck` が MNIST で勾配確認を実行します。

## `params` とレイヤは同じ配列を共有している

レイヤは `network.params` から作られているので、パラメータをその場で更新すれば（本の学習ループの
ように `network.params["W1"] -= lr * grad["W1"]`）レイヤに届きます。本のコードでキーを*再代入*すると
（`network.params["W1"] = network.params["W1"] - lr * grad["W1"]`）、レイヤからは見えない新しい配列が
作られ、ニューラルネットワークは何も言わずに学習をやめてしまいます。chainrule の `params` は再代入も
レイヤに渡すので、どちらの書き方でも学習します。
""",
    }),
    ("code", """
grad = network.gradient(x_batch, t_batch)
print(network.params["W1"] is network.layers["Affine1"].W)
network.params["W1"] = network.params["W1"] - 0.1 * grad["W1"]
print(network.params["W1"] is network.layers["Affine1"].W)

book_params = {"W1": np.zeros((2, 2))}  # the book's params is a plain dict
layer_W = book_params["W1"]             # what Affine1 holds
book_params["W1"] = book_params["W1"] - 0.1
print(book_params["W1"] is layer_W, layer_W.sum())
"""),
    ("md", {
        "en": """
## Try it

- Replace `rng=0` by other seeds and rerun the gradient check: how often does a kink show up?
- Put a deliberate bug in a layer (for example drop the `/ batch_size`) and see how large the
  differences become. Notebook 6 turns this into exercises.

Next: [5. Training on MNIST](05_training.ipynb).
""",
        "ko": """
## 직접 해 보기

- `rng=0`을 다른 값으로 바꿔 기울기 확인을 다시 실행해 보세요. 꺾이는 점은 얼마나 자주 나타나나요?
- 계층에 일부러 버그를 넣고(예: `/ 배치 크기`를 빼기) 차이가 얼마나 커지는지 보세요. 노트북 6에서는
  이것을 연습 문제로 다룹니다.

다음: [5. MNIST 학습](05_training.ipynb)
""",
        "zh-CN": """
## 动手试试

- 把 `rng=0` 换成别的种子，重新运行梯度确认：折点出现得有多频繁？
- 故意在某一层里制造一个错误（例如去掉 `/ batch_size`），看看差值会变得多大。
  第6个 notebook 把这些做成了练习。

下一节：[5. 在 MNIST 上学习](05_training.ipynb)
""",
        "ja": """
## やってみよう

- `rng=0` を別の値に変えて勾配確認をやり直してみましょう。折れ目はどのくらいの頻度で現れますか？
- レイヤにわざとバグを入れて（たとえば `/ バッチサイズ` を消す）、差がどれほど大きくなるか見てみましょう。
  ノートブック6ではこれを演習にしています。

次へ：[5. MNIST で学習する](05_training.ipynb)
""",
    }),
]
