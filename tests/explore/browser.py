"""Driving a page in headless Chromium (selenium): the helpers the browser tests share.

The ``browser`` fixture is in tests/explore/conftest.py.
"""

from __future__ import annotations

import shutil

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


