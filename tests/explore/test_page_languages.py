"""The explorer page in the reader's language: its words from the catalogs, its numbers unchanged.

The page in a browser, language by language, is tests/explore/test_page_languages_browser.py.
"""

from __future__ import annotations

import pytest

from chainrule.cli import main
from chainrule.explore import page as page_module
from chainrule.explore import page_html
from chainrule.explore.messages import TEXT
from chainrule.graph import Graph, figure_payloads
from chainrule.i18n import LANGUAGES, TAGS
from tests.explore.test_page import page_data

#: The lede of the page, as each language writes it (a sentence only that language has).
LEDE = {"en": "Forward values ride above each edge", "ko": "에지 위에는 순전파 값이",
        "zh": "每条边的上方是正向传播的值", "ja": "エッジの上には順伝播の値"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_speaks_its_language_and_keeps_the_numbers(lang):
    text = page_html(graphs=figure_payloads(lang), lang=lang)
    english = page_data(page_html(graphs=figure_payloads("en"), lang="en"))
    data = page_data(text)
    markup = text.split("<body>")[1].split("<script")[0]
    assert f'<html lang="{TAGS[lang]}">' in text and "{{" not in markup and "}}" not in markup
    assert LEDE[lang] in text and all(LEDE[other] not in text for other in LANGUAGES if other != lang)
    assert data["text"] == TEXT.table(lang) and set(data["text"]) == set(TEXT)
    numbers = ("values", "nodes", "root", "seed", "computable")
    assert [{k: g[k] for k in numbers} for g in data["graphs"]] == \
           [{k: g[k] for k in numbers} for g in english["graphs"]]  # the words change, never the numbers


def test_figure_titles_are_translated():
    titles = {lang: [g["title"] for g in figure_payloads(lang)] for lang in LANGUAGES}
    assert titles["en"][0] == "Buying apples (figure 5-16)" and titles["ko"][0] == "사과 쇼핑 (그림 5-16)"
    assert titles["zh"][1] == "买苹果和橘子（图5-17）" and titles["ja"][2].endswith("（図5-19）")


def test_code_in_the_page_words_is_code():
    text = page_html(graphs=figure_payloads("ko"), lang="ko")
    assert "<code>chainrule predict</code>와 똑같이 준비한 이미지입니다" in text
    assert '<span class="swatch blue"></span> 이곳에 잉크가 많을수록' in text  # the fields filled with elements
    assert '레이블 <span id="chosen">&#x2013;</span>의 d 손실' in text


def test_a_message_whose_fields_the_page_does_not_fill_is_an_error(monkeypatch):
    monkeypatch.setitem(page_module._ELEMENTS, "model.backward", {})  # noqa: SLF001
    with pytest.raises(ValueError, match=r"model.backward has the fields \['label'\]; the page fills \[\]"):
        page_html(graphs=figure_payloads("en"), lang="en")


@pytest.mark.parametrize("lang, line", [
    ("ko", "에 저장했습니다("), ("zh", "已写入 "), ("ja", " に書き出しました（"), ("en", "wrote ")])
def test_explore_lang_writes_the_page_and_says_so_in_that_language(tmp_path, capsys, lang, line):
    out = tmp_path / "page.html"
    assert main(["explore", "sigmoid", "--lang", lang, "--out", str(out)]) == 0
    assert line in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert f'<html lang="{TAGS[lang]}">' in text and LEDE[lang] in text


def test_explore_default_language_is_the_locale(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    out = tmp_path / "page.html"
    assert main(["explore", "--out", str(out)]) == 0
    assert "書き出しました" in capsys.readouterr().out and LEDE["ja"] in out.read_text(encoding="utf-8")


def test_graph_to_html_in_a_language(tmp_path):
    g = Graph()
    a = g.input(3.0, name="a")
    b = a * a
    b.name = "b"
    b.backward()
    data = page_data(g.to_html(tmp_path / "g.html", lang="zh").read_text(encoding="utf-8"))
    assert data["graphs"][0]["title"] == "你的计算图" and data["text"]["graph.play"] == "▶ 播放"
