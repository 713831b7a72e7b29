"""Chapter 6's pages in a real browser (headless Chromium, selenium): Batch Normalization's graph stepped
like apple-orange and edited, its derivatives equal to BatchNormalization.backward; the optimizers' paths
stepped and played, Adam's after 30 steps equal to chainrule's; the activation histograms of figures
6-10 to 6-14 with the initialisation chosen in the page. Every test saves a screenshot in its tmp dir.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from chainrule.batchnorm import BatchNormalization
from chainrule.graph import batch_norm_graph
from tests.explore.browser import cell, open_page, phone, shoot, step_text, write_page
from tests.explore.test_page_chapter6 import chainrule_path

LEFT, RIGHT, HOME, END = "\ue012", "\ue014", "\ue011", "\ue010"


@pytest.fixture
def figures_page(tmp_path, capsys):
    return write_page(capsys, "batch-norm", "--out", tmp_path / "figures.html")


def shown(driver, name, column):
    """The numbers of a value's row in the table (None when not shown yet)."""
    td = cell(driver, name, column)
    raw = td.get_attribute("data-values") or td.get_attribute("data-value")
    return None if raw is None else np.array(json.loads(raw) if raw.startswith("[") else [float(raw)])


def test_batch_norm_graph_stepped_back_shows_chainrules_derivatives(browser, figures_page, tmp_path):
    open_page(browser, figures_page)
    g = batch_norm_graph()  # chainrule's own graph of the same numbers, and the layer
    bn = BatchNormalization(g["gamma"].data.copy(), g["beta"].data.copy())
    bn.forward(g["x"].data, train_flg=True)
    dx = bn.backward(g["out"].grad)
    assert browser.find_element("id", "graph-title").text.startswith("Batch Normalization")
    body = browser.find_element("tag name", "body")
    body.send_keys(END)
    assert step_text(browser) == "step 21 / 21"
    np.testing.assert_allclose(shown(browser, "x", "grad"), dx.ravel(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(shown(browser, "gamma", "grad"), bn.dgamma, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(shown(browser, "beta", "grad"), bn.dbeta, rtol=1e-12, atol=1e-14)
    shoot(browser, tmp_path / "batch-norm-end.png")
    names = [v.name for v in g.values]
    seen = set()
    for step in range(21, 0, -1):  # step back node by node: what is shown is chainrule's, the rest is blank
        assert step_text(browser) == f"step {step} / 21"
        for name in names:
            grad, value = shown(browser, name, "grad"), shown(browser, name, "fwd")
            if grad is not None:
                np.testing.assert_allclose(grad, np.ravel(g[name].grad), rtol=1e-12, atol=1e-14)
                seen.add(name)
            if value is not None:
                np.testing.assert_allclose(value, np.ravel(g[name].data), rtol=1e-12, atol=1e-14)
        if step == 11:  # back at the start of the backward pass: only the output's derivative
            assert [n for n in names if shown(browser, n, "grad") is not None] == ["out"]
        body.send_keys(LEFT)
    assert seen == set(names)
    assert shown(browser, "mu", "fwd") is None and shown(browser, "x", "fwd") is not None  # step 0: the inputs only


def test_batch_norm_inputs_edited_in_the_page_give_batch_normalizations_backward(browser, figures_page, tmp_path):
    open_page(browser, figures_page, "#graph=batch-norm&step=21")
    x = np.array([[2.0, -1.0], [0.5, 3.0], [-4.0, 0.25]])
    gamma, beta = np.array([0.5, -2.0]), np.array([1.0, 0.0])
    dout = np.array([[0.3, 1.0], [-2.0, 0.5], [1.0, -0.25]])
    for name, values in (("x", x), ("gamma", gamma), ("beta", beta), ("dout", dout)):
        for k, v in enumerate(values.ravel()):
            field = browser.find_element("id", f"input-{name}-{k}")
            field.clear()
            field.send_keys(repr(float(v)))
    bn = BatchNormalization(gamma, beta)
    out = bn.forward(x, train_flg=True)
    dx = bn.backward(dout)
    np.testing.assert_allclose(shown(browser, "out", "fwd"), out.ravel(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(shown(browser, "x", "grad"), dx.ravel(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(shown(browser, "gamma", "grad"), bn.dgamma, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(shown(browser, "beta", "grad"), bn.dbeta, rtol=1e-12, atol=1e-14)
    url = browser.current_url
    assert "x=2,-1,0.5,3,-4,0.25" in url and "dout=0.3,1,-2,0.5,1,-0.25" in url
    browser.get("about:blank")
    open_page(browser, figures_page, "#" + url.split("#", 1)[1])  # the address keeps the edited inputs
    np.testing.assert_allclose(shown(browser, "x", "grad"), dx.ravel(), rtol=1e-12, atol=1e-13)
    shoot(browser, tmp_path / "batch-norm-edited.png")


def row(driver, optimizer):
    tds = driver.find_elements("css selector", f'#opt-table tr[data-optimizer="{optimizer}"] td')
    return [float(td.get_attribute("data-value")) for td in tds]


def test_adam_path_after_30_steps_is_chainrules(browser, figures_page, tmp_path):
    open_page(browser, figures_page, "#view=optimizers")
    assert browser.find_element("id", "optimizer-view").is_displayed()
    assert not browser.find_element("id", "graph-view").is_displayed()
    body = browser.find_element("tag name", "body")
    body.send_keys(HOME)
    assert browser.find_element("id", "opt-step-count").text == "step 0 / 30"
    assert row(browser, "adam")[:2] == [-7.0, 2.0]
    for _ in range(30):
        body.send_keys(RIGHT)
    assert browser.find_element("id", "opt-step-count").text == "step 30 / 30"
    expected = {k: chainrule_path(k, lr, -7.0, 2.0, 30) for k, lr in
                (("sgd", 0.95), ("momentum", 0.1), ("adagrad", 1.5), ("adam", 0.3))}
    for name, points in expected.items():
        x, y, f = row(browser, name)
        assert (x, y) == pytest.approx(points[30], rel=1e-12, abs=1e-300), name
        assert f == pytest.approx(points[30][0] ** 2 / 20 + points[30][1] ** 2, rel=1e-12)
    circles = browser.find_elements("css selector", '#opt-plot g[data-optimizer="adam"] circle')
    assert len(circles) == 31  # the start and 30 steps, on the contour plot
    shoot(browser, tmp_path / "optimizers.png")
    # pick Nesterov too, another learning rate for Adam and another start: still chainrule's numbers
    browser.find_element("id", "opt-use-nesterov").click()
    lr = browser.find_element("id", "opt-lr-adam")
    lr.clear()
    lr.send_keys("0.05")
    for field, value in (("opt-x0", "5"), ("opt-y0", "-3")):
        browser.find_element("id", field).clear()
        browser.find_element("id", field).send_keys(value)
    assert row(browser, "adam")[:2] == pytest.approx(chainrule_path("adam", 0.05, 5.0, -3.0, 30)[30], rel=1e-12)
    assert row(browser, "nesterov")[:2] == pytest.approx(chainrule_path("nesterov", 0.1, 5.0, -3.0, 30)[30], rel=1e-12)
    url = browser.current_url
    assert "use=sgd,momentum,nesterov,adagrad,adam" in url and "lr.adam=0.05" in url and "x0=5" in url
    browser.find_element("id", "opt-reset").click()
    browser.find_element("id", "opt-play").click()  # play runs the steps by itself
    browser.implicitly_wait(0)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda d: d.find_element("id", "opt-step-count").text == "step 30 / 30")
    assert row(browser, "adam")[:2] == pytest.approx(chainrule_path("adam", 0.05, 5.0, -3.0, 30)[30], rel=1e-12)


def histograms(driver):
    figs = driver.find_elements("css selector", "#init-hists svg.hist")
    return [np.array([int(c) for c in f.get_attribute("data-counts").split(",")]) for f in figs]


def stds(driver):
    return [float(p.text.split("std ")[1]) for p in driver.find_elements("css selector", "#init-hists p")]


def test_activation_histograms_follow_the_initialisation_chosen_in_the_page(browser, figures_page, tmp_path):
    open_page(browser, figures_page, "#view=weight-init")
    hists = histograms(browser)
    assert len(hists) == 5 and all(h.size == 30 for h in hists)
    for h in hists:  # figure 6-10: sigmoid, std 1: the activations pile up at 0 and 1
        assert (h[0] + h[-1]) / h.sum() > 0.4
    browser.find_element("css selector", 'label[for="init-std-001"]').click()
    for h in histograms(browser):  # figure 6-11: std 0.01: all near 0.5
        assert h[12:18].sum() / h.sum() > 0.99  # between 0.4 and 0.6
    browser.find_element("css selector", 'label[for="init-act-relu"]').click()
    small = stds(browser)
    assert small[-1] < 0.01 * small[0]  # figure 6-14, top: with ReLU and std 0.01 the activations vanish
    browser.find_element("css selector", 'label[for="init-std-he"]').click()
    he = stds(browser)
    assert 0.5 < he[-1] / he[0] < 2  # figure 6-14, bottom: He keeps them alike layer after layer
    assert browser.current_url.endswith("#view=weight-init&act=relu&std=he")
    shoot(browser, tmp_path / "relu-he.png")
    browser.find_element("id", "init-redraw").click()  # new random numbers: another draw, the same picture
    assert browser.current_url.endswith("&seed=2") and 0.5 < stds(browser)[-1] / stds(browser)[0] < 2


def test_chapter6_pages_at_phone_width(browser, figures_page, tmp_path):
    phone(browser)
    for fragment in ("#graph=batch-norm&step=15", "#view=optimizers", "#view=weight-init"):
        open_page(browser, figures_page, fragment)
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390, fragment
        shoot(browser, tmp_path / f"phone-{fragment[1:].split('&')[0].replace('=', '-')}.png")
