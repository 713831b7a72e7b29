"""Exercise mode: a learner's layers and TwoLayerNet checked against chainrule's.

The learner files live in ``tests/exercises/files/``: ``correct_layers.py`` (the book's six
layers, right), one ``mistake_*.py`` per classic mistake (each overrides one class of
``correct_layers``), and ``net_*.py`` (the book's TwoLayerNet, right and broken).
"""

import importlib
import linecache
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule import cli
from chainrule.exercises import ExerciseLoadError, check, default_language
from chainrule.exercises.layers import LAYERS, TENSORS, _mistakes, cases, diagnose_raised, reference
from chainrule.exercises.messages import LANGUAGES, MESSAGES, text
from chainrule.exercises.render import width
from tests import ROOT
from tests.cli.helpers import run

FILES = Path(__file__).resolve().parent / "files"
EXAMPLES = ROOT / "examples" / "exercises"




def learner_module(monkeypatch, name):
    """A learner file imported as a module (its folder on sys.path, as for a learner's own script)."""
    monkeypatch.syspath_prepend(str(FILES))
    for cached in ("correct_layers", name):
        sys.modules.pop(cached, None)
    module = importlib.import_module(name)
    for imported in ("correct_layers", name):  # gone again after the test
        monkeypatch.setitem(sys.modules, imported, sys.modules[imported])
    return module


# -- a right file -------------------------------------------------------------------------------

def test_correct_layers_every_row_right():
    report = check(FILES / "correct_layers.py", lang="en")
    assert [(r.layer, r.tensor) for r in report.rows] == [(n, t) for n in LAYERS for t in TENSORS[n]]
    for row in report.rows:
        assert row.ok, row
        assert row.verdict in ("exact", "close")
        assert row.max_diff is not None and row.max_diff < 1e-12
        assert row.shape_ok and not row.dout_mutated and row.hint is None
        if row.tensor not in ("out", "loss"):
            # numerical gradients of the learner's forward agree (the loss's log(y + 1e-7) moves them by ~1e-6)
            assert row.numeric_diff is not None and row.numeric_diff < 1e-5
    assert report.ok and report.missing == ()
    assert "all right: the 16 tensors of 6 layer(s) match chainrule's" in str(report)


def test_same_seed_same_report_other_seed_other_inputs():
    a = check(FILES / "mistake_relu_mask.py", lang="en", rng=3)
    b = check(FILES / "mistake_relu_mask.py", lang="en", rng=np.random.default_rng(3))
    c = check(FILES / "mistake_relu_mask.py", lang="en", rng=4)
    assert str(a) == str(b)
    assert a["Relu", "dx"].got != c["Relu", "dx"].got or a["Relu", "dx"].expected != c["Relu", "dx"].expected


def test_module_and_dict_of_classes(monkeypatch):
    module = learner_module(monkeypatch, "correct_layers")
    report = check(module, lang="en")
    assert report.ok and len(report.rows) == 16
    only = check({"Relu": module.Relu, "Affine": module.Affine}, lang="en")
    assert [r.layer for r in only.rows] == ["Relu", "Relu", "Affine", "Affine", "Affine", "Affine"]
    assert only.missing == ("MulLayer", "AddLayer", "Sigmoid", "SoftmaxWithLoss")
    assert "not in this file, so not checked: MulLayer, AddLayer, Sigmoid, SoftmaxWithLoss" in str(only)
    assert chainrule.check is check


# -- each classic mistake: its row wrong with its hint, every other row right ---------------------

