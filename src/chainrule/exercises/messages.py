"""The messages of exercise mode (``chainrule check``), in English; translated through :mod:`chainrule.i18n`.

The translations (Korean, Chinese, Japanese) are the catalogs' ``check.*`` entries. Their terms follow
the translated editions of the book: 오차역전파법 / 误差反向传播法 / 誤差逆伝播法, 순전파·역전파 /
正向传播·反向传播 / 順伝播·逆伝播, 계층 / 层 / レイヤ, 기울기 / 梯度 / 勾配, 수치 미분 / 数值微分 /
数値微分, 형상 / 形状 / 形状, 편향 / 偏置 / バイアス (docs/glossary.md). Code
(``dx = np.dot(dout, self.W.T)``) stays code in every language.
"""

from __future__ import annotations

from ..i18n import LANGUAGES, Messages, default_language, language
from . import hints_chapter6, hints_chapter7
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
    **hints_chapter6.FORMULAS,
    **hints_chapter7.FORMULAS,
}

MESSAGES = Messages("check", {
    "title.layers":
        "{source}: the forward and backward of your layers against chainrule's layers and numerical "
        "differentiation",
    "title.network":
        "{source}: your {network}'s gradients by backpropagation against chainrule's and numerical "
        "differentiation",
    "title.optimizers":
        "{source}: the parameters after each update() of your optimizers against chainrule's optimizers",
    "title.classes":
        "{source}: your classes and functions against chainrule's (forward, backward, update) and numerical "
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
    "line.stopped.time_limit":
        "stopped after {detail} s, the time limit of one case ({case}): an endless loop? (raise the limit with "
        "--timeout SECONDS or check(..., timeout=SECONDS))",
    "line.stopped.exit": "your code ended the Python process (exit status {detail}: os._exit()?) ({case})",
    "line.stopped.signal":
        "the Python process running your code was killed by {detail} (a crash, or out of memory) ({case})",
    "line.stopped.garbled": "the Python process running your code stopped answering ({detail}) ({case})",
    "printed.title": "your code printed ({n} bytes):",
    "printed.cut": "your code printed {n} bytes; its start and its end:",
    "line.case": "{case}: {shape}",
    "line.hint": "hint: {text}",
    "summary.ok": "all right: the {n} tensors of {layers} layer(s) match chainrule's",
    "summary.ok_optimizers": "all right: the {n} parameters of {layers} optimizer(s) match chainrule's, step by step",
    "summary.ok_classes": "all right: the {n} tensors of {layers} classes and functions match chainrule's",
    "summary.net_ok": "all right: every gradient matches chainrule's and the numerical gradient",
    "summary.wrong": "not right yet: {names}",
    "summary.todo": "not implemented yet: {names}",
    "summary.borrowed": "chainrule's own (imported through common/ or chainrule), not checked: {names}",
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
    **hints_chapter6.CASES,
    **hints_chapter7.CASES,
    "source.given": "the given classes",
    "net.params_must_hold": "params must hold {params}",
    # -- a file that cannot be checked ---------------------------------------------------------------
    "load.no_file": "{path}: no such file",
    "load.not_a_file": "{path}: not a file",
    "load.syntax": "{path}, line {line}: syntax error: {message}",
    "load.raised": "{path}: running it raised {error}",
    "load.raised_book":
        "{path}: running it raised {error} (the book's folders are not needed: import from chainrule or from "
        "your own file)",
    "load.stopped.time_limit":
        "{path}: running it did not finish within {detail} s (an endless loop at the top of the file?)",
    "load.stopped.exit": "{path}: running it ended the Python process (exit status {detail}: os._exit()?)",
    "load.stopped.signal": "{path}: running it was killed by {detail}",
    "load.stopped.garbled": "{path}: running it stopped answering ({detail})",
    "load.in_child":
        "chainrule.check() was called by the code it is checking: put the call under if __name__ == \"__main__\":",
    "load.not_classes": "{names} must be classes",
    "load.not_a_class": "{source}: {name} is a {kind}, not a class",
    "load.no_network": "{source} defines no class {networks}",
    "load.no_layers": "{source} defines none of the classes {layers}",
    "load.borrowed":
        "{message} ({names}: chainrule's own, imported through common/ or chainrule; write the class yourself to "
        "have it checked)",
    "load.not_rebuildable": "{source}: {error}",
    # -- classes of a notebook that cannot be rebuilt in the process that runs them ------------------------
    "rebuild.no_method":
        "{what} has no method whose source Python kept: save it in a .py file and check the file",
    "rebuild.no_source":
        "the source of {what} is not available (defined with exec or in the interpreter?): save it in a .py file "
        "and check the file",
    "rebuild.two_objects": "two different objects named {name} are used: give them different names",
    "rebuild.two_meanings":
        "the name {name} means two different things in the classes given: save them in a .py file and check the "
        "file",
    "rebuild.module": "{what} uses the module {ref}, which cannot be imported again by name",
    "rebuild.global":
        "{what} uses the global {ref} (a {kind}), which cannot be rebuilt in another process: save the code in a "
        ".py file and check the file",
    **HINTS,
    **hints_chapter6.HINTS,
    **hints_chapter7.HINTS,
})


def text(key, lang="en", **fields):
    """The message ``key`` in ``lang`` (English when the catalog lacks it), formatted with ``fields``."""
    if key.startswith("hint.formula."):
        name = key[len("hint.formula."):]  # "Affine.dW"; an optimizer's rows share one formula, "Adam.*"
        fields = {**fields, "formula": FORMULAS.get(name) or FORMULAS[name.split(".")[0] + ".*"]}
        key = "hint.formula"
    return MESSAGES.text(key, lang, **fields)
