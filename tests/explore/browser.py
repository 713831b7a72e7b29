"""Driving a page in headless Chromium (selenium): the helpers the browser tests share.

The ``browser`` fixture is in tests/explore/conftest.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def open_page(driver, path, fragment=""):
    driver.get(path.as_uri() + fragment)
    assert driver.execute_script("return document.body.dataset.ready") == "true", console(driver)


def console(driver):
    try:
        return "\n".join(str(e) for e in driver.get_log("browser"))
    except Exception:  # noqa: BLE001 - logs are a diagnostic only
        return ""


def cell(driver, name, column):
    return driver.find_element("css selector", f'#values tr[data-name="{name}"] td.{column}')


def step_text(driver):
    return driver.find_element("id", "step-count").text


def shoot(driver, path):
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 1000
    return path


def phone(driver):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})




def write_page(capsys, *args):
    """``chainrule explore *args`` (the page's path after ``--out`` among them); returns that path."""
    from chainrule.cli import main

    assert main(["explore", *map(str, args)]) == 0
    capsys.readouterr()
    return Path(args[list(args).index("--out") + 1])


def draw_a_one(driver):
    """Clear the canvas and draw a "1" with the mouse: one stroke from the top down, leaning a little."""
    from selenium.webdriver.common.action_chains import ActionChains

    driver.find_element("id", "clear").click()
    canvas = driver.find_element("id", "draw")
    w = canvas.size["width"]
    chain = ActionChains(driver, duration=10)
    chain.move_to_element_with_offset(canvas, int(0.04 * w), int(-0.34 * w)).click_and_hold()
    for _ in range(17):
        chain.move_by_offset(-1, int(0.04 * w))
    chain.release().perform()