MISTAKES = {
    "mistake_mul_swapped": {("MulLayer", "dx"): "swapped_xy", ("MulLayer", "dy"): "swapped_xy"},
    "mistake_add_forgot_dout": {("AddLayer", "dx"): "forgot_dout", ("AddLayer", "dy"): "forgot_dout"},
    "mistake_relu_mutates_dout": {("Relu", "dx"): "mutates_dout"},
    "mistake_relu_mask": {("Relu", "out"): "relu_mask_direction", ("Relu", "dx"): "relu_mask_direction"},
    "mistake_sigmoid_x": {("Sigmoid", "dx"): "sigmoid_x_instead_of_out"},
    "mistake_affine_db_axis": {("Affine", "db"): "sum_wrong_axis"},
    "mistake_affine_forgot_xT": {("Affine", "dW"): "affine_forgot_xT"},
    "mistake_affine_dW_order": {("Affine", "dW"): "affine_dW_order"},
    "mistake_affine_no_reshape": {("Affine", "out"): "affine_no_reshape"},
    "mistake_affine_dx_flat": {("Affine", "dx"): "affine_dx_not_reshaped"},
    "mistake_softmax_batch_size": {("SoftmaxWithLoss", "dx"): "missing_batch_size"},
    "mistake_softmax_onehot_only": {("SoftmaxWithLoss", "loss"): "labels_not_supported"},
    "mistake_softmax_overflow": {("SoftmaxWithLoss", "loss"): "softmax_overflow",
                                 ("SoftmaxWithLoss", "dx"): "softmax_overflow"},
}


def test_the_fixture_covers_every_layer_with_at_least_eight_mistakes():
    assert len(MISTAKES) >= 8
    assert {layer for wrong in MISTAKES.values() for layer, _ in wrong} == set(LAYERS)
    assert set(MISTAKES) <= {p.stem for p in FILES.glob("mistake_*.py")}  # and chapters 6-7: test_exercises_chapters67


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_marks_its_row_wrong_with_its_hint(name):
    report = check(FILES / f"{name}.py", lang="en")
    expected = MISTAKES[name]
    for row in report.rows:
        if (row.layer, row.tensor) in expected:
            assert not row.ok, row
            assert row.hint == expected[row.layer, row.tensor], row
        else:
            assert row.ok, row
    assert not report.ok
    text = str(report)
    for layer, tensor in expected:
        assert f"{layer} {tensor}" in text.splitlines()[-1]  # the summary names it
    assert text.count("hint: ") >= len(expected)


def test_mul_swapped_shows_the_books_apple_numbers():
    row = check(FILES / "mistake_mul_swapped.py", lang="en")["MulLayer", "dx"]
    # the book's buy_apple.py: dApple = 2.2; with x and y swapped it comes out as 1.1 * 100
    assert row.verdict == "wrong" and row.case == "apple"
    assert row.first_diff == () and row.got == pytest.approx(110.0) and row.expected == pytest.approx(2.2)
    assert "got 110, expected 2.2 (the book's apple example: 100 × 2, dout 1.1)" in row_block(row)


def row_block(row):
    report = chainrule.exercises.CheckReport("x", rows=[row])
    return report.render("en")


def test_relu_mask_first_difference_is_the_first_element_that_differs(monkeypatch):
    module = learner_module(monkeypatch, "mistake_relu_mask")
    report = check({"Relu": module.Relu}, lang="en", rng=7)
    first_case = cases("Relu", np.random.default_rng(7))[0]  # the same inputs: the same seed, Relu drawn first
    x, dout = first_case.inputs[0], first_case.dout
    learner = module.Relu()
    got_out = learner.forward(x.copy())
    got_dx = learner.backward(dout.copy())
    right_out, right_dx = np.maximum(x, 0), np.where(x > 0, dout, 0)
    out_row, dx_row = report["Relu", "out"], report["Relu", "dx"]
    for row, got, right in ((out_row, got_out, right_out), (dx_row, got_dx, right_dx)):
        idx = tuple(int(i) for i in np.argwhere(got != right)[0])
        assert row.case == "random" and row.first_diff == idx
        assert row.got == got[idx] and row.expected == right[idx]
    # its backward agrees with its own (wrong) forward: the numerical gradient of that forward matches
    assert dx_row.numeric_diff < 1e-8
    i, j = dx_row.first_diff
    assert f"first difference at [{i}, {j}] (random inputs: x (4, 5))" in str(report)


