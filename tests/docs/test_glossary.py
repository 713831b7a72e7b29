"""docs/glossary.md names one term per concept and language, and everything translated uses it: its table of
other spellings is read, and each of those is flagged wherever a learner reads it (the translated READMEs and
docs, the notebooks' prose, the messages of the checker, the page and the command), code excepted."""

import re

import pytest

from chainrule.i18n import LOCALEDIR, LOCALES
from tests import ROOT
from tests.docs.helpers import LANGS

GLOSSARY = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
CODES = {"한국어": "ko", "中文": "zh", "日本語": "ja"}


def tables():
    """``{section title: rows}`` of the glossary's tables (a row is its list of cells)."""
    out = {}
    for part in re.split(r"^## ", GLOSSARY, flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        rows = [line for line in body.splitlines() if line.startswith("|")]
        out[title.strip()] = [[c.strip() for c in row.strip("|").split("|")] for row in rows[2:]]
    return out


def other_spellings():
    """``{language code: [(spelling not used, the term), ...]}``."""
    found = {}
    for language, wrong, right in tables()["Other spellings"]:
        found.setdefault(CODES[language], []).append((wrong, right))
    return found


def without_code(text):
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"(`+).+?\1", "", text, flags=re.S)


def translated_texts(lang):
    """``{where: text}``: everything a learner reads in ``lang``."""
    from babel.messages.pofile import read_po

    suffix = LANGS[lang]
    texts = {f"README.{suffix}.md": (ROOT / f"README.{suffix}.md").read_text(encoding="utf-8")}
    for path in sorted((ROOT / "docs").glob(f"*.{suffix}.md")):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    for po in (LOCALEDIR / LOCALES[lang] / "LC_MESSAGES" / "chainrule.po",
               ROOT / "notebooks" / "locales" / LOCALES[lang] / "LC_MESSAGES" / "notebooks.po"):
        with open(po, "rb") as f:
            for i, m in enumerate(read_po(f)):
                if m.id and m.string:  # the notebooks' contexts repeat (one per notebook): numbered
                    texts[f"{po.relative_to(ROOT)}: {m.context} ({i})"] = m.string
    return texts


def test_every_row_names_a_term_in_every_language():
    for title, rows in tables().items():
        for row in rows:
            assert len(row) in (3, 4) and all(row), (title, row)
    assert len(tables()["Chapter 5: backpropagation"]) >= 25
    assert set(other_spellings()) == {"ko", "zh", "ja"}


@pytest.mark.parametrize("lang", ["ko", "zh", "ja"])
def test_the_glossarys_terms_are_used_everywhere(lang):
    pytest.importorskip("babel", reason="the catalogs are read with Babel")
    found = []
    for where, text in translated_texts(lang).items():
        prose = without_code(text)
        for wrong, right in other_spellings()[lang]:
            for m in re.finditer(re.escape(wrong), prose):
                context = prose[max(0, m.start() - 20):m.end() + 20]
                found.append(f"{where}: {wrong!r} (the glossary: {right}) in …{context}…")
    assert not found, "\n".join(found)


def test_the_scan_flags_another_spelling():
    assert "엣지" in [w for w, _ in other_spellings()["ko"]]
    assert without_code("에지 `엣지` 엣지\n```\n엣지\n```\n") == "에지  엣지\n\n"
