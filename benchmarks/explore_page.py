"""Size, load-to-interactive time and a stroke's redraw time of `chainrule explore` pages in headless Chromium.

    python benchmarks/explore_page.py [--mlp MODEL.npz] [--simple MODEL.npz] [--deep MODEL.npz] [--loads 7]
                                      [--strokes 5] [--screenshots DIR] [--lang en|ko|zh|ja]

Writes the book's figures page (apple-orange, Batch Normalization, the optimizers, the histograms) and
model pages: a 784-50-10 MLP, a SimpleConvNet and a DeepConvNet (the given model files, or untrained
float32 networks of the same size and cost), with 10 MNIST test images when MNIST is in the cache. Each
page is opened in a fresh headless Chromium several times: the time from navigation to the page marking
itself ready (``performance.mark('explore-ready')``, set once every control works). On each model page a
stroke is drawn with the mouse (selenium's pointer actions, 25 moves); the page measures every redraw it
makes while the stroke goes on (``performance.measure('explore-update')``: read the canvas, prepare the
28x28 as ``chainrule predict`` does, forward, backward for the label, every map and chart) and this
prints their median and largest. With ``--screenshots DIR`` it also saves the pictures the README shows.
Needs selenium, Debian's chromium and chromium-driver.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

from chainrule import DeepConvNet, SimpleConvNet, TwoLayerNet
from chainrule.cli import main as chainrule
from chainrule.io import save

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def browser(profile, size="1200,1000"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in [*FLAGS, f"--user-data-dir={profile}", f"--window-size={size}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def load_ms(driver, page, fragment=""):
    driver.get("about:blank")
    driver.get(page.as_uri() + fragment)
    return driver.execute_script("return performance.getEntriesByName('explore-ready')[0].startTime")


def stroke_ms(driver, page):
    """Redraw times (ms) measured by the page while the mouse draws one stroke on a cleared canvas."""
    from selenium.webdriver.common.action_chains import ActionChains

    load_ms(driver, page)
    driver.find_element("id", "clear").click()
    driver.execute_script("performance.clearMeasures('explore-update')")
    canvas = driver.find_element("id", "draw")
    w = canvas.size["width"]
    chain = ActionChains(driver, duration=20)
    chain.move_to_element_with_offset(canvas, int(-0.2 * w), int(-0.3 * w)).click_and_hold()
    for k in range(25):  # a "7": across, then down to the left
        chain.move_by_offset(int(0.02 * w), 0) if k < 10 else chain.move_by_offset(int(-0.008 * w), int(0.035 * w))
    chain.release().perform()
    return driver.execute_script("return performance.getEntriesByName('explore-update').map((m) => m.duration)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlp", help="a 784-... MLP model file (default: an untrained 784-50-10)")
    parser.add_argument("--simple", help="a SimpleConvNet model file (default: an untrained one)")
    parser.add_argument("--deep", help="a DeepConvNet model file (default: an untrained one)")
    parser.add_argument("--loads", type=int, default=7, help="page loads per page (default 7)")
    parser.add_argument("--strokes", type=int, default=5, help="strokes drawn per model page (default 5)")
    parser.add_argument("--screenshots", metavar="DIR", help="also save the README's screenshots here")
    parser.add_argument("--lang", choices=("en", "ko", "zh", "ja"), default="en",
                        help="the pages' language (the screenshots of another are named explore.ko.png, ...)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="explore-bench-"))
    models = {
        "MLP 784-50-10": args.mlp or save(TwoLayerNet(784, 50, 10, dtype=np.float32, rng=0), work / "mlp.npz"),
        "SimpleConvNet": args.simple or save(SimpleConvNet(dtype=np.float32, rng=0), work / "simple.npz"),
        "DeepConvNet": args.deep or save(DeepConvNet(dtype=np.float32, rng=0), work / "deep.npz"),
    }
    figures = work / "figures.html"
    chainrule(["explore", "apple-orange", "--out", str(figures), "--lang", args.lang])
    pages = {"figures (apple-orange first)": (figures, "")}
    for name, model in models.items():
        out = work / f"{name.split()[0].lower()}.html"
        chainrule(["explore", str(model), "--out", str(out), "--lang", args.lang])
        pages[name] = (out, "")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1 and 5 minutes; 2 cores)")
    driver = browser(work / "profile")
    try:
        for name, (page, fragment) in pages.items():
            times = [load_ms(driver, page, fragment) for _ in range(args.loads)]
            line = (f"{name}: {page.stat().st_size / 1e6:.3f} MB, interactive after {statistics.median(times):.0f} ms "
                    f"(median of {len(times)} loads; min {min(times):.0f}, max {max(times):.0f})")
            if name in models:
                redraws = [ms for _ in range(args.strokes) for ms in stroke_ms(driver, page)]
                p90 = statistics.quantiles(redraws, n=10)[-1]
                line += (f"; a stroke's redraw (prepare, forward, backward, every map) "
                         f"{statistics.median(redraws):.0f} ms (median of {len(redraws)} redraws over {args.strokes} "
                         f"strokes; 90% within {p90:.0f}, max {max(redraws):.0f})")
            print(line, flush=True)
        if args.screenshots:
            suffix = {"en": "", "ko": ".ko", "zh": ".zh-CN", "ja": ".ja"}[args.lang]
            shots(driver, pages, Path(args.screenshots), suffix)
    finally:
        driver.quit()
    return 0


def shots(driver, pages, out, suffix=""):
    """The README's pictures: the graph view, Batch Normalization, the optimizers, the convolutional models."""
    figures = pages["figures (apple-orange first)"][0]
    views = (("#graph=apple-orange&step=6", "explore.png"), ("#graph=batch-norm&step=14", "explore_bn.png"),
             ("#view=optimizers", "explore_optimizers.png"))
    for fragment, name in views:
        load_ms(driver, figures, fragment)
        driver.save_screenshot(str(out / name.replace(".png", f"{suffix}.png")))
    load_ms(driver, pages["MLP 784-50-10"][0], "#label=auto&img=3")
    driver.save_screenshot(str(out / f"explore_model{suffix}.png"))
    driver.set_window_size(1200, 1450)  # the clicked position's whole explanation, and the maps above it
    for kind, layer in (("SimpleConvNet", 0), ("DeepConvNet", 2)):  # a position on the ink that matters most
        load_ms(driver, pages[kind][0], "#label=auto&img=7")
        at = driver.execute_script(
            "const E = ChainruleExplore, i = arguments[0], g = E.last.back.grads[i], out = E.last.fwd.acts[i];"
            "const b = E.last.model.layers[i].bT.data, [, C, H, W] = g.shape, w = (k) => "
            "Math.abs(g.data[k] * (out.data[k] - b[Math.floor(k / (H * W))])); let k = 0;"
            "g.data.forEach((v, j) => { if (w(j) > w(k)) k = j; });"
            "return [Math.floor(k / (H * W)), Math.floor(k / W) % H, k % W];", layer)
        load_ms(driver, pages[kind][0], f"#label=auto&img=7&at={layer},{at[0]},{at[1]},{at[2]}")
        driver.execute_script("document.querySelector('#position').scrollIntoView({block: 'start'});"
                              "window.scrollBy(0, -460)")
        driver.save_screenshot(str(out / f"explore_{kind.lower()}{suffix}.png"))
    print(f"saved the screenshots in {out}")


if __name__ == "__main__":
    sys.exit(main())
