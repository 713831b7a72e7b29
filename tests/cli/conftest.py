"""The fixture of the tests of the command: ``fake_data``, the stand-in for MNIST in place of the real one."""

import pytest

from chainrule import cli
from tests.cli.helpers import fake_mnist


@pytest.fixture
def fake_data(monkeypatch):
    calls = []

    def load(kind, data_dir, progress):
        calls.append((kind, data_dir))
        return fake_mnist()

    monkeypatch.setattr(cli.common, "load_data", load)
    return calls
