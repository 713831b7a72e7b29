"""Shared by the tests of chainrule.datasets and of the command: pictures of digits."""

import numpy as np


def digit_png(pil, path, bits):
    """A dark stroke on a light background, as a person draws on paper."""
    top = 65535 if bits == 16 else 255
    image = np.full((40, 40), top, np.uint32)
    image[8:32, 18:23] = top // 10
    pil.fromarray(image.astype(np.uint16 if bits == 16 else np.uint8)).save(path)
    return path
