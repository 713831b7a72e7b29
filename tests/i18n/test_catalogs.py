"""The translation catalogs: every message in every language, the same placeholders and code, compiled.

The English is in the code (:class:`chainrule.i18n.Messages` tables, the notebooks' Markdown cells);
the translations in gettext catalogs (``.po``, compiled to the ``.mo`` read at run time). These tests
hold the two together, through ``tools/i18n.py``, the one tool that extracts, merges and compiles.
"""

import gettext
import importlib.util
import re
import sys

import pytest

from chainrule import i18n
from chainrule.i18n import LANGUAGES, LOCALES, Messages, default_language, fields, language
from tests import ROOT

pytest.importorskip("babel", reason="the catalog tests read .po files with Babel (pip install -e '.[test]')")


def _load_tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tool = _load_tool()
DOMAINS = {d.name: d for d in tool.domains()}
CASES = [(d, loc) for d in DOMAINS for loc in LOCALES.values()]


@pytest.fixture(scope="module")
def templates():
    return {name: tool.template(d) for name, d in DOMAINS.items()}


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
    assert MESSAGES.text("summary.todo", "ja", names="Relu") == "まだ実装されていないレイヤ: Relu"
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


# -- the catalogs agree with the code -------------------------------------------------------------------

@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_is_the_english_of_the_code(domain, templates):
    d = DOMAINS[domain]
    assert tool.entries(tool.read(d.pot)) == tool.entries(templates[domain]), \
        f"{d.pot.relative_to(ROOT)} is stale: run python tools/i18n.py update"


@pytest.mark.parametrize("domain, locale", CASES)
def test_every_message_in_every_language(domain, locale, templates):
    d = DOMAINS[domain]
    found = tool.problems(d, locale, tool.read(d.po(locale), locale), templates[domain])
    assert not found, "\n".join(found)


@pytest.mark.parametrize("domain, locale", CASES)
def test_the_compiled_catalog_is_the_po(domain, locale):
    """The .mo read at run time is exactly what the .po compiles to, and gives the .po's translations."""
    po = DOMAINS[domain].po(locale)
    assert tool.mo_agrees(po), f"{po.with_suffix('.mo').relative_to(ROOT)}: run python tools/i18n.py compile"
    with open(po.with_suffix(".mo"), "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for m in tool.read(po):
        if m.id and m.string and not m.fuzzy:
            assert compiled.pgettext(m.context, m.id) == m.string, m.context


def test_every_table_is_translated_at_run_time():
    tool.package_messages()  # imports every module, so every table is made
    tables = [t for t in i18n.tables() if t.domain == i18n.DOMAIN]
    assert {t.prefix for t in tables} >= {"check"}
    for table in tables:
        for lang in ("ko", "zh", "ja"):
            translated = table.table(lang)
            untranslated = [k for k, v in translated.items()
                            if v == table[k] and len(re.sub(r"\{\w+\}", "", table[k])) > 12]  # words, not fields
            assert not untranslated, (table.prefix, lang, untranslated)


# -- the checks themselves can fail -----------------------------------------------------------------------

def _catalog(*entries, locale="ko"):
    from babel.messages.catalog import Catalog

    cat = Catalog(locale=locale, domain="chainrule")
    for context, english, string, *flags in entries:
        cat.add(english, string, context=context, flags=flags)
    return cat


def test_problems_names_each_kind_of_mistake():
    d = DOMAINS["chainrule"]
    pot = _catalog(("a", "{n} layers", ""), ("b", "missing `/ batch_size`", ""), ("c", "not done", ""),
                   ("d", "changed", ""))
    cat = _catalog(("a", "{n} layers", "{count}개 계층"), ("b", "missing `/ batch_size`", "`/ 배치 크기`가 빠졌습니다"),
                   ("c", "not done", ""), ("d", "changed", "바뀜", "fuzzy"), ("e", "gone", "사라짐"))
    found = "\n".join(tool.problems(d, "ko", cat, pot))
    assert "a: placeholders ['count'], the English has ['n']" in found
    assert "b: code changed or missing (code is never translated): `/ batch_size`" in found
    assert "c: not translated" in found and "d: fuzzy" in found and "e: no longer in the English" in found


def test_merge_keeps_translations_and_marks_changed_english_fuzzy():
    pot = _catalog(("check.x", "the same", ""), ("check.y", "new wording", ""), ("check.z", "brand new", ""))
    old = _catalog(("check.x", "the same", "그대로"), ("check.y", "old wording", "예전 표현"),
                   ("check.gone", "removed", "삭제됨"))
    new = tool.merge(old, pot, keyed=True, locale="ko")
    assert tool.entries(new) == {("check.x", "the same"): ("그대로", False),
                                 ("check.y", "new wording"): ("예전 표현", True),
                                 ("check.z", "brand new"): ("", False)}
    assert new.get("new wording", context="check.y").previous_id == ["old wording"]


def test_merge_of_prose_finds_the_paragraph_that_was_edited():
    pot = _catalog(("01_nb", "The chain rule multiplies local derivatives, node by node.", ""))
    old = _catalog(("01_nb", "The chain rule multiplies the local derivatives node by node.", "연쇄법칙"),
                   ("01_nb", "Something else entirely, unrelated.", "무관"))
    new = tool.merge(old, pot, keyed=False, locale="ko")
    assert list(tool.entries(new).values()) == [("연쇄법칙", True)]


def test_code_spans_and_fences():
    text = "use `dx = dout * y`, `lang=\"en\"`\n```python\nx = 1\n```\nand `a\n  b`"
    assert tool.code_of(text) == sorted(["```python\nx = 1\n```", "`dx = dout * y`", '`lang="en"`', "`a b`"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_of_each_language(lang):
    t = i18n.translations(lang)
    assert isinstance(t, gettext.NullTranslations)
    assert (type(t) is gettext.NullTranslations) == (lang == "en")
