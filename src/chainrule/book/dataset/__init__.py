"""The book's ``dataset`` package, re-exported from chainrule (no code of its own)."""