def test_relu_writing_into_dout_is_exact_but_marked_as_mutation():
    row = check(FILES / "mistake_relu_mutates_dout.py", lang="en")["Relu", "dx"]
    assert row.verdict == "exact" and row.dout_mutated and not row.ok
    assert "dx = dout.copy()" in row.hint_text("en")


def test_affine_mistakes_name_the_case_that_shows_them():
    report = check(FILES / "mistake_affine_forgot_xT.py", lang="en")
    row = report["Affine", "dW"]
    assert row.case == "square"  # x (3, 3): np.dot(x, dout) runs and gives x @ dout instead of x.T @ dout
    db = check(FILES / "mistake_affine_db_axis.py", lang="en")["Affine", "db"]
    assert not db.shape_ok and db.got_shape == (4,) and db.expected_shape == (2,)
    flat = check(FILES / "mistake_affine_dx_flat.py", lang="en")["Affine", "dx"]
    assert flat.case == "4d" and flat.got_shape == (2, 12) and flat.expected_shape == (2, 3, 2, 2)
    no_reshape = check(FILES / "mistake_affine_no_reshape.py", lang="en")["Affine", "out"]
    assert no_reshape.case == "4d" and "ValueError" in no_reshape.error
    assert no_reshape.max_diff is None  # one case raised: no difference over all the cases to show
    assert "mistake_affine_no_reshape.py, line 11" in no_reshape.error


def test_softmax_missing_batch_size_is_off_by_the_batch_size():
    row = check(FILES / "mistake_softmax_batch_size.py", lang="en")["SoftmaxWithLoss", "dx"]
    assert row.case == "onehot" and row.got == pytest.approx(4 * row.expected)  # batch of 4


def test_learner_errors_and_blank_bodies_are_rows_not_crashes(tmp_path):
    (tmp_path / "mine.py").write_text(
        "class Relu:\n"
        "    def forward(self, x):\n"
        "        self.mask = x <= 0\n"
        "        return x * ~self.mask\n"
        "    def backward(self, dout):\n"
        "        return dout * undefined_name\n"
        "class Sigmoid:\n"
        "    def forward(self, x):\n"
        "        pass\n"
        "    def backward(self, dout):\n"
        "        pass\n"
        "class MulLayer:\n"
        "    def forward(self, x, y):\n"
        "        return x * y\n")
    report = check(tmp_path / "mine.py", lang="en")
    assert report["Relu", "out"].ok
    dx = report["Relu", "dx"]
    assert dx.verdict == "wrong" and dx.error.startswith("NameError: name 'undefined_name' is not defined")
    assert "(mine.py, line 6)" in dx.error
    assert [r.verdict for r in report.layer_rows("Sigmoid")] == ["not implemented"] * 2
    assert report["MulLayer", "out"].ok and report["MulLayer", "dx"].hint == "missing_method"


# -- the starter files ----------------------------------------------------------------------------

def test_starter_says_not_implemented_yet_per_layer(capsys):
    code, out, err = run(capsys, "check", str(EXAMPLES / "my_layers.py"), "--lang", "en")
    assert code == 1 and err == ""
    assert out.count("not implemented yet") == 16 + 1
    assert out.strip().splitlines()[-1] == ("not implemented yet: MulLayer, AddLayer, Relu, Sigmoid, Affine, "
                                            "SoftmaxWithLoss")
    code, out, err = run(capsys, "check", "--network", str(EXAMPLES / "my_two_layer_net.py"), "--lang", "en")
    assert code == 1 and err == "" and out.count("not implemented yet") == 5 + 1


def test_starter_filled_in_is_all_right(tmp_path, capsys):
    """The starter's classes with the book's bodies: the file the learner ends with passes."""
    (tmp_path / "my_layers.py").write_text((FILES / "correct_layers.py").read_text())
    net = (FILES / "net_correct.py").read_text().replace("from correct_layers import", "from my_layers import")
    (tmp_path / "my_two_layer_net.py").write_text(net)
    assert run(capsys, "check", str(tmp_path / "my_layers.py"))[0] == 0
    assert run(capsys, "check", "--network", str(tmp_path / "my_two_layer_net.py"))[0] == 0
    assert "my_layers" not in sys.modules  # the learner's modules are read afresh on every check


