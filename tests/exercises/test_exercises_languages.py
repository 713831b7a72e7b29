"""Exercise mode in the reader's language: nothing English left in a Korean, Chinese or Japanese report.

The report's table, hints and summary are in tests/exercises/test_exercises.py; here, the parts
around them: a report of classes passed as a dict, the errors of a file that cannot be checked,
and the network check's own lines.
"""

import importlib
import re
import sys
from pathlib import Path

import pytest

from chainrule import cli
from chainrule.exercises import ExerciseLoadError, check

FILES = Path(__file__).resolve().parent / "files"
#: Latin words a translated report may hold: the book's names, code and file names.
ALLOWED = {"MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "TwoLayerNet", "lastLayer",
           "chainrule", "dout", "dx", "dy", "dW", "db", "out", "loss", "params", "np", "where", "copy", "mask",
           "self", "py", "correct_layers", "mistake_relu_mask", "tests", "exercises", "files", "x", "y", "t",
           "e", "W", "b", "N", "D", "C", "H", "M", "inf", "return", "None", "forward", "backward", "float",
           "layers", "grads", "gradient", "OK"}  # Japanese writes OK (the shape column) as Japanese does


def english_words(text):
    """The words of ``text`` that are English prose (not the book's names, code or numbers)."""
    words = re.findall(r"[A-Za-z][A-Za-z_]+", text)
    return sorted({w for w in words if w not in ALLOWED and not w.startswith(("W", "b")) and "_" not in w})


@pytest.fixture
def classes(monkeypatch):
    monkeypatch.syspath_prepend(str(FILES))
    for name in ("correct_layers", "mistake_relu_mask"):
        sys.modules.pop(name, None)
    module = importlib.import_module("mistake_relu_mask")
    monkeypatch.setitem(sys.modules, "mistake_relu_mask", module)
    return {"Relu": module.Relu, "Sigmoid": module.Sigmoid}


@pytest.mark.parametrize("lang, title", [("ko", "전달한 클래스: "), ("zh", "传入的类："), ("ja", "渡されたクラス：")])
def test_a_dict_of_classes_is_named_in_the_reports_language(classes, lang, title):
    report = check(classes, lang=lang)
    text = str(report)
    assert text.startswith(title) and "the given classes" not in text
    assert english_words(text) == [], english_words(text)
    assert str(check(classes, lang="en")).startswith("the given classes: the forward and backward")


@pytest.mark.parametrize("source, message", [
    ("class Relu:\n    def forward(self x):\n        return x\n", "bad.py, 2번째 줄: 문법 오류: "),
    ("import numpy as np\n", "bad.py: 다음 클래스가 하나도 정의되어 있지 않습니다: MulLayer, AddLayer, Relu"),
    ("from common.nonesuch import Relu\n",
     "(책의 폴더는 필요 없습니다. chainrule이나 직접 작성한 파일에서 임포트하세요)"),
    ("from common.layers import Relu\n",  # the book's form runs on chainrule's common/: its Relu is chainrule's
     "(Relu: chainrule의 것을 common/ 또는 chainrule에서 가져왔습니다. 검사하려면 클래스를 직접 작성하세요)"),
    ("Relu = 3\n", "bad.py: Relu의 종류는 클래스가 아니라 int입니다"),
])
def test_a_file_that_cannot_be_checked_is_explained_in_korean(tmp_path, capsys, source, message):
    (tmp_path / "bad.py").write_text(source)
    assert cli.main(["check", "--lang", "ko", str(tmp_path / "bad.py")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chainrule: error: ") and message in err, err
    with pytest.raises(ExerciseLoadError, match=re.escape(message)):
        check(tmp_path / "bad.py", lang="ko")


@pytest.mark.parametrize("lang, message", [("zh", "：文件不存在"), ("ja", "：ファイルがありません"),
                                           ("en", ": no such file")])
def test_a_missing_file_in_each_language(tmp_path, lang, message):
    with pytest.raises(ExerciseLoadError, match=message):
        check(tmp_path / "nope.py", lang=lang)


def test_a_net_without_its_params_is_explained_in_japanese(tmp_path):
    (tmp_path / "net.py").write_text(
        "class TwoLayerNet:\n    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):\n"
        "        self.params = {}\n")
    text = check(tmp_path / "net.py", network=True, lang="ja").render()
    assert "params には次が必要です：W1 (6, 5), b1 (5,), W2 (5, 3), b2 (3,)" in text
    assert "must hold" not in text


@pytest.mark.parametrize("lang", ["ko", "zh", "ja"])
@pytest.mark.parametrize("name", ["net_broken_relu", "net_not_shared", "net_swapped_grads"])
def test_network_reports_hold_no_english(lang, name):
    text = check(FILES / f"{name}.py", network=True, lang=lang).render()
    assert english_words(text.split("\n", 1)[1]) == [], english_words(text)
