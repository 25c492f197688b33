"""The icon classifier on desktop toolbar icons drawn here with lines and arcs (no icon
font: a style it was not trained on), their names, and title-bar window controls."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw

from devices.geometry import Box
from grounding.icons import IconClassifier
from grounding.locate import locate, variants
from grounding.perceive import Perceiver
from grounding.types import Element

RGB = tuple[int, int, int]
Draw = Callable[[ImageDraw.ImageDraw, float, RGB, int], None]  # centred on (0, 0), size s
HEADERBAR = (235, 235, 235)
INK = (46, 52, 54)
K = 4  # drawn K times larger, then shrunk: anti-aliased thin strokes as on screen


def _close(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    d.line((-s, -s, s, s), fill=c, width=w)
    d.line((-s, s, s, -s), fill=c, width=w)


def _add(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    d.line((-s, 0, s, 0), fill=c, width=w)
    d.line((0, -s, 0, s), fill=c, width=w)


def _menu(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    for y in (-s * 0.7, 0, s * 0.7):
        d.line((-s, y, s, y), fill=c, width=w)


def _more(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    for y in (-s * 0.75, 0, s * 0.75):
        d.ellipse((-w, y - w, w, y + w), fill=c)


def _search(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    r = s * 0.75
    d.ellipse((-s, -s, -s + 2 * r, -s + 2 * r), outline=c, width=w)
    d.line((-s + 1.65 * r, -s + 1.65 * r, s, s), fill=c, width=w * 3 // 2)


def _zoom_in(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    _search(d, s, c, w)
    r = s * 0.75
    d.line((-s + r / 2, -s + r, -s + 1.5 * r, -s + r), fill=c, width=w)
    d.line((-s + r, -s + r / 2, -s + r, -s + 1.5 * r), fill=c, width=w)


def _maximize(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    d.rectangle((-s, -s, s, s), outline=c, width=w)


def _fullscreen(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    k = s * 0.5
    for sx in (-1, 1):
        for sy in (-1, 1):
            d.line((sx * s, sy * s, sx * (s - k), sy * s), fill=c, width=w)
            d.line((sx * s, sy * s, sx * s, sy * (s - k)), fill=c, width=w)


def _back(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    d.line((-s, 0, s, 0), fill=c, width=w)
    d.line((-s, 0, -s * 0.2, -s * 0.8), fill=c, width=w)
    d.line((-s, 0, -s * 0.2, s * 0.8), fill=c, width=w)


def _expand(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    d.line((-s, -s * 0.4, 0, s * 0.5), fill=c, width=w)
    d.line((0, s * 0.5, s, -s * 0.4), fill=c, width=w)


DRAWN: dict[str, Draw] = {"close": _close, "add": _add, "menu": _menu, "more": _more,
                          "search": _search, "zoom_in": _zoom_in, "maximize": _maximize,
                          "fullscreen": _fullscreen, "back": _back, "expand": _expand}


class _Centred(ImageDraw.ImageDraw):
    """An ImageDraw whose origin is the image centre."""

    def __init__(self, img: Image.Image):
        super().__init__(img)
        self.mid = img.width / 2

    def _xy(self, xy: tuple[float, ...]) -> list[float]:
        return [v + self.mid for v in xy]

    def line(self, xy, *a, **k):  # type: ignore[no-untyped-def,override]
        super().line(self._xy(xy), *a, **k)

    def ellipse(self, xy, *a, **k):  # type: ignore[no-untyped-def,override]
        super().ellipse(self._xy(xy), *a, **k)

    def rectangle(self, xy, *a, **k):  # type: ignore[no-untyped-def,override]
        super().rectangle(self._xy(xy), *a, **k)


def toolbar_icon(draw: Draw, side: int, glyph: int, bg: RGB, fg: RGB,
                 frame: bool) -> Image.Image:
    """One toolbar button ``side`` px square: a line icon ``glyph`` px wide, maybe framed."""
    img = Image.new("RGB", (side * K, side * K), bg)
    d = _Centred(img)
    if frame:
        d.rounded_rectangle((0, 0, side * K - 1, side * K - 1), radius=5 * K,
                            outline=(205, 199, 194), width=K, fill=(246, 245, 244))
    draw(d, glyph * K / 2 - K, fg, 2 * K)
    return img.resize((side, side), Image.Resampling.LANCZOS)


@pytest.fixture(scope="module")
def icons() -> IconClassifier:
    return IconClassifier()


@pytest.mark.parametrize("theme", [(HEADERBAR, INK, True), ((48, 48, 48), (238, 238, 236), False),
                                   ((255, 255, 255), (80, 80, 80), False)])
def test_drawn_line_icons_are_named(icons: IconClassifier,
                                    theme: tuple[tuple[int, int, int], tuple[int, int, int],
                                                 bool]) -> None:
    bg, fg, frame = theme
    crops = [np.asarray(toolbar_icon(draw, 34, 16, bg, fg, frame)) for draw in DRAWN.values()]
    got = [label for label, _ in icons.classify(crops)]
    right = [want for want, label in zip(DRAWN, got, strict=True) if want == label]
    assert len(right) >= 8, dict(zip(DRAWN, got, strict=True))


def _minimize(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    d.line((-s * 0.5, s * 0.6, s * 0.5, s * 0.6), fill=c, width=w)


def headerbar(width: int = 1280, height: int = 800) -> tuple[Image.Image, dict[str, Box]]:
    """A desktop window's header bar: toolbar buttons at the left, a title, window controls
    at the right; and where each button is."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    ImageDraw.Draw(img).rectangle((0, 0, width, 46), fill=HEADERBAR)
    ImageDraw.Draw(img).text((width // 2 - 30, 16), "notes.txt", fill=INK)
    boxes: dict[str, Box] = {}
    for name, x, framed in (("zoom_in", 10, True), ("search", 52, True), ("menu", 1100, True),
                            ("minimize", 1150, False), ("maximize", 1190, False),
                            ("close", 1230, False)):
        side, glyph = (34, 16) if framed else (30, 10)
        draw = _minimize if name == "minimize" else DRAWN[name]
        img.paste(toolbar_icon(draw, side, glyph, HEADERBAR, INK, framed), (x, 6))
        boxes[name] = Box(x, 6, x + side, 6 + side)
    return img, boxes


def glyph_box(rgb: np.ndarray, box: Box) -> Box:
    """The ink inside a button: what a proposal finds."""
    crop = rgb[box.y1:box.y2, box.x1:box.x2].astype(int)
    ys, xs = np.nonzero(np.abs(crop - np.array(HEADERBAR)).max(axis=2) > 60)
    return Box(box.x1 + int(xs.min()), box.y1 + int(ys.min()), box.x1 + int(xs.max()) + 1,
               box.y1 + int(ys.max()) + 1)


def test_window_controls_are_named_by_their_place(icons: IconClassifier) -> None:
    img, boxes = headerbar()
    rgb = np.asarray(img)
    controls = ("minimize", "maximize", "close")
    elements = [Element(i, glyph_box(rgb, boxes[n]), "icon", source="proposal")
                for i, n in enumerate(controls)]
    icons.label_elements(rgb, elements)
    assert [e.label for e in elements] == list(controls)


def test_controls_elsewhere_keep_what_they_look_like(icons: IconClassifier) -> None:
    img, boxes = headerbar()
    rgb = np.asarray(img)
    portrait = np.ascontiguousarray(rgb[:, :700])  # a phone-shaped frame: no title bar
    e = Element(0, glyph_box(rgb, boxes["close"]), "icon", source="proposal")
    far = Element(1, Box(10, 700, 40, 730), "icon", label="remove", source="proposal")
    icons.label_elements(rgb, [e, far])
    assert far.label == "remove"
    lone = Element(2, glyph_box(rgb, boxes["zoom_in"]), "icon", source="proposal")
    icons.label_elements(portrait, [lone])
    assert lone.label == "zoom in"


@pytest.mark.parametrize(("said", "label"), [
    ("navigate up", "back"), ("reload", "refresh"), ("find", "search"), ("annotate", "edit"),
    ("send to", "share"), ("create folder", "new folder"), ("three dots", "more"),
    ("main menu", "menu"), ("floppy disk", "save"), ("contents", "help"), ("go back", "back")])
def test_names_people_use_reach_the_label(said: str, label: str) -> None:
    assert label in {alt for alt, _ in variants(said)}


@pytest.mark.slow
def test_icon_only_instructions_land_in_their_button() -> None:
    img, boxes = headerbar()
    screen = Perceiver().perceive(img)
    for said, name in (("click the Minimize icon", "minimize"), ("click the Close icon", "close"),
                       ("click the Zoom In icon", "zoom_in"), ("click the Main menu icon", "menu"),
                       ("click the magnifier", "search"), ("click Maximize", "maximize")):
        target = locate(screen, said)
        assert target.found and target.point is not None, (said, target.reason)
        assert boxes[name].contains(target.point), (said, target.reason)
    assert not locate(screen, "click the Print icon").found
