"""The translation catalogs: every message in every language, the same placeholders and code, compiled.

The English is in the code (:class:`chainrule.i18n.Messages` tables, the notebooks' Markdown cells);
the translations in gettext catalogs (``.po``, compiled to the ``.mo`` read at run time). These tests
hold the two together, through ``tools/i18n.py``, the one tool that extracts, merges and compiles.
"""

import gettext
import re

import pytest

from chainrule import i18n
from chainrule.i18n import LOCALES
from tests import ROOT
from tests.i18n.helpers import tool

pytest.importorskip("babel", reason="the catalog tests read .po files with Babel (pip install -e '.[test]')")

DOMAINS = {d.name: d for d in tool.domains()}
CASES = [(d, loc) for d in DOMAINS for loc in LOCALES.values()]


@pytest.fixture(scope="module")
def templates():
    return {name: tool.template(d) for name, d in DOMAINS.items()}


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
            words = {k for k in table if len(re.sub(r"\{\w+\}|[^A-Za-z]", "", table[k])) > 12}  # not fields, formulas
            untranslated = [k for k, v in translated.items() if v == table[k] and k in words]
            assert not untranslated, (table.prefix, lang, untranslated)


