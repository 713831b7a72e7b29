"""README.ko.md, README.zh-CN.md and README.ja.md follow README.md: the same sections in the same order, the
same code and commands (their comments may be translated), the code of the prose untranslated, and outputs
that are real runs: the same numbers as the English run (the seconds, sizes and folder times left aside), and
the reports of ``chainrule check`` exactly what the command prints in that language today.

When the English changes, these tests say where each translation fell behind; the translator follows.
"""

from __future__ import annotations

import re

import pytest

from chainrule import cli
from chainrule.i18n import LANGUAGES
from tests import ROOT
from tests.docs.helpers import LANGS, compare_pages, page, sections

READMES = {"en": "README.md", **{code: f"README.{suffix}.md" for code, suffix in LANGS.items()}}
LOCALE = {"en": "C.UTF-8", "ko": "ko_KR.UTF-8", "zh": "zh_CN.UTF-8", "ja": "ja_JP.UTF-8"}


@pytest.mark.parametrize("lang", list(LANGS))
def test_the_translation_follows_the_english(lang):
    problems = compare_pages(page("README.md"), page(READMES[lang]), READMES[lang])
    assert not problems, "\n\n".join(problems)


def check_runs():
    """``(language, command, output shown)`` of every ``chainrule check`` run a README shows."""
    found = []
    for lang, name in READMES.items():
        for section in sections(page(name)):
            for (info, command), (info_next, shown) in zip(section.blocks, section.blocks[1:], strict=False):
                if info == "bash" and command.startswith("chainrule check ") and "\n" not in command \
                        and info_next == "":
                    found.append((lang, command, shown))
    return found


@pytest.mark.parametrize("lang, command, shown", check_runs(),
                         ids=[f"{lang}: {command}" for lang, command, _ in check_runs()])
def test_check_reports_shown_are_what_the_command_prints(capsys, monkeypatch, lang, command, shown):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("LANG", LOCALE[lang])
    argv, *pipe = command.split(" | ")
    cli.main(argv.split()[1:])
    out = capsys.readouterr().out.splitlines()
    if pipe:  # sed -n A,Bp
        first, last = map(int, re.fullmatch(r"sed -n (\d+),(\d+)p", pipe[0]).groups())
        out = out[first - 1:last]
    assert "\n".join(out) == shown


def test_every_readme_shows_the_check_reports():
    assert {lang for lang, _, _ in check_runs()} == set(LANGUAGES)
    assert len(check_runs()) == 4 * len([r for r in check_runs() if r[0] == "en"]) >= 12
