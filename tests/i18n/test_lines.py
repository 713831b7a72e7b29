"""Lines broken by each language's rules, widths as terminals measure them.

Korean breaks only at spaces; Chinese and Japanese between characters, but never after an
opening bracket or before a closing one, a stop or a comma (kinsoku); Latin words and code never.
The checker's Korean reports and the saved Korean notebooks hold no Hangul word broken in two.
"""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule.exercises import check
from chainrule.exercises.messages import MESSAGES
from chainrule.i18n import fields
from chainrule.i18n.lines import NO_END, NO_START, width, wrap
from tests import ROOT

pytest.importorskip("babel", reason="the Korean words are read from the catalog with Babel")

from tests.i18n.helpers import broken_words, catalog_words  # noqa: E402

FILES = ROOT / "tests" / "exercises" / "files"
WORDS = catalog_words()


def filled(template):
    return template.format(**{name: f"<{name}>" for name in fields(template)})


def messages(lang):
    return [filled(MESSAGES.template(key, lang)) for key in MESSAGES]


# -- widths ---------------------------------------------------------------------------------------------

def test_width_of_wide_narrow_and_combining_characters():
    assert width("abc") == 3 and width("계층") == 4 and width("形状：") == 6 and width("レイヤ") == 6
    assert width("e\u0301") == 1 and width("a\u200bb") == 2  # a combining accent, a zero-width space
    assert width("×·—ᵀ") == 4  # ambiguous-width characters: one column, as terminals show them by default


def test_width_is_what_terminals_measure():
    wcwidth = pytest.importorskip("wcwidth", reason="wcwidth: the reference for terminal widths")
    text = "".join(set("".join(messages("ko") + messages("zh") + messages("ja") + messages("en"))))
    for ch in text:
        if ch.isprintable():
            assert width(ch) == wcwidth.wcswidth(ch), (ch, hex(ord(ch)))


# -- Korean: at spaces only -------------------------------------------------------------------------------------

def test_korean_is_broken_at_spaces_never_inside_a_word():
    text = "backward가 전달받은 dout을 바꿔 버렸습니다. dx = dout.copy()처럼 복사본에 쓰거나 np.where를 쓰세요."
    for columns in range(24, 80):
        lines = wrap(text, columns, lang="ko")
        assert " ".join(lines) == text, columns
        assert all(width(line) <= columns for line in lines), columns


@pytest.mark.parametrize("columns", [30, 47, 64, 100])
def test_every_korean_message_keeps_its_words(columns):
    for text in messages("ko"):
        lines = wrap(text, columns, "    ", "      ", lang="ko")
        assert " ".join(line.strip() for line in lines) == " ".join(text.split())
        assert broken_words("\n".join(lines), WORDS) == []


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.text(alphabet="가나다라마바사아자차카타파하힣각", min_size=1, max_size=9), min_size=1,
                      max_size=30),
       columns=st.integers(min_value=12, max_value=60))
def test_korean_words_stay_whole_whatever_the_width(words, columns):
    text = " ".join(words)
    lines = wrap(text, columns, lang="ko")
    assert [w for line in lines for w in line.split()] == words
    assert all(width(line) <= columns or len(line.split()) == 1 for line in lines)


# -- Chinese and Japanese: between characters, by kinsoku ---------------------------------------------------------

def breaks_inside_code(text, lines):
    """Where ``lines`` (``text`` wrapped) split a run of Latin letters or digits: not at a space, inside code."""
    found, pos = [], 0
    for line in lines:
        part = line.strip()
        pos = text.index(part, pos) + len(part)
        if 0 < pos < len(text) and text[pos] != " " and re.match(r"\w\w", text[pos - 1:pos + 1], re.ASCII):
            found.append(text[pos - 5:pos + 5])
    return found


