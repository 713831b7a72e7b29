"""chainrule.i18n: the language chosen, a table of messages translated through the catalogs."""

import gettext

import pytest

from chainrule import i18n
from chainrule.i18n import LANGUAGES, Messages, default_language, fields, language

# -- the language ---------------------------------------------------------------------------------

@pytest.mark.parametrize("given, code", [("ko", "ko"), ("ko-KR", "ko"), ("zh_CN", "zh"), ("zh-TW", "zh"),
                                         ("JA", "ja"), ("en_US", "en")])
def test_language_codes(given, code):
    assert language(given) == code


def test_language_refuses_what_it_does_not_speak():
    with pytest.raises(ValueError, match="lang must be one of en, ko, zh, ja; got 'fr'"):
        language("fr")


def test_language_none_is_the_locale(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    assert language(None) == "ko" == default_language()


# -- a table ---------------------------------------------------------------------------------------

def test_a_table_translates_through_the_catalog_and_fills_the_fields():
    from chainrule.exercises.messages import MESSAGES

    assert MESSAGES.text("col.layer", "ko") == "계층" and MESSAGES.text("col.layer", "en") == "layer"
    assert MESSAGES.text("summary.todo", "ja", names="Relu") == "未実装のレイヤ：Relu"
    assert MESSAGES["col.layer"] == "layer" and MESSAGES.context("col.layer") == "check.col.layer"
    assert MESSAGES.table("zh")["col.shape"] == "形状" and set(MESSAGES.table("zh")) == set(MESSAGES)


def test_english_that_changed_since_translation_is_shown_in_english():
    """A translation belongs to the English it was made from: changed English is not given a stale one."""
    table = Messages("check", {"col.layer": "layer of the network"})
    try:
        assert table.text("col.layer", "ko") == "layer of the network"
    finally:
        i18n.catalogs._TABLES.remove(table)  # noqa: SLF001  (not a table of the package)


def test_a_malformed_template_fails_when_its_table_is_made():
    with pytest.raises(ValueError):
        Messages("test", {"a": "unmatched {brace"})
    with pytest.raises(TypeError, match="non-empty strings"):
        Messages("test", {"a": ""})


def test_fields():
    assert fields("{source}: {n} of {layers} layer(s)") == ["source", "n", "layers"]
    assert fields("params['{param}'] and {{literal}}") == ["param"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_of_each_language(lang):
    t = i18n.translations(lang)
    assert isinstance(t, gettext.NullTranslations)
    assert (type(t) is gettext.NullTranslations) == (lang == "en")
