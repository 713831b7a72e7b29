"""Messages in the reader's language: English in the code, translations in gettext catalogs.

A room writes its learner-facing text once, in English, as a :class:`Messages` table (a key and
its English text, with ``{name}`` placeholders as in :meth:`str.format`). The translations are
gettext catalogs, one per language and domain: ``locales/<locale>/LC_MESSAGES/chainrule.po``
beside this module, in which each entry's ``msgctxt`` is the table's prefix and key
(``check.hint.forgot_dout``), its ``msgid`` the English text and its ``msgstr`` the translation.
At run time the standard library's :mod:`gettext` reads the compiled ``.mo`` beside each
``.po``; an entry whose English changed since it was translated is not used (the English shows
until the translator catches up). ``python tools/i18n.py update`` and ``compile`` (with Babel)
keep the catalogs in step with the tables; docs/translating.md is the translator's guide.
"""

from __future__ import annotations

import functools
import gettext
import os
import string
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["DOMAIN", "LANGUAGES", "LOCALEDIR", "LOCALES", "Messages", "default_language", "fields",
           "language", "tables", "translations"]

#: The languages chainrule speaks: English (the language of the code) and the three of the book's
#: translations it follows (Korean, Simplified Chinese, Japanese).
LANGUAGES = ("en", "ko", "zh", "ja")
#: The catalog folder (a POSIX locale name, as translators' tools expect) of each translated language.
LOCALES = {"ko": "ko", "zh": "zh_CN", "ja": "ja"}
#: The gettext domain of the package's messages, and where its catalogs are.
DOMAIN = "chainrule"
LOCALEDIR = Path(__file__).resolve().parent / "locales"

_TABLES = []  # every Messages table made so far, in order (tools/i18n.py extracts them)


def default_language(environ=None):
    """``"ko"``, ``"zh"``, ``"ja"`` or ``"en"`` from LC_ALL, LC_MESSAGES or LANG (the first one set)."""
    environ = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"


def language(lang=None):
    """``lang`` checked (``"ko-KR"`` -> ``"ko"``, ``"zh_CN"`` -> ``"zh"``); None: :func:`default_language`.

    Raises
    ------
    ValueError
        ``lang`` is none of :data:`LANGUAGES`.
    """
    if lang is None:
        return default_language()
    code = str(lang).lower().split("-")[0].split("_")[0]
    if code not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return code


@functools.cache
def translations(lang, domain=DOMAIN, localedir=None):
    """The compiled catalog of ``domain`` in ``lang`` (a :class:`gettext.GNUTranslations`).

    English, or a language whose catalog is not there, gets :class:`gettext.NullTranslations`
    (every message in English). ``localedir``: the folder holding ``<locale>/LC_MESSAGES/<domain>.mo``
    (default: the package's catalogs).
    """
    lang = language(lang)
    if lang == "en":
        return gettext.NullTranslations()
    folder = LOCALEDIR if localedir is None else Path(localedir)
    return gettext.translation(domain, folder, languages=[LOCALES[lang]], fallback=True)


def fields(template):
    """The names of the ``{placeholders}`` of ``template``, in order (``"{a} and {b}"`` -> ``["a", "b"]``).

    Raises
    ------
    ValueError
        ``template`` is not a valid :meth:`str.format` template (an unmatched brace).
    """
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


class Messages(Mapping):
    """A table of learner-facing messages: ``{key: English text}`` under a ``prefix``.

    ``table.text(key, lang, **fields)`` is the message in ``lang`` (the catalog's translation of
    the English, or the English itself), formatted with ``fields``; ``table[key]`` the English.
    Each key's catalog entry is ``msgctxt "<prefix>.<key>"``, ``msgid "<English>"``.

    Parameters
    ----------
    prefix : str
        What the keys of this table start with in the catalogs (the room's name: ``"check"``).
    english : dict of str to str
        The messages in English; ``{name}`` placeholders are filled by :meth:`text`.
    domain : str
        The gettext domain (default the package's, ``"chainrule"``).
    localedir : str or Path, optional
        Where the domain's catalogs are (default the package's ``locales`` folder).
    """

    def __init__(self, prefix, english, *, domain=DOMAIN, localedir=None):
        for key, value in english.items():
            if not (isinstance(key, str) and isinstance(value, str) and value):
                raise TypeError(f"{prefix}: messages are non-empty strings keyed by strings; got {key!r}: {value!r}")
            fields(value)  # a malformed template fails here, when its module loads
        self.prefix, self.domain, self.localedir = prefix, domain, localedir
        self.module = sys._getframe(1).f_globals.get("__name__")  # where the English is (for translators)
        self._english = dict(english)
        _TABLES.append(self)

    def __getitem__(self, key):
        return self._english[key]

    def __iter__(self):
        return iter(self._english)

    def __len__(self):
        return len(self._english)

    def context(self, key):
        """The key as the catalogs know it (gettext's ``msgctxt``): ``"<prefix>.<key>"``."""
        return f"{self.prefix}.{key}"

    def template(self, key, lang=None):
        """The unformatted message ``key`` in ``lang`` (None: the locale's language)."""
        english = self._english[key]
        return translations(language(lang), self.domain, self.localedir).pgettext(self.context(key), english)

    def text(self, key, lang=None, /, **values):
        """The message ``key`` in ``lang``, its placeholders filled with ``values`` (none given: as written)."""
        template = self.template(key, lang)
        return template.format(**values) if values else template

    def table(self, lang=None):
        """``{key: template in lang}`` for every key (what a page embeds as its catalog)."""
        lang = language(lang)
        return {key: self.template(key, lang) for key in self._english}


def tables():
    """Every :class:`Messages` table made so far (those of the modules imported), in order."""
    return list(_TABLES)