# -- files that cannot be checked: one line, exit status 2 ------------------------------------------

@pytest.mark.parametrize("source, network, message", [
    ("class Relu:\n    def forward(self x):\n        return x\n", False,
     r"bad\.py, line 2: syntax error: invalid syntax"),
    ("import numpy as np\n\nclass Layer:\n    pass\n", False,
     r"bad\.py defines none of the classes MulLayer, AddLayer, Relu, Sigmoid, Affine, SoftmaxWithLoss, SGD, "
     r"Momentum, .*, im2col, col2im$"),
    ("class Relu:\n    pass\n", True,
     r"bad\.py defines no class TwoLayerNet, SimpleConvNet, MultiLayerNetExtend$"),
    ("from common.layers import Relu\n", False,  # the book's form runs on chainrule's common/: Relu is chainrule's
     r"bad\.py defines none of the classes .* \(Relu: chainrule's own, imported through common/ or chainrule; "
     r"write the class yourself to have it checked\)"),
    ("from common.nonesuch import Relu\n", False,
     r"bad\.py: running it raised ModuleNotFoundError: No module named 'common.nonesuch' \(bad\.py, line 1\) "
     r"\(the book's folders are not needed: import from chainrule or from your own file\)"),
    ("Relu = 3\n", False, r"bad\.py: Relu is a int, not a class"),
])
def test_unloadable_file_gives_one_line_and_status_2(tmp_path, capsys, source, network, message):
    (tmp_path / "bad.py").write_text(source)
    code, out, err = run(capsys, "check", *(["--network"] if network else []), str(tmp_path / "bad.py"))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("chainrule: error: ") and re.search(message, lines[0]), lines[0]
    with pytest.raises(ExerciseLoadError):
        check(tmp_path / "bad.py", network=network)


def test_missing_file_gives_one_line(tmp_path, capsys):
    code, out, err = run(capsys, "check", str(tmp_path / "nope.py"))
    assert (code, out) == (2, "") and err == f"chainrule: error: {tmp_path / 'nope.py'}: no such file\n"


def test_exit_status_0_when_right_1_when_wrong(capsys):
    assert run(capsys, "check", str(FILES / "correct_layers.py"))[0] == 0
    assert run(capsys, "check", str(FILES / "mistake_sigmoid_x.py"))[0] == 1


# -- --network ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, culprit, tensor", [
    ("net_broken_relu", "Relu1", "dx"),
    ("net_broken_affine", "Affine2", "dW"),  # both Affines are broken: the walk from the loss meets Affine2 first
    ("net_broken_loss", "lastLayer", "dx"),
])
def test_network_names_the_layer_where_the_gradient_first_goes_wrong(capsys, name, culprit, tensor):
    report = check(FILES / f"{name}.py", network=True, lang="en")
    assert not report.ok and report.culprit == culprit
    assert report["TwoLayerNet", "loss"].ok  # the forward pass is right in all three
    assert ("net.culprit_backward", {"layer": culprit, "kind": {"Relu1": "Relu", "Affine2": "Affine",
                                                               "lastLayer": "SoftmaxWithLoss"}[culprit],
                                     "tensor": tensor}) in report.notes
    code, out, _ = run(capsys, "check", "--network", str(FILES / f"{name}.py"), "--lang", "en")
    assert code == 1
    assert f"walking backward from the loss, the gradient first goes wrong in {culprit}" in out


def test_network_broken_relu_rows():
    report = check(FILES / "net_broken_relu.py", network=True, lang="en")
    # a Relu that passes dout everywhere: W2 and b2 (after it, seen from the loss) stay right
    assert [r.ok for r in report.rows] == [True, False, False, True, True]
    for name in ("W1", "b1"):
        row = report["TwoLayerNet", name]
        assert row.numeric_diff == pytest.approx(row.max_diff, rel=1e-3)  # numerical gradients agree with chainrule


