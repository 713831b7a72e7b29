"""chainrule.datasets.digits: read_digit turns a photo or a drawing into an MNIST-like 28x28 digit."""

import numpy as np
import pytest

from tests.datasets.helpers import digit_png


def test_sixteen_bit_grayscale_png_is_read_not_called_blank(tmp_path):
    pil = pytest.importorskip("PIL.Image")
    from chainrule.datasets import read_digit

    eight = read_digit(digit_png(pil, tmp_path / "d8.png", 8))
    sixteen = read_digit(digit_png(pil, tmp_path / "d16.png", 16))
    with pil.open(tmp_path / "d16.png") as im:
        assert im.mode.startswith("I")
    assert eight.max() == 255 and np.abs(sixteen.astype(int) - eight.astype(int)).max() <= 1
