"""Exercise mode for chapters 6-7: the learner's optimizers, BatchNormalization, Dropout, Convolution,
Pooling, im2col and col2im, and their SimpleConvNet and MultiLayerNetExtend, checked against chainrule's.

The learner files are in ``tests/exercises/files/``: ``correct_optimizers.py``,
``correct_chapter6_layers.py`` and ``correct_chapter7.py`` (the book's classes, right), one
``mistake_*.py`` per usual mistake (each overrides one class or function of those),
``convention_*.py`` (another convention of the same thing, right with a note) and ``net_*.py``.
"""

import os
import re
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule.exercises import check
from chainrule.exercises.messages import LANGUAGES, MESSAGES, text
from chainrule.exercises.registry import GROUPS, NAMES
from tests.cli.helpers import run
from tests.exercises.test_exercises import MISTAKES

FILES = Path(__file__).resolve().parent / "files"
ALL = ("W1", "b1", "W2", "b2")




# -- the right files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, classes", [
    ("correct_optimizers", ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam")),
    ("correct_chapter6_layers", ("BatchNormalization", "Dropout")),
    ("correct_chapter7", ("Convolution", "Pooling", "im2col", "col2im")),
])
def test_the_books_classes_are_right_tensor_by_tensor(name, classes):
    report = check(FILES / f"{name}.py", lang="en")
    assert list(dict.fromkeys(r.layer for r in report.rows)) == list(classes)
    for row in report.rows:
        assert row.ok and row.verdict in ("exact", "close") and row.hint is None, row
        assert row.max_diff is not None and row.max_diff < 1e-12, row
        if row.numeric_diff is not None:  # the numerical gradient of the learner's own forward agrees
            assert row.numeric_diff < 1e-6, row
    assert report.ok and report.missing == ()


def test_the_chapter_7_gradients_are_compared_with_numerical_ones():
    report = check(FILES / "correct_chapter7.py", lang="en")
    assert all(report[name, t].numeric_diff is not None for name, ts in
               (("Convolution", ("dx", "dW", "db")), ("Pooling", ("dx",)), ("BatchNormalization", ())) for t in ts)


def test_every_tensor_of_every_class_has_a_row_in_order():
    report = check(FILES / "correct_chapter6_layers.py", lang="en")
    assert [(r.layer, r.tensor) for r in report.rows] == [
        ("BatchNormalization", t) for t in ("out", "dx", "dgamma", "dbeta", "running_mean", "running_var", "out_test")
    ] + [("Dropout", t) for t in ("out", "dx", "out_test")]
    assert "all right: the 10 tensors of 2 layer(s) match chainrule's" in str(report)
    optimizers = check(FILES / "correct_optimizers.py", lang="en")
    assert str(optimizers).splitlines()[-1] == \
        "all right: the 24 parameters of 6 optimizer(s) match chainrule's, step by step"


# -- each usual mistake: its rows wrong with its hint, every other row right -----------------------------

