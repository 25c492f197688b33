"""Synthetic icon crops: a glyph as it appears on a screen, augmented, then preprocessed."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from grounding.icons import preprocess
from grounding.train import render
from grounding.train.fonts import Glyph, other_glyphs, resolve, text_fonts
from grounding.train.iconset import OTHER, labels


def _background(draw: ImageDraw.ImageDraw, rng: np.random.Generator, side: int,
                fg: render.Color) -> render.Color:
    """Sometimes a filled circle or rounded square behind the glyph (FAB, avatar); its colour."""
    if rng.random() > 0.2:
        return fg
    plate = render.contrasting(rng, fg, 90)
    m = int(side * rng.uniform(0.0, 0.15))
    if rng.random() < 0.5:
        draw.ellipse((m, m, side - m, side - m), fill=plate)
    else:
        draw.rounded_rectangle((m, m, side - m, side - m), radius=side // 5, fill=plate)
    return fg


def _badge(draw: ImageDraw.ImageDraw, rng: np.random.Generator, side: int,
           center: tuple[float, float], size: int) -> None:
    """A notification badge (dot or count) at the glyph's top-right corner."""
    r = max(2, int(size * rng.uniform(0.12, 0.25)))
    x, y = center[0] + size * 0.4, center[1] - size * 0.4
    colour = render.rand_color(rng)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    if r > 5:
        draw.text((x, y), str(rng.integers(1, 10)), fill=render.contrasting(rng, colour),
                  font=render.font(text_fonts()[0], int(r * 1.5)), anchor="mm")


