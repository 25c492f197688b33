"""Draw a widget tree with PIL, using the fonts shipped in devices/sim/fonts."""

from __future__ import annotations

import functools
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from devices.sim.ui.theme import ICONS
from devices.sim.ui.widgets import Node, Paint

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FALLBACKS = ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
             "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf")
Font = ImageFont.FreeTypeFont


@functools.lru_cache(maxsize=64)
def font(size: int, weight: str = "regular") -> Font:
    name = "Roboto-Medium.ttf" if weight == "medium" else "Roboto-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


@functools.lru_cache(maxsize=32)
def icon_font(size: int) -> Font:
    return ImageFont.truetype(str(FONTS / "MaterialIcons-Regular.ttf"), size)


@functools.lru_cache(maxsize=16)
def fallback_fonts(size: int) -> tuple[Font, ...]:
    """System fonts for scripts Roboto lacks (CJK, Arabic, symbols), when installed."""
    return tuple(ImageFont.truetype(p, size) for p in FALLBACKS if Path(p).exists())


@functools.lru_cache(maxsize=4096)
def _covers(f: Font, ch: str) -> bool:
    """Whether ``f`` has a glyph for ``ch`` (its mask differs from the missing-glyph box)."""
    if ch.isspace():
        return True
    return f.getmask(ch).getbbox() != f.getmask("\uffff").getbbox()


def text_font(text: str, size: int, weight: str = "regular") -> Font:
    """Roboto when it has every character, else the first installed fallback that does."""
    main = font(size, weight)
    if text.isascii() or all(_covers(main, c) for c in text):
        return main
    for f in fallback_fonts(size):
        if all(_covers(f, c) for c in text):
            return f
    return main


@functools.lru_cache(maxsize=16384)
def text_width(text: str, f: Font) -> float:
    return float(f.getlength(text))


def ellipsize(text: str, f: Font, width: int) -> str:
    if text_width(text, f) <= width:
        return text
    while text and text_width(text + "…", f) > width:
        text = text[:-1]
    return text + "…"


def glyph(name: str) -> str:
    return chr(ICONS[name])


@functools.lru_cache(maxsize=8192)
def sprite(text: str, f: Font, anchor: str) -> tuple[Image.Image, int, int]:
    """``text`` rasterised once as a mask, with its offset from the anchor point."""
    left, top, right, bottom = (round(v) for v in f.getbbox(text, anchor=anchor))
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)))
    ImageDraw.Draw(mask).text((-left, -top), text, font=f, fill=255, anchor=anchor)
    return mask, left, top


def has_alpha(color: str | None) -> bool:
    return isinstance(color, str) and color.startswith("#") and len(color) == 9


