"""docs/architecture.md is true of the code: each file its room table names exists and every module of the
package is named there; every import runs in a direction its import table allows, and each direction it
allows is one the code takes; it keeps its sections on the layer contract, the two formulations, BLAS
threads and how to add a layer."""

import re

import pytest

from tests import ROOT
from tests.helpers import house

DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
SRC = ROOT / "src"
PACKAGE = SRC / "chainrule"
BOOK = "the book's modules"


def section(title):
    """The text of the ``## title`` section."""
    return re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", DOC, re.S | re.M)[1]


def table(text):
    """The rows of the first Markdown table in ``text``, as lists of cells (header and rule left out)."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def names(cell):
    return re.findall(r"`([^`]+)`", cell)


def rooms():
    """``[(room folder or "" for the top level, None outside the package; file name)]`` of the room table."""
    found, room = [], ""
    for first, modules, _ in table(section("Where each idea lives")):
        if first:
            folders = names(first)
            room = None if first == "outside the package" else (folders[0] if folders else "")
        found += [(room, name) for name in names(modules)]
    return found


def book_modules():
    """The book's modules: those of the table's rows for chapters 3-8."""
    found, book = set(), False
    for first, modules, _ in table(section("Where each idea lives")):
        if first:
            book = first.startswith(("the book's", "chapters"))
        if book:
            found |= {name.removesuffix(".py") for name in names(modules)}
    return found


def test_each_file_the_room_table_names_exists():
    for room, name in rooms():
        folder = SRC if room is None else PACKAGE / room
        if "*" in name:
            assert list(folder.glob(name)), f"{room}{name}"
        else:
            assert (folder / name).exists(), f"docs/architecture.md names {room or ''}{name}, which does not exist"


def test_every_module_of_the_package_is_in_the_room_table():
    named = set()
    for room, name in rooms():
        folder = SRC if room is None else PACKAGE / room
        for path in folder.glob(name):
            named |= {path} | (set(path.rglob("*.py")) if path.is_dir() else set())
    files = {p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".js", ".css", ".html") and p.name != "__init__.py"}
    files |= {PACKAGE / "__init__.py"}  # the subpackages' __init__ give their public names
    assert sorted(str(p.relative_to(SRC)) for p in files - named) == []


def group(module, book):
    """The row of the import table a module belongs to."""
    parts = module.split(".")
    if parts[0] != "chainrule":
        return parts[0]
    if len(parts) == 1:
        return "__init__"
    if parts[1] in book:
        return BOOK
    return parts[1] + "/" if (PACKAGE / parts[1]).is_dir() else parts[1]


def directions():
    """``{importer row: (its position, {what it may import})}`` from the import table."""
    rows = {}
    for position, (importers, imported, _) in enumerate(table(section("Import directions"))):
        allowed = set(names(imported)) | ({BOOK} if BOOK in imported else set())
        for importer in names(importers) or [BOOK]:
            rows[importer] = (position, allowed)
    return rows


def test_every_import_runs_in_a_direction_the_table_allows():
    book, rows = book_modules(), directions()
    figures = house().measure()
    taken = set()
    for importer, imported in figures["edges"].items():
        assert group(importer, book) in rows, f"{importer} belongs to no row of the import table"
        for target in imported:
            a, b = group(importer, book), group(target, book)
            if a == b:
                continue
            assert b in rows[a][1], f"{importer} imports {target}: the table does not let {a} import {b}"
            taken.add((a, b))
    allowed = {(a, b) for a, (_, targets) in rows.items() for b in targets if b != a}
    assert sorted(allowed - taken) == [], "the table allows directions the code does not take"


def test_the_rows_read_top_to_bottom():
    rows = directions()
    for importer, (position, targets) in rows.items():
        for target in targets - {importer}:  # the book's modules import each other
            assert rows[target][0] < position, f"{importer} imports {target}, which stands at or below it"


def test_the_book_modules_are_the_package_top_level_modules_but_the_helpers():
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert book_modules() == {name for name in top if not name.startswith("_")}


@pytest.mark.parametrize("title", ["The layer contract", "One code path, two formulations", "BLAS threads",
                                   "How to add a layer"])
def test_the_sections_a_contributor_needs_are_there(title):
    assert len(section(title)) > 300
