"""What the page tests share: the trained models of chapters 6-8 (trained once, kept in pytest's cache)
and a headless Chromium."""

import pytest

from tests.explore.browser import CHROMIUM, DRIVER, FLAGS
from tests.explore.models import trained


@pytest.fixture(scope="session")
def trained_models(real_mnist, request, tmp_path_factory):
    """``{kind: (path, network)}``: a briefly trained float32 SimpleConvNet, DeepConvNet and
    MultiLayerNetExtend (see tests/explore/models.py), trained the first time and then loaded
    (kept in pytest's cache folder; in the session's temporary folder when the cache is off)."""
    cache = getattr(request.config, "cache", None)
    cache = cache.mkdir("chainrule-explore-models") if cache else tmp_path_factory.mktemp("explore-models")
    return {kind: trained(kind, real_mnist, cache) for kind in ("SimpleConvNet", "DeepConvNet", "MultiLayerNetExtend")}


@pytest.fixture
def browser(tmp_path):
    """A headless Chromium (a fresh profile in tmp_path), 1200x900."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("Chromium and its driver are not installed (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,900"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