@pytest.mark.parametrize("lang", ["zh", "ja"])
@pytest.mark.parametrize("columns", [20, 33, 50, 77, 100])
def test_kinsoku(lang, columns):
    for text in messages(lang):
        lines = wrap(text, columns, lang=lang)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for a, b in zip(lines, lines[1:], strict=False):
            assert a[-1] not in NO_END, (a, b)
            assert b[0] not in NO_START, (a, b)
        assert breaks_inside_code(text, lines) == [], lines
        for line in lines:  # wider than the line only where the rules allow no break
            assert width(line) <= columns or wrap(line, width(line) - 1, lang=lang) == [line], line


def test_chinese_and_japanese_lines_that_used_to_break_badly():
    zh = ("用了输入 x 而不是输出：sigmoid 的导数是 y(1 - y)，其中 y 是正向传播的输出。"
          "请保存它（self.out = out），再计算。")
    ja = "backward ではパラメータの勾配をレイヤに保持します（ネットワークはそこから勾配を受け取ります）。"
    ko = ("x와 y가 뒤바뀌었습니다. out = x * y의 역전파는 dx = dout * y, dy = dout * x입니다"
          "(곱셈 노드는 입력 신호를 곱합니다).")
    for columns in range(16, 90):
        for text, lang in ((zh, "zh"), (ja, "ja")):
            lines = wrap(text, columns, "    ", "      ", lang=lang)
            assert not any(line.endswith("（") for line in lines), lines
            assert not any(line.lstrip().startswith(("）", "。", "，", "：")) for line in lines), lines
        assert " ".join(line.strip() for line in wrap(ko, columns, "    ", "      ", lang="ko")) == ko
    assert wrap(ko, 70, lang="ko") == ["x와 y가 뒤바뀌었습니다. out = x * y의 역전파는 dx = dout * y, dy =",
                                       "dout * x입니다(곱셈 노드는 입력 신호를 곱합니다)."]


def test_japanese_keeps_katakana_words_whole():
    text = "それより損失に近いレイヤはすべて正しく動いています。ニューラルネットワークのパラメータです。"
    for columns in range(8, 60):
        for line in wrap(text, columns, lang="ja"):
            assert not re.search(r"[ァ-ヶー]$", line) or line.endswith(("レイヤ", "ネットワーク", "パラメータ")), line


def test_english_breaks_at_spaces():
    lines = wrap("walking backward from the loss, the gradient first goes wrong in Relu1", 30, "", "  ")
    assert lines == ["walking backward from the", "  loss, the gradient first", "  goes wrong in Relu1"]


def test_a_word_wider_than_the_line_stays_whole():
    assert wrap("a verylongidentifier_without_spaces b", 10) == ["a", "verylongidentifier_without_spaces", "b"]


# -- what chainrule prints ------------------------------------------------------------------------------------------

def test_the_scan_finds_a_broken_korean_word():
    report = "    힌트: 책의 `dout[self.mask] = 0`은 dout에 직접 씁니\n      다. 호출한 쪽"
    assert broken_words(report, WORDS) == ["씁니|다."]
    assert broken_words("    곱셈 노\n      드는 입력", WORDS) == ["노|드는"]
    assert broken_words("    곱셈\n      노드는 입력", WORDS) == []


@pytest.mark.parametrize("network", [False, True])
def test_korean_check_reports_hold_no_broken_word(network):
    names = sorted(p.stem for p in FILES.glob("net_*.py" if network else "mistake_*.py"))
    starters = [ROOT / "examples" / "exercises" / ("my_two_layer_net.py" if network else "my_layers.py")]
    for path in [FILES / f"{n}.py" for n in names] + starters:
        for seed in (0, 1):
            text = check(path, network=network, lang="ko", rng=seed).render()
            assert broken_words(text, WORDS) == [], (path.name, broken_words(text, WORDS))


def test_saved_korean_notebooks_hold_no_broken_word():
    nbformat = pytest.importorskip("nbformat")
    for path in sorted(Path(ROOT / "notebooks" / "ko").glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        text = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
        assert broken_words(text, WORDS) == [], (path.name, broken_words(text, WORDS))
