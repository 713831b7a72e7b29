"""The messages of exercise mode (``chainrule check``), in English; translated through :mod:`chainrule.i18n`.

The translations (Korean, Chinese, Japanese) are the catalogs' ``check.*`` entries. Their terms follow
the translated editions of the book: 오차역전파법 / 误差反向传播法 / 誤差逆伝播法, 순전파·역전파 /
正向传播·反向传播 / 順伝播·逆伝播, 계층 / 层 / レイヤ, 기울기 / 梯度 / 勾配, 수치 미분 / 数值微分 /
数値微分, 형상 / 形状 / 形状, 편향 / 偏置 / バイアス (docs/glossary.md). Code
(``dx = np.dot(dout, self.W.T)``) stays code in every language.
"""

from __future__ import annotations

from ..i18n import LANGUAGES, Messages, default_language, language
from .hints import HINTS

__all__ = ["FORMULAS", "LANGUAGES", "MESSAGES", "default_language", "language", "text"]

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

MESSAGES = Messages("check", {
    "title.layers":
        "{source}: the forward and backward of your layers against chainrule's layers and numerical "
        "differentiation",
    "title.network":
        "{source}: your TwoLayerNet's gradients by backpropagation against chainrule's and numerical "
        "differentiation",
    "col.layer": "layer",
    "col.param": "parameter",
    "col.tensor": "tensor",
    "col.verdict": "verdict",
    "col.max_diff": "max |diff|",
    "col.numeric": "vs numerical",
    "col.shape": "shape",
    "col.mutated": "changes input",
    "val.ok": "ok",
    "val.wrong": "WRONG",
    "val.yes": "YES",
    "val.no": "no",
    "verdict.exact": "exact",
    "verdict.close": "close",
    "verdict.wrong": "WRONG",
    "verdict.not implemented": "not implemented yet",
    "line.first_diff": "first difference at {index} ({case}): got {got}, expected {expected}",
    "line.value": "got {got}, expected {expected} ({case})",
    "line.shape": "shape {got_shape}, expected {expected_shape} ({case})",
    "line.raised": "raised {error} ({case})",
    "line.case": "{case}: {shape}",
    "line.hint": "hint: {text}",
    "summary.ok": "all right: the {n} tensors of {layers} layer(s) match chainrule's",
    "summary.net_ok": "all right: every gradient matches chainrule's and the numerical gradient",
    "summary.wrong": "not right yet: {names}",
    "summary.todo": "not implemented yet: {names}",
    "summary.missing": "not in this file, so not checked: {names}",
    "case.apple": "the book's apple example",
    "case.random": "random inputs",
    "case.negative": "negative inputs",
    "case.zeros": "inputs exactly 0",
    "case.4d": "4-D input",
    "case.batch1": "a batch of one, bias broadcast",
    "case.square": "as many samples as features (N = D)",
    "case.extreme": "large |x|",
    "case.onehot": "one-hot targets",
    "case.labels": "label targets",
    "case.large": "large scores",
    "case.network": "a small net",
    "source.given": "the given classes",
    "net.params_must_hold": "params must hold {params}",
    # -- a file that cannot be checked ---------------------------------------------------------------
    "load.no_file": "{path}: no such file",
    "load.unreadable": "{path}: cannot be read ({error})",
    "load.syntax": "{path}, line {line}: syntax error: {message}",
    "load.raised": "{path}: running it raised {error}",
    "load.raised_book":
        "{path}: running it raised {error} (the book's folders are not needed: import from chainrule or from "
        "your own file)",
    "load.not_classes": "{names} must be classes",
    "load.not_a_class": "{source}: {name} is a {kind}, not a class",
    "load.no_network": "{source} defines no class TwoLayerNet",
    "load.no_layers": "{source} defines none of the layers {layers}",
    **HINTS,
})


def text(key, lang="en", **fields):
    """The message ``key`` in ``lang`` (English when the catalog lacks it), formatted with ``fields``."""
    if key.startswith("hint.formula."):
        fields = {**fields, "formula": FORMULAS[key[len("hint.formula."):]]}
        key = "hint.formula"
    return MESSAGES.text(key, lang, **fields)
