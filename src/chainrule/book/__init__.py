"""Run the book's scripts unchanged on chainrule.

The scripts of *Deep Learning from Scratch* import the book's helper packages::

    sys.path.append(os.pardir)
    from common.layers import Convolution
    from dataset.mnist import load_mnist

This package holds ``common/`` and ``dataset/`` packages that only re-export
chainrule's implementations under those names. :func:`run` puts them on
``sys.path`` ahead of the book's own (which ``os.pardir`` appends later) and
runs a script as ``__main__`` from its folder, as ``python script.py`` would::

    python -m chainrule.book ch07/train_convnet.py

``python -m chainrule.book --path`` prints the folder, for ``PYTHONPATH``.
Modules the scripts import from their own folder (``simple_convnet``,
``two_layer_net``, ...) are still the book's, now built on chainrule's layers.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

__all__ = ["SHIM_DIR", "run"]

#: The folder holding the re-export packages ``common`` and ``dataset``.
SHIM_DIR = Path(__file__).resolve().parent


def run(script, args=()):
    """Run ``script`` (a path to a book script) as ``__main__`` with ``common``/``dataset`` from chainrule.

    Changes the working directory to the script's folder, sets ``sys.argv`` to
    ``[script, *args]`` and puts the script's folder, then this package's folder,
    first on ``sys.path``. Returns the script's global namespace.
    """
    path = Path(script).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no such script: {script}")
    if path.suffix != ".py":
        raise ValueError(f"{script} is not a Python script (.py)")
    shadow = [name for name in ("common", "dataset") if name in sys.modules
              and Path(getattr(sys.modules[name], "__file__", "") or "").resolve().parent.parent != SHIM_DIR]
    if shadow:
        raise RuntimeError(f"module {shadow[0]!r} is already imported from elsewhere; run the script in a new process")
    os.chdir(path.parent)
    sys.argv = [str(path), *args]
    sys.path[:0] = [str(path.parent), str(SHIM_DIR)]
    return runpy.run_path(str(path), run_name="__main__")
