"""The fixture of the tests of chainrule.train: ``data``, 400 training and 100 test samples of 4 classes."""

import pytest

from tests.train.helpers import blobs


@pytest.fixture
def data():
    (x, t) = blobs(500, seed=1)
    return x[:400], t[:400], x[400:], t[400:]
