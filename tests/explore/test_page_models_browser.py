"""Model pages of chapters 6-8 in a real browser (headless Chromium, selenium): a digit drawn with the
mouse read back by a SimpleConvNet and a DeepConvNet, max pooling's gradient at each window's maximum
only, a clicked convolution position explained, Batch Normalization and Dropout drawn, the phone layout.

The models are trained briefly on the real MNIST (tests/explore/models.py, kept in pytest's cache).
Every test saves a screenshot of what it checked in its tmp dir.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from chainrule.convolution import Convolution, Pooling
from chainrule.datasets import read_digit
from chainrule.functions import softmax
from tests.explore.browser import draw_a_one, open_page, phone, shoot, write_page

pytestmark = pytest.mark.mnist


def model_page(trained_models, kind, tmp_path, capsys):
    path, net = trained_models[kind]
    return write_page(capsys, path, "--out", tmp_path / f"{kind}.html"), net


def state(driver, what):
    """Arrays of what the page shows (window.ChainruleExplore.last), in their shapes: 'fwd.acts', 'back.grads'."""
    found = driver.execute_script(f"return ChainruleExplore.last.{what}.map((t) => [t.shape, Array.from(t.data)])")
    return [np.array(data).reshape(shape) for shape, data in found]


@pytest.mark.parametrize("kind", ["SimpleConvNet", "DeepConvNet"])
def test_a_drawn_one_is_read_back_by_a_convolutional_network(browser, trained_models, kind, tmp_path, capsys):
    page, net = model_page(trained_models, kind, tmp_path, capsys)
    open_page(browser, page)
    draw_a_one(browser)
    assert browser.find_element("id", "prediction").text == "1"
    seen = np.array(browser.execute_script(
        "return Array.from(document.getElementById('seen').getContext('2d').getImageData(0, 0, 28, 28).data)"),
        dtype=np.uint8).reshape(28, 28, 4)[..., 0]
    drawing = browser.execute_script("return document.getElementById('draw').toDataURL('image/png')")
    png = tmp_path / "drawing.png"
    png.write_bytes(base64.b64decode(drawing.split(",", 1)[1]))
    np.testing.assert_array_equal(seen, read_digit(png))  # prepared as `chainrule predict` prepares it
    probs = browser.execute_script("return Array.from(window.ChainruleExplore.last.fwd.probs.data)")
    x = seen.reshape(1, 1, 28, 28).astype(np.float32) * np.float32(1 / 255)
    np.testing.assert_allclose(probs, softmax(net.predict(x))[0], atol=1e-5)  # chainrule's own answer
    assert int(np.argmax(probs)) == 1
    shoot(browser, tmp_path / f"{kind}-drawn-one.png")


def test_max_pooling_sends_the_gradient_to_each_windows_maximum_only(browser, trained_models, tmp_path, capsys):
    page, net = model_page(trained_models, "DeepConvNet", tmp_path, capsys)
    open_page(browser, page, "#label=auto&img=3")
    names = list(net.layers)
    acts, grads = state(browser, "fwd.acts"), state(browser, "back.grads")
    checked = 0
    for i, name in enumerate(names):
        if not name.startswith("Pool"):
            continue
        x, out, dx, dout = acts[i - 1], acts[i], grads[i - 1], grads[i]  # the pool's input and output, d loss / d each
        _, c, h, w = x.shape
        windows = x.reshape(c, h // 2, 2, w // 2, 2).transpose(0, 1, 3, 2, 4).reshape(c, h // 2, w // 2, 4)
        routed = dx.reshape(c, h // 2, 2, w // 2, 2).transpose(0, 1, 3, 2, 4).reshape(windows.shape)
        first_max = np.argmax(windows, axis=-1)[..., None]  # the first maximum of each window, as the layer keeps it
        np.testing.assert_array_equal(np.take_along_axis(routed, first_max, axis=-1)[..., 0], dout[0])
        np.put_along_axis(routed, first_max, 0.0, axis=-1)
        assert not routed.any(), f"{name}: a derivative reached a position that was not its window's maximum"
        assert np.count_nonzero(dx) == np.count_nonzero(dout) > 0
        layer = Pooling(2, 2, stride=2)  # chainrule's layer on the page's numbers gives the page's numbers
        np.testing.assert_array_equal(layer.forward(x), out)
        np.testing.assert_array_equal(layer.backward(dout), dx)
        checked += 1
    assert checked == 3
    shoot(browser, tmp_path / "pooling.png")


def click_map(driver, layer, kind, c, y, x):
    """Click position (c, y, x) of layer ``layer``'s forward or backward map (its canvas, as the page lays it out)."""
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = driver.find_element("css selector", f'figure.layer[data-layer="{layer}"] canvas[data-kind="{kind}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    px, py, width = driver.execute_script(
        "const c = arguments[0], E = window.ChainruleExplore, s = E.last.fwd.acts[arguments[1]].shape;"
        "const lay = E.mapLayout(s.slice(1)), p = E.pixelOf(lay, {c: arguments[2], y: arguments[3], x: arguments[4]});"
        "return [p[0] + lay.s / 2, p[1] + lay.s / 2, lay.width];", canvas, layer, c, y, x)
    scale = canvas.size["width"] / width
    ActionChains(driver).move_to_element_with_offset(canvas, int(px * scale - canvas.size["width"] / 2),
                                                     int(py * scale - canvas.size["height"] / 2)).click().perform()