def _caption(img: Image.Image, rng: np.random.Generator, fg: render.Color) -> Image.Image:
    """A tab-bar label under the icon: the crop grows downwards."""
    side = img.width
    out = Image.new("RGB", (side, int(side * rng.uniform(1.3, 1.6))), img.getpixel((0, 0)))
    out.paste(img, (0, 0))
    f = render.font(str(rng.choice(text_fonts())), max(6, side // 5))
    ImageDraw.Draw(out).text((side / 2, side * 1.05), render.words(rng, 1, 1), font=f, fill=fg,
                             anchor="mt")
    return out


def _frame(draw: ImageDraw.ImageDraw, rng: np.random.Generator, side: int,
           bg: render.Color) -> None:
    """A toolbar/headerbar button around the glyph: outline, sometimes a raised face."""
    m = int(side * rng.uniform(0.0, 0.08))
    edge = render.shade(bg, float(rng.uniform(-70, -20)) if rng.random() < 0.8
                        else float(rng.uniform(20, 60)))
    face = render.shade(bg, float(rng.uniform(-12, 12))) if rng.random() < 0.6 else bg
    radius = int(side * rng.uniform(0.05, 0.25))
    draw.rounded_rectangle((m, m, side - 1 - m, side - 1 - m), radius=radius, fill=face,
                           outline=edge, width=1 + int(side > 40 and rng.random() < 0.3))


def _two_tone(img: Image.Image, glyph: Glyph, center: tuple[float, float], size: int,
              rng: np.random.Generator) -> bool:
    """A colourful legacy-theme icon: the glyph filled with a gradient, outlined darker."""
    ink = Image.new("RGB", img.size, (0, 0, 0))
    if render.draw_glyph(ImageDraw.Draw(ink), glyph, center, size, (255, 255, 255)) is None:
        return False
    top, bottom = render.rand_color(rng, 60, 256), render.rand_color(rng, 0, 200)
    ramp = np.linspace(0.0, 1.0, img.height)[:, None, None]
    grad = (np.asarray(top) * (1 - ramp) + np.asarray(bottom) * ramp).repeat(img.width, 1)
    fill = Image.fromarray(grad.astype(np.uint8))
    if rng.random() < 0.6:
        dark = render.shade(bottom, -90)
        render.draw_glyph(ImageDraw.Draw(img), glyph, center, size, dark, stroke=1)
    img.paste(fill, (0, 0), ink.convert("L"))
    return True


def _side(rng: np.random.Generator) -> int:
    """Crop side: often small (16-24 px icons drawn natively at desktop scale)."""
    return int(rng.integers(14, 30)) if rng.random() < 0.35 else int(rng.integers(20, 80))


def icon_crop(glyph: Glyph, rng: np.random.Generator) -> Image.Image | None:
    """One RGB crop of ``glyph`` with random size, colours, padding, rotation and clutter."""
    side = _side(rng)
    bg, fg = render.theme_colors(rng, faint=rng.random() < 0.12)
    img = Image.new("RGB", (side, side), bg)
    if rng.random() < 0.15:
        render.clutter(img, rng, text_fonts())
    draw = ImageDraw.Draw(img)
    framed = rng.random() < 0.2
    if framed:
        _frame(draw, rng, side, bg)
    fg = _background(draw, rng, side, fg) if not framed else fg
    size = int(side * (rng.uniform(0.35, 0.65) if framed else rng.uniform(0.45, 1.0)))
    jitter = side * 0.08
    center = (side / 2 + rng.uniform(-jitter, jitter), side / 2 + rng.uniform(-jitter, jitter))
    if rng.random() < 0.15 and side >= 18:
        if not _two_tone(img, glyph, center, size, rng):
            return None
    elif render.draw_glyph(draw, glyph, center, size, fg, int(rng.random() < 0.15)) is None:
        return None
    if rng.random() < 0.1:
        _badge(draw, rng, side, center, size)
    if rng.random() < 0.12:
        img = _caption(img, rng, fg)
    if rng.random() < 0.3:
        img = img.rotate(float(rng.uniform(-10, 10)), resample=Image.Resampling.BILINEAR,
                         fillcolor=bg)
    return render.degrade(img, rng)


def _text_crop(rng: np.random.Generator) -> Image.Image:
    """A letter or short word: an "other" that the classifier meets among icons."""
    side = int(rng.integers(20, 80))
    bg, fg = render.theme_colors(rng)
    img = Image.new("RGB", (side, side), bg)
    text = str(rng.choice(list("ABCDEFGHKMNPRSTWXYZabdeghkmnqrs0123456789%@#&"))) \
        if rng.random() < 0.7 else render.words(rng, 1, 1)[:3]
    f = render.font(str(rng.choice(text_fonts())), int(side * rng.uniform(0.4, 0.9)))
    ImageDraw.Draw(img).text((side / 2, side / 2), text, font=f, fill=fg, anchor="mm")
    return render.degrade(img, rng)


def _toolbar_bg(rng: np.random.Generator) -> render.Color:
    """A toolbar's background: light, mid grey, dark, or any colour."""
    r = rng.random()
    lo, hi = (225, 256) if r < 0.5 else (150, 225) if r < 0.7 else (15, 70) if r < 0.95 \
        else (0, 256)
    grey = int(rng.integers(lo, hi))
    return render.shade((grey, grey, grey), float(rng.uniform(-6, 6)))


def _symbolic(pic: np.ndarray) -> bool:
    """A one-colour (symbolic) icon, which toolkits draw in the text colour."""
    ink = pic[pic[:, :, 3] > 64][:, :3].astype(np.int16)
    return len(ink) > 0 and int(np.ptp(ink, axis=1).max(initial=0)) < 40


def theme_crop(pic: np.ndarray, rng: np.random.Generator) -> Image.Image:
    """A theme's RGBA icon as a toolbar draws it: native size (sometimes rescaled), on a
    light/grey/dark bar, often inside a button frame, with the detector's loose or tight
    margin, dim when disabled, a little blurred or shifted."""
    icon = Image.fromarray(pic, "RGBA")
    if rng.random() < 0.25:
        s = max(10, int(icon.width * rng.uniform(0.75, 1.4)))
        icon = icon.resize((s, s), Image.Resampling.LANCZOS)
    bg = _toolbar_bg(rng)
    if _symbolic(pic) and render.luminance(bg) < 110 and rng.random() < 0.7:
        ink = render.shade(bg, float(rng.uniform(120, 220)))
        icon = Image.merge("RGBA", (*Image.new("RGB", icon.size, ink).split(), icon.split()[3]))
    if rng.random() < 0.08:
        icon.putalpha(icon.split()[3].point(lambda a: int(a * rng.uniform(0.35, 0.6))))
    pad = int(rng.integers(2, 15))
    side = max(icon.width, icon.height) + 2 * pad
    img = Image.new("RGB", (side, side), bg)
    if rng.random() < 0.35 and pad >= 4:
        _frame(ImageDraw.Draw(img), rng, side, bg)
    shift = rng.integers(-min(2, pad - 1), min(2, pad - 1) + 1, 2) if pad > 1 else (0, 0)
    img.paste(icon, (pad + int(shift[0]), pad + int(shift[1])), icon)
    return render.degrade(img, rng, strength=0.5)


THEME_SHARE = 0.5   # of a class that has both font glyphs and theme pictures


def sample(label: str, rng: np.random.Generator,
           pics: dict[str, list[np.ndarray]] | None = None) -> np.ndarray:
    """One preprocessed training input for ``label``: a font glyph or a theme picture."""
    pool = other_glyphs() if label == OTHER else resolve()[label]
    theme = (pics or {}).get(label, [])
    share = 0.0 if not theme else 1.0 if not pool else THEME_SHARE
    while True:
        img: Image.Image | None
        if rng.random() < share:
            img = theme_crop(theme[int(rng.integers(len(theme)))], rng)
        elif label == OTHER and rng.random() < 0.25:
            img = _text_crop(rng)
        else:
            img = icon_crop(pool[int(rng.integers(len(pool)))], rng)
        if img is not None:
            return preprocess(np.asarray(img))


def empty_classes(pics: dict[str, list[np.ndarray]]) -> list[str]:
    """Classes with neither a font glyph nor a theme picture (nothing to learn from)."""
    return [c for c in labels() if c != OTHER and not resolve()[c] and not pics.get(c)]


def dataset(per_class: int, seed: int, other_factor: int = 4,
            pics: dict[str, list[np.ndarray]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``per_class`` samples of every class (``other_factor`` times more of ``other``)."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for idx, label in enumerate(labels()):
        n = per_class * (other_factor if label == OTHER else 1)
        xs += [sample(label, rng, pics) for _ in range(n)]
        ys += [idx] * n
    return np.stack(xs)[:, None], np.asarray(ys, dtype=np.int64)
