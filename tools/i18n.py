"""The translation catalogs: extract the English, merge it into each language's .po, compile the .mo.

    python tools/i18n.py update     # after changing English text: .pot and .po follow it, .mo recompiled
    python tools/i18n.py compile    # after translating: the .mo from the .po
    python tools/i18n.py check      # what a translator still has to do (exit status 1 if anything)
    python tools/i18n.py adopt chainrule.exercises.hints:HINTS check
                                    # a {key: {lang: text}} table into English + catalog entries (prints the English)
    python tools/i18n.py resolve    # after a merge that conflicts in the catalogs: both sides' translations
                                    # kept, the .pot, .po and .mo made anew from the code (then git add them)

Two domains, each with a template (.pot) and one catalog per language (``<dir>/<locale>/LC_MESSAGES``):

* ``chainrule`` (src/chainrule/i18n/locales): every :class:`chainrule.i18n.Messages` table of the
  package (found by importing its modules); ``msgctxt`` is the table's prefix and key, ``msgid`` the
  English.
* ``notebooks`` (notebooks/locales): the Markdown cells of notebooks/source/*.py; ``msgctxt`` is the
  notebook's name, ``msgid`` the cell's English text.

An entry whose English changed keeps its old translation marked fuzzy, with the old English beside it
(``#| msgid``), until a translator reviews it; fuzzy entries are not compiled. Needs Babel
(``pip install babel``; the ``test`` extra has it). docs/translating.md is the translator's guide.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib
import io
import pkgutil
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


@dataclass(frozen=True)
class Domain:
    name: str
    localedir: Path
    keyed: bool  # entries are found by their msgctxt alone (a key), not by their English

    def po(self, locale):
        return self.localedir / locale / "LC_MESSAGES" / f"{self.name}.po"

    @property
    def pot(self):
        return self.localedir / f"{self.name}.pot"


def domains():
    from chainrule.i18n import DOMAIN, LOCALEDIR

    return [Domain(DOMAIN, LOCALEDIR, True), Domain("notebooks", NOTEBOOKS / "locales", False)]


def _babel():
    try:
        from babel.messages import catalog, mofile, pofile
    except ImportError:
        sys.exit("tools/i18n.py needs Babel: pip install babel (or pip install -e '.[test]')")
    return catalog, pofile, mofile


NAMES = {"ko": "Korean", "zh_CN": "Simplified Chinese", "ja": "Japanese", None: "English"}


def new_catalog(domain, locale=None):
    """An empty catalog with chainrule's header (a template when ``locale`` is None)."""
    catalog, _, _ = _babel()
    from chainrule import __version__

    what = "template" if locale is None else f"{NAMES[locale]} translation"
    of = "messages" if domain == "chainrule" else domain
    return catalog.Catalog(
        locale=locale, domain=domain, project="chainrule", version=__version__, fuzzy=False,
        header_comment=f"# The {what} of chainrule's {of}.\n# How to edit it: docs/translating.md\n#",
        copyright_holder="the chainrule authors", msgid_bugs_address="the chainrule issue tracker",
        last_translator="the chainrule translators", language_team=f"chainrule, {NAMES[locale]}")


# -- the English ------------------------------------------------------------------------------------

