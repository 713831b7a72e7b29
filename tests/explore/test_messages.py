"""Every string the explore page shows comes from one table (chainrule.explore.messages), in the page's language."""

from __future__ import annotations

import re

import pytest

from chainrule.explore import page_html
from chainrule.explore.messages import MESSAGES
from chainrule.graph import figure_payloads
from tests import ROOT
from tests.explore.test_page import page_data

ASSETS = ROOT / "src" / "chainrule" / "explore"
ID = r"[a-z][a-z0-9]*(?:\.[a-z0-9_-]+)+"


def used_ids():
    """Message ids the page's script and markup name: t('id'), 'id' in a table of ids, data-msg="id"."""
    script = "".join(p.read_text(encoding="utf-8") for p in ASSETS.glob("*.js"))
    markup = (ASSETS / "explore.html").read_text(encoding="utf-8")
    python = "".join(p.read_text(encoding="utf-8") for p in ASSETS.glob("*.py") if p.name != "messages.py")
    quoted = set(re.findall(rf"'({ID})'", script)) | set(re.findall(rf'data-msg(?:-[a-z-]+)?="({ID})"', markup))
    return {q for q in quoted if not q.endswith(".js")} | set(re.findall(rf'MESSAGES\.text\("({ID})"', python))


def test_every_message_the_page_names_is_in_the_table_and_every_message_is_used():
    used = used_ids()
    assert sorted(used - set(MESSAGES)) == []  # no string the table does not have
    assert sorted(set(MESSAGES) - used) == []  # no message nothing shows
    assert len(MESSAGES) > 100


def test_no_visible_english_in_the_markup_outside_the_table():
    markup = (ASSETS / "explore.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", markup)
    assert text.split() == ["chainrule", "explore", "x", "y", "&#x2013;"]  # the name, two coordinates, a dash


@pytest.mark.parametrize(("lang", "tag"), [("en", "en"), ("ko", "ko"), ("zh", "zh-CN"), ("ja", "ja")])
def test_a_page_embeds_its_languages_messages(lang, tag):
    title = "Buying apples and oranges (figure 5-17)"
    text = page_html(graphs=figure_payloads(lang), lang=lang)
    assert f'<html lang="{tag}">' in text
    data = page_data(text)
    assert data["catalog"] == MESSAGES.table(lang) and set(data["catalog"]) == set(MESSAGES)
    english = MESSAGES.table("en")
    if lang == "en":
        assert data["catalog"]["graph.forward"].startswith("Forward through") and data["graphs"][1]["title"] == title
    else:  # translated: every message with words differs from the English (formulas stay formulas)
        words = [k for k in english if len(re.sub(r"\{\w+\}|[^A-Za-z]", "", english[k])) > 12]
        assert [k for k in words if data["catalog"][k] == english[k]] == []
        assert len(words) > 60 and data["graphs"][1]["title"] != title
