# Notebook 05: training the two-layer net on MNIST with backprop (section 5.7.4).
CELLS = [
    ("md", {
        "en": """
# 5. Training on MNIST with backpropagation

*Deep Learning from Scratch*, section 5.7.4: the book's `train_neuralnet.py`. Each
iteration draws a mini-batch of 100 images, computes the gradient by backpropagation and
takes one step of stochastic gradient descent (learning rate 0.1). Once per epoch (600
iterations: 60,000 images / 100) it measures the accuracy on the training and the test data.

**Fewer iterations than the book.** The book runs 10,000 iterations (about 16 epochs) and
reaches a test accuracy of about 0.97. This notebook runs **3,000** (5 epochs) so that it
finishes in seconds every time the project's tests execute it; it reaches about 0.95. Set
`iters_num = 10000` to run the book's full training, or run `chainrule train` in a terminal.
""",
        "ko": """
# 5. 오차역전파법으로 MNIST 학습하기

『밑바닥부터 시작하는 딥러닝』 5.7.4절, 책의 `train_neuralnet.py`입니다. 반복마다 이미지 100장을
미니배치로 뽑아 오차역전파법으로 기울기를 구하고, 확률적 경사 하강법(SGD)으로 한 걸음 갱신합니다
(학습률 0.1). 1에폭(60,000장 / 100 = 600회 반복)마다 훈련 데이터와 시험 데이터에 대한 정확도를
측정합니다.

**책보다 반복 횟수가 적습니다.** 책은 10,000회(약 16에폭)를 반복해 시험 데이터 정확도 약 0.97에
도달합니다. 이 노트북은 프로젝트의 테스트가 실행할 때마다 몇 초 안에 끝나도록 **3,000회**(5에폭)만
반복하며, 정확도는 약 0.95입니다. 책과 같은 학습을 하려면 `iters_num = 10000`으로 바꾸거나 터미널에서
`chainrule train`을 실행하세요.
""",
        "zh-CN": """
# 5. 用误差反向传播法在 MNIST 上学习

对应《深度学习入门》5.7.4节，即书中的 `train_neuralnet.py`。每次迭代随机取出100张图像作为
mini-batch，用误差反向传播法求梯度，再用随机梯度下降法（SGD，学习率0.1）更新一步。每经过一个
epoch（60,000张 / 100 = 600次迭代），就计算一次训练数据和测试数据的识别精度。

**迭代次数比书中少。** 书中迭代10,000次（约16个 epoch），测试数据的识别精度约为0.97。为了让项目的
测试每次执行时都能在几秒内结束，本 notebook 只迭代 **3,000次**（5个 epoch），精度约为0.95。
若要完整复现书中的学习，请把 `iters_num` 改为10000，或在终端中运行 `chainrule train`。
""",
        "ja": """
# 5. 誤差逆伝播法で MNIST を学習する

『ゼロから作るDeep Learning』5.7.4節、本の `train_neuralnet.py` です。各イテレーションで画像100枚を
ミニバッチとして取り出し、誤差逆伝播法で勾配を求め、確率的勾配降下法（SGD、学習率0.1）で1歩更新
します。1エポック（60,000枚 / 100 = 600イテレーション）ごとに、訓練データとテストデータの認識精度を
測ります。

**本よりイテレーションが少なくなっています。** 本は10,000回（約16エポック）繰り返し、テストデータの
認識精度は約0.97に達します。このノートブックは、プロジェクトのテストが実行するたびに数秒で終わるよう
**3,000回**（5エポック）だけ繰り返し、認識精度は約0.95です。本と同じ学習をするには `iters_num = 10000`
に変えるか、ターミナルで `chainrule train` を実行してください。
""",
    }),
    ("md", {
        "en": """
The loop is the book's, with three small changes: `rng=0` fixes the starting weights, the
mini-batches come from `np.random.default_rng(0)` instead of NumPy's global random state (so
every run prints the same numbers), and `dtype="float32"` keeps the weights in the images'
float32, which makes each accuracy measurement several times faster than mixing float32
images with the book's float64 weights (the accuracy agrees to about three digits). The
update `network.params[key] -= learning_rate * grad[key]` changes the arrays the layers
hold (notebook 4).
""",
        "ko": """
루프는 책의 코드 그대로이고, 세 군데만 조금 바꿨습니다. `rng=0`으로 가중치 초깃값을 고정하고,
미니배치는 NumPy의 전역 난수 상태 대신 `np.random.default_rng(0)`에서 뽑습니다(그래서 실행할 때마다
같은 숫자가 나옵니다). 그리고 `dtype="float32"`로 가중치를 이미지와 같은 float32로 둡니다. float32
이미지에 책처럼 float64 가중치를 섞는 것보다 정확도 측정이 몇 배 빠르며, 정확도는 세 자리 정도까지
같습니다. 갱신식 `network.params[key] -= learning_rate * grad[key]`는 계층이 가진 배열을 직접
바꿉니다(노트북 4).
""",
        "zh-CN": """
循环就是书中的代码，只做了三处小改动：用 `rng=0` 固定权重的初始值；mini-batch 从
`np.random.default_rng(0)` 中抽取，而不是 NumPy 的全局随机状态（因此每次运行都输出同样的数字）；
`dtype="float32"` 让权重与图像同为 float32：书中把 float32 的图像和 float64 的权重混在一起计算，统一为
float32 之后，每次测量识别精度都要快好几倍（精度的前三位左右相同）。更新式 `network.params[key] -= learning_rate * grad[key]`
直接修改各层持有的数组（见第4个 notebook）。
""",
        "ja": """
ループは本のコードそのままで、3か所だけ少し変えています。`rng=0` で重みの初期値を固定し、ミニバッチは
NumPy のグローバルな乱数状態ではなく `np.random.default_rng(0)` から選びます（そのため毎回同じ数値が
表示されます）。また `dtype="float32"` で重みを画像と同じ float32 にしています。float32 の画像に本の
ように float64 の重みを混ぜるより認識精度の計測が数倍速く、精度は3桁ほど一致します。更新式
`network.params[key] -= learning_rate * grad[key]` は、レイヤが持つ配列を直接書き換えます
（ノートブック4）。
""",
    }),
    ("code", """
import numpy as np

from chainrule import TwoLayerNet, load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)

network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, dtype="float32", rng=0)

iters_num = 3000  # the book: 10000
train_size = x_train.shape[0]
batch_size = 100
learning_rate = 0.1
rng = np.random.default_rng(0)

train_loss_list = []
train_acc_list = []
test_acc_list = []

iter_per_epoch = max(train_size / batch_size, 1)

for i in range(iters_num):
    batch_mask = rng.choice(train_size, batch_size)
    x_batch = x_train[batch_mask]
    t_batch = t_train[batch_mask]

    grad = network.gradient(x_batch, t_batch)

    for key in ("W1", "b1", "W2", "b2"):
        network.params[key] -= learning_rate * grad[key]

    loss = network.loss(x_batch, t_batch)
    train_loss_list.append(loss)

    if i % iter_per_epoch == 0:
        train_acc = network.accuracy(x_train, t_train)
        test_acc = network.accuracy(x_test, t_test)
        train_acc_list.append(train_acc)
        test_acc_list.append(test_acc)
        print("train acc, test acc | " + str(train_acc) + ", " + str(test_acc))

print("after", iters_num, "iterations: test acc", network.accuracy(x_test, t_test))
"""),
    ("md", {
        "en": """
## The accuracy plot

As in the book's figure, the training accuracy (solid) and the test accuracy (dashed) rise
together: the network is not overfitting.
""",
        "ko": """
## 정확도 그래프

책의 그림처럼 훈련 데이터의 정확도(실선)와 시험 데이터의 정확도(점선)가 함께 올라갑니다.
오버피팅이 일어나지 않았다는 뜻입니다.
""",
        "zh-CN": """
## 识别精度的变化

与书中的图一样，训练数据的识别精度（实线）和测试数据的识别精度（虚线）一起上升，说明没有发生过拟合。
""",
        "ja": """
## 認識精度のグラフ

本の図と同じように、訓練データの認識精度（実線）とテストデータの認識精度（破線）がそろって上がって
います。過学習は起きていません。
""",
    }),
    ("code", """
import matplotlib.pyplot as plt

x = np.arange(len(train_acc_list))
plt.plot(x, train_acc_list, marker="o", label="train acc")
plt.plot(x, test_acc_list, marker="s", label="test acc", linestyle="--")
plt.xlabel("epochs")
plt.ylabel("accuracy")
plt.ylim(0, 1.0)
plt.legend(loc="lower right")
plt.show()
"""),
    ("md", {
        "en": """
## The loss of every mini-batch

Each mini-batch gives a slightly different loss, so the curve is noisy, but it falls fast
in the first few hundred iterations and keeps going down.
""",
        "ko": """
## 미니배치마다의 손실

미니배치마다 손실이 조금씩 달라서 곡선은 들쭉날쭉하지만, 처음 수백 회 동안 빠르게 떨어진 뒤에도
계속 내려갑니다.
""",
        "zh-CN": """
## 每个 mini-batch 的损失

每个 mini-batch 的损失略有不同，所以曲线起伏不定，但在最初几百次迭代中迅速下降，之后仍在继续下降。
""",
        "ja": """
## ミニバッチごとの損失

ミニバッチごとに損失が少しずつ違うので曲線はぎざぎざですが、最初の数百回で急速に下がり、その後も
下がり続けます。
""",
    }),
    ("code", """
plt.plot(train_loss_list, linewidth=0.7)
plt.xlabel("iteration")
plt.ylabel("loss")
plt.show()
"""),
    ("md", {
        "en": """
## What the network says about a few test images

The first twelve test images with the predicted digit above each one (red when it is wrong).
""",
        "ko": """
## 시험 이미지 몇 장에 대한 신경망의 답

시험 데이터의 처음 12장과, 각 이미지 위에 신경망이 예측한 숫자를 표시했습니다(틀리면 빨간색).
""",
        "zh-CN": """
## 神经网络对几张测试图像的判断

测试数据的前12张图像，每张上方是神经网络预测的数字（预测错误时为红色）。
""",
        "ja": """
## テスト画像に対するニューラルネットワークの答え

テストデータの最初の12枚と、それぞれの上にニューラルネットワークが予測した数字を表示しています
（間違いは赤）。
""",
    }),
    ("code", """
y = network.predict(x_test[:12]).argmax(axis=1)
labels = t_test[:12].argmax(axis=1)
fig, axes = plt.subplots(1, 12, figsize=(12, 1.6))
for ax, image, pred, label in zip(axes, x_test[:12], y, labels):
    ax.imshow(image.reshape(28, 28), cmap="gray_r")
    ax.set_title(str(pred), color="black" if pred == label else "red")
    ax.axis("off")
plt.show()
print("predicted:", y)
print("labels:   ", labels)
"""),
    ("md", {
        "en": """
## Try it

- Set `iters_num = 10000` for the book's run (about 0.97), or change `learning_rate` to 0.01
  and to 1.0 and compare the curves.
- `chainrule train` runs the book's full training (10,000 iterations in float32) in a few
  seconds and saves the model and the curves; `chainrule train --help` lists the options.

Next: [6. Exercises: write the layers yourself](06_exercises.ipynb).
""",
        "ko": """
## 직접 해 보기

- `iters_num = 10000`으로 바꿔 책과 같은 학습을 해 보세요(약 0.97). 또는 `learning_rate`를 0.01이나
  1.0으로 바꿔 곡선을 비교해 보세요.
- `chainrule train`은 책과 같은 전체 학습(float32로 10,000회)을 몇 초 만에 실행하고 모델과 그래프를
  저장합니다. 옵션은 `chainrule train --help`로 볼 수 있습니다.

다음: [6. 연습 문제: 계층을 직접 구현하기](06_exercises.ipynb)
""",
        "zh-CN": """
## 动手试试

- 把 `iters_num` 改为10000，复现书中的学习（约0.97）；或者把 `learning_rate` 改为0.01和1.0，
  比较曲线有何不同。
- `chainrule train` 能在几秒内完成书中的完整学习（float32，10,000次迭代），并保存模型和曲线；
  `chainrule train --help` 列出了所有选项。

下一节：[6. 练习：自己实现各层](06_exercises.ipynb)
""",
        "ja": """
## やってみよう

- `iters_num = 10000` にして本と同じ学習をしてみましょう（約0.97）。あるいは `learning_rate` を0.01や
  1.0に変えて、曲線を比べてみましょう。
- `chainrule train` は本と同じ学習全体（float32で10,000回）を数秒で実行し、モデルとグラフを保存します。
  オプションは `chainrule train --help` で確認できます。

次へ：[6. 演習：レイヤを自分で実装する](06_exercises.ipynb)
""",
    }),
]
