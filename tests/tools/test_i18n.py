"""tools/i18n.py: what it finds wrong in a catalog, how it merges new English into one, what is code."""

import pytest

from tests.i18n.helpers import tool

pytest.importorskip("babel", reason="tools/i18n.py works with Babel's catalogs (pip install -e '.[test]')")

DOMAINS = {d.name: d for d in tool.domains()}


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


