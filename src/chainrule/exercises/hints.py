"""The hints of exercise mode: the usual mistake each wrong tensor's numbers matched, in four languages."""

HINTS = {
    "hint.forgot_dout": {
        "en": "forgot `dout *`: backward multiplies the gradient that flows in from upstream (dout) by the "
              "node's local derivative (the chain rule)",
        "ko": "`dout *`를 빠뜨렸습니다. 역전파에서는 상류에서 흘러온 기울기 dout에 그 노드의 국소적 미분을 "
              "곱해야 합니다(연쇄법칙).",
        "zh": "漏掉了 `dout *`：反向传播时，要把从上游传来的梯度 dout 乘以该节点的局部导数（链式法则）。",
        "ja": "`dout *` を忘れています。逆伝播では、上流から伝わってきた勾配 dout にそのノードの局所的な微分を"
              "掛けます（連鎖律）。",
    },
    "hint.swapped_xy": {
        "en": "x and y are swapped: for out = x * y, dx = dout * y and dy = dout * x (each input gets the "
              "other input)",
        "ko": "x와 y가 뒤바뀌었습니다. out = x * y의 역전파는 dx = dout * y, dy = dout * x입니다"
              "(곱셈 노드는 입력 신호를 '서로 바꾼 값'을 곱합니다).",
        "zh": "x 和 y 弄反了：对于 out = x * y，dx = dout * y，dy = dout * x"
              "（乘法节点的反向传播要乘以正向传播时输入信号的“翻转值”）。",
        "ja": "x と y が入れ替わっています。out = x * y の逆伝播は dx = dout * y、dy = dout * x です"
              "（乗算ノードでは入力信号を「ひっくり返した」値を掛けます）。",
    },
    "hint.mul_passthrough": {
        "en": "dout was passed on unchanged, as an addition node does; a multiplication node multiplies it by "
              "the other input: dx = dout * y, dy = dout * x",
        "ko": "dout을 그대로 흘려보냈습니다. 그것은 덧셈 노드의 규칙이고, 곱셈 노드는 다른 쪽 입력을 곱합니다: "
              "dx = dout * y, dy = dout * x",
        "zh": "直接把 dout 原样传了下去，这是加法节点的做法；乘法节点要乘以另一个输入：dx = dout * y，dy = dout * x",
        "ja": "dout をそのまま流しています。それは加算ノードの規則で、乗算ノードではもう一方の入力を掛けます: "
              "dx = dout * y、dy = dout * x",
    },
    "hint.add_times_input": {
        "en": "an addition node passes dout on unchanged (dx = dout * 1, dy = dout * 1); multiplying by the "
              "other input is the multiplication node's rule",
        "ko": "덧셈 노드는 dout을 그대로 흘려보냅니다(dx = dout * 1, dy = dout * 1). 다른 쪽 입력을 곱하는 것은 "
              "곱셈 노드의 규칙입니다.",
        "zh": "加法节点会把 dout 原封不动地传下去（dx = dout * 1，dy = dout * 1）；乘以另一个输入是乘法节点的规则。",
        "ja": "加算ノードは dout をそのまま流します（dx = dout * 1、dy = dout * 1）。もう一方の入力を掛けるのは"
              "乗算ノードの規則です。",
    },
    "hint.wrong_operation": {
        "en": "forward computes the other operation: MulLayer returns x * y, AddLayer returns x + y",
        "ko": "순전파가 다른 연산을 하고 있습니다. MulLayer는 x * y를, AddLayer는 x + y를 반환합니다.",
        "zh": "正向传播算成了另一种运算：MulLayer 返回 x * y，AddLayer 返回 x + y。",
        "ja": "順伝播が別の演算になっています。MulLayer は x * y を、AddLayer は x + y を返します。",
    },
    "hint.returns_two": {
        "en": "backward must return both gradients: return dx, dy",
        "ko": "backward는 두 기울기를 모두 반환해야 합니다: return dx, dy",
        "zh": "backward 必须返回两个梯度：return dx, dy",
        "ja": "backward は 2 つの勾配を両方返します: return dx, dy",
    },
    "hint.missing_method": {
        "en": "the class needs both methods, forward() and backward()",
        "ko": "클래스에 forward()와 backward() 메서드가 모두 있어야 합니다.",
        "zh": "这个类需要 forward() 和 backward() 两个方法。",
        "ja": "クラスには forward() と backward() の両方のメソッドが必要です。",
    },
    "hint.relu_mask_direction": {
        "en": "the mask points the wrong way: mask = (x <= 0) marks the inputs that were set to 0; backward sets "
              "dout to 0 there and passes it on where x > 0",
        "ko": "mask의 방향이 반대입니다. mask = (x <= 0)은 0으로 만든 입력을 표시합니다. 역전파에서는 그 자리의 "
              "dout을 0으로 하고, x > 0인 곳은 dout을 그대로 흘려보냅니다.",
        "zh": "mask 的方向反了：mask = (x <= 0) 标记的是被置为 0 的输入；反向传播时这些位置的 dout 设为 0，"
              "x > 0 的位置则把 dout 原样传下去。",
        "ja": "mask の向きが逆です。mask = (x <= 0) は 0 にした入力の位置を表します。逆伝播ではその位置の dout を 0 "
              "にし、x > 0 の位置では dout をそのまま流します。",
    },
    "hint.relu_zero": {
        "en": "only at x == 0 does your gradient differ: you pass dout on there, the book's mask (x <= 0) and "
              "chainrule give 0 (a convention: ReLU has no derivative at 0)",
        "ko": "x == 0인 곳에서만 다릅니다. 여기서는 dout을 흘려보냈지만, 책의 mask (x <= 0)와 chainrule은 0을 "
              "줍니다(ReLU는 0에서 미분할 수 없으므로 관례의 문제입니다).",
        "zh": "只在 x == 0 处不同：你在这里把 dout 传了下去，而书中的 mask (x <= 0) 和 chainrule 给出 0"
              "（ReLU 在 0 处不可导，这只是约定的问题）。",
        "ja": "x == 0 の位置だけが異なります。ここであなたは dout を流していますが、本書の mask (x <= 0) と "
              "chainrule は 0 とします（ReLU は 0 で微分できないので、取り決めの問題です）。",
    },
    "hint.mutates_dout": {
        "en": "backward changed the dout it was given (the book's `dout[self.mask] = 0` writes into it, and the "
              "caller may still need it): work on a copy, dx = dout.copy(), or use np.where",
        "ko": "backward가 전달받은 dout을 바꿔 버렸습니다(책의 `dout[self.mask] = 0`은 dout에 직접 씁니다. 호출한 "
              "쪽에서 그 값을 다시 쓸 수도 있습니다). dx = dout.copy()처럼 복사본에 쓰거나 np.where를 쓰세요.",
        "zh": "backward 改写了传入的 dout（书中的 `dout[self.mask] = 0` 会直接写入 dout，而调用方可能还要用它）："
              "请在副本上修改，如 dx = dout.copy()，或者使用 np.where。",
        "ja": "backward が受け取った dout を書き換えています（本書の `dout[self.mask] = 0` は dout に直接書き込み"
              "ます。呼び出し側がまだ使うかもしれません）。dx = dout.copy() のようにコピーに書くか、np.where を"
              "使いましょう。",
    },
    "hint.mutates_input": {
        "en": "forward changed the array it was given (e.g. x[mask] = 0): copy it first, out = x.copy()",
        "ko": "forward가 전달받은 배열을 바꿔 버렸습니다(예: x[mask] = 0). 먼저 out = x.copy()로 복사하세요.",
        "zh": "forward 改写了传入的数组（例如 x[mask] = 0）：请先复制，out = x.copy()。",
        "ja": "forward が受け取った配列を書き換えています（例: x[mask] = 0）。先に out = x.copy() でコピーしましょう。",
    },
    "hint.sigmoid_x_instead_of_out": {
        "en": "used x instead of the output: the sigmoid's derivative is y(1 - y) with y the forward's output, "
              "so keep it (self.out = out) and write dx = dout * (1.0 - self.out) * self.out",
        "ko": "출력 대신 입력 x를 썼습니다. 시그모이드의 미분은 순전파의 출력 y로 나타낸 y(1 - y)입니다. "
              "self.out = out으로 보관해 두고 dx = dout * (1.0 - self.out) * self.out으로 계산하세요.",
        "zh": "用了输入 x 而不是输出：sigmoid 的导数是 y(1 - y)，其中 y 是正向传播的输出。"
              "请保存它（self.out = out），再计算 dx = dout * (1.0 - self.out) * self.out。",
        "ja": "出力ではなく入力 x を使っています。シグモイドの微分は順伝播の出力 y を使った y(1 - y) です。"
              "self.out = out として保持し、dx = dout * (1.0 - self.out) * self.out と計算しましょう。",
    },
    "hint.sigmoid_missing_one_minus": {
        "en": "a factor is missing: the local derivative is y(1 - y), so dx = dout * (1.0 - self.out) * self.out",
        "ko": "인수 하나가 빠졌습니다. 국소적 미분은 y(1 - y)이므로 dx = dout * (1.0 - self.out) * self.out입니다.",
        "zh": "少了一个因子：局部导数是 y(1 - y)，所以 dx = dout * (1.0 - self.out) * self.out。",
        "ja": "因子が 1 つ足りません。局所的な微分は y(1 - y) なので、dx = dout * (1.0 - self.out) * self.out です。",
    },
    "hint.sigmoid_sign": {
        "en": "the sign inside exp is wrong: sigmoid is 1 / (1 + np.exp(-x))",
        "ko": "exp 안의 부호가 틀렸습니다. 시그모이드는 1 / (1 + np.exp(-x))입니다.",
        "zh": "exp 里的符号错了：sigmoid 是 1 / (1 + np.exp(-x))。",
        "ja": "exp の中の符号が逆です。シグモイドは 1 / (1 + np.exp(-x)) です。",
    },
    "hint.affine_forgot_bias": {
        "en": "forgot the bias: out = np.dot(x, self.W) + self.b",
        "ko": "편향을 빠뜨렸습니다: out = np.dot(x, self.W) + self.b",
        "zh": "漏掉了偏置：out = np.dot(x, self.W) + self.b",
        "ja": "バイアスを忘れています: out = np.dot(x, self.W) + self.b",
    },
    "hint.affine_no_reshape": {
        "en": "a 4-D input (N, C, H, W) must be flattened: in forward keep self.original_x_shape = x.shape and "
              "use x = x.reshape(x.shape[0], -1); backward returns dx.reshape(*self.original_x_shape)",
        "ko": "4차원 입력 (N, C, H, W)은 평탄화해야 합니다. forward에서 self.original_x_shape = x.shape로 형상을 "
              "기억하고 x = x.reshape(x.shape[0], -1)을 사용하며, backward는 dx.reshape(*self.original_x_shape)를 "
              "반환합니다.",
        "zh": "四维输入 (N, C, H, W) 需要展平：在 forward 中记下 self.original_x_shape = x.shape，"
              "并使用 x = x.reshape(x.shape[0], -1)；backward 返回 dx.reshape(*self.original_x_shape)。",
        "ja": "4 次元の入力 (N, C, H, W) は平坦化する必要があります。forward で self.original_x_shape = x.shape と"
              "形状を覚えておき、x = x.reshape(x.shape[0], -1) を使います。backward は "
              "dx.reshape(*self.original_x_shape) を返します。",
    },
    "hint.affine_dx_not_reshaped": {
        "en": "dx has the right numbers in the flattened shape: return dx.reshape(*self.original_x_shape), the "
              "shape of the input",
        "ko": "dx의 값은 맞지만 평탄화된 형상 그대로입니다. 입력의 형상으로 되돌려 "
              "dx.reshape(*self.original_x_shape)를 반환하세요.",
        "zh": "dx 的数值正确，但仍是展平后的形状：请返回 dx.reshape(*self.original_x_shape)，恢复成输入的形状。",
        "ja": "dx の値は正しいのですが、平坦化した形状のままです。入力の形状に戻して "
              "dx.reshape(*self.original_x_shape) を返しましょう。",
    },
    "hint.affine_dx_transposed": {
        "en": "dx came out transposed: dx = np.dot(dout, self.W.T), of shape (N, D) like x",
        "ko": "dx가 전치된 채로 나왔습니다. dx = np.dot(dout, self.W.T)이고 형상은 x와 같은 (N, D)입니다.",
        "zh": "dx 被转置了：dx = np.dot(dout, self.W.T)，形状与 x 相同，为 (N, D)。",
        "ja": "dx が転置されています。dx = np.dot(dout, self.W.T) で、形状は x と同じ (N, D) です。",
    },
    "hint.affine_dW_order": {
        "en": "dW came out transposed: the order is xᵀ · dout, self.dW = np.dot(self.x.T, dout), of shape (D, M) "
              "like W",
        "ko": "dW가 전치된 채로 나왔습니다. 곱하는 순서는 xᵀ · dout, 즉 self.dW = np.dot(self.x.T, dout)이며 "
              "형상은 W와 같은 (D, M)입니다.",
        "zh": "dW 被转置了：顺序是 xᵀ · dout，即 self.dW = np.dot(self.x.T, dout)，形状与 W 相同，为 (D, M)。",
        "ja": "dW が転置されています。掛ける順序は xᵀ · dout、つまり self.dW = np.dot(self.x.T, dout) で、形状は "
              "W と同じ (D, M) です。",
    },
    "hint.affine_forgot_xT": {
        "en": "forgot x.T: self.dW = np.dot(self.x.T, dout); (D, N) · (N, M) gives W's shape (D, M)",
        "ko": "x.T를 빠뜨렸습니다: self.dW = np.dot(self.x.T, dout). (D, N) · (N, M)이 W의 형상 (D, M)이 됩니다.",
        "zh": "漏掉了 x.T：self.dW = np.dot(self.x.T, dout)；(D, N) · (N, M) 才得到 W 的形状 (D, M)。",
        "ja": "x.T を忘れています: self.dW = np.dot(self.x.T, dout)。(D, N) · (N, M) で W の形状 (D, M) に"
              "なります。",
    },
    "hint.affine_transpose": {
        "en": "the shapes of a product do not line up: dx = np.dot(dout, self.W.T) and "
              "self.dW = np.dot(self.x.T, dout); check each transpose against x (N, D), W (D, M), dout (N, M)",
        "ko": "행렬 곱의 형상이 맞지 않습니다. dx = np.dot(dout, self.W.T), self.dW = np.dot(self.x.T, dout)입니다. "
              "x (N, D), W (D, M), dout (N, M)의 형상과 대조해 전치를 하나씩 확인하세요.",
        "zh": "矩阵乘积的形状对不上：dx = np.dot(dout, self.W.T)，self.dW = np.dot(self.x.T, dout)；"
              "请对照 x (N, D)、W (D, M)、dout (N, M) 的形状逐一检查转置。",
        "ja": "行列の積の形状が合っていません。dx = np.dot(dout, self.W.T)、self.dW = np.dot(self.x.T, dout) です。"
              "x (N, D)、W (D, M)、dout (N, M) の形状と照らし合わせて転置を 1 つずつ確かめましょう。",
    },
    "hint.sum_wrong_axis": {
        "en": "summed over the wrong axis: self.db = np.sum(dout, axis=0) adds up the batch (axis 0) and has "
              "b's shape (M,)",
        "ko": "다른 축으로 합을 구했습니다. self.db = np.sum(dout, axis=0)은 배치 방향(0번째 축)으로 더하며, "
              "형상은 b와 같은 (M,)입니다.",
        "zh": "求和的轴不对：self.db = np.sum(dout, axis=0) 沿批的方向（第 0 轴）求和，形状与 b 相同，为 (M,)。",
        "ja": "和をとる軸が違います。self.db = np.sum(dout, axis=0) はバッチ方向（0 番目の軸）に足し合わせ、"
              "形状は b と同じ (M,) です。",
    },
    "hint.sum_no_axis": {
        "en": "summed over every element: self.db = np.sum(dout, axis=0) sums over the batch only, one value per "
              "output",
        "ko": "모든 원소를 더해 버렸습니다. self.db = np.sum(dout, axis=0)처럼 배치 방향으로만 더해 출력마다 값 "
              "하나를 얻어야 합니다.",
        "zh": "把所有元素都加在一起了：self.db = np.sum(dout, axis=0) 只沿批的方向求和，每个输出对应一个值。",
        "ja": "すべての要素を足してしまっています。self.db = np.sum(dout, axis=0) のようにバッチ方向だけに足し、"
              "出力ごとに 1 つの値を得ます。",
    },
    "hint.db_not_summed": {
        "en": "db must add up dout over the batch: forward broadcast b to every sample, so "
              "self.db = np.sum(dout, axis=0)",
        "ko": "db는 dout을 배치 방향으로 더해야 합니다. 순전파에서 b가 모든 데이터에 브로드캐스트되었으므로 "
              "self.db = np.sum(dout, axis=0)입니다.",
        "zh": "db 需要沿批的方向对 dout 求和：正向传播时 b 被广播到了每个样本上，所以 "
              "self.db = np.sum(dout, axis=0)。",
        "ja": "db は dout をバッチ方向に足し合わせます。順伝播で b がすべてのデータにブロードキャストされたので、"
              "self.db = np.sum(dout, axis=0) です。",
    },
    "hint.db_mean": {
        "en": "db is a sum, not a mean: self.db = np.sum(dout, axis=0) (the / batch_size is already in "
              "SoftmaxWithLoss's gradient)",
        "ko": "db는 평균이 아니라 합입니다: self.db = np.sum(dout, axis=0) (배치 크기로 나누는 것은 이미 "
              "SoftmaxWithLoss의 기울기에 들어 있습니다).",
        "zh": "db 是求和而不是求平均：self.db = np.sum(dout, axis=0)（除以 batch_size 已经包含在 SoftmaxWithLoss "
              "的梯度里了）。",
        "ja": "db は平均ではなく和です: self.db = np.sum(dout, axis=0)（バッチサイズでの割り算はすでに "
              "SoftmaxWithLoss の勾配に含まれています）。",
    },
    "hint.db_is_b": {
        "en": "db is the gradient of b, not b itself: self.db = np.sum(dout, axis=0)",
        "ko": "db는 b 자체가 아니라 b에 대한 기울기입니다: self.db = np.sum(dout, axis=0)",
        "zh": "db 是 b 的梯度，而不是 b 本身：self.db = np.sum(dout, axis=0)",
        "ja": "db は b そのものではなく b の勾配です: self.db = np.sum(dout, axis=0)",
    },
    "hint.missing_batch_size": {
        "en": "missing / batch_size: the loss is the mean over the batch, so dx = (self.y - self.t) / batch_size",
        "ko": "/ batch_size가 빠졌습니다. 손실은 배치의 평균이므로 dx = (self.y - self.t) / batch_size입니다.",
        "zh": "漏掉了 / batch_size：损失是整个批的平均值，所以 dx = (self.y - self.t) / batch_size。",
        "ja": "/ batch_size が抜けています。損失はバッチの平均なので、dx = (self.y - self.t) / batch_size です。",
    },
    "hint.loss_not_averaged": {
        "en": "the loss is summed over the batch: cross_entropy_error divides by batch_size and returns the mean",
        "ko": "손실을 배치에 대해 합만 했습니다. cross_entropy_error는 batch_size로 나누어 평균을 반환합니다.",
        "zh": "损失只是对批求了和：cross_entropy_error 要除以 batch_size，返回平均值。",
        "ja": "損失をバッチについて足しただけになっています。cross_entropy_error は batch_size で割って"
              "平均を返します。",
    },
    "hint.loss_sign": {
        "en": "the loss has the wrong sign: the cross-entropy error is -Σ t log y",
        "ko": "손실의 부호가 반대입니다. 교차 엔트로피 오차는 -Σ t log y입니다.",
        "zh": "损失的符号反了：交叉熵误差是 -Σ t log y。",
        "ja": "損失の符号が逆です。交差エントロピー誤差は -Σ t log y です。",
    },
    "hint.softmax_dx_sign": {
        "en": "the sign is reversed: dx = (self.y - self.t) / batch_size, the softmax output minus the target",
        "ko": "부호가 반대입니다. dx = (self.y - self.t) / batch_size, 즉 소프트맥스의 출력에서 정답 레이블을 뺍니다.",
        "zh": "符号反了：dx = (self.y - self.t) / batch_size，即 softmax 的输出减去正确解标签。",
        "ja": "符号が逆です。dx = (self.y - self.t) / batch_size、つまりソフトマックスの出力から正解ラベルを引きます。",
    },
    "hint.softmax_dx_forgot_t": {
        "en": "forgot to subtract the target: dx = (self.y - self.t) / batch_size",
        "ko": "정답 레이블을 빼지 않았습니다: dx = (self.y - self.t) / batch_size",
        "zh": "忘了减去正确解标签：dx = (self.y - self.t) / batch_size",
        "ja": "正解ラベルを引き忘れています: dx = (self.y - self.t) / batch_size",
    },
    "hint.labels_not_supported": {
        "en": "label targets (t of shape (N,), such as [2, 0, 1]) are not handled; the book's common/ code "
              "handles them: the loss takes each sample's probability y[np.arange(batch_size), t], and backward "
              "subtracts 1 at each label: dx = self.y.copy(); dx[np.arange(batch_size), self.t] -= 1",
        "ko": "숫자 정답 레이블(형상 (N,)의 t, 예: [2, 0, 1])을 처리하지 못합니다. 책의 common/ 코드처럼, 손실은 "
              "각 데이터의 정답 확률 y[np.arange(batch_size), t]로 구하고, 역전파는 정답 위치에서 1을 뺍니다: "
              "dx = self.y.copy(); dx[np.arange(batch_size), self.t] -= 1",
        "zh": "无法处理数字形式的正确解标签（形状为 (N,) 的 t，如 [2, 0, 1]）。书中 common/ 的代码是这样处理的："
              "损失取每个样本正确解的概率 y[np.arange(batch_size), t]，反向传播则在正确解的位置减 1："
              "dx = self.y.copy(); dx[np.arange(batch_size), self.t] -= 1",
        "ja": "数値の正解ラベル（形状 (N,) の t、例えば [2, 0, 1]）を扱えていません。本書の common/ のコードの"
              "ように、損失は各データの正解の確率 y[np.arange(batch_size), t] から求め、逆伝播では正解の位置で "
              "1 を引きます: dx = self.y.copy(); dx[np.arange(batch_size), self.t] -= 1",
    },
    "hint.softmax_overflow": {
        "en": "softmax overflowed on large scores (np.exp(1000) is inf): subtract the maximum first, "
              "np.exp(x - np.max(x)), as the book's softmax does",
        "ko": "큰 점수에서 소프트맥스가 오버플로되었습니다(np.exp(1000)은 inf). 책의 softmax처럼 먼저 최댓값을 "
              "빼세요: np.exp(x - np.max(x))",
        "zh": "得分很大时 softmax 溢出了（np.exp(1000) 为 inf）：请像书中的 softmax 那样先减去最大值，"
              "np.exp(x - np.max(x))。",
        "ja": "大きなスコアでソフトマックスがオーバーフローしています（np.exp(1000) は inf）。本書の softmax の"
              "ように、先に最大値を引きましょう: np.exp(x - np.max(x))",
    },
    "hint.low_precision": {
        "en": "right up to rounding, but computed in float32 (or shorter): check gradients in float64, as the "
              "book does, to see differences as small as 1e-10",
        "ko": "반올림 오차 범위에서는 맞지만 float32(또는 더 짧은 형식)로 계산했습니다. 기울기 확인은 책처럼 "
              "float64로 해야 1e-10 정도의 작은 차이까지 볼 수 있습니다.",
        "zh": "在舍入误差范围内是正确的，但用的是 float32（或更短的类型）：请像书中那样用 float64 做梯度确认，"
              "才能看出 1e-10 这样小的差异。",
        "ja": "丸め誤差の範囲では正しいのですが、float32（またはそれより短い型）で計算しています。勾配確認は本書の"
              "ように float64 で行うと、1e-10 ほどの小さな差まで見えます。",
    },
    "hint.affine_grads_not_set": {
        "en": "backward keeps the parameter gradients in the layer: self.dW = np.dot(self.x.T, dout) and "
              "self.db = np.sum(dout, axis=0) (the network reads them from there)",
        "ko": "backward는 매개변수의 기울기를 계층에 보관해야 합니다: self.dW = np.dot(self.x.T, dout), "
              "self.db = np.sum(dout, axis=0) (신경망은 거기서 기울기를 가져갑니다).",
        "zh": "backward 要把参数的梯度保存在层里：self.dW = np.dot(self.x.T, dout)，"
              "self.db = np.sum(dout, axis=0)（网络会从这里取出梯度）。",
        "ja": "backward ではパラメータの勾配をレイヤに保持します: self.dW = np.dot(self.x.T, dout)、"
              "self.db = np.sum(dout, axis=0)（ネットワークはそこから勾配を受け取ります）。",
    },
    "hint.forward_returns_nothing": {
        "en": "forward returns nothing (None): end it with return out",
        "ko": "forward가 아무것도 반환하지 않습니다(None). 마지막에 return out을 쓰세요.",
        "zh": "forward 什么也没有返回（None）：请在最后写上 return out。",
        "ja": "forward が何も返していません（None）。最後に return out と書きましょう。",
    },
    "hint.backward_returns_nothing": {
        "en": "backward returns nothing (None): end it with return dx (return dx, dy for MulLayer and AddLayer)",
        "ko": "backward가 아무것도 반환하지 않습니다(None). 마지막에 return dx를 쓰세요(MulLayer와 AddLayer는 "
              "return dx, dy).",
        "zh": "backward 什么也没有返回（None）：请在最后写上 return dx（MulLayer 和 AddLayer 是 return dx, dy）。",
        "ja": "backward が何も返していません（None）。最後に return dx と書きましょう（MulLayer と AddLayer は "
              "return dx, dy）。",
    },
    "hint.shape": {
        "en": "the shape is wrong: {got_shape} instead of {expected_shape}",
        "ko": "형상이 틀렸습니다: {expected_shape}이어야 하는데 {got_shape}입니다.",
        "zh": "形状不对：应为 {expected_shape}，实际为 {got_shape}。",
        "ja": "形状が違います: {expected_shape} のはずが {got_shape} になっています。",
    },
    "hint.not_numbers": {
        "en": "what came back is not an array of numbers",
        "ko": "반환된 값이 숫자 배열이 아닙니다.",
        "zh": "返回的不是数值数组。",
        "ja": "返された値が数値の配列ではありません。",
    },
    "hint.not_run": {
        "en": "never run: forward failed in every case",
        "ko": "한 번도 실행되지 않았습니다. 모든 경우에 순전파가 실패했습니다.",
        "zh": "一次都没有运行：所有情况下正向传播都失败了。",
        "ja": "一度も実行されませんでした。どの場合も順伝播が失敗しています。",
    },
    "hint.matches_your_forward": {
        "en": "this gradient agrees with the numerical gradient of your own forward, so backward is consistent "
              "with it: the forward is what is wrong",
        "ko": "이 기울기는 직접 구현한 순전파의 수치 미분과 일치합니다. 즉 역전파는 순전파와 맞아떨어지니, "
              "틀린 쪽은 순전파입니다.",
        "zh": "这个梯度与你自己的正向传播的数值微分一致，说明反向传播与正向传播是对应的：错的是正向传播。",
        "ja": "この勾配はあなたの順伝播の数値微分と一致しています。つまり逆伝播は順伝播と整合しているので、"
              "誤っているのは順伝播のほうです。",
    },
    "hint.formula": {
        "en": "no usual mistake gives these numbers; compare with the book's formula: {formula}",
        "ko": "흔히 하는 실수 중에 이 값이 나오는 것은 없습니다. 책의 식과 비교해 보세요: {formula}",
        "zh": "常见的错误都得不出这些数值；请与书中的公式对照：{formula}",
        "ja": "よくある間違いのどれにも当てはまりません。本書の式と見比べてみましょう: {formula}",
    },
    "hint.net_see_below": {
        "en": "see the note under the table",
        "ko": "표 아래의 설명을 보세요.",
        "zh": "请看表格下方的说明。",
        "ja": "表の下の説明を見てください。",
    },
    # -- the network check -----------------------------------------------------------------------
    "net.culprit_forward": {
        "en": "the forward pass first goes wrong in {layer} ({kind}.forward, {tensor}); the layers before it "
              "are right",
        "ko": "순전파가 처음으로 틀리는 곳은 {layer}입니다({kind}.forward, {tensor}). 그 앞의 계층은 모두 맞습니다.",
        "zh": "正向传播最先出错的地方是 {layer}（{kind}.forward，{tensor}）；它之前的层都是正确的。",
        "ja": "順伝播が最初に誤るのは {layer} です（{kind}.forward、{tensor}）。それより前のレイヤは正しく"
              "動いています。",
    },
    "net.culprit_backward": {
        "en": "walking backward from the loss, the gradient first goes wrong in {layer} ({kind}.backward, "
              "{tensor}); every layer after it is right",
        "ko": "손실에서부터 역방향으로 따라가면 기울기가 처음으로 틀리는 곳은 {layer}입니다({kind}.backward, "
              "{tensor}). 그 뒤의 계층은 모두 맞습니다.",
        "zh": "从损失开始反向追溯，梯度最先出错的地方是 {layer}（{kind}.backward，{tensor}）；它后面的层都是正确的。",
        "ja": "損失から逆向きにたどると、勾配が最初に誤るのは {layer} です（{kind}.backward、{tensor}）。"
              "それより後ろのレイヤはすべて正しく動いています。",
    },
    "net.no_walk": {
        "en": "the layers could not be walked one by one (layers / lastLayer missing or of unknown kinds), so "
              "only the gradients were compared",
        "ko": "계층을 하나씩 확인할 수 없었습니다(layers나 lastLayer가 없거나 알 수 없는 종류입니다). 기울기만 "
              "비교했습니다.",
        "zh": "无法逐层检查（缺少 layers 或 lastLayer，或者层的种类无法识别），因此只比较了梯度。",
        "ja": "レイヤを 1 つずつ確かめられませんでした（layers や lastLayer がないか、種類が分かりません）。"
              "勾配だけを比べました。",
    },
    "net.not_shared": {
        "en": "params['{param}'] and layers['{layer}'].W are different arrays: the layer computes with its own "
              "copy and never sees params; pass the same array, Affine(self.params['{param}'], ...)",
        "ko": "params['{param}']와 layers['{layer}'].W가 서로 다른 배열입니다. 계층은 자기 복사본으로 계산하므로 "
              "params의 변경을 보지 못합니다. Affine(self.params['{param}'], ...)처럼 같은 배열을 넘기세요.",
        "zh": "params['{param}'] 和 layers['{layer}'].W 是不同的数组：层用的是自己的副本，看不到 params 的变化；"
              "请传入同一个数组，Affine(self.params['{param}'], ...)。",
        "ja": "params['{param}'] と layers['{layer}'].W が別々の配列です。レイヤは自分のコピーで計算するため、"
              "params の変更が届きません。Affine(self.params['{param}'], ...) のように同じ配列を渡しましょう。",
    },
    "net.swapped": {
        "en": "every layer is right, but gradient() hands out the gradient of {other} as grads['{param}']",
        "ko": "계층은 모두 맞지만, gradient()가 grads['{param}']에 {other}의 기울기를 넣고 있습니다.",
        "zh": "每一层都是正确的，但 gradient() 把 {other} 的梯度放进了 grads['{param}']。",
        "ja": "どのレイヤも正しいのですが、gradient() が grads['{param}'] に {other} の勾配を入れています。",
    },
    "net.gradient_method": {
        "en": "every layer is right, so the mistake is in the net's own methods: gradient() runs loss() first, "
              "then lastLayer.backward(1), then each layer's backward in reverse order, and collects dW and db",
        "ko": "계층은 모두 맞으므로, 틀린 곳은 신경망 자체의 메서드입니다. gradient()는 먼저 loss()를 실행하고, "
              "이어서 lastLayer.backward(1)를, 그다음 각 계층의 backward를 역순으로 호출한 뒤 dW와 db를 모읍니다.",
        "zh": "每一层都是正确的，所以错误在网络自身的方法里：gradient() 要先运行 loss()，然后调用 "
              "lastLayer.backward(1)，再按相反的顺序调用各层的 backward，最后收集 dW 和 db。",
        "ja": "どのレイヤも正しいので、誤りはネットワーク自身のメソッドにあります。gradient() ではまず loss() を"
              "実行し、lastLayer.backward(1)、続いて各レイヤの backward を逆順に呼び、最後に dW と db を集めます。",
    },
}
