"""Your own picture of a digit, prepared as MNIST prepared its digits (for ``chainrule predict``)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from ..io import npz as _npz

__all__ = ["MAX_IMAGE_PIXELS", "read_digit"]

#: The most pixels :func:`read_digit` decodes (a 5000 x 5000 picture).
MAX_IMAGE_PIXELS = 25_000_000


class _PictureRefused(ValueError):
    """A picture refused before decoding (too large, or not a regular file); the message says why."""


def _check_image_size(path, size):
    width, height = size
    if width * height > MAX_IMAGE_PIXELS:
        raise _PictureRefused(f"{path} is {width}x{height} pixels, more than the limit of {MAX_IMAGE_PIXELS} "
                             "pixels for a picture of a digit: crop or scale it down")


def read_digit(path, *, size=28, box=20):
    """Read a picture of a handwritten digit and prepare it as MNIST prepared its digits.

    Steps: grayscale (the alpha channel is the ink when the picture has transparent
    pixels); inverted when the background is light, so the ink is bright on black as
    in MNIST; stretched so the background is 0 and the darkest ink 255; cropped to the
    ink's bounding box; scaled so its longer side is ``box`` pixels (20); placed in a
    ``size`` x ``size`` (28 x 28) image so its centre of mass is at the centre.

    Needs Pillow (``pip install "chainrule[image]"``).

    Parameters
    ----------
    path : str or Path
        A PNG, JPEG or any image Pillow reads.

    Returns
    -------
    image : ndarray of uint8, shape (size, size)
        0 is background, 255 is ink; ``image.reshape(1, -1) / 255`` is a network input.
    """
    try:
        from PIL import Image, ImageOps, UnidentifiedImageError
    except ImportError:
        raise ImportError('reading images needs Pillow: pip install "chainrule[image]"') from None
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"image not found: {path}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with _npz.open_regular(path, _PictureRefused) as f, Image.open(f) as im:  # the header only, so far
                _check_image_size(path, im.size)
                im = ImageOps.exif_transpose(im)
                im.load()
    except _PictureRefused as exc:
        raise ValueError(str(exc)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # Pillow's own, larger limit
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{found[1]} pixels" if found else f"larger than Pillow's limit ({exc})"
        raise ValueError(f"{path} is {pixels}, more than the limit of {MAX_IMAGE_PIXELS} pixels for a picture "
                         "of a digit: crop or scale it down") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValueError(f"{path} is not an image Pillow can read: {exc}") from None
    alpha = None
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        alpha = np.asarray(im.convert("RGBA"), dtype=np.float64)[..., 3] / 255.0
        if alpha.min() > 0.5:  # nothing transparent: an ordinary picture
            alpha = None
    if alpha is not None:
        ink = alpha
    else:
        gray = _gray(im)
        border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        ink = 1.0 - gray if np.median(border) > 0.5 else gray
    border = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
    background = float(np.median(border))
    contrast = float(ink.max()) - background
    if contrast < 0.1:
        raise ValueError(f"no digit found in {path}: the picture looks blank")
    ink = np.clip((ink - background) / contrast, 0.0, 1.0)
    rows = np.flatnonzero((ink > 0.25).any(axis=1))
    cols = np.flatnonzero((ink > 0.25).any(axis=0))
    ink = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = ink.shape
    scale = box / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    small = Image.fromarray(ink.astype(np.float32)).resize((new_w, new_h), Image.Resampling.LANCZOS)
    small = np.clip(np.asarray(small, dtype=np.float64), 0.0, 1.0)
    mass = small.sum()
    if mass <= 0:
        raise ValueError(f"no digit found in {path}: the picture looks blank")
    cy = float(np.arange(new_h) @ small.sum(axis=1)) / mass
    cx = float(np.arange(new_w) @ small.sum(axis=0)) / mass
    centre = size / 2  # MNIST's centres of mass average (14.0, 14.0) in pixel-index coordinates
    top = min(max(round(centre - cy), 0), size - new_h)
    left = min(max(round(centre - cx), 0), size - new_w)
    out = np.zeros((size, size), dtype=np.float64)
    out[top:top + new_h, left:left + new_w] = small
    return np.round(out * 255).astype(np.uint8)


def _gray(im):
    """The picture's grayscale in [0, 1], by its real range: 8-bit by 255, 16-bit by 65535
    (``convert("L")`` would clip a 16-bit picture to white), 32-bit and float by the
    smallest of 1, 255 and 65535 that holds its values, else by its own minimum and maximum."""
    if im.mode.startswith("I;16"):
        return np.asarray(im, dtype=np.float64) / 65535.0
    if im.mode not in ("I", "F"):
        return np.asarray(im.convert("L"), dtype=np.float64) / 255.0
    values = np.asarray(im, dtype=np.float64)
    low, high = float(values.min()), float(values.max())
    if low >= 0:
        for top in (1.0, 255.0, 65535.0):
            if high <= top:
                return values / top
    return (values - low) / (high - low) if high > low else np.zeros_like(values)