def test_network_correct_and_wiring_mistakes(capsys):
    report = check(FILES / "net_correct.py", network=True, lang="en")
    assert report.ok and report.culprit is None and report.notes == []
    assert all(r.numeric_diff < 1e-6 for r in report.rows if r.tensor != "loss")
    assert run(capsys, "check", "--network", str(FILES / "net_correct.py"))[0] == 0
    swapped = check(FILES / "net_swapped_grads.py", network=True, lang="en")
    assert ("net.swapped", {"param": "W1", "other": "W2"}) in swapped.notes and swapped.culprit is None
    assert [r.ok for r in swapped.rows] == [True, False, True, False, True]
    copies = check(FILES / "net_not_shared.py", network=True, lang="en")
    assert ("net.not_shared", {"param": "W1", "layer": "Affine1"}) in copies.notes and not copies.ok


# -- the four languages -------------------------------------------------------------------------------

def test_every_message_is_translated_at_run_time_with_the_same_fields():
    fields = re.compile(r"\{(\w+)\}")
    for key, english in MESSAGES.items():
        words = re.sub(r"\{\w+\}", "", english)
        for lang in ("ko", "zh", "ja"):
            translated = MESSAGES.template(key, lang)
            assert set(fields.findall(translated)) == set(fields.findall(english)), (key, lang)
            if len(words) > 12:  # more than a word besides the fields: really translated
                assert translated != english, (key, lang)


def test_every_hint_the_checker_can_give_has_a_message():
    keys = set()
    rng = np.random.default_rng(0)
    for name in LAYERS:
        for case in cases(name, rng):
            ref = reference(name, case)
            keys.add(diagnose_raised(name, case))
            for tensor in TENSORS[name]:
                keys |= {key for key, _ in _mistakes(name, tensor, case, ref)}
                keys.add(f"formula.{name}.{tensor}")
    folder = Path(chainrule.__file__).parent
    for f in ("exercises/layers.py", "exercises/judge.py", "exercises/network.py"):
        source = (folder / f).read_text()
        keys |= set(re.findall(r'hint(?:, j\.strength)? = \(?"(\w+)"', source))
        keys |= set(re.findall(r'hint="(\w+)"', source))
        if f == "exercises/layers.py":  # diagnose() returns hint keys
            keys |= set(re.findall(r'return "(\w+)"', source))
        keys |= set(re.findall(r'"(mutates_\w+)"', source)) | set(re.findall(r'\("(\w+)", \d\)', source))
        keys |= set(re.findall(r'= False, "(\w+)"', source))
    keys.discard(None)
    assert {"swapped_xy", "missing_batch_size", "mutates_dout", "relu_zero", "net_see_below", "shape",
            "affine_no_reshape", "softmax_overflow", "formula.Affine.dW"} <= keys
    for key in keys:
        for lang in LANGUAGES:
            assert text(f"hint.{key}", lang, got_shape=(2,), expected_shape=(3,)), key


CHECKS = {
    "ko": ["계층", "판정", "x와 y가 뒤바뀌었습니다", "아직 틀린 곳: MulLayer dx, MulLayer dy", "책의 사과 쇼핑 예"],
    "zh": ["层", "判定", "x 和 y 弄反了", "还有错误：MulLayer dx, MulLayer dy", "书中买苹果的例子"],
    "ja": ["レイヤ", "判定", "x と y が入れ替わっています", "まだ誤りがあります：MulLayer dx, MulLayer dy",
           "本書のリンゴの買い物の例"],
    "en": ["layer", "verdict", "x and y are swapped", "not right yet: MulLayer dx, MulLayer dy",
           "the book's apple example"],
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lang_prints_the_report_in_that_language(capsys, lang):
    code, out, _ = run(capsys, "check", str(FILES / "mistake_mul_swapped.py"), "--lang", lang)
    assert code == 1
    for phrase in CHECKS[lang]:
        assert phrase in out, (lang, phrase)
    if lang != "en":
        assert "hint:" not in out and "WRONG" not in out


def test_lang_ko_prints_korean(capsys):
    code, out, _ = run(capsys, "check", str(FILES / "correct_layers.py"), "--lang", "ko")
    assert code == 0
    assert out.splitlines()[-1] == "모두 맞았습니다: 계층 6개의 텐서 16개가 모두 chainrule과 일치합니다"
    assert "수치 미분" in out and "일치" in out


@pytest.mark.parametrize("env, lang", [
    ({"LANG": "ko_KR.UTF-8"}, "ko"), ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "de_DE.UTF-8"}, "en"), ({}, "en"), ({"LANG": "C"}, "en"),
    ({"LC_ALL": "ja_JP.UTF-8", "LANG": "ko_KR.UTF-8"}, "ja"), ({"LC_MESSAGES": "zh_TW", "LANG": "ko_KR"}, "zh"),
    ({"LC_ALL": "", "LANG": "ko_KR.UTF-8"}, "ko"),
])
def test_default_language_from_the_locale(env, lang):
    assert default_language(env) == lang


