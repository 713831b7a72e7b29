"""The reader's language: every learner-facing string in English, Korean, Chinese or Japanese.

A room writes its messages once, in English, as a :class:`Messages` table; the translations are
gettext catalogs (``locales/<locale>/LC_MESSAGES/chainrule.po``, compiled to the ``.mo`` the
standard library's :mod:`gettext` reads). :func:`language` picks the language (``--lang``, or the
locale as :func:`default_language` reads it). docs/translating.md tells a translator how to add or
edit a message; ``python tools/i18n.py`` extracts, merges and compiles the catalogs.
"""

from .catalogs import (
    DOMAIN,
    LANGUAGES,
    LOCALEDIR,
    LOCALES,
    Messages,
    default_language,
    fields,
    language,
    tables,
    translations,
)

__all__ = ["DOMAIN", "LANGUAGES", "LOCALEDIR", "LOCALES", "Messages", "default_language", "fields",
           "language", "tables", "translations"]