class Renderer:
    """Paints nodes onto an RGB image; ``now`` drives the few animated painters."""

    def __init__(self, image: Image.Image, now: float = 0.0) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.blend = ImageDraw.Draw(image, "RGBA")
        self.now = now

    def blit(self, text: str, f: Font, xy: tuple[float, float], color: str,
             anchor: str = "lm") -> None:
        """Draw ``text`` from the sprite cache: far cheaper than rasterising it each frame."""
        if not text:
            return
        mask, left, top = sprite(text, f, anchor)
        x, y = round(xy[0]) + left, round(xy[1]) + top
        self.image.paste(color, (x, y, x + mask.width, y + mask.height), mask)

    def node(self, n: Node) -> None:
        if n.clip and n.children:
            self._clipped(n)
            return
        if n.paint is not None:
            self.paint(n, n.paint)
        for c in n.children:
            self.node(c)

    def _clipped(self, n: Node) -> None:
        x1, y1, x2, y2 = n.bounds
        if x2 <= x1 or y2 <= y1:
            return
        bg = n.paint.bg if n.paint and n.paint.bg else None
        opaque = bg is not None and not has_alpha(bg)
        layer = Image.new("RGB" if opaque else "RGBA", (x2 - x1, y2 - y1), bg or "#00000000")
        sub = Renderer(layer, self.now)
        for c in n.children:
            sub.node(_shifted(c, -x1, -y1))
        self.image.paste(layer, (x1, y1), None if opaque else layer)

    def paint(self, n: Node, p: Paint) -> None:
        painter = getattr(self, f"_p_{p.kind}", None) if p.kind else None
        if p.bg and p.kind in ("", "rect", "text", "icon", "lines", "nav"):
            self._box(n.bounds, p.bg, p.radius, p.outline)
        if painter is not None:
            painter(n, p)

    def _box(self, b: tuple[int, int, int, int], fill: str | None, radius: int = 0,
             outline: str | None = None, width: int = 3) -> None:
        x1, y1, x2, y2 = b
        if x2 <= x1 or y2 <= y1:
            return
        box = (x1, y1, x2 - 1, y2 - 1)
        draw = self.blend if has_alpha(fill) or has_alpha(outline) else self.draw
        if radius:
            draw.rounded_rectangle(box, radius, fill=fill, outline=outline,
                                   width=width if outline else 0)
        else:
            draw.rectangle(box, fill=fill, outline=outline, width=width if outline else 0)

    def _p_text(self, n: Node, p: Paint) -> None:
        self._text(n.text, n.bounds, p)

    def _text(self, text: str, b: tuple[int, int, int, int], p: Paint, fg: str | None = None,
              pad: int = 0) -> None:
        if not text:
            return
        f = text_font(text, p.size, p.weight)
        width = b[2] - b[0] - 2 * pad
        shown = ellipsize(text, f, width)
        tw = text_width(shown, f)
        x: float = b[0] + pad
        if p.align == "center":
            x = b[0] + (b[2] - b[0] - tw) / 2
        elif p.align == "right":
            x = b[2] - pad - tw
        y = (b[1] + b[3]) / 2
        self.blit(shown, f, (x, y), fg or p.fg or "#000")

    def _icon(self, name: str, cx: float, cy: float, size: int, color: str) -> None:
        self.blit(glyph(name), icon_font(size), (cx, cy), color, "mm")

    def _p_icon(self, n: Node, p: Paint) -> None:
        x1, y1, x2, y2 = n.bounds
        self._icon(p.icon, (x1 + x2) / 2, (y1 + y2) / 2, p.size, p.fg or "#000")

    def _p_fab(self, n: Node, p: Paint) -> None:
        self._box(n.bounds, p.bg, p.radius or 48)
        x1, y1, x2, y2 = n.bounds
        if n.text:
            f = font(40, "medium")
            tw = text_width(n.text, f)
            total = 64 + 20 + tw
            left = (x1 + x2 - total) / 2
            self._icon(p.icon, left + 32, (y1 + y2) / 2, 64, p.fg or "#000")
            self.blit(n.text, f, (left + 84, (y1 + y2) / 2), p.fg or "#000")
        else:
            self._icon(p.icon, (x1 + x2) / 2, (y1 + y2) / 2, p.size, p.fg or "#000")

    def _p_button(self, n: Node, p: Paint) -> None:
        self._box(n.bounds, p.bg, p.radius or (n.bounds[3] - n.bounds[1]) // 2, p.outline)
        self._text(n.text, n.bounds, Paint(size=p.size, weight="medium", align="center"), p.fg)

    def _p_switch(self, n: Node, p: Paint) -> None:
        x1, y1, x2, y2 = n.bounds
        cy = (y1 + y2) // 2
        track = (x2 - 136, cy - 40, x2, cy + 40)
        on = n.checked
        self._box(track, p.bg if on else p.outline, 40, None if on else p.fg, 5)
        r = 30 if on else 21
        cx = x2 - 40 if on else x2 - 96
        self.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=p.fg if on else p.fg)
        if on:
            self._icon("check", cx, cy, 36, p.bg or "#000")

    def _p_slider(self, n: Node, p: Paint) -> None:
        x1, y1, x2, y2 = n.bounds
        cy = (y1 + y2) // 2
        left, right = x1 + 40, x2 - 40
        pos = left + (right - left) * max(0.0, min(1.0, p.value))
        self._box((left, cy - 20, right, cy + 20), p.outline, 20)
        self._box((left, cy - 20, int(pos) + 20, cy + 20), p.bg, 20)
        self.draw.rounded_rectangle((pos - 6, cy - 44, pos + 6, cy + 44), 6, fill=p.bg)

    def _p_field(self, n: Node, p: Paint) -> None:
        x1, y1, x2, y2 = n.bounds
        if p.radius:
            self._box(n.bounds, p.bg, p.radius, p.outline if n.focused else None)
        else:
            self._box(n.bounds, p.bg)
            line = p.outline if n.focused else p.fg
            width = 6 if n.focused else 3
            self.draw.rectangle((x1, y2 - width, x2, y2), fill=line)
        pad = p.radius // 2 + 36 if p.radius else 36
        if y2 - y1 > 300:
            self._multiline(n, p, pad)
            return
        value = "" if n.text == p.hint else n.text
        text = "•" * len(value) if n.password else value
        shown = text or p.hint
        color = p.fg if text else "#80868B"
        self._text(shown, n.bounds, Paint(size=p.size), color, pad)
        if n.focused:
            f = text_font(text or "x", p.size)
            cx = x1 + pad + (text_width(text, f) if text else 0) + 3
            cx = min(cx, x2 - pad)
            cy = (y1 + y2) / 2
            self.draw.rectangle((cx, cy - p.size * 0.6, cx + 4, cy + p.size * 0.6),
                                fill=p.outline)

    def _multiline(self, n: Node, p: Paint, pad: int) -> None:
        """A tall field: wrapped lines from the top, the cursor after the last one."""
        x1, y1, x2, _ = n.bounds
        empty = n.text == p.hint
        lines = wrap(n.text, p.size, x2 - x1 - 2 * pad)
        f = text_font(n.text, p.size)
        step = round(p.size * 1.4)
        for i, line in enumerate(lines):
            self.blit(line, f, (x1 + pad, y1 + 40 + i * step), "#80868B" if empty else
                      p.fg or "#000", "la")
        if n.focused:
            last = "" if empty else lines[-1]
            cx = x1 + pad + text_width(last, f) + 3
            cy = y1 + 40 + (len(lines) - 1) * step
            self.draw.rectangle((cx, cy, cx + 4, cy + p.size * 1.15), fill=p.outline)

    def _p_app_icon(self, n: Node, p: Paint) -> None:
        x1, y1, x2, _ = n.bounds
        cx, cy, r = (x1 + x2) / 2, y1 + 90, 84
        self.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=p.bg)
        self._icon(p.icon, cx, cy, 88, "#FFFFFF")
        label = Paint(size=36, align="center")
        self._text(n.text, (x1, y1 + 186, x2, y1 + 240), label, p.fg)

    def _p_spinner(self, n: Node, p: Paint) -> None:
        x1, y1, x2, y2 = n.bounds
        start = (self.now * 360 * 1.2) % 360
        sweep = 90 + 180 * (0.5 + 0.5 * math.sin(self.now * 4))
        self.draw.arc((x1, y1, x2, y2), start, start + sweep, fill=p.fg, width=12)

    def _p_circle(self, n: Node, p: Paint) -> None:
        x1, y1, x2, y2 = n.bounds
        self.draw.ellipse((x1, y1, x2 - 1, y2 - 1), fill=p.bg, outline=p.outline,
                          width=4 if p.outline else 0)
        if p.icon:
            self._p_icon(n, p)
        elif n.text:
            self._text(n.text, n.bounds, Paint(size=p.size, weight=p.weight, align="center"),
                       p.fg)

    def _p_key(self, n: Node, p: Paint) -> None:
        x1, y1, x2, y2 = n.bounds
        self._box((x1 + 6, y1 + 10, x2 - 6, y2 - 10), p.bg, 16)
        if p.icon:
            self._icon(p.icon, (x1 + x2) / 2, (y1 + y2) / 2, 56, p.fg or "#000")
        else:
            self._text(n.text or n.desc, n.bounds, Paint(size=p.size, align="center"), p.fg)

    def _p_tile(self, n: Node, p: Paint) -> None:
        """A Quick Settings tile: icon, label, and its state below the label."""
        x1, y1, x2, y2 = n.bounds
        self._box(n.bounds, p.bg, p.radius)
        cy = (y1 + y2) / 2
        self._icon(p.icon, x1 + 90, cy, 64, p.fg or "#000")
        label = Paint(size=42, weight="medium")
        self._text(n.text, (x1 + 160, y1 + 30, x2 - 20, int(cy)), label, p.fg)
        self._text(p.hint, (x1 + 160, int(cy), x2 - 20, y2 - 30), Paint(size=36), p.fg)

    def _p_nav(self, n: Node, p: Paint) -> None:
        """The three navigation buttons: back triangle, home circle, recents square."""
        x1, y1, x2, y2 = n.bounds
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        if p.icon == "back":
            self.draw.polygon([(cx + 20, cy - 24), (cx + 20, cy + 24), (cx - 22, cy)],
                              outline=p.fg, width=5)
        elif p.icon == "home":
            self.draw.ellipse((cx - 27, cy - 27, cx + 27, cy + 27), outline=p.fg, width=6)
        else:
            self.draw.rounded_rectangle((cx - 23, cy - 23, cx + 23, cy + 23), 5, outline=p.fg,
                                        width=5)

    def _p_lines(self, n: Node, p: Paint) -> None:
        """Wrapped multi-line text (messages, dialogs, note bodies)."""
        x1, y1, x2, _ = n.bounds
        f = text_font(n.text, p.size, p.weight)
        step = round(p.size * 1.4)
        for i, line in enumerate(wrap(n.text, p.size, x2 - x1, p.weight)):
            self.blit(line, f, (x1, y1 + i * step), p.fg or "#000", "la")

    def _p_image(self, n: Node, p: Paint) -> None:
        """A pre-rendered picture carried by the paint (recents thumbnails)."""
        if isinstance(p.picture, Image.Image):
            self.image.paste(p.picture, n.bounds[:2])


def wrap(text: str, size: int, width: int, weight: str = "regular") -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``width`` pixels."""
    f = text_font(text, size, weight)
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}" if line else word
            if text_width(trial, f) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def _shifted(n: Node, dx: int, dy: int) -> Node:
    """A copy of ``n`` and its subtree moved by (dx, dy), for drawing into a clip layer."""
    from dataclasses import replace

    x1, y1, x2, y2 = n.bounds
    return replace(n, bounds=(x1 + dx, y1 + dy, x2 + dx, y2 + dy),
                   children=[_shifted(c, dx, dy) for c in n.children])


def render(nodes: list[Node], size: tuple[int, int], bg: str, now: float = 0.0) -> Image.Image:
    image = Image.new("RGB", size, bg)
    r = Renderer(image, now)
    for n in nodes:
        r.node(n)
    return image
