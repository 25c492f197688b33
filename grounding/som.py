"""Set-of-mark: the screenshot with numbered element boxes, plus the matching text list.

Tag size follows the screen (about 1/45 of the short side, at least 14 px),
so numbers stay readable on a 1080x2400 phone and a 1920x1080 desktop alike.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from grounding.types import Element

PALETTE = ((230, 25, 75), (60, 140, 60), (0, 100, 200), (200, 110, 0), (145, 30, 180),
           (0, 128, 128), (170, 40, 100), (90, 90, 0))


def render_som(image: Image.Image, elements: list[Element]) -> Image.Image:
    """A copy of ``image`` with each element's box outlined and its id in a filled tag."""
    out = image.convert("RGB")
    draw = ImageDraw.Draw(out)
    size = max(14, min(out.size) // 45)
    font = ImageFont.load_default(size)
    line = max(2, size // 8)
    for e in elements:
        color = PALETTE[e.id % len(PALETTE)]
        b = e.box
        draw.rectangle((b.x1, b.y1, b.x2 - 1, b.y2 - 1), outline=color, width=line)
        _tag(draw, font, str(e.id), (b.x1, b.y1), color, out.size)
    return out


def _tag(draw: ImageDraw.ImageDraw, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
         text: str, at: tuple[int, int], color: tuple[int, int, int],
         size: tuple[int, int]) -> None:
    """A filled label with white digits at the box corner, kept on screen."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left + 6, bottom - top + 4
    x = min(max(0, at[0]), size[0] - w)
    y = at[1] - h if at[1] - h >= 0 else at[1]
    draw.rectangle((x, y, x + w, y + h), fill=color)
    draw.text((x + 3 - left, y + 2 - top), text, fill=(255, 255, 255), font=font)


def element_list(elements: list[Element]) -> str:
    """One line per element, as the model sees it next to the set-of-mark image."""
    return "\n".join(e.describe() for e in elements)