def package_messages():
    """``[(context, English, module)]`` of every Messages table of the package, sorted by context."""
    import chainrule
    from chainrule.i18n import DOMAIN, tables

    for info in pkgutil.walk_packages(chainrule.__path__, "chainrule."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue
        try:
            importlib.import_module(info.name)
        except ImportError as exc:  # an optional extra not installed: its module cannot hold messages then
            print(f"i18n: skipped {info.name} ({exc})", file=sys.stderr)
    found, seen = [], {}
    for table in tables():
        if table.domain != DOMAIN:
            continue
        for key, english in table.items():
            context = table.context(key)
            if context in seen:
                raise SystemExit(f"i18n: {context} is defined twice ({seen[context]} and {table.module})")
            seen[context] = table.module
            found.append((context, english, _source(table.module)))
    return sorted(found)


def _source(module):
    path = Path(sys.modules[module].__file__).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else module


def notebook_cells(name):
    """The English of each Markdown cell of ``notebooks/source/<name>.py``, in order."""
    tree = ast.parse((NOTEBOOKS / "source" / f"{name}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["CELLS"]:
            return [body.strip("\n") for kind, body in ast.literal_eval(node.value) if kind == "md"]
    raise SystemExit(f"i18n: notebooks/source/{name}.py defines no CELLS")


def notebook_messages():
    """``[(notebook name, English of a Markdown cell, source file)]`` in notebook and cell order."""
    names = sorted(p.stem for p in (NOTEBOOKS / "source").glob("[0-9][0-9]_*.py"))
    return [(name, text, f"notebooks/source/{name}.py") for name in names for text in notebook_cells(name)]


def template(domain):
    """The domain's template: a Babel catalog of its English, no translations."""
    pot = new_catalog(domain.name)
    entries = package_messages() if domain.keyed else notebook_messages()
    for context, english, where in entries:
        if (english, context) in pot:
            continue  # the same paragraph twice in one notebook: one translation
        pot.add(english, context=context, locations=[(where, None)])
    return pot


# -- reading and writing catalogs -------------------------------------------------------------------

def read(path, locale=None):
    _, pofile, _ = _babel()
    if not path.exists():
        return new_catalog(path.stem, locale)
    with open(path, "rb") as f:
        return pofile.read_po(f, locale=locale, domain=path.stem)


def entries(cat):
    """What a catalog says, without its header: ``{(context, English): (translation, fuzzy)}``."""
    return {(m.context, m.id): (m.string or "", m.fuzzy) for m in cat if m.id}


def po_text(cat):
    _, pofile, _ = _babel()
    out = io.BytesIO()
    pofile.write_po(out, cat, width=0, include_lineno=False, ignore_obsolete=True, include_previous=True)
    return out.getvalue()


def write_if_changed(path, cat, old):
    """Write ``cat`` to ``path`` unless it says what ``old`` said (the dates in the header do not count)."""
    if path.exists() and entries(cat) == entries(old) and cat.header_comment == old.header_comment and \
            cat.language_team == old.language_team and \
            [m.previous_id for m in cat] == [m.previous_id for m in old] and \
            [m.locations for m in cat] == [m.locations for m in old]:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(po_text(cat))
    return True


def merge(old, pot, keyed, locale):
    """``old`` (a language's catalog) brought in line with ``pot``: translations kept, changed English fuzzy."""
    new = new_catalog(pot.domain, locale)
    new.creation_date, new.revision_date = old.creation_date, old.revision_date
    previous = {(m.context, m.id): m for m in old if m.id and m.string}
    by_context = {}
    for m in previous.values():
        by_context.setdefault(m.context, []).append(m)
    used = {k for k in previous if (k[0], k[1]) in {(m.context, m.id) for m in pot if m.id}}
    for m in pot:
        if not m.id:
            continue
        was = previous.get((m.context, m.id))
        flags = set()
        if was is None:  # new English: the same key's old entry (keyed), or the most similar paragraph
            candidates = [c for c in by_context.get(m.context, []) if (c.context, c.id) not in used]
            if keyed:
                was = candidates[0] if candidates else None
            else:
                close = difflib.get_close_matches(m.id, [c.id for c in candidates], n=1, cutoff=0.6)
                was = next((c for c in candidates if close and c.id == close[0]), None)
            if was is not None:
                used.add((was.context, was.id))
                flags.add("fuzzy")
        elif was.fuzzy:
            flags.add("fuzzy")
        entry = new.add(m.id, was.string if was is not None else "", context=m.context, locations=m.locations,
                        flags=flags, user_comments=was.user_comments if was is not None else ())
        if "fuzzy" in flags and was is not None:
            entry.previous_id = [was.previous_id[0] if was.fuzzy and was.previous_id else was.id]
    return new


def mo_bytes(po_path):
    """The .mo that ``po_path`` compiles to (its translated, non-fuzzy entries)."""
    _, _, mofile = _babel()
    out = io.BytesIO()
    mofile.write_mo(out, read(po_path), use_fuzzy=False)
    return out.getvalue()


def compile_mo(po_path):
    """Write the .mo beside ``po_path``; return whether it changed."""
    data, mo = mo_bytes(po_path), po_path.with_suffix(".mo")
    if mo.exists() and mo.read_bytes() == data:
        return False
    mo.write_bytes(data)
    return True


def locales():
    from chainrule.i18n import LOCALES

    return list(LOCALES.values())


# -- what a translator still has to do ----------------------------------------------------------------

_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def code_of(text):
    """The code spans and fenced blocks of a message (they are never translated); a span's line breaks
    count as spaces (a paragraph's lines are wrapped where each language wraps them)."""
    blocks = _FENCE.findall(text)
    rest = _FENCE.sub("", text)
    return sorted(blocks + [re.sub(r"\s*\n\s*", " ", m.group(0)) for m in _CODE.finditer(rest)])


def problems(domain, locale, cat, pot):
    """Every way ``cat`` falls short of ``pot``, one line each."""
    from chainrule.i18n import fields

    out = []
    have = entries(cat)
    for m in pot:
        if not m.id:
            continue
        where = f"{domain.po(locale).relative_to(ROOT)}: {m.context}"
        string, fuzzy = have.get((m.context, m.id), (None, False))
        if not string:
            out.append(f"{where}: not translated")
            continue
        if fuzzy:
            out.append(f"{where}: fuzzy (the English changed; review the translation, then remove the fuzzy flag)")
        try:
            if sorted(set(fields(string))) != sorted(set(fields(m.id))):
                out.append(f"{where}: placeholders {sorted(set(fields(string)))}, the English has "
                           f"{sorted(set(fields(m.id)))}")
        except ValueError as exc:
            out.append(f"{where}: not a valid template ({exc}); write a literal brace as {{{{ or }}}}")
        spans = code_of(string)
        missing = [c for c in code_of(m.id) if c not in spans]
        if missing:
            out.append(f"{where}: code changed or missing (code is never translated): {', '.join(missing)}")
    stale = {k for k in have if k not in {(m.context, m.id) for m in pot if m.id}}
    out.extend(f"{domain.po(locale).relative_to(ROOT)}: {c}: no longer in the English (run update)"
               for c, _ in sorted(stale, key=str))
    return out


def mo_agrees(po_path):
    """Whether the .mo beside ``po_path`` is what it compiles to."""
    mo = po_path.with_suffix(".mo")
    return mo.exists() and mo.read_bytes() == mo_bytes(po_path)


# -- the commands -------------------------------------------------------------------------------------

def update():
    changed = []
    for domain in domains():
        pot = template(domain)
        if write_if_changed(domain.pot, pot, read(domain.pot)):
            changed.append(domain.pot)
        for locale in locales():
            path = domain.po(locale)
            old = read(path, locale)
            if write_if_changed(path, merge(old, pot, domain.keyed, locale), old):
                changed.append(path)
    return changed + compile_all()


def compile_all():
    changed = []
    for domain in domains():
        for locale in locales():
            if domain.po(locale).exists() and compile_mo(domain.po(locale)):
                changed.append(domain.po(locale).with_suffix(".mo"))
    return changed


def check():
    found = []
    for domain in domains():
        pot = template(domain)
        if entries(read(domain.pot)) != entries(pot):
            found.append(f"{domain.pot.relative_to(ROOT)}: not what the English says now (run update)")
        for locale in locales():
            path = domain.po(locale)
            found.extend(problems(domain, locale, read(path, locale), pot))
            if path.exists() and not mo_agrees(path):
                found.append(f"{path.with_suffix('.mo').relative_to(ROOT)}: not compiled from the .po (run compile)")
    return found


def adopt(spec, prefix):
    """Move a ``{key: {"en": ..., "ko": ..., "zh": ..., "ja": ...}}`` table into the catalogs.

    The translations go into each language's .po (as reviewed entries of ``<prefix>.<key>``);
    the English table to paste in place of the old one is printed.
    """
    from chainrule.i18n import LOCALES

    module, _, name = spec.partition(":")
    table = getattr(importlib.import_module(module), name)
    domain = domains()[0]
    for lang, locale in LOCALES.items():
        path = domain.po(locale)
        cat = read(path, locale)
        for key, texts in table.items():
            context = f"{prefix}.{key}"
            for m in [m for m in cat if m.context == context]:
                cat.delete(m.id, context=context)
            cat.add(texts["en"], texts[lang], context=context)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_text(cat))
    print(f"{name} = {{")
    for key, texts in table.items():
        print(f"    {key!r}: {texts['en']!r},")
    print("}")


def resolve():
    """Settle a merge's conflicts in the catalogs: each .po keeps both sides' translations, then update.

    For every catalog git lists as unmerged, the two sides' .po (``git show :2:`` ours, ``:3:`` theirs)
    are joined entry by entry (ours where both translated the same English); the templates, the .po
    and the .mo are then made anew from the merged code, as :func:`update` does.
    """
    import subprocess

    _, pofile, _ = _babel()
    listed = subprocess.run(["git", "ls-files", "-u"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    unmerged = sorted({line.split("\t", 1)[1] for line in listed.splitlines()})
    for rel in [p for p in unmerged if p.endswith(".po")]:
        sides = []
        for stage in (2, 3):
            shown = subprocess.run(["git", "show", f":{stage}:{rel}"], cwd=ROOT, capture_output=True, check=True)
            sides.append(pofile.read_po(io.BytesIO(shown.stdout)))
        ours, theirs = sides
        have = {(m.context, m.id) for m in ours if m.id and m.string}
        for m in theirs:
            if m.id and m.string and (m.context, m.id) not in have:
                if (m.id, m.context) in ours:
                    ours.delete(m.id, context=m.context)
                ours.add(m.id, m.string, context=m.context, locations=m.locations, flags=m.flags)
        (ROOT / rel).write_bytes(po_text(ours))
    for rel in [p for p in unmerged if p.endswith((".pot", ".mo"))]:
        (ROOT / rel).unlink(missing_ok=True)  # made anew below
    changed = update()
    return [p for p in unmerged if p.endswith((".po", ".pot", ".mo"))], changed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tools/i18n.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="extract the English; merge it into every .po; compile")
    sub.add_parser("compile", help="compile every .po into its .mo")
    sub.add_parser("check", help="list what is untranslated, fuzzy, inconsistent or not compiled")
    sub.add_parser("resolve", help="after a merge that conflicts in the catalogs: keep both sides, make them anew")
    a = sub.add_parser("adopt", help="move a {key: {lang: text}} table into the catalogs")
    a.add_argument("table", help="module:NAME")
    a.add_argument("prefix", help="the Messages prefix its keys get (check, explore, cli, ...)")
    args = parser.parse_args(argv)
    if args.command == "adopt":
        adopt(args.table, args.prefix)
        return 0
    if args.command == "resolve":
        settled, _ = resolve()
        print("\n".join(f"settled {p}" for p in settled) or "i18n: no catalog is unmerged")
        print("i18n: check them (python tools/i18n.py check), then git add them")
        return 0
    if args.command == "check":
        found = check()
        print("\n".join(found) if found else "i18n: every message translated, every catalog compiled")
        return 1 if found else 0
    changed = update() if args.command == "update" else compile_all()
    for path in changed:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
