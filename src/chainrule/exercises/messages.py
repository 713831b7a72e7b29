"""The messages of exercise mode (``chainrule check``) in English, Korean, Chinese and Japanese.

Terms follow the translated editions of the book: 오차역전파법 / 误差反向传播法 /
誤差逆伝播法, 순전파·역전파 / 正向传播·反向传播 / 順伝播·逆伝播, 계층 / 层 / レイヤ,
기울기 / 梯度 / 勾配, 수치 미분 / 数值微分 / 数値微分, 형상 / 形状 / 形状, 편향 / 偏置 /
バイアス. Code (``dx = np.dot(dout, self.W.T)``) stays code in every language.
"""

from __future__ import annotations

import os

__all__ = ["FORMULAS", "LANGUAGES", "MESSAGES", "default_language", "language", "text"]

LANGUAGES = ("en", "ko", "zh", "ja")

#: The book's formula of each tensor, shown when no usual mistake matches the numbers.
FORMULAS = {
    "MulLayer.out": "out = x * y",
    "MulLayer.dx": "dx = dout * self.y",
    "MulLayer.dy": "dy = dout * self.x",
    "AddLayer.out": "out = x + y",
    "AddLayer.dx": "dx = dout * 1",
    "AddLayer.dy": "dy = dout * 1",
    "Relu.out": "self.mask = (x <= 0); out = x.copy(); out[self.mask] = 0",
    "Relu.dx": "dx = dout.copy(); dx[self.mask] = 0",
    "Sigmoid.out": "out = 1 / (1 + np.exp(-x)); self.out = out",
    "Sigmoid.dx": "dx = dout * (1.0 - self.out) * self.out",
    "Affine.out": "out = np.dot(self.x, self.W) + self.b",
    "Affine.dx": "dx = np.dot(dout, self.W.T)",
    "Affine.dW": "self.dW = np.dot(self.x.T, dout)",
    "Affine.db": "self.db = np.sum(dout, axis=0)",
    "SoftmaxWithLoss.loss": "self.y = softmax(x); self.loss = cross_entropy_error(self.y, self.t)",
    "SoftmaxWithLoss.dx": "dx = (self.y - self.t) / batch_size",
}