#: fixture (without "mistake_") -> (class, its wrong rows, the hint)
MISTAKES67 = {
    "adagrad_eps_inside_sqrt": ("AdaGrad", ALL, "eps_inside_sqrt"),
    "adagrad_h_after": ("AdaGrad", ALL, "adagrad_h_after"),
    "adagrad_no_accumulate": ("AdaGrad", ALL, "adagrad_no_accumulate"),
    "adagrad_no_sqrt": ("AdaGrad", ALL, "adagrad_no_sqrt"),
    "adagrad_shared_h": ("AdaGrad", ALL, "shared_state"),
    "adam_betas_swapped": ("Adam", ALL, "adam_betas_swapped"),
    "adam_eps_inside_sqrt": ("Adam", ALL, "eps_inside_sqrt"),
    "adam_iter_per_param": ("Adam", ALL, "adam_iter_per_param"),
    "adam_no_bias_correction": ("Adam", ALL, "adam_no_bias_correction"),
    "adam_v_not_squared": ("Adam", ALL, "adam_v_not_squared"),
    "bn_axis": ("BatchNormalization", ('out',), "bn_axis"),
    "bn_dgamma_not_summed": ("BatchNormalization", ('dgamma',), "bn_dgamma_not_summed"),
    "bn_dx_batch_size": ("BatchNormalization", ('dx',), "bn_dx_batch_size"),
    "bn_dx_no_mean_path": ("BatchNormalization", ('dx',), "bn_dx_no_mean_path"),
    "bn_dx_no_var_path": ("BatchNormalization", ('dx',), "bn_dx_no_var_path"),
    "bn_running_momentum_swapped": ("BatchNormalization", ("running_mean", "running_var"),
                                    "bn_running_momentum_swapped"),
    "bn_test_uses_batch": ("BatchNormalization", ('out_test',), "bn_test_uses_batch"),
    "col2im_average": ("col2im", ('img',), "col2im_average"),
    "col2im_no_overlap_sum": ("col2im", ('img',), "col2im_no_overlap_sum"),
    "col2im_pad_not_removed": ("col2im", ('img',), "col2im_pad_not_removed"),
    "col2im_transpose": ("col2im", ('img',), "col2im_transpose"),
    "conv_col_W_reshape": ("Convolution", ('out', 'dx'), "conv_col_W_reshape"),
    "conv_dW_transpose": ("Convolution", ('dW',), "conv_dW_transpose"),
    "conv_db_axes": ("Convolution", ('db',), "conv_db_axes"),
    "conv_dout_transpose": ("Convolution", ('dx', 'dW', 'db'), "conv_dout_transpose"),
    "conv_out_transpose": ("Convolution", ('out',), "conv_out_transpose"),
    "dropout_backward_no_mask": ("Dropout", ('dx',), "dropout_backward_no_mask"),
    "dropout_mask_direction": ("Dropout", ('out',), "dropout_mask_direction"),
    "dropout_mask_once": ("Dropout", ('out',), "dropout_mask_once"),
    "dropout_scaled_twice": ("Dropout", ('out_test',), "dropout_scaled_twice"),
    "dropout_test_not_scaled": ("Dropout", ('out_test',), "dropout_test_not_scaled"),
    "im2col_channel_order": ("im2col", ('col',), "im2col_channel_order"),
    "im2col_no_pad": ("im2col", ('col',), "im2col_no_pad"),
    "im2col_out_size": ("im2col", ('col',), "im2col_out_size"),
    "im2col_stride": ("im2col", ('col',), "im2col_stride"),
    "im2col_transpose": ("im2col", ('col',), "im2col_transpose"),
    "momentum_no_decay": ("Momentum", ALL, "momentum_no_decay"),
    "momentum_reset": ("Momentum", ALL, "momentum_reset"),
    "momentum_shared_velocity": ("Momentum", ALL, "momentum_shared_velocity"),
    "momentum_sign": ("Momentum", ALL, "momentum_sign"),
    "nesterov_factor": ("Nesterov", ALL, "nesterov_factor"),
    "nesterov_is_momentum": ("Nesterov", ALL, "nesterov_is_momentum"),
    "nesterov_old_order": ("Nesterov", ALL, "nesterov_old_order"),
    "nesterov_reset": ("Nesterov", ALL, "momentum_reset"),
    "pool_dout_transpose": ("Pooling", ('dx',), "pool_dout_transpose"),
    "pool_grad_average": ("Pooling", ('dx',), "pool_grad_average"),
    "pool_grad_everywhere": ("Pooling", ('dx',), "pool_grad_everywhere"),
    "pool_out_transpose": ("Pooling", ('out',), "pool_out_transpose"),
    "pool_ties_all": ("Pooling", ('dx',), "pool_ties_all"),
    "rmsprop_decay_swapped": ("RMSprop", ALL, "rmsprop_decay_swapped"),
    "rmsprop_eps_inside_sqrt": ("RMSprop", ALL, "eps_inside_sqrt"),
    "rmsprop_no_decay": ("RMSprop", ALL, "rmsprop_no_decay"),
    "rmsprop_reset": ("RMSprop", ALL, "momentum_reset"),
    "sgd_ignores_lr": ("SGD", ALL, "optimizer_defaults"),
    "sgd_no_lr": ("SGD", ALL, "sgd_no_lr"),
    "sgd_rebinds": ("SGD", ALL, "optimizer_rebinds"),
    "sgd_return_in_loop": ("SGD", ('b1', 'W2', 'b2'), "optimizer_not_updated"),
    "sgd_sign": ("SGD", ALL, "sgd_sign"),
}
#: fixture -> (class, the hint of another convention): every row right, that one noted
CONVENTIONS = {"convention_adam_paper": ("Adam", "adam_paper_eps"),
               "convention_dropout_inverted": ("Dropout", "dropout_inverted")}


