"""The book's ``common`` package, re-exported from chainrule (no code of its own)."""