def test_default_language_reaches_the_command(capsys, monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    out = run(capsys, "check", str(FILES / "correct_layers.py"))[1]
    assert "すべて正解です" in out
    with pytest.raises(ValueError, match="lang must be one of en, ko, zh, ja; got 'fr'"):
        check(FILES / "correct_layers.py", lang="fr")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_table_columns_line_up_in_every_language(lang):
    text = check(FILES / "mistake_affine_db_axis.py", lang=lang).render(lang)
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    starts = [m.start() for m in re.finditer(r"-+", lines[rule])]
    for line in [lines[rule - 1]] + [x for x in lines[rule + 1:] if x and not x.startswith("    ")]:
        if not line.strip() or line.startswith(("not ", "아직", "还有", "まだ")):
            continue
        cells = [m for m in re.finditer(r"\S+(?: \S+)*", line)]
        # every cell begins at a column where the rule line begins one (display width, CJK counted as 2)
        for m in cells:
            assert width(line[:m.start()]) in starts, (lang, line)


# -- diagnoses beyond the fixture ----------------------------------------------------------------------

def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(source)
    return path


def test_relu_passing_dout_at_zero_is_close_with_a_note(tmp_path):
    path = write(tmp_path, "mine.py", (FILES / "correct_layers.py").read_text().replace(
        "self.mask = (x <= 0)", "self.mask = (x < 0)"))
    report = check(path, lang="en")
    row = report["Relu", "dx"]
    assert row.verdict == "close" and row.ok and row.hint == "relu_zero" and row.case == "zeros"
    assert report.ok
    assert "only at x == 0 does your gradient differ" in str(report)


def test_no_usual_mistake_shows_the_books_formula_or_points_at_the_forward(tmp_path):
    source = (FILES / "correct_layers.py").read_text()
    source = source.replace("dx = dout * (1.0 - self.out) * self.out", "dx = dout * self.out * self.out")
    source = source.replace("out = x * y\n", "out = 2 * x * y\n")
    source = source.replace("dx = dout * self.y", "dx = 2 * dout * self.y")
    report = check(write(tmp_path, "mine.py", source), lang="en")
    sig = report["Sigmoid", "dx"]
    assert sig.hint == "formula.Sigmoid.dx" and report["Sigmoid", "out"].ok
    assert "compare with the book's formula: dx = dout * (1.0 - self.out) * self.out" in sig.hint_text("en")
    # MulLayer computing 2xy: its dx is 2 * dout * y, right for its own forward, and the forward is what is wrong
    assert report["MulLayer", "out"].hint == "formula.MulLayer.out"
    assert report["MulLayer", "dx"].hint == "matches_your_forward"
    dy = report["MulLayer", "dy"]  # dout * x: the book's dy (exact), though not the gradient of its own 2xy
    assert dy.verdict == "exact" and dy.numeric_diff == pytest.approx(110.0, rel=1e-6)  # 2 * 100 * 1.1 - 110


def test_network_on_a_layer_with_a_wrong_forward_names_it(tmp_path):
    for f in ("correct_layers.py", "mistake_relu_mask.py"):
        write(tmp_path, f, (FILES / f).read_text())
    net = (FILES / "net_correct.py").read_text().replace("from correct_layers import", "from mistake_relu_mask import")
    report = check(write(tmp_path, "net.py", net), network=True, lang="en")
    assert report.culprit == "Relu1" and not report["TwoLayerNet", "loss"].ok
    assert ("net.culprit_forward", {"layer": "Relu1", "kind": "Relu", "tensor": "out"}) in report.notes
    assert "the forward pass first goes wrong in Relu1 (Relu.forward, out)" in report.render("en")
    assert "순전파가 처음으로 틀리는 곳은 Relu1입니다" in report.render("ko")


def test_check_help(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    for option in ("FILE", "--network", "--lang", "{en,ko,zh,ja}", "--seed", "Exit status: 0 all right"):
        assert option in out
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert re.search(r"^\s+check\s+check your own layers", capsys.readouterr().out, re.MULTILINE)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_long_lines_wrap_within_100_columns(lang):
    for name in MISTAKES:
        report = check(FILES / f"{name}.py", lang=lang)
        for line in report.render(lang).splitlines()[1:]:  # the title carries the file's path
            assert width(line) <= 100, (name, line)


@pytest.mark.parametrize("command, lines", [
    ("chainrule check tests/exercises/files/mistake_sigmoid_x.py", slice(None)),
    ("chainrule check --lang ko tests/exercises/files/mistake_sigmoid_x.py | sed -n 12,17p", slice(11, 17)),
    ("chainrule check --network tests/exercises/files/net_broken_relu.py", slice(None)),
    ("chainrule check tests/exercises/files/mistake_pool_grad_everywhere.py", slice(None)),
])
def test_readme_shows_real_output(capsys, monkeypatch, command, lines):
    root = ROOT
    readme = (root / "README.md").read_text()
    shown = readme.split(f"```bash\n{command}\n```\n\n```\n", 1)[1].split("\n```", 1)[0]
    monkeypatch.chdir(root)
    argv = command.split(" | ")[0].split()[1:]
    out = run(capsys, *argv)[1]
    assert "\n".join(out.splitlines()[lines]) == shown


def test_forward_writing_into_x_is_marked(tmp_path):
    path = write(tmp_path, "mine.py", (FILES / "correct_layers.py").read_text().replace(
        "        out = x.copy()\n        out[self.mask] = 0", "        out = x\n        out[self.mask] = 0"))
    report = check(path, lang="en")
    row = report["Relu", "out"]
    assert row.verdict == "exact" and row.dout_mutated and not row.ok and row.hint == "mutates_input"
    assert report["Relu", "dx"].ok


def test_float32_layer_is_close_with_a_note(tmp_path):
    path = write(tmp_path, "mine.py", (FILES / "correct_layers.py").read_text().replace(
        "dx = dout * (1.0 - self.out) * self.out",
        "dx = (dout * (1.0 - self.out) * self.out).astype(np.float32)"))
    row = check(path, lang="en")["Sigmoid", "dx"]
    assert row.verdict == "close" and row.ok and row.hint == "low_precision"
    assert 1e-10 < row.max_diff < 1e-6
    path.write_text(path.read_text().replace("np.float32", "np.float16"))
    row = check(path, lang="en")["Sigmoid", "dx"]  # float16: off by 1e-4, still its own rounding
    assert row.verdict == "close" and row.hint == "low_precision" and 1e-6 < row.max_diff < 1e-3


def run_as_notebook_cell(source, namespace, name="/tmp/ipykernel_0/cell1.py"):
    """Run ``source`` as Jupyter runs a cell: compiled under a made-up file name that linecache knows."""
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    exec(compile(source, name, "exec"), namespace)


def test_notebook_style_dict_of_globals():
    """Classes defined in a notebook are rebuilt from their cell's source in the process that runs them: with the
    helpers they call (softmax, cross_entropy_error), the modules they use (np) and none of the other globals."""
    namespace = {"np": np, "x": 3, "__name__": "__main__"}
    run_as_notebook_cell((FILES / "correct_layers.py").read_text(), namespace)
    namespace["unrelated"] = object()  # a global the classes do not use: not needed, not refused
    report = check(namespace, lang="en")
    assert report.ok and len(report.rows) == 16
    with pytest.raises(ExerciseLoadError, match="Relu must be classes"):
        check({"Relu": 3})


def test_classes_without_source_are_refused_in_one_line():
    namespace = {}
    exec("class Relu:\n    def forward(self, x):\n        return x\n", namespace)
    with pytest.raises(ExerciseLoadError, match=r"the source of Relu is not available .* save it in a \.py file"):
        check({"Relu": namespace["Relu"]})
    run_as_notebook_cell("import threading\nLOCK = threading.Lock()\nclass Relu:\n    def forward(self, x):\n"
                         "        with LOCK:\n            return x\n", namespace, "/tmp/ipykernel_0/cell2.py")
    with pytest.raises(ExerciseLoadError, match=r"Relu uses the global LOCK \(a lock\), which cannot be rebuilt"):
        check({"Relu": namespace["Relu"]})


def test_network_with_sigmoid_layers_is_walked(tmp_path, monkeypatch):
    write(tmp_path, "correct_layers.py", (FILES / "correct_layers.py").read_text())
    net = (FILES / "net_correct.py").read_text().replace("import Affine, Relu, SoftmaxWithLoss",
                                                         "import Affine, SoftmaxWithLoss\n"
                                                         "from correct_layers import Sigmoid as Relu")
    report = check(write(tmp_path, "net.py", net), network=True, lang="en")
    assert report.ok, report
    broken = net
    write(tmp_path, "correct_layers.py", (FILES / "correct_layers.py").read_text().replace(
        "dx = dout * (1.0 - self.out) * self.out", "dx = dout * self.out"))
    stale = learner_module(monkeypatch, "correct_layers")  # the right Sigmoid, imported before, from elsewhere
    report = check(write(tmp_path, "net2.py", broken), network=True, lang="en")  # reads the new file
    assert report.culprit == "Relu1" and ("net.culprit_backward", {"layer": "Relu1", "kind": "Sigmoid",
                                                                   "tensor": "dx"}) in report.notes
    assert sys.modules["correct_layers"] is stale  # the session's module is left as it was


def test_affine_that_keeps_its_gradients_in_locals(tmp_path):
    source = (FILES / "correct_layers.py").read_text()
    path = write(tmp_path, "mine.py", source.replace("self.dW = np.dot(self.x.T, dout)", "dW = np.dot(self.x.T, dout)"))
    report = check(path, lang="en")
    assert report["Affine", "dW"].verdict == "wrong" and report["Affine", "dW"].hint == "affine_grads_not_set"
    assert report["Affine", "db"].ok and report["Affine", "dx"].ok
    path = write(tmp_path, "mine2.py", source.replace("        dx = dx.reshape(*self.original_x_shape)\n"
                                                      "        return dx\n", ""))
    report = check(path, lang="en")
    assert report["Affine", "dx"].hint == "backward_returns_nothing" and report["Affine", "dW"].ok


def test_a_body_without_return_is_not_taken_for_a_blank_one(tmp_path):
    source = (FILES / "correct_layers.py").read_text()
    source = source.replace("        dx = dout * (1.0 - self.out) * self.out\n        return dx\n",
                            "        dx = dout * (1.0 - self.out) * self.out\n")
    source = source.replace("        out = x + y\n        return out\n", "        out = x + y\n")
    report = check(write(tmp_path, "mine.py", source), lang="en")
    assert report["Sigmoid", "out"].ok
    assert report["Sigmoid", "dx"].verdict == "wrong" and report["Sigmoid", "dx"].hint == "backward_returns_nothing"
    assert report["AddLayer", "out"].verdict == "wrong" and report["AddLayer", "out"].hint == "forward_returns_nothing"
    assert [r.verdict for r in report.layer_rows("AddLayer")][1:] == ["wrong", "wrong"]  # never run: no forward
