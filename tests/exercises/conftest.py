"""Shared by the tests of ``chainrule check``."""

import pytest


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """Reports in English unless a test asks for another language (the default follows the locale)."""
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
