"""Screenshot files: decoded with Pillow alone, so that a one-shot command can read its
image while the models open and the rest of perception's code loads."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, UnidentifiedImageError

from devices.geometry import ScreenGeometry
from grounding.errors import ImageError

if TYPE_CHECKING:
    from devices.base import Observation

MAX_IMAGE_PIXELS = 40_000_000   # an 8K screen is 33 million; beyond, a file is no screenshot


def load_image(path: str | Path) -> Image.Image:
    """Open an image file as RGB; ``ImageError`` with the path when it cannot be read or
    is larger than MAX_IMAGE_PIXELS (checked from the header, before any pixel is decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                _check_size(path, im.width, im.height)
                return im.convert("RGB")
    except FileNotFoundError as exc:
        raise ImageError(f"image not found: {path}") from exc
    except Image.DecompressionBombError as exc:
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        count = f"{int(pixels[1]):,} pixels" if pixels else "too many pixels"
        raise ImageError(f"{path}: {_too_big(count)}") from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise ImageError(f"cannot read image {path}: {exc}") from exc


def _check_size(path: str | Path, width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageError(f"{path}: {_too_big(f'{width}x{height} pixels')}")


def _too_big(what: object) -> str:
    return (f"the image is too large ({what}); the limit is {MAX_IMAGE_PIXELS // 10**6} "
            "million pixels: scale it down or crop it")


def as_observation(source: Observation | Image.Image | str | Path) -> Observation:
    """An Observation from an observation, a PIL image or an image path."""
    from devices.base import Observation

    if isinstance(source, Observation):
        return source
    image = source if isinstance(source, Image.Image) else load_image(source)
    if image.mode != "RGB":   # an RGB image is taken as it is, not copied (6 MB at 1080p)
        image = image.convert("RGB")
    return Observation(image=image, geometry=ScreenGeometry(image.width, image.height))
