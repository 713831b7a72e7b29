"""Build the chapter-5 notebooks in four languages from one source, run them, save them with outputs.

Each file in ``notebooks/source/`` defines ``CELLS``: a list of ``("md", English text)`` and
``("code", text)`` items. The prose of each Markdown cell is translated through the gettext
catalogs in ``notebooks/locales/`` (domain ``notebooks``: ``msgctxt`` the notebook's name,
``msgid`` the cell's English; ``python tools/i18n.py update`` adds a new cell to them, and
docs/translating.md says how to translate it). Code is written once, so every language runs
exactly the same code. For each language this script writes
``notebooks/<lang>/<name>.ipynb``, executes it with nbclient in a scratch folder (the
notebooks may write files) and saves it with the outputs of that run.

    python notebooks/build.py            # all notebooks, all languages
    python notebooks/build.py 05 ko      # only names/languages that match
    python notebooks/build.py --prose ko # only the prose of the saved notebooks (a translation
                                         # fixed): the code and its outputs stay as they ran

Needs the installed package and ``pip install nbclient nbformat ipykernel`` (the
``test`` extra has them). MNIST is read through ``chainrule.load_mnist``.
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
LANGS = ("en", "ko", "zh-CN", "ja")
#: The language code (chainrule.i18n.LANGUAGES) of each notebook folder.
CODES = {"en": "en", "ko": "ko", "zh-CN": "zh", "ja": "ja"}
LOCALEDIR = HERE / "locales"
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
#: The locale each language's notebooks run under: `chainrule.check` reports in the locale's language.
LOCALES = {"en": "en_US.UTF-8", "ko": "ko_KR.UTF-8", "zh-CN": "zh_CN.UTF-8", "ja": "ja_JP.UTF-8"}


#: Languages written without spaces between words: a line break inside a paragraph is removed
#: (Markdown would show it as a space).
UNSPACED = ("zh-CN", "ja")
_BLOCK_START = re.compile(r"\s*([-*+]\s|>|\||#|\d+\.\s|```|<)")


def _wide(ch):
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _joiner(before, after):
    """Nothing between two wide characters or next to wide punctuation; else one space."""
    wide_punct = [_wide(c) and unicodedata.category(c)[0] in "PS" for c in (before, after)]
    return "" if (_wide(before) and _wide(after)) or any(wide_punct) else " "


def unwrap_cjk(text):
    """Join the lines of each paragraph of Chinese or Japanese Markdown.

    Lines are joined directly between two wide (CJK) characters or next to wide punctuation,
    and with one space between a CJK character and anything else (code, Latin words). Code
    blocks, tables, headings, list items and quotes start new lines as before; their own
    continuation lines (and a quote's) are joined the same way.
    """
    out, fenced = [], False
    for line in text.split("\n"):
        starts_fence = line.lstrip().startswith("```")
        joinable = (out and not fenced and not starts_fence and line.strip() and out[-1].strip()
                    and not _BLOCK_START.match(line) and not out[-1].lstrip().startswith(("```", "|", "#", "<")))
        quoted = (out and line.startswith("> ") and out[-1].startswith("> ") and line[2:].strip()
                  and not _BLOCK_START.match(line[2:]))
        if joinable or quoted:
            prev, cont = out[-1].rstrip(), (line[2:] if quoted else line).strip()
            # emphasis markers stick to the text they mark: decide by the characters beyond them
            out[-1] = prev + _joiner(prev.rstrip("*_")[-1:] or " ", cont.lstrip("*_")[:1] or " ") + cont
        else:
            out.append(line)
        if starts_fence:
            fenced = not fenced
    return "\n".join(out)


def sources():
    """The notebook names (file stems of ``source/*.py``), in order."""
    return sorted(p.stem for p in SOURCE.glob("[0-9][0-9]_*.py"))


def load_cells(name):
    """The ``CELLS`` list of ``source/<name>.py`` (read as a literal: nothing is executed)."""
    tree = ast.parse((SOURCE / f"{name}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["CELLS"]:
            return ast.literal_eval(node.value)
    raise ValueError(f"source/{name}.py defines no CELLS")


def prose(name, english, lang):
    """The Markdown cell ``english`` of notebook ``name`` in ``lang`` (from the catalog; English as written).

    Raises
    ------
    ValueError
        The catalog of ``lang`` has no reviewed translation of the cell.
    """
    from chainrule.i18n import translations

    english = english.strip("\n")
    if lang == "en":
        return english
    text = translations(CODES[lang], "notebooks", LOCALEDIR).pgettext(name, english)
    if text is english:
        raise ValueError(f"{name}: a cell has no {lang} translation in notebooks/locales (starts {english[:60]!r}); "
                         "run python tools/i18n.py update, translate it, then python tools/i18n.py compile")
    return unwrap_cjk(text) if lang in UNSPACED else text


def make_notebook(name, lang):
    """The notebook ``name`` in ``lang``, without outputs."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNEL)
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, body) in enumerate(load_cells(name)):
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(prose(name, body, lang))
        elif kind == "code":
            cell = nbformat.v4.new_code_cell(body.strip("\n"))
        else:
            raise ValueError(f"{name} cell {i}: unknown kind {kind!r}")
        cell["id"] = f"c{i:02d}"
        nb.cells.append(cell)
    return nb


def execute(nb, lang, timeout=600, env=None):
    """Run ``nb`` in place in a scratch folder with a fresh kernel in ``lang``'s locale; return the seconds.

    ``env``: the kernel's environment (default: this process's). The locale and Jupyter's
    inline matplotlib backend are set on top of it (a CI's ``MPLBACKEND=Agg`` would make
    ``plt.show()`` warn).
    """
    from nbclient import NotebookClient

    env = dict(os.environ if env is None else env, LC_ALL=LOCALES[lang],
               MPLBACKEND="module://matplotlib_inline.backend_inline")

    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="chainrule-nb-") as cwd:
        config = Config()  # IPC sockets in the scratch folder: the kernel is reachable from this machine only
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(Path(cwd) / "kernel")
        client = NotebookClient(nb, config=config, kernel_name=KERNEL["name"], timeout=timeout,
                                record_timing=False, resources={"metadata": {"path": cwd}})
        start = time.perf_counter()
        asyncio.run(client.async_execute(env=env))  # its own event loop, closed afterwards (thread-safe)
        return time.perf_counter() - start


def write(nb, path):
    """Write ``nb`` to ``path`` atomically (temp file + rename)."""
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(nb, str(tmp))
    os.replace(tmp, path)


def rewrite_prose(name, lang):
    """Give the saved notebook ``name`` in ``lang`` the prose its source and catalog make now.

    Only the Markdown cells change; the code cells and their outputs stay as they ran. The code
    must be what the source says (otherwise the notebook has to run again: build it).
    """
    import nbformat

    path = HERE / lang / f"{name}.ipynb"
    nb, fresh = nbformat.read(str(path), as_version=4), make_notebook(name, lang)
    if [(c.cell_type, c.source if c.cell_type == "code" else "") for c in nb.cells] != \
            [(c.cell_type, c.source if c.cell_type == "code" else "") for c in fresh.cells]:
        raise ValueError(f"{path.relative_to(HERE)}: its code is not the source's any more; build it instead")
    for cell, new in zip(nb.cells, fresh.cells, strict=True):
        if cell.cell_type == "markdown":
            cell.source = new.source
    write(nb, path)


def main(argv):
    prose_only = "--prose" in argv
    argv = [a for a in argv if a != "--prose"]
    langs = [a for a in argv if a in LANGS] or list(LANGS)
    patterns = [a for a in argv if a not in LANGS]
    names = [n for n in sources() if not patterns or any(p in n for p in patterns)]
    for name in names:
        for lang in langs:
            if prose_only:
                rewrite_prose(name, lang)
                print(f"{lang:6} {name:32} prose")
                continue
            nb = make_notebook(name, lang)
            seconds = execute(nb, lang)
            write(nb, HERE / lang / f"{name}.ipynb")
            print(f"{lang:6} {name:32} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
