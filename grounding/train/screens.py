"""Synthetic screens: random phone/desktop layouts of UI components, with labelled boxes.

Screens are drawn at the detector's working scale (longer side <= 1280 px),
where ``d`` is pixels per density-independent pixel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from grounding.train import render
from grounding.train.fonts import other_glyphs, resolve, text_fonts

KINDS = ["none", "text", "icon", "button", "input", "toggle", "checkbox", "slider", "image"]
SIZES = ((576, 1280), (540, 960), (720, 1280), (600, 1280), (1280, 720), (1280, 800),
         (1280, 1024), (800, 1280))
Box4 = tuple[int, int, int, int]


@dataclass
class Canvas:
    """A screen being drawn: image, theme, scale and the labelled boxes so far."""

    img: Image.Image
    rng: np.random.Generator
    d: float
    bg: render.Color
    fg: render.Color
    accent: render.Color
    font: str
    boxes: list[tuple[Box4, str]] = field(default_factory=list)

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.img)

    def dp(self, lo: float, hi: float | None = None) -> int:
        return max(1, round(self.d * (lo if hi is None else self.rng.uniform(lo, hi))))

    def add(self, box: Box4 | tuple[float, ...], kind: str) -> Box4:
        b = tuple(int(round(v)) for v in box)
        self.boxes.append((b, kind))  # type: ignore[arg-type]
        return b  # type: ignore[return-value]


def text(c: Canvas, x: int, y: int, size_dp: float, color: render.Color | None = None,
         content: str | None = None) -> Box4:
    f = render.font(c.font, c.dp(size_dp))
    s = content or render.words(c.rng)
    box = c.draw.textbbox((x, y), s, font=f)
    c.draw.text((x, y), s, font=f, fill=color or c.fg)
    return c.add(box, "text")


def icon(c: Canvas, cx: float, cy: float, size_dp: float, color: render.Color | None = None
         ) -> Box4 | None:
    pool = resolve()[str(c.rng.choice(list(resolve())))] if c.rng.random() < 0.7 \
        else other_glyphs()
    glyph = pool[int(c.rng.integers(len(pool)))]
    box = render.draw_glyph(c.draw, glyph, (cx, cy), c.dp(size_dp), color or c.fg)
    return c.add(box, "icon") if box else None


def button(c: Canvas, x: int, y: int) -> int:
    """A filled, outlined or text button; returns its right edge."""
    h, label = c.dp(34, 48), render.words(c.rng, 1, 2)
    f = render.font(c.font, c.dp(13, 16))
    tw = int(c.draw.textlength(label, font=f))
    w = tw + c.dp(24, 40)
    style, r = c.rng.integers(3), int(c.rng.choice([2 * c.d, h // 2, 6 * c.d]))
    fill = c.accent if style == 0 else None
    c.draw.rounded_rectangle((x, y, x + w, y + h), r, fill=fill,
                             outline=None if style == 2 else c.accent, width=max(1, c.dp(1)))
    ink = render.contrasting(c.rng, c.accent, 90) if style == 0 else c.accent
    text(c, x + (w - tw) // 2, y + h // 2 - c.dp(8), 14, ink, label)
    c.add((x, y, x + w + 1, y + h + 1), "button")
    return x + w


def input_field(c: Canvas, x: int, y: int, w: int) -> None:
    h = c.dp(44, 56)
    style = c.rng.integers(3)
    if style == 0:
        c.draw.rounded_rectangle((x, y, x + w, y + h), c.dp(4), outline=c.fg, width=c.dp(1))
    elif style == 1:
        c.draw.line((x, y + h, x + w, y + h), fill=c.accent, width=max(1, c.dp(1.5)))
    else:
        shade = tuple(min(255, max(0, v + (12 if render.luminance(c.bg) < 128 else -12)))
                      for v in c.bg)
        c.draw.rounded_rectangle((x, y, x + w, y + h), c.dp(h / c.d / 2), fill=shade)
    hint = tuple((a + b) // 2 for a, b in zip(c.fg, c.bg, strict=True))
    text(c, x + c.dp(12), y + h // 2 - c.dp(8), 15, hint)  # type: ignore[arg-type]
    c.add((x, y, x + w + 1, y + h + 1), "input")


def toggle(c: Canvas, x: int, cy: int) -> None:
    on = c.rng.random() < 0.5
    if c.rng.random() < 0.5:  # Material: thin track, larger thumb
        tw, th, r = c.dp(36), c.dp(14), c.dp(10)
        track = c.accent if on else (150, 150, 150)
        c.draw.rounded_rectangle((x, cy - th // 2, x + tw, cy + th // 2), th // 2, fill=track)
        tx = x + tw - r if on else x + r
        c.draw.ellipse((tx - r, cy - r, tx + r, cy + r), fill=(245, 245, 245) if not on
                       else c.accent, outline=(120, 120, 120))
        c.add((x - 1, cy - r - 1, x + tw + 1, cy + r + 1), "toggle")
    else:  # pill with the thumb inside (iOS, Material 3)
        tw, th = c.dp(50), c.dp(30)
        c.draw.rounded_rectangle((x, cy - th // 2, x + tw, cy + th // 2), th // 2,
                                 fill=c.accent if on else c.bg, outline=(120, 120, 120))
        r = th // 2 - c.dp(3)
        tx = x + tw - th // 2 if on else x + th // 2
        c.draw.ellipse((tx - r, cy - r, tx + r, cy + r), fill=(250, 250, 250) if on else c.fg)
        c.add((x, cy - th // 2, x + tw + 1, cy + th // 2 + 1), "toggle")


def checkbox(c: Canvas, x: int, cy: int) -> None:
    s, on = c.dp(18), c.rng.random() < 0.5
    box = (x, cy - s // 2, x + s, cy + s // 2)
    if c.rng.random() < 0.3:  # radio button
        c.draw.ellipse(box, outline=c.accent if on else c.fg, width=c.dp(2))
        if on:
            c.draw.ellipse((x + s // 4, cy - s // 4, x + s - s // 4, cy + s // 4), fill=c.accent)
    else:
        c.draw.rounded_rectangle(box, c.dp(2), fill=c.accent if on else None,
                                 outline=c.accent if on else c.fg, width=c.dp(2))
        if on:
            ink = render.contrasting(c.rng, c.accent, 90)
            c.draw.line((x + s * 0.2, cy, x + s * 0.42, cy + s * 0.25, x + s * 0.8,
                         cy - s * 0.25), fill=ink, width=c.dp(2))
    c.add((box[0], box[1], box[2] + 1, box[3] + 1), "checkbox")


def slider(c: Canvas, x: int, cy: int, w: int) -> None:
    r, t = c.dp(6, 11), c.dp(2, 4)
    pos = x + int(w * c.rng.uniform(0.05, 0.95))
    c.draw.rectangle((x, cy - t // 2, x + w, cy + t // 2), fill=(160, 160, 160))
    c.draw.rectangle((x, cy - t // 2, pos, cy + t // 2), fill=c.accent)
    c.draw.ellipse((pos - r, cy - r, pos + r, cy + r), fill=c.accent)
    c.add((x - 1, cy - r, x + w + 1, cy + r + 1), "slider")


def picture(c: Canvas, x: int, y: int, w: int, h: int) -> None:
    """A photo-like image: a gradient with blobs."""
    a, b = np.array(render.rand_color(c.rng)), np.array(render.rand_color(c.rng))
    t = np.linspace(0, 1, h)[:, None, None]
    arr = np.broadcast_to(a * (1 - t) + b * t, (h, w, 3)).astype(np.uint8)
    tile = Image.fromarray(np.ascontiguousarray(arr))
    render.clutter(tile, c.rng, text_fonts())
    c.img.paste(tile, (x, y))
    c.add((x, y, x + w, y + h), "image")


def row_setting(c: Canvas, x: int, y: int, w: int) -> int:
    h = c.dp(56, 72)
    tx = x
    if c.rng.random() < 0.6:
        icon(c, x + c.dp(12), y + h / 2, c.rng.uniform(20, 26))
        tx = x + c.dp(40, 56)
    two = c.rng.random() < 0.5
    text(c, tx, y + h // 2 - c.dp(18 if two else 9), 16)
    if two:
        text(c, tx, y + h // 2 + c.dp(2), 13, tuple((a + b) // 2 for a, b in  # type: ignore
                                                    zip(c.fg, c.bg, strict=True)))
    trail = c.rng.integers(4)
    if trail == 0:
        toggle(c, x + w - c.dp(56), y + h // 2)
    elif trail == 1:
        checkbox(c, x + w - c.dp(30), y + h // 2)
    elif trail == 2:
        icon(c, x + w - c.dp(14), y + h / 2, 22)
    return h


def row_appbar(c: Canvas, x: int, y: int, w: int) -> int:
    h = c.dp(56)
    icon(c, x + c.dp(16), y + h / 2, 24)
    text(c, x + c.dp(56), y + h // 2 - c.dp(11), 20)
    for i in range(int(c.rng.integers(0, 4))):
        icon(c, x + w - c.dp(20 + 44 * i), y + h / 2, 24)
    return h


def row_buttons(c: Canvas, x: int, y: int, w: int) -> int:
    right = x
    for _ in range(int(c.rng.integers(1, 4))):
        right = button(c, right, y) + c.dp(12)
        if right > x + w * 0.6:
            break
    return c.dp(52)


def row_input(c: Canvas, x: int, y: int, w: int) -> int:
    input_field(c, x, y, int(w * c.rng.uniform(0.5, 1.0)))
    return c.dp(64)


def row_slider(c: Canvas, x: int, y: int, w: int) -> int:
    text(c, x, y, 14)
    slider(c, x + c.dp(8), y + c.dp(34), int(w * c.rng.uniform(0.5, 0.95)))
    return c.dp(52)


def row_images(c: Canvas, x: int, y: int, w: int) -> int:
    n = int(c.rng.integers(1, 5))
    side = min(c.dp(200), (w - c.dp(8) * (n - 1)) // n)
    h = int(side * c.rng.uniform(0.6, 1.0))
    for i in range(n):
        picture(c, x + i * (side + c.dp(8)), y, side, h)
    return h


def row_paragraph(c: Canvas, x: int, y: int, w: int) -> int:
    size = c.rng.uniform(12, 18)
    n = int(c.rng.integers(1, 4))
    for i in range(n):
        text(c, x, y + i * c.dp(size * 1.5), size)
    return c.dp(size * 1.5 * n)


def row_nav(c: Canvas, x: int, y: int, w: int) -> int:
    n, h = int(c.rng.integers(3, 6)), c.dp(60)
    labels = c.rng.random() < 0.6
    for i in range(n):
        cx = x + w * (i + 0.5) / n
        icon(c, cx, y + h / 2 - (c.dp(8) if labels else 0), 24)
        if labels:
            f = render.font(c.font, c.dp(11))
            s = render.words(c.rng, 1, 1)
            text(c, int(cx - c.draw.textlength(s, font=f) / 2), y + h // 2 + c.dp(6), 11,
                 content=s)
    return h


def row_card(c: Canvas, x: int, y: int, w: int) -> int:
    """A card (a hard negative) holding one other row."""
    inner = ROWS[int(c.rng.integers(len(ROWS) - 1))]
    top = len(c.boxes)
    c.draw.rounded_rectangle((x, y, x + w, y + c.dp(90)), c.dp(8), outline=(128, 128, 128))
    h = inner(c, x + c.dp(12), y + c.dp(12), w - c.dp(24))
    del top
    return max(h + c.dp(24), c.dp(90))


ROWS: list[Callable[[Canvas, int, int, int], int]] = [
    row_setting, row_setting, row_appbar, row_buttons, row_input, row_slider, row_images,
    row_paragraph, row_nav, row_card]


def screen(rng: np.random.Generator) -> tuple[Image.Image, list[tuple[Box4, str]]]:
    """One random screen and its labelled element boxes."""
    w, h = SIZES[int(rng.integers(len(SIZES)))]
    bg, fg = render.theme_colors(rng)
    img = Image.new("RGB", (w, h), bg)
    if rng.random() < 0.15:
        render.clutter(img, rng, text_fonts())
    phone = w < h
    d = float(rng.uniform(1.2, 1.8) if phone else rng.uniform(0.7, 1.2))
    c = Canvas(img, rng, d, bg, fg, render.contrasting(rng, bg, 60),
               str(rng.choice(text_fonts())))
    cols = 1 if phone else int(rng.integers(1, 4))
    colw = w // cols
    for col in range(cols):
        x0, y = col * colw + c.dp(16), c.dp(int(rng.integers(4, 30)))
        while y < h - c.dp(80):
            y += ROWS[int(rng.integers(len(ROWS)))](c, x0, y, colw - c.dp(32)) + c.dp(4, 16)
    return render.degrade(img, rng, 0.6), [(b, k) for b, k in c.boxes
                                          if b[2] <= w and b[3] <= h]
