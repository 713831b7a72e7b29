"""chainrule explore in a real browser: headless Chromium driven by selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium`` package (the
``test`` extra); skipped with the reason where one is missing. Every test saves a
screenshot of what it checked in its tmp dir (``pytest --basetemp=DIR`` keeps them).
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.datasets import read_digit
from chainrule.io import save
from tests.explore.browser import cell, console, draw_a_one, open_page, phone, shoot, step_text, write_page
from tests.explore.helpers import apple_orange_with, train_quick_model


@pytest.fixture(scope="session")
def trained_model_file(real_mnist, tmp_path_factory):
    path = tmp_path_factory.getbasetemp() / "explore-model.npz"  # shared with test_page.py's fixture
    if not path.exists():
        save(train_quick_model(real_mnist), path, metadata={"kind": "mnist"})
    return path


@pytest.fixture
def apple_page(tmp_path, capsys):
    return write_page(capsys, "apple-orange", "--out", tmp_path / "apple-orange.html")


def test_apple_orange_stepped_to_the_end_shows_the_books_numbers(browser, apple_page, tmp_path):
    open_page(browser, apple_page)
    assert step_text(browser) == "step 0 / 9"
    assert cell(browser, "price", "fwd").text == "" and cell(browser, "apple", "grad").text == ""
    forward = browser.find_element("id", "forward")
    presses = 0
    while forward.is_enabled():
        forward.click()
        presses += 1
        if presses == 4:  # the forward pass is done: the price is known, no derivative yet
            assert cell(browser, "price", "fwd").text == "715" and cell(browser, "tax", "grad").text == ""
    assert presses == 9 and step_text(browser) == "step 9 / 9"
    assert cell(browser, "price", "fwd").text == "715"
    grads = [cell(browser, k, "grad").text for k in ("apple", "apple_num", "orange", "orange_num", "tax")]
    assert grads == ["2.2", "110", "3.3", "165", "650"]
    svg = browser.find_element("id", "graph").text
    for number in ("715", "2.2", "110", "3.3", "165", "650", "1.1"):
        assert number in svg.split(), f"{number} is not drawn on an edge"
    shoot(browser, tmp_path / "apple-orange-end.png")
    # the keyboard: Left, Home and End move through the same steps
    body = browser.find_element("tag name", "body")
    body.send_keys("\ue012")  # ArrowLeft
    assert step_text(browser) == "step 8 / 9" and cell(browser, "apple", "grad").text == ""
    body.send_keys("\ue011")  # Home
    assert step_text(browser) == "step 0 / 9"
    body.send_keys("\ue010")  # End
    assert step_text(browser) == "step 9 / 9"
    explain = browser.find_element("id", "explain").text
    assert explain.startswith("Backward through ×") and "Done" in explain


def test_changing_tax_recomputes_the_price_and_the_link_reopens_the_same_state(browser, apple_page, tmp_path):
    open_page(browser, apple_page, "#graph=apple-orange&step=9")
    tax = browser.find_element("id", "input-tax")
    assert browser.find_element("css selector", 'label[for="input-tax"]').text == "tax"
    tax.clear()
    tax.send_keys("1.2")
    expected = apple_orange_with(100, 2, 150, 3, 1.2)
    assert cell(browser, "price", "fwd").text == "780"
    shown = float(cell(browser, "price", "fwd").get_attribute("data-value"))
    assert shown == pytest.approx(expected["price"].data, rel=1e-12, abs=0)
    shown = float(cell(browser, "orange", "grad").get_attribute("data-value"))
    assert shown == pytest.approx(expected["orange"].grad, rel=1e-12, abs=0)
    assert cell(browser, "tax", "grad").text == "650"  # d price / d tax does not depend on the tax
    shoot(browser, tmp_path / "apple-orange-tax-1.2.png")
    url = browser.current_url
    assert url.endswith("#graph=apple-orange&step=9&tax=1.2")
    browser.get("about:blank")
    open_page(browser, apple_page, "#" + url.split("#", 1)[1])
    assert step_text(browser) == "step 9 / 9"
    assert browser.find_element("id", "input-tax").get_attribute("value") == "1.2"
    assert cell(browser, "price", "fwd").text == "780" and cell(browser, "apple", "grad").text == "2.4"
    shoot(browser, tmp_path / "apple-orange-reloaded.png")


def _seen_pixels(driver):
    data = driver.execute_script("const c = document.getElementById('seen'); "
                                 "return Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data);")
    return np.array(data, dtype=np.uint8).reshape(28, 28, 4)[..., 0]


@pytest.mark.mnist
def test_a_drawn_one_is_predicted_as_one(browser, trained_model_file, real_mnist_env, tmp_path, capsys):
    from PIL import Image

    page = tmp_path / "model.html"
    assert main(["explore", str(trained_model_file), "--out", str(page)]) == 0
    capsys.readouterr()
    open_page(browser, page)
    browser.find_element("id", "clear").click()
    assert browser.find_element("id", "prediction").text == "–"
    draw_a_one(browser)
    assert browser.find_element("id", "prediction").text == "1"
    assert browser.find_element("css selector", "#label-1").is_selected()  # the backward pass explains "1"
    seen = _seen_pixels(browser)
    assert seen.sum() > 0
    # the 28x28 the page shows is what `chainrule predict` (datasets.read_digit) makes of the drawing
    drawing = browser.execute_script("return document.getElementById('draw').toDataURL('image/png')")
    png = tmp_path / "drawing.png"
    png.write_bytes(base64.b64decode(drawing.split(",", 1)[1]))
    np.testing.assert_array_equal(seen, read_digit(png))
    heat = browser.execute_script(
        "return Array.from(document.getElementById('heat').getContext('2d').getImageData(0, 0, 28, 28).data)")
    assert len(set(heat)) > 10  # a heat map, not a blank
    shoot(browser, tmp_path / "model-drawn-one.png")
    url = browser.current_url
    assert re.search(r"#label=auto&x=[-_A-Za-z0-9]+$", url)
    browser.get("about:blank")
    open_page(browser, page, "#" + url.split("#", 1)[1])
    assert browser.find_element("id", "prediction").text == "1"
    np.testing.assert_array_equal(_seen_pixels(browser), seen)
    shoot(browser, tmp_path / "model-reloaded.png")
    # a test image, and the backward pass for another label, also survive a reload
    browser.find_element("css selector", '#samples button[aria-label="test image 8: a 7"]').click()
    browser.find_element("css selector", 'label[for="label-3"]').click()
    assert browser.current_url.endswith("#label=3&img=7")
    assert browser.find_element("id", "chosen").text == "3"
    browser.get("about:blank")
    open_page(browser, page, "#label=3&img=7")
    assert browser.find_element("id", "prediction").text == "7" and browser.find_element("id", "chosen").text == "3"
    Image.open(io.BytesIO(browser.get_screenshot_as_png())).save(tmp_path / "model-test-image-7.png")


def test_phone_width_and_keyboard(browser, apple_page, tmp_path):
    phone(browser)
    open_page(browser, apple_page, "#graph=apple-orange&step=9")
    assert browser.execute_script("return window.innerWidth") == 390
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    for button in browser.find_elements("css selector", "#graph-controls button"):
        box = button.rect
        assert button.text.strip() and box["x"] >= 0 and box["x"] + box["width"] <= 390, button.text
    wrap = browser.find_element("css selector", ".graph-wrap")  # the drawing scrolls inside its own box
    assert wrap.rect["x"] >= 0 and wrap.rect["x"] + wrap.rect["width"] <= 390
    assert cell(browser, "price", "fwd").text == "715"
    shoot(browser, tmp_path / "apple-orange-phone.png")
    # keyboard only: Tab reaches the controls, Enter presses them
    browser.find_element("id", "reset").click()
    browser.find_element("id", "forward").send_keys("\ue007")  # Enter on the focused button
    assert step_text(browser) == "step 1 / 9"
    for label in browser.find_elements("css selector", "#input-fields input"):
        assert browser.find_element("css selector", f'label[for="{label.get_attribute("id")}"]').text


@pytest.mark.mnist
def test_model_page_at_phone_width(browser, trained_model_file, real_mnist_env, tmp_path, capsys):
    page = tmp_path / "model.html"
    assert main(["explore", str(trained_model_file), "--out", str(page)]) == 0
    capsys.readouterr()
    phone(browser)
    open_page(browser, page)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    assert browser.find_element("id", "draw").rect["width"] <= 390
    assert browser.find_element("id", "prediction").text == "0"  # the first test image, a 0
    shoot(browser, tmp_path / "model-phone.png")


def test_load_to_interactive_is_measured(browser, apple_page):
    """The time from navigation to the page being ready, as the page marks it (reported, not asserted)."""
    open_page(browser, apple_page)
    ready = browser.execute_script("return performance.getEntriesByName('explore-ready')[0].startTime")
    assert ready > 0
    print(f"\napple-orange page: interactive {ready:.0f} ms after navigation")


def test_a_traced_network_graph_page_shows_its_recorded_shapes(browser, tmp_path):
    """Graph.to_html of a traced 784-50-10 (too large to embed its numbers): the page steps through its shapes."""
    from chainrule import TwoLayerNet
    from chainrule.graph import Graph

    net = TwoLayerNet(784, 50, 10, rng=0)
    g = Graph()
    g.trace_loss(net, np.random.default_rng(0).random((3, 784)), np.array([1, 2, 3])).backward()
    page = g.to_html(tmp_path / "traced.html")
    open_page(browser, page)
    assert browser.find_element("id", "inputs").is_displayed() is False  # arrays: nothing to edit
    assert browser.find_element("css selector", ".pick").is_displayed() is False  # one graph: no chooser
    browser.find_element("id", "end").click()
    assert step_text(browser) == "step 9 / 9"
    assert cell(browser, "W1", "fwd").text == "(784, 50)" and cell(browser, "W1", "grad").text == "(784, 50)"
    assert float(cell(browser, "L", "fwd").get_attribute("data-value")) == pytest.approx(float(g["L"].data), rel=1e-15)
    assert browser.current_url.endswith("#step=9")
    shoot(browser, tmp_path / "traced-network.png")


def test_jupyter_display_runs_inside_its_iframe(browser, tmp_path):
    """What a notebook shows for a Graph: the page in an <iframe srcdoc>, stepping like the file."""
    from chainrule.graph import apple_graph

    notebook = tmp_path / "notebook.html"
    notebook.write_text(f"<!DOCTYPE html><html><body><p>Out[1]:</p>{apple_graph()._repr_html_()}</body></html>")
    browser.get(notebook.as_uri())
    browser.switch_to.frame(browser.find_element("tag name", "iframe"))
    assert browser.execute_script("return document.body.dataset.ready") == "true", console(browser)
    browser.find_element("id", "end").click()
    assert cell(browser, "price", "fwd").text == "220"
    assert [cell(browser, k, "grad").text for k in ("apple", "apple_num", "tax")] == ["2.2", "110", "200"]
    browser.switch_to.default_content()
    shoot(browser, tmp_path / "jupyter-iframe.png")


@pytest.mark.parametrize("name", ["<!--<script>", "</script><!--<script>"])
def test_a_name_that_opens_a_comment_or_a_script_leaves_the_page_working(browser, tmp_path, name):
    from chainrule.graph import Graph

    g = Graph()
    x = g.input(2.0, name=name)
    y = x * 3
    y.name = "y"
    y.backward()
    page = g.to_html(tmp_path / "odd-name.html", title=name)
    open_page(browser, page)
    browser.find_element("id", "end").click()
    assert browser.find_element("css selector", "#values tbody th").text == name
    assert cell(browser, "y", "fwd").text == "6" and browser.title == name


def test_a_recorded_chain_of_5000_steps_gives_a_working_page(browser, tmp_path):
    """The layout walks the graph with a loop: a deep graph no longer overflows the JavaScript stack."""
    from chainrule.graph import Graph

    g = Graph()
    x = g.input(0.5, name="x")
    h = x
    for _ in range(5000):
        h = h * 1.0
    h.name = "y"
    h.backward()
    page = g.to_html(tmp_path / "chain.html")
    open_page(browser, page)
    browser.find_element("id", "end").click()
    assert step_text(browser) == "step 10001 / 10001"
    assert cell(browser, "x", "grad").text == "1" and cell(browser, "y", "fwd").text == "0.5"
