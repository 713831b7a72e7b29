"""Shared by the i18n tests: tools/i18n.py as a module; finding Korean words broken across lines.

Korean breaks lines only at spaces, so where a line ends in Hangul and the next one starts with
Hangul, the last word of the one and the first word of the other must both be whole words. The
words are those of the Korean catalog (everything Korean chainrule prints comes from it): a line
that ends in "씁니" (of "씁니다") or a next line that starts with "다." is a broken word.
"""

from __future__ import annotations

import importlib.util
import re
import sys

from chainrule.i18n import LOCALEDIR
from tests import ROOT


def _load_tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


#: ``tools/i18n.py`` (tools/ is not a package): extract, merge, compile and check the catalogs.
tool = _load_tool()

HANGUL = "\uac00-\ud7a3"
_TAIL = re.compile(f"[{HANGUL}]+$")
_HEAD = re.compile(f"^[{HANGUL}]+")


def catalog_words():
    """``(tails, heads)``: the Hangul runs that end and that start a word of the Korean catalog."""
    from babel.messages.pofile import read_po

    with open(LOCALEDIR / "ko" / "LC_MESSAGES" / "chainrule.po", "rb") as f:
        catalog = read_po(f)
    tails, heads = set(), set()
    for m in catalog:
        if not (m.id and m.string):
            continue
        for token in re.sub(r"\{\w+\}", " ", m.string).split():  # a placeholder's value is never Hangul
            for part in re.split(f"[^{HANGUL}]+", token):
                if part:
                    tails.add(part)
                    heads.add(part)
            if (t := _TAIL.search(token)) is not None:
                tails.add(t.group(0))
            if (h := _HEAD.search(token)) is not None:
                heads.add(h.group(0))
    return tails, heads


def broken_words(text, words=None):
    """The places in ``text`` where a Hangul word is split across two lines: ``["씁니|다", ...]``."""
    tails, heads = words or catalog_words()
    found = []
    lines = text.splitlines()
    for a, b in zip(lines, lines[1:], strict=False):
        end, start = _TAIL.search(a.rstrip()), _HEAD.search(b.lstrip())
        if end and start and a.rstrip()[-1:] and (end.group(0) not in tails or start.group(0) not in heads):
            found.append(f"{a.rstrip().split()[-1]}|{b.split()[0]}")
    return found
