"""The trained models of chapters 6-8 the page tests share (trained once, kept in pytest's cache)."""

import pytest

from tests.explore.models import trained


@pytest.fixture(scope="session")
def trained_models(real_mnist, request):
    """``{kind: (path, network)}``: a briefly trained float32 SimpleConvNet, DeepConvNet and
    MultiLayerNetExtend (see tests/explore/models.py), trained the first time and then loaded."""
    cache = request.config.cache.mkdir("chainrule-explore-models")
    return {kind: trained(kind, real_mnist, cache) for kind in ("SimpleConvNet", "DeepConvNet", "MultiLayerNetExtend")}