def test_every_class_has_at_least_four_usual_mistakes_in_the_fixtures():
    hints = {}
    for cls, _, hint in MISTAKES67.values():
        hints.setdefault(cls, set()).add(hint)
    assert set(hints) == set(NAMES) - set(GROUPS["layers"].NAMES)
    for cls, found in hints.items():
        assert len(found) >= 4, (cls, found)
    stems = {p.stem for p in FILES.glob("mistake_*.py")}
    assert stems == {f"mistake_{m}" for m in MISTAKES67} | set(MISTAKES)


@pytest.mark.parametrize("name", sorted(MISTAKES67))
def test_mistake_marks_its_rows_wrong_with_its_hint(name):
    cls, tensors, hint = MISTAKES67[name]
    report = check(FILES / f"mistake_{name}.py", lang="en")
    for row in report.rows:
        if row.layer == cls and row.tensor in tensors:
            assert not row.ok and row.verdict == "wrong" and row.hint == hint, row
        else:
            assert row.ok, row
    assert not report.ok
    lines = str(report).splitlines()
    assert any(line.startswith("not right yet: ") and f"{cls} {tensors[0]}" in line for line in lines)
    assert f"hint: {text('hint.' + hint, 'en')[:40]}" in " ".join(" ".join(lines).split())


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_another_convention_is_right_with_a_note(name):
    cls, hint = CONVENTIONS[name]
    report = check(FILES / f"{name}.py", lang="en")
    assert report.ok
    noted = [r for r in report.rows if r.hint == hint]
    assert noted and all(r.layer == cls and r.verdict == "close" for r in noted)


def test_an_optimizers_first_difference_names_the_step(capsys):
    report = check(FILES / "mistake_adam_no_bias_correction.py", lang="en")
    row = report["Adam", "W1"]
    assert len(row.first_diff) == 3 and row.first_diff[0] == 0  # [step, i, j]: wrong from the first update
    assert row.expected_shape == (4, 2, 3)  # 4 updates of a (2, 3) parameter in the first case
    code, out, _ = run(capsys, "check", FILES / "mistake_momentum_reset.py")
    assert code == 1 and "Momentum(lr=0.1, momentum=0.8).update × 3" in " ".join(out.split())


def test_rebinding_params_is_named_though_the_dict_holds_right_numbers():
    row = check(FILES / "mistake_sgd_rebinds.py", lang="en")["SGD", "W1"]
    assert row.hint == "optimizer_rebinds" and row.verdict == "wrong"
    assert "never changes and the network stops learning" in row.hint_text("en")


def test_dropout_is_judged_on_the_learners_own_mask():
    a = check(FILES / "correct_chapter6_layers.py", lang="en", rng=1)
    b = check(FILES / "correct_chapter6_layers.py", lang="en", rng=1)
    assert a.ok and str(a) == str(b)  # the global generator is seeded per case: the same seed, the same report
    wrong = check(FILES / "mistake_dropout_mask_direction.py", lang="en")["Dropout", "out"]
    assert wrong.verdict == "wrong" and wrong.first_diff is None  # right for its own mask, a wrong fraction kept


def test_batch_normalization_test_mode_is_judged_on_the_learners_running_statistics():
    report = check(FILES / "mistake_bn_running_momentum_swapped.py", lang="en")
    assert not report["BatchNormalization", "running_mean"].ok and report["BatchNormalization", "out_test"].ok


