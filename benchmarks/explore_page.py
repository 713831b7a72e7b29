"""Size and load-to-interactive time of `chainrule explore` pages in headless Chromium.

    python benchmarks/explore_page.py [MODEL.npz] [--loads 7] [--screenshots DIR]

Writes the apple-orange page and a model page (MODEL, or an untrained float32
TwoLayerNet 784-50-10: the same size) with 10 MNIST test images when MNIST is in
the cache, then opens each in a fresh headless Chromium several times and prints the
page size and the median time from navigation to the page marking itself ready
(``performance.mark('explore-ready')``, set once every control works). With
``--screenshots DIR`` it also saves the pictures the README shows. Needs selenium,
Debian's chromium and chromium-driver.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

from chainrule import TwoLayerNet
from chainrule.cli import main as chainrule
from chainrule.io import save

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browser(profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in [*FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1000"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def load_ms(driver, page, fragment=""):
    driver.get("about:blank")
    driver.get(page.as_uri() + fragment)
    return driver.execute_script("return performance.getEntriesByName('explore-ready')[0].startTime")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="a model.npz (default: an untrained 784-50-10)")
    parser.add_argument("--loads", type=int, default=7, help="page loads per page (default 7)")
    parser.add_argument("--screenshots", metavar="DIR", help="also save the README's screenshots here")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="explore-bench-"))
    model = args.model or save(TwoLayerNet(784, 50, 10, dtype=np.float32, rng=0), work / "model.npz")
    pages = {"apple-orange": work / "apple-orange.html", "model 784-50-10": work / "model.html"}
    chainrule(["explore", "apple-orange", "--out", str(pages["apple-orange"])])
    chainrule(["explore", str(model), "--out", str(pages["model 784-50-10"])])
    driver = browser(work / "profile")
    try:
        for name, page in pages.items():
            times = [load_ms(driver, page) for _ in range(args.loads)]
            print(f"{name}: {page.stat().st_size / 1e6:.3f} MB, interactive after {statistics.median(times):.0f} ms "
                  f"(median of {len(times)} loads; min {min(times):.0f}, max {max(times):.0f})")
        if args.screenshots:
            out = Path(args.screenshots)
            load_ms(driver, pages["apple-orange"], "#graph=apple-orange&step=6")
            driver.save_screenshot(str(out / "explore.png"))
            load_ms(driver, pages["model 784-50-10"], "#label=auto&img=3")
            driver.save_screenshot(str(out / "explore_model.png"))
            print(f"saved {out / 'explore.png'} and {out / 'explore_model.png'}")
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
