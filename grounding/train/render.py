"""Drawing primitives and augmentations shared by the synthetic icon and screen data."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from grounding.train.fonts import Glyph

Color = tuple[int, int, int]
_WORDS = (
    "Settings Wi-Fi Network internet Bluetooth Display Sound Battery Storage Apps Search "
    "Home Profile Account Privacy Security Location Notifications Messages Photos Camera "
    "Music Video Play Share Send Cancel OK Save Delete Edit Done Next Back Sign in Login "
    "Email Password Name Phone Address Settings Help About Version Update Download Open "
    "Close Today Yesterday 12:45 3.2 GB 85% Mon Tue Wed Add to cart Buy now Follow Like "
    "Comment Reply Report Block Mute Airplane mode Dark theme Font size Wallpaper")
WORDS = tuple(_WORDS.split())


@lru_cache(maxsize=4096)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(4, size))


def rand_color(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> Color:
    r, g, b = (int(v) for v in rng.integers(lo, hi, 3))
    return r, g, b


def luminance(c: Color) -> float:
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def contrasting(rng: np.random.Generator, bg: Color, min_diff: float = 70) -> Color:
    """A random colour whose luminance differs from ``bg`` by at least ``min_diff``."""
    for _ in range(20):
        c = rand_color(rng)
        if abs(luminance(c) - luminance(bg)) >= min_diff:
            return c
    return (0, 0, 0) if luminance(bg) > 127 else (255, 255, 255)


def theme_colors(rng: np.random.Generator, faint: bool = False) -> tuple[Color, Color]:
    """(background, foreground) of a light, dark or coloured theme; ``faint``: a dim
    (disabled or secondary) foreground."""
    r = rng.random()
    bg = rand_color(rng, 235, 256) if r < 0.45 else rand_color(rng, 0, 50) if r < 0.8 \
        else rand_color(rng)
    if faint:
        return bg, shade(bg, float(rng.uniform(45, 80)) * (-1 if luminance(bg) > 127 else 1))
    return bg, contrasting(rng, bg, 90)


def shade(c: Color, delta: float) -> Color:
    """``c`` made lighter (delta > 0) or darker, clipped to 0..255."""
    r, g, b = (int(min(255, max(0, v + delta))) for v in c)
    return r, g, b


def words(rng: np.random.Generator, lo: int = 1, hi: int = 4) -> str:
    return " ".join(rng.choice(WORDS, int(rng.integers(lo, hi + 1))))


def draw_glyph(draw: ImageDraw.ImageDraw, glyph: Glyph, center: tuple[float, float], size: int,
               fill: Color, stroke: int = 0) -> tuple[int, int, int, int] | None:
    """Draw a glyph centred at ``center``; its ink box, or None if the font has no ink for it."""
    f = font(glyph.font, size)
    try:
        x1, y1, x2, y2 = (int(round(v)) for v in draw.textbbox(center, glyph.char, font=f,
                                                               anchor="mm", stroke_width=stroke))
    except ValueError:  # raqm cannot shape it: a name in the font's CSS with no glyph
        return None
    if x2 - x1 < 2 or y2 - y1 < 2:
        return None
    draw.text(center, glyph.char, font=f, fill=fill, anchor="mm", stroke_width=stroke,
              stroke_fill=fill)
    return x1, y1, x2, y2


def degrade(img: Image.Image, rng: np.random.Generator, strength: float = 1.0) -> Image.Image:
    """Blur, JPEG and noise, each with some probability."""
    if rng.random() < 0.3 * strength:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.2))))
    if rng.random() < 0.4 * strength:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(rng.integers(25, 90)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    if rng.random() < 0.3 * strength:
        arr = np.asarray(img).astype(np.int16)
        arr += rng.normal(0, rng.uniform(2, 10), arr.shape).astype(np.int16)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return img


def clutter(img: Image.Image, rng: np.random.Generator, text_fonts: list[str]) -> None:
    """Random background: a gradient, blobs or stray text, in place."""
    draw = ImageDraw.Draw(img)
    w, h = img.size
    for _ in range(int(rng.integers(1, 4))):
        x, y = rng.integers(-w // 2, w, 2)
        s = int(rng.integers(max(2, w // 4), max(3, w)))
        c = rand_color(rng)
        if rng.random() < 0.5:
            draw.ellipse((int(x), int(y), int(x) + s, int(y) + s), fill=c)
        else:
            draw.text((int(x), int(y)), words(rng, 1, 2),
                      font=font(str(rng.choice(text_fonts)), s // 2), fill=c)