def test_a_file_mixing_chapters_lists_what_it_leaves_out(tmp_path):
    source = (FILES / "correct_chapter7.py").read_text()
    source = source.split("class Pooling")[0]  # im2col, col2im, Convolution
    (tmp_path / "mine.py").write_text(source + "\n" + (FILES / "correct_optimizers.py").read_text().split(
        "class Momentum")[0].split('"""', 2)[2])
    report = check(tmp_path / "mine.py", lang="en")
    assert [r.layer for r in report.rows][:4] == ["SGD"] * 4
    assert report.missing == ("Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "Pooling")
    assert report.ok and "all right: the 10 tensors of 4 classes and functions match chainrule's" in str(report)


# -- --network for SimpleConvNet and MultiLayerNetExtend ----------------------------------------------------

@pytest.mark.parametrize("name, network", [("net_simpleconv_correct", "SimpleConvNet"),
                                           ("net_extend_correct", "MultiLayerNetExtend")])
def test_the_books_networks_are_right(capsys, name, network):
    report = check(FILES / f"{name}.py", network=True, lang="en")
    assert report.ok and report.network_name == network and report.notes == []
    assert [r.tensor for r in report.rows][0] == "loss" and len(report.rows) in (7, 11)
    code, out, _ = run(capsys, "check", "--network", FILES / f"{name}.py")
    assert code == 0 and f"your {network}'s gradients by backpropagation" in out


@pytest.mark.parametrize("name, culprit, kind, tensor", [
    ("net_simpleconv_broken_pool", "Pool1", "Pooling", "dx"),
    ("net_simpleconv_broken_conv", "Conv1", "Convolution", "dW"),
    # both batch normalizations are broken: walking from the loss meets BatchNorm2 first
    ("net_extend_broken_bn", "BatchNorm2", "BatchNormalization", "dx"),
])
def test_network_names_the_layer_where_the_gradient_first_goes_wrong(name, culprit, kind, tensor):
    report = check(FILES / f"{name}.py", network=True, lang="en")
    assert not report.ok and report.culprit == culprit
    assert ("net.culprit_backward", {"layer": culprit, "kind": kind, "tensor": tensor}) in report.notes
    assert report[report.network_name, "loss"].ok


def test_network_wiring_mistakes_are_named():
    swapped = check(FILES / "net_simpleconv_swapped_grads.py", network=True, lang="en")
    assert ("net.swapped", {"param": "W2", "other": "W3"}) in swapped.notes and swapped.culprit is None
    decay = check(FILES / "net_extend_no_weight_decay.py", network=True, lang="en")
    assert decay.notes == [("net.weight_decay", {})]
    assert [r.tensor for r in decay.wrong] == ["W1", "W2", "W3"]


# -- the starter files --------------------------------------------------------------------------------------

@pytest.mark.parametrize("starter, rows", [("my_optimizers.py", 24), ("my_chapter6_layers.py", 10),
                                           ("my_chapter7.py", 8)])
def test_starter_says_not_implemented_yet(capsys, starter, rows):
    code, out, err = run(capsys, "check", ROOT_EXAMPLES / starter)
    assert code == 1 and err == ""
    assert out.count("not implemented yet") == rows + 1


@pytest.mark.parametrize("starter, network", [("my_simple_convnet.py", "SimpleConvNet")])
def test_network_starter_says_not_implemented_yet(capsys, starter, network):
    code, out, err = run(capsys, "check", "--network", ROOT_EXAMPLES / starter)
    assert code == 1 and err == "" and "not implemented yet" in out


def test_starters_filled_in_are_all_right(tmp_path, capsys):
    for starter, correct in (("my_optimizers.py", "correct_optimizers.py"),
                             ("my_chapter6_layers.py", "correct_chapter6_layers.py"),
                             ("my_chapter7.py", "correct_chapter7.py")):
        (tmp_path / starter).write_text((FILES / correct).read_text())
        assert run(capsys, "check", tmp_path / starter)[0] == 0, starter


# -- the messages -------------------------------------------------------------------------------------------

def _hint_keys():
    """Every hint key the chapter 6-7 exercises can give: their computed alternatives on every case, what
    their exceptions point at, and the keys their code names."""
    from chainrule.exercises import batchnorm, convolution, optimizers

    keys = set()
    rng = np.random.default_rng(0)
    for name in optimizers.NAMES:
        for case in optimizers.cases(name, rng):
            keys |= {key for key, _ in optimizers._alternatives(name, case.extra["kwargs"])}
    for case in batchnorm.cases("BatchNormalization", rng):
        ref = batchnorm.reference("BatchNormalization", case)
        if case.extra["backward"]:
            keys |= {key for key, _ in batchnorm._forward_alternatives(case.extra["train"][-1], *case.init)}
            keys |= {key for t in ("dx", "dgamma", "dbeta") for key, _ in
                     batchnorm._backward_alternatives(case.extra["train"][-1], case.init[0], case.dout)[t]}
        if case.extra["train"]:
            keys |= {key for t in ("running_mean", "running_var") for key, _ in
                     batchnorm._running_alternatives(case)[t]}
        if case.extra["test"] is not None:
            keys |= {key for key, _ in batchnorm._test_alternatives(case, ref)}
    for name in convolution.NAMES:
        for case in convolution.cases(name, rng):
            if name == "Convolution":
                keys |= {key for t in ("out", "dx", "dW", "db") for key, _ in convolution._conv_alternatives(case, t)}
            elif name == "Pooling":
                keys |= {key for t in ("out", "dx") for key, _ in convolution._pool_alternatives(case, t)}
            else:
                keys |= {key for key, _ in convolution._function_alternatives(name, case)}
    folder = Path(chainrule.__file__).parent / "exercises"
    for module in ("optimizers", "batchnorm", "dropout", "convolution"):
        source = (folder / f"{module}.py").read_text()
        keys |= set(re.findall(r'hint="(\w+)"', source)) | set(re.findall(r'return "(\w+)"', source))
        keys |= set(re.findall(r'\["_(?:wrong|close)"\]\[\w+\] = "(\w+)"', source))
        keys |= set(re.findall(r'(?:hint|key) = "(\w+)"', source))
        keys |= set(re.findall(r'"(dropout_\w+)"', source)) - {"dropout_train_test", "dropout_half", "dropout_again"}
    return keys


def test_every_hint_of_chapters_6_and_7_is_in_every_language():
    keys = _hint_keys() | {hint for _, _, hint in MISTAKES67.values()} | {h for _, h in CONVENTIONS.values()}
    assert len(keys) >= 80
    for key in sorted(keys):
        english = text(f"hint.{key}", "en")
        for lang in LANGUAGES[1:]:
            translated = text(f"hint.{key}", lang)
            assert translated != english, (lang, key)  # translated, not English shown in its place
    for key in ("net.weight_decay", "title.optimizers", "title.classes", "summary.ok_optimizers", "case.bn_running",
                "case.pool_ties", "line.stopped.time_limit"):
        assert all(MESSAGES.text(key, lang) != MESSAGES[key] for lang in LANGUAGES[1:]), key


ROOT_EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "exercises"


# -- the book's own code, copied into a learner's file --------------------------------------------------

BOOK_REPO = os.environ.get("CHAINRULE_BOOK_REPO")
needs_book = pytest.mark.skipif(not BOOK_REPO, reason="set CHAINRULE_BOOK_REPO to a copy of the book's repository")


def book_file(tmp_path, name, *files):
    """The book's files one after the other in one learner file, their `from common... import` lines left out
    (everything they import is in the file itself)."""
    parts = []
    for f in files:
        text = (Path(BOOK_REPO) / f).read_text(encoding="utf-8")
        parts.append(re.sub(r"^(from common\S* import .*|sys\.path\.append.*)$", r"# \1", text, flags=re.M))
    path = tmp_path / name
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


@needs_book
def test_the_books_own_code_is_right_but_for_relu_writing_into_dout(tmp_path, capsys):
    path = book_file(tmp_path, "book_code.py", "common/functions.py", "common/util.py", "common/layers.py",
                     "common/optimizer.py", "ch07/simple_convnet.py")
    report = check(path, lang="en")
    assert [row for row in report.rows if not row.ok] == [report["Relu", "dx"]]
    relu = report["Relu", "dx"]
    assert relu.verdict == "exact" and relu.dout_mutated and relu.hint == "mutates_dout"
    assert "the book's `dout[self.mask] = 0` writes into it" in " ".join(str(report).split())
    assert {r.layer for r in report.rows} == set(NAMES) - {"MulLayer", "AddLayer"}
    net = check(path, network=True, lang="en")
    assert net.ok and net.network_name == "SimpleConvNet"
    code, out, _ = run(capsys, "check", "--network", path)
    assert code == 0


@needs_book
def test_the_books_multi_layer_net_extend_is_right(tmp_path):
    path = book_file(tmp_path, "book_extend.py", "common/functions.py", "common/util.py", "common/layers.py",
                     "common/gradient.py", "common/multi_layer_net_extend.py")
    report = check(path, network=True, lang="en")
    assert report.ok and report.network_name == "MultiLayerNetExtend"

