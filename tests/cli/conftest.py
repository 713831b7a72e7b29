"""What the command's tests share: ``fake_data`` stands in for the one place data is loaded."""

import pytest

from chainrule import cli
from tests.cli.test_cli import fake_mnist


@pytest.fixture
def fake_data(monkeypatch):
    """``cli.common.load_data`` returning :func:`fake_mnist`; the list of its calls ``(kind, data_dir)``."""
    calls = []

    def load_data(kind, data_dir, progress):
        calls.append((kind, data_dir))
        return fake_mnist()

    monkeypatch.setattr(cli.common, "load_data", load_data)
    return calls
