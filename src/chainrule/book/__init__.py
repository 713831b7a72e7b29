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

While a script runs, ``pickle.load``, ``pickle.loads`` and ``pickle.Unpickler``
are chainrule's weights-only reader (:mod:`chainrule.io.pickles`): the book's
weight files (``ch03/sample_weight.pkl``, ``ch07/params.pkl``,
``ch08/deep_convnet_params.pkl``) load as dicts of arrays, and a pickle that
names anything else (a function to call) is refused before anything runs.

What a script sees can be made smaller, so that a long run finishes quickly:
``mnist=(n_train, n_test)`` gives ``dataset.mnist.load_mnist`` the first images
of each set only; ``overrides={"iters_num": 100}`` gives a top-level assignment
of the script (``iters_num = 10000``) another value; ``seed`` seeds NumPy's
global generator, from which the book's code draws.
"""

from __future__ import annotations

import ast
import contextlib
import os
import pickle
import sys
import types
import warnings
from pathlib import Path

import numpy as np

from ..datasets import load_mnist as _chainrule_load_mnist
from ..io import pickles

__all__ = ["SHIM_DIR", "PackagesBesideWarning", "compile_script", "load_mnist", "packages_beside", "run"]

#: The folder holding the re-export packages ``common`` and ``dataset``.
SHIM_DIR = Path(__file__).resolve().parent
_PACKAGES = ("common", "dataset")
_subset = None  # (n_train, n_test) while a script runs with run(mnist=...)


class PackagesBesideWarning(UserWarning):
    """A ``common`` or ``dataset`` package lies beside the script; chainrule's is used instead."""


def packages_beside(script):
    """The names of ``common``/``dataset`` packages (or modules) in the script's own folder."""
    folder = Path(script).resolve().parent
    return [name for name in _PACKAGES if (folder / name).is_dir() or (folder / f"{name}.py").is_file()]


def load_mnist(normalize=True, flatten=True, one_hot_label=False):
    """The book's ``dataset.mnist.load_mnist``: chainrule's verified MNIST, in the book's forms.

    Under :func:`run` with ``mnist=(n_train, n_test)``, only the first ``n_train``
    training and ``n_test`` test images (and labels).

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : as :func:`chainrule.datasets.load_mnist`
    """
    (x_train, t_train), (x_test, t_test) = _chainrule_load_mnist(normalize, flatten, one_hot_label)
    if _subset is not None:
        n_train, n_test = _subset
        x_train, t_train, x_test, t_test = x_train[:n_train], t_train[:n_train], x_test[:n_test], t_test[:n_test]
    return (x_train, t_train), (x_test, t_test)


def compile_script(script, overrides=None):
    """The code of ``script``, with ``overrides`` (``{name: value}``) replacing top-level assignments.

    Each name must be assigned at the script's top level (``iters_num = 10000``); that
    statement assigns the given value instead (every line still runs; line numbers are
    the file's). Raises ``ValueError`` naming a name the script does not assign.
    """
    path = Path(script)
    source = path.read_bytes()
    if not overrides:
        return compile(source, str(path), "exec", dont_inherit=True)
    tree = ast.parse(source, str(path))
    left = set(overrides)
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id in overrides:
            name = node.targets[0].id
            node.value = ast.copy_location(ast.Constant(overrides[name]), node.value)
            left.discard(name)
    if left:
        raise ValueError(f"{path} assigns no {', '.join(sorted(left))} at its top level (NAME = ... to override)")
    return compile(ast.fix_missing_locations(tree), str(path), "exec", dont_inherit=True)


@contextlib.contextmanager
def _weights_only_pickle():
    """``pickle.load``, ``pickle.loads`` and ``pickle.Unpickler`` read weights only, for a while."""
    saved = pickle.load, pickle.loads, pickle.Unpickler
    pickle.load, pickle.loads, pickle.Unpickler = pickles.load, pickles.loads, pickles.Unpickler
    try:
        yield
    finally:
        pickle.load, pickle.loads, pickle.Unpickler = saved


def run(script, args=(), *, seed=None, mnist=None, overrides=None, local_packages=False):
    """Run ``script`` (a path to a book script) as ``__main__`` with ``common``/``dataset`` from chainrule.

    Changes the working directory to the script's folder, sets ``sys.argv`` to
    ``[script, *args]``, puts this package's folder first on ``sys.path`` (then the
    script's folder) and makes ``pickle`` read weights only while the script runs.

    Parameters
    ----------
    script : str or Path
    args : sequence of str
        The script's command-line arguments.
    seed : int, optional
        ``np.random.seed(seed)`` first: the book's code draws from NumPy's global generator.
    mnist : (int, int), optional
        ``dataset.mnist.load_mnist`` gives the first this-many training and test images only.
    overrides : dict, optional
        ``{name: value}``: the script's top-level assignment ``name = ...`` assigns ``value``
        (see :func:`compile_script`).
    local_packages : bool
        Use ``common``/``dataset`` packages found beside the script instead of chainrule's.
        Without it, such packages are skipped and named in a :class:`PackagesBesideWarning`.

    Returns
    -------
    dict : the script's global namespace
    """
    global _subset
    path = Path(script).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no such script: {script}")
    if path.suffix != ".py":
        raise ValueError(f"{script} is not a Python script (.py)")
    shadow = [name for name in _PACKAGES if name in sys.modules
              and Path(getattr(sys.modules[name], "__file__", "") or "").resolve().parent.parent != SHIM_DIR]
    if shadow:
        raise RuntimeError(f"module {shadow[0]!r} is already imported from elsewhere; run the script in a new process")
    if mnist is not None:
        mnist = tuple(int(n) for n in mnist)
        if len(mnist) != 2 or min(mnist) < 1:
            raise ValueError(f"mnist must be (n_train, n_test), two positive numbers; got {mnist}")
    code = compile_script(path, overrides)
    beside = packages_beside(path)
    if beside and not local_packages:
        warnings.warn(f"{' and '.join(f'{name}/' for name in beside)} beside {path.name} "
                      f"{'is' if len(beside) == 1 else 'are'} not used: chainrule's {' and '.join(beside)} "
                      f"{'is' if len(beside) == 1 else 'are'} (--local-packages uses the script's own)",
                      PackagesBesideWarning, stacklevel=2)
    os.chdir(path.parent)
    sys.argv = [str(path), *args]
    first = [str(path.parent), str(SHIM_DIR)] if local_packages else [str(SHIM_DIR), str(path.parent)]
    sys.path[:0] = first
    if seed is not None:
        np.random.seed(seed)  # noqa: NPY002 - the book's scripts draw from the global generator
    module = types.ModuleType("__main__")
    module.__dict__.update(__file__=str(path), __builtins__=__builtins__, __cached__=None)
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    _subset = mnist
    try:
        with _weights_only_pickle():
            exec(code, module.__dict__)
    finally:
        _subset = None
        if saved_main is not None:
            sys.modules["__main__"] = saved_main
    return module.__dict__
