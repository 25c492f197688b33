"""The device's screen in the terminal: half-block cells everywhere, two pixels per cell.

Half-block cells show layout and colour but no legible text, so the element list
(``ElementList``) sits beside the picture: every element numbered and named, the
current target highlighted in both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

MARK = (255, 193, 7)
Box = tuple[int, int, int, int]


def fit(size: tuple[int, int], cols: int, rows: int) -> tuple[int, int]:
    """Cells (cols, rows) that keep the image's aspect ratio inside cols x rows.

    A terminal cell is about twice as tall as wide and holds two pixels
    vertically, so one cell covers a square of the image.
    """
    w, h = size
    if w <= 0 or h <= 0 or cols <= 0 or rows <= 0:
        return 0, 0
    scale = min(cols / w, (rows * 2) / h)
    return max(1, int(w * scale)), max(1, int(h * scale / 2))


class HalfBlocks:
    """A Rich renderable: each cell is '▀', upper pixel as foreground, lower as background."""

    def __init__(self, image: Image.Image, cols: int, rows: int) -> None:
        c, r = fit(image.size, cols, rows)
        small = image.convert("RGB").resize((max(c, 1), max(r * 2, 2)), Image.Resampling.BOX)
        self.pixels = np.asarray(small)
        self.rows = r

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        px = self.pixels
        for y in range(self.rows):
            top, bottom = px[2 * y], px[2 * y + 1]
            for (r1, g1, b1), (r2, g2, b2) in zip(top.tolist(), bottom.tolist(), strict=True):
                yield Segment("▀", Style(color=Color.from_rgb(r1, g1, b1),
                                         bgcolor=Color.from_rgb(r2, g2, b2)))
            yield Segment.line()


def graphics_widget(mode: str = "auto") -> type[Widget] | None:
    """textual-image's widget when the terminal shows sixel or kitty graphics, else None.

    Call before the app starts: textual-image asks the terminal what it supports
    when it is first imported, which cannot happen once Textual owns the terminal.
    """
    if mode != "auto":
        return None
    try:
        from textual_image.renderable import Image as Best
        from textual_image.renderable.sixel import Image as Sixel
        from textual_image.renderable.tgp import Image as Kitty
        from textual_image.widget import Image as Pixels
    except Exception:  # not installed, or the terminal could not be asked
        return None
    return Pixels if Best in (Sixel, Kitty) else None


def marked(image: Image.Image, box: Box | None) -> Image.Image:
    """A copy of ``image`` with ``box`` framed thickly enough to survive downscaling."""
    if box is None:
        return image
    out = image.convert("RGB")
    width = max(4, out.width // 80)
    ImageDraw.Draw(out).rectangle(box, outline=MARK, width=width)
    return out


class ScreenView(Widget):
    """Shows the last screenshot, scaled to the widget, with a caption when there is none.

    Half-block cells work in every terminal; with ``pixels`` (a textual-image widget
    class) the screenshot is drawn with real pixels instead.
    """

    image: reactive[Image.Image | None] = reactive(None, layout=False)
    mark: reactive[Box | None] = reactive(None, layout=False)   # the target's box

    def __init__(self, pixels: type[Widget] | None = None,
                 empty: str = "no screen yet: pick a device", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pixels = pixels
        self.empty = empty

    def compose(self) -> ComposeResult:
        if self.pixels is not None:
            yield self.pixels(id="pixels")

    def watch_image(self, image: Image.Image | None) -> None:
        self._update_pixels()

    def watch_mark(self, mark: Box | None) -> None:
        self._update_pixels()

    def _update_pixels(self) -> None:
        if self.pixels is not None and self.image is not None:
            self.query_one("#pixels").image = marked(self.image, self.mark)  # type: ignore[attr-defined]

    def render(self) -> HalfBlocks | str:
        if self.image is None:
            return self.empty
        if self.pixels is not None:
            return ""
        return HalfBlocks(marked(self.image, self.mark), self.size.width, self.size.height)


class ElementList(VerticalScroll):
    """The screen's elements as numbered lines (``[14] switch "Airplane mode" (on)``), the
    current target highlighted: the readable half of the screen view."""

    target: int | None = None
    lines: list[tuple[int, str]] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="element-lines")

    def show(self, lines: list[tuple[int, str]], target: int | None = None) -> None:
        """``lines``: (element id, its line); ``target``: the id to highlight."""
        self.target = target
        self.lines = lines
        text = Text()
        for element_id, line in lines:
            style = "bold black on yellow" if element_id == target else ""
            text.append(line + "\n", style=style)
        if not lines:
            text.append("no elements read yet", style="dim")
        self.query_one("#element-lines", Static).update(text)
        if target is not None:
            row = next((i for i, (e, _) in enumerate(lines) if e == target), 0)
            self.scroll_to(y=max(0, row - 3), animate=False)
