"""Build the chapter-5 notebooks in four languages from one source, run them, save them with outputs.

Each file in ``notebooks/source/`` defines ``CELLS``: a list of ``("md", {lang: text})``
and ``("code", text)`` items. Prose is written per language; code is written once, so
every language runs exactly the same code. For each language this script writes
``notebooks/<lang>/<name>.ipynb``, executes it with nbclient in a scratch folder (the
notebooks may write files) and saves it with the outputs of that run.

    python notebooks/build.py            # all notebooks, all languages
    python notebooks/build.py 05 ko      # only names/languages that match

Needs the installed package and ``pip install nbclient nbformat ipykernel`` (the
``test`` extra has them). MNIST is read through ``chainrule.load_mnist``.
"""

from __future__ import annotations

import ast
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
LANGS = ("en", "ko", "zh-CN", "ja")
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
#: The locale each language's notebooks run under: `chainrule.check` reports in the locale's language.
LOCALES = {"en": "en_US.UTF-8", "ko": "ko_KR.UTF-8", "zh-CN": "zh_CN.UTF-8", "ja": "ja_JP.UTF-8"}


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


def make_notebook(name, lang):
    """The notebook ``name`` in ``lang``, without outputs."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNEL)
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, body) in enumerate(load_cells(name)):
        if kind == "md":
            if set(body) != set(LANGS):
                raise ValueError(f"{name} cell {i}: prose for {sorted(body)}, expected {list(LANGS)}")
            cell = nbformat.v4.new_markdown_cell(body[lang].strip("\n"))
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


def main(argv):
    langs = [a for a in argv if a in LANGS] or list(LANGS)
    patterns = [a for a in argv if a not in LANGS]
    names = [n for n in sources() if not patterns or any(p in n for p in patterns)]
    for name in names:
        for lang in langs:
            nb = make_notebook(name, lang)
            seconds = execute(nb, lang)
            write(nb, HERE / lang / f"{name}.ipynb")
            print(f"{lang:6} {name:32} {seconds:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