MESSAGES = {
    # -- titles and the table -------------------------------------------------------------------
    "title.layers": {
        "en": "{source}: the forward and backward of your layers against chainrule's layers and numerical "
              "differentiation",
        "ko": "{source}: 직접 구현한 계층의 순전파·역전파를 chainrule의 계층, 그리고 수치 미분과 비교합니다",
        "zh": "{source}：将你实现的层的正向传播和反向传播，与 chainrule 的层以及数值微分进行比较",
        "ja": "{source}: あなたが実装したレイヤの順伝播と逆伝播を、chainrule のレイヤおよび数値微分と比べます",
    },
    "title.network": {
        "en": "{source}: your {network}'s gradients by backpropagation against chainrule's and numerical "
              "differentiation",
        "ko": "{source}: 직접 구현한 {network}에서 오차역전파법으로 구한 기울기를 chainrule, 그리고 수치 미분으로 "
              "구한 기울기와 비교합니다",
        "zh": "{source}：将你的 {network} 用误差反向传播法求出的梯度，与 chainrule 以及数值微分求出的梯度进行比较",
        "ja": "{source}: あなたの {network} で誤差逆伝播法によって求めた勾配を、chainrule および数値微分で求めた"
              "勾配と比べます",
    },
    "col.layer": {"en": "layer", "ko": "계층", "zh": "层", "ja": "レイヤ"},
    "col.param": {"en": "parameter", "ko": "매개변수", "zh": "参数", "ja": "パラメータ"},
    "col.tensor": {"en": "tensor", "ko": "텐서", "zh": "张量", "ja": "テンソル"},
    "col.verdict": {"en": "verdict", "ko": "판정", "zh": "判定", "ja": "判定"},
    "col.max_diff": {"en": "max |diff|", "ko": "최대 차이", "zh": "最大差值", "ja": "最大の差"},
    "col.numeric": {"en": "vs numerical", "ko": "수치 미분과의 차이", "zh": "与数值微分之差", "ja": "数値微分との差"},
    "col.shape": {"en": "shape", "ko": "형상", "zh": "形状", "ja": "形状"},
    "col.mutated": {"en": "changes input", "ko": "입력 변경", "zh": "改写输入", "ja": "入力の書き換え"},
    "val.ok": {"en": "ok", "ko": "맞음", "zh": "正确", "ja": "OK"},
    "val.wrong": {"en": "WRONG", "ko": "틀림", "zh": "错误", "ja": "誤り"},
    "val.yes": {"en": "YES", "ko": "예", "zh": "是", "ja": "あり"},
    "val.no": {"en": "no", "ko": "아니요", "zh": "否", "ja": "なし"},
    "verdict.exact": {"en": "exact", "ko": "일치", "zh": "完全一致", "ja": "完全一致"},
    "verdict.close": {"en": "close", "ko": "근사 일치", "zh": "近似一致", "ja": "ほぼ一致"},
    "verdict.wrong": {"en": "WRONG", "ko": "틀림", "zh": "错误", "ja": "誤り"},
    "verdict.not implemented": {
        "en": "not implemented yet", "ko": "아직 구현 전", "zh": "尚未实现", "ja": "まだ実装されていません",
    },
    "line.first_diff": {
        "en": "first difference at {index} ({case}): got {got}, expected {expected}",
        "ko": "처음으로 다른 원소: {index} ({case}) — 결과 {got}, 올바른 값 {expected}",
        "zh": "第一个不同的元素：{index}（{case}）——得到 {got}，正确值为 {expected}",
        "ja": "最初に異なる要素: {index}（{case}）— 結果は {got}、正しくは {expected}",
    },
    "line.value": {
        "en": "got {got}, expected {expected} ({case})",
        "ko": "결과 {got}, 올바른 값 {expected} ({case})",
        "zh": "得到 {got}，正确值为 {expected}（{case}）",
        "ja": "結果は {got}、正しくは {expected}（{case}）",
    },
    "line.shape": {
        "en": "shape {got_shape}, expected {expected_shape} ({case})",
        "ko": "형상이 {got_shape}이지만 {expected_shape}이어야 합니다 ({case})",
        "zh": "形状为 {got_shape}，应为 {expected_shape}（{case}）",
        "ja": "形状が {got_shape} ですが、{expected_shape} のはずです（{case}）",
    },
    "line.raised": {
        "en": "raised {error} ({case})",
        "ko": "예외 발생: {error} ({case})",
        "zh": "抛出异常：{error}（{case}）",
        "ja": "例外が発生しました: {error}（{case}）",
    },
    "line.stopped.time_limit": {
        "en": "stopped after {detail} s, the time limit of one case ({case}): an endless loop? (raise the limit "
              "with --timeout SECONDS or check(..., timeout=SECONDS))",
        "ko": "한 경우의 제한 시간 {detail}초가 지나 중단했습니다({case}). 무한 루프가 아닌지 확인하세요"
              "(제한 시간은 --timeout SECONDS 또는 check(..., timeout=SECONDS)로 늘릴 수 있습니다).",
        "zh": "超过了单个情况的时间限制 {detail} 秒，已中止（{case}）：是不是死循环？"
              "（可以用 --timeout SECONDS 或 check(..., timeout=SECONDS) 放宽限制）",
        "ja": "1 つのケースの制限時間 {detail} 秒を過ぎたので中断しました（{case}）。無限ループになっていませんか"
              "（制限時間は --timeout SECONDS または check(..., timeout=SECONDS) で延ばせます）。",
    },
    "line.stopped.exit": {
        "en": "your code ended the Python process (exit status {detail}: os._exit()?) ({case})",
        "ko": "코드가 Python 프로세스를 끝내 버렸습니다(종료 상태 {detail}: os._exit()?) ({case})",
        "zh": "你的代码结束了 Python 进程（退出状态 {detail}：os._exit()？）（{case}）",
        "ja": "コードが Python のプロセスを終了させました（終了ステータス {detail}: os._exit()?）（{case}）",
    },
    "line.stopped.signal": {
        "en": "the Python process running your code was killed by {detail} (a crash, or out of memory) ({case})",
        "ko": "코드를 실행하던 Python 프로세스가 {detail}로 강제 종료되었습니다(충돌 또는 메모리 부족) ({case})",
        "zh": "运行你的代码的 Python 进程被 {detail} 终止了（崩溃或内存不足）（{case}）",
        "ja": "コードを実行していた Python のプロセスが {detail} で強制終了されました"
              "（クラッシュかメモリ不足）（{case}）",
    },
    "line.stopped.garbled": {
        "en": "the Python process running your code stopped answering ({detail}) ({case})",
        "ko": "코드를 실행하던 Python 프로세스가 응답하지 않게 되었습니다({detail}) ({case})",
        "zh": "运行你的代码的 Python 进程不再响应（{detail}）（{case}）",
        "ja": "コードを実行していた Python のプロセスが応答しなくなりました（{detail}）（{case}）",
    },
    "printed.title": {
        "en": "your code printed ({n} bytes):",
        "ko": "코드가 출력한 내용({n}바이트):",
        "zh": "你的代码输出的内容（{n} 字节）：",
        "ja": "コードが出力した内容（{n} バイト）:",
    },
    "printed.cut": {
        "en": "your code printed {n} bytes; its start and its end:",
        "ko": "코드가 {n}바이트를 출력했습니다. 처음과 끝 부분만 보여 줍니다:",
        "zh": "你的代码输出了 {n} 字节；下面只显示开头和结尾：",
        "ja": "コードが {n} バイトを出力しました。最初と最後の部分だけを示します:",
    },
    "line.case": {"en": "{case}: {shape}", "ko": "{case}: {shape}", "zh": "{case}：{shape}", "ja": "{case}：{shape}"},
    "line.hint": {"en": "hint: {text}", "ko": "힌트: {text}", "zh": "提示：{text}", "ja": "ヒント: {text}"},
    "summary.ok": {
        "en": "all right: the {n} tensors of {layers} layer(s) match chainrule's",
        "ko": "모두 맞았습니다: 계층 {layers}개의 텐서 {n}개가 모두 chainrule과 일치합니다",
        "zh": "全部正确：{layers} 个层的 {n} 个张量都与 chainrule 一致",
        "ja": "すべて正解です: {layers} 個のレイヤの {n} 個のテンソルがすべて chainrule と一致しました",
    },
    "summary.net_ok": {
        "en": "all right: every gradient matches chainrule's and the numerical gradient",
        "ko": "모두 맞았습니다: 모든 기울기가 chainrule 및 수치 미분의 결과와 일치합니다",
        "zh": "全部正确：所有梯度都与 chainrule 和数值微分的结果一致",
        "ja": "すべて正解です: どの勾配も chainrule および数値微分の結果と一致しました",
    },
    "summary.wrong": {
        "en": "not right yet: {names}",
        "ko": "아직 틀린 곳: {names}",
        "zh": "还有错误：{names}",
        "ja": "まだ誤りがあります: {names}",
    },
    "summary.todo": {
        "en": "not implemented yet: {names}",
        "ko": "아직 구현하지 않은 계층: {names}",
        "zh": "尚未实现的层：{names}",
        "ja": "まだ実装されていないレイヤ: {names}",
    },
    "summary.borrowed": {
        "en": "chainrule's own (imported through common/ or chainrule), not checked: {names}",
        "ko": "chainrule의 것을 가져온 것이라(common/ 또는 chainrule에서 import) 확인하지 않은 계층: {names}",
        "zh": "从 chainrule 导入（经由 common/ 或 chainrule）的、因此未检查的层：{names}",
        "ja": "chainrule のものを import している（common/ または chainrule から）ため確認しなかったレイヤ: {names}",
    },
    "summary.missing": {
        "en": "not in this file, so not checked: {names}",
        "ko": "이 파일에 없어서 확인하지 않은 계층: {names}",
        "zh": "文件中没有、因此未检查的层：{names}",
        "ja": "このファイルにないため確認しなかったレイヤ: {names}",
    },
    # -- the cases ----------------------------------------------------------------------------------
    "case.apple": {"en": "the book's apple example", "ko": "책의 사과 쇼핑 예", "zh": "书中买苹果的例子",
                   "ja": "本書のリンゴの買い物の例"},
    "case.random": {"en": "random inputs", "ko": "무작위 입력", "zh": "随机输入", "ja": "ランダムな入力"},
    "case.negative": {"en": "negative inputs", "ko": "음수 입력", "zh": "负数输入", "ja": "負の入力"},
    "case.zeros": {"en": "inputs exactly 0", "ko": "정확히 0인 입력", "zh": "恰好为 0 的输入",
                   "ja": "ちょうど 0 の入力"},
    "case.4d": {"en": "4-D input", "ko": "4차원 입력", "zh": "四维输入", "ja": "4 次元の入力"},
    "case.batch1": {"en": "a batch of one, bias broadcast", "ko": "배치 크기 1, 편향 브로드캐스트",
                    "zh": "批大小为 1，偏置的广播", "ja": "バッチサイズ 1、バイアスのブロードキャスト"},
    "case.square": {"en": "as many samples as features (N = D)", "ko": "데이터 수와 특징 수가 같은 입력 (N = D)",
                    "zh": "样本数与特征数相同的输入（N = D）", "ja": "データ数と特徴数が等しい入力（N = D）"},
    "case.extreme": {"en": "large |x|", "ko": "절댓값이 큰 입력", "zh": "绝对值很大的输入", "ja": "絶対値の大きな入力"},
    "case.onehot": {"en": "one-hot targets", "ko": "원-핫 인코딩 정답 레이블", "zh": "one-hot 表示的正确解标签",
                    "ja": "one-hot 表現の正解ラベル"},
    "case.labels": {"en": "label targets", "ko": "숫자 정답 레이블", "zh": "数字形式的正确解标签",
                    "ja": "数値の正解ラベル"},
    "case.large": {"en": "large scores", "ko": "아주 큰 점수", "zh": "非常大的得分", "ja": "非常に大きなスコア"},
    "case.network": {"en": "a small net", "ko": "작은 신경망", "zh": "小型网络", "ja": "小さなネットワーク"},
}

from .hints import HINTS  # noqa: E402  (the hints, a long table of their own)

MESSAGES.update(HINTS)


def text(key, lang="en", **fields):
    """The message ``key`` in ``lang`` (English when that language lacks it), formatted with ``fields``."""
    if key.startswith("hint.formula."):
        fields = {**fields, "formula": FORMULAS[key[len("hint.formula."):]]}
        key = "hint.formula"
    entry = MESSAGES[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**fields) if fields else template


def default_language(environ=None):
    """``"ko"``, ``"zh"``, ``"ja"`` or ``"en"`` from LC_ALL, LC_MESSAGES or LANG (the first one set)."""
    environ = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"


def language(lang):
    """``lang`` checked (``"ko-KR"`` -> ``"ko"``); None: :func:`default_language`."""
    if lang is None:
        return default_language()
    code = str(lang).lower().split("-")[0].split("_")[0]
    if code not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return code