def test_a_clicked_convolution_position_shows_its_receptive_field_kernel_products_and_shares(
        browser, trained_models, tmp_path, capsys):
    page, net = model_page(trained_models, "DeepConvNet", tmp_path, capsys)
    open_page(browser, page, "#label=3&img=3")
    names = list(net.layers)
    k = names.index("Conv3")
    g = state(browser, "back.grads")[k][0]
    c, y, x = (int(i) for i in np.unravel_index(np.argmax(np.abs(g[:, 1:-1, 1:-1])), (32, 12, 12)))
    y, x = y + 1, x + 1  # a position whose derivative is the largest, away from the padding
    click_map(browser, k, "forward", c, y, x)
    panel = browser.find_element("id", "position")
    assert panel.is_displayed()
    assert panel.text.startswith(f"Conv3, map {c}, row {y}, column {x}")
    assert browser.current_url.endswith(f"&at={k},{c},{y},{x}")
    e = browser.execute_script("const e = window.ChainruleExplore.last.explained;"
                               "return {window: Array.from(e.window), kernel: Array.from(e.kernel), sum: e.sum,"
                               " bias: e.bias, value: e.value, g: e.g, dW: Array.from(e.dW), dx: Array.from(e.dx),"
                               " y0: e.y0, x0: e.x0};")
    below = state(browser, "fwd.acts")[k - 1]
    assert below.shape == (1, 16, 14, 14)
    conv = net.layers["Conv3"]
    W64 = conv.W.astype(np.float64)
    layer = Convolution(W64, conv.b.astype(np.float64), conv.stride, conv.pad)
    out = layer.forward(below)
    assert e["sum"] + e["bias"] == pytest.approx(out[0, c, y, x], rel=1e-12, abs=1e-12) == e["value"]
    assert (e["y0"], e["x0"]) == (y - 1, x - 1)  # a 3x3 window with pad 1: rows y-1..y+1 of the pool below
    np.testing.assert_array_equal(np.array(e["window"]).reshape(16, 3, 3), below[0, :, y - 1:y + 2, x - 1:x + 2])
    np.testing.assert_array_equal(np.array(e["kernel"]).reshape(16, 3, 3), W64[c])
    # on the way back: its share of dW is g x the receptive field, of dx g x the kernel (chainrule's backward of
    # this one derivative)
    assert e["g"] == g[c, y, x] != 0
    dout = np.zeros_like(out)
    dout[0, c, y, x] = e["g"]
    dx = layer.backward(dout)
    np.testing.assert_allclose(np.array(e["dW"]).reshape(16, 3, 3), layer.dW[c], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.array(e["dx"]).reshape(16, 3, 3), dx[0, :, y - 1:y + 2, x - 1:x + 2],
                               rtol=1e-12, atol=1e-15)
    outlines = browser.find_elements("css selector", f'figure.layer[data-layer="{k - 1}"] .outline.field')
    assert len(outlines) == 2 * 16  # the receptive field, in each of the 16 maps below, forward and backward
    shoot(browser, tmp_path / "conv-position.png")
    # a pooling position: the window, its maximum, where the derivative goes
    p = names.index("Pool2")
    click_map(browser, p, "backward", 3, 2, 5)
    assert panel.text.startswith("Pool2, map 3, row 2, column 5")
    assert "The largest value" in panel.text and "the other 3 positions of the window get 0" in panel.text
    assert len(browser.find_elements("css selector", f'figure.layer[data-layer="{p - 1}"] .outline.max')) == 2
    browser.get("about:blank")
    open_page(browser, page, f"#label=3&img=3&at={p},3,2,5")  # the address keeps the clicked position
    assert browser.find_element("id", "position").text.startswith("Pool2, map 3, row 2, column 5")


def test_batch_normalization_and_dropout_layers_are_drawn(browser, trained_models, real_mnist, tmp_path, capsys):
    page, net = model_page(trained_models, "MultiLayerNetExtend", tmp_path, capsys)
    open_page(browser, page, "#label=auto&img=4")
    captions = [e.text for e in browser.find_elements("css selector", "#layers figcaption")]
    assert captions[:4] == ["input x (the prepared digit): one map of 28×28", "Affine1 (Affine 784→100): 100 units",
                            "BatchNorm1 (Batch Normalization (running statistics)): 100 units",
                            "Activation_function1 (ReLU): 100 units"]
    assert "Dropout1 (Dropout (test: × 0.8)): 100 units" in captions
    x = real_mnist.x_test[np.flatnonzero(real_mnist.t_test == 4)[0]].reshape(1, 784).astype(np.float32) / 255
    probs = browser.execute_script("return Array.from(window.ChainruleExplore.last.fwd.probs.data)")
    np.testing.assert_allclose(probs, softmax(net.predict(x, train_flg=False))[0], atol=1e-5)
    assert browser.find_element("id", "prediction").text == str(int(np.argmax(probs)))
    shoot(browser, tmp_path / "batchnorm-model.png")


def test_convolutional_model_page_at_phone_width(browser, trained_models, tmp_path, capsys):
    page, _ = model_page(trained_models, "DeepConvNet", tmp_path, capsys)
    phone(browser)
    open_page(browser, page, "#label=auto&img=3&at=2,5,10,12")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    for canvas in browser.find_elements("css selector", "#layers canvas, #position canvas, #filters"):
        box = canvas.rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    shoot(browser, tmp_path / "deep-phone.png")
