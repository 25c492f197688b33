"""Real Android screens for the app-model tests: screenshots plus parsed view hierarchies."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw

from devices.geometry import Box, ScreenGeometry
from grounding.types import Element, Kind, Screen

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "android-screens"

_KINDS: list[tuple[str, Kind]] = [
    ("Switch", "toggle"), ("ToggleButton", "toggle"), ("CheckBox", "checkbox"),
    ("EditText", "input"), ("ImageButton", "button"), ("Button", "button"),
    ("ImageView", "icon"), ("TextView", "text"), ("SeekBar", "slider"),
]


def kind_of(cls: str) -> Kind:
    """The element kind of an Android widget class."""
    short = cls.rsplit(".", 1)[-1]
    return next((k for name, k in _KINDS if short.endswith(name)), "other")


def _element(i: int, view: dict, size: tuple[int, int]) -> Element | None:
    (x1, y1), (x2, y2) = view["bounds"]
    x1, y1, x2, y2 = max(x1, 0), max(y1, 0), min(x2, size[0]), min(y2, size[1])
    text = (view.get("text") or "").strip()
    label = (view.get("content_description") or view.get("content-desc") or "").strip()
    if x2 <= x1 or y2 <= y1 or view.get("visible") is False or view.get("children"):
        return None
    if not (text or label or view.get("clickable")):
        return None
    return Element(id=i, box=Box(x1, y1, x2, y2), kind=kind_of(view.get("class") or ""),
                   text=text, label=label, source="a11y", checked=view.get("checked"),
                   clickable=view.get("clickable"),
                   resource_id=view.get("resource_id") or view.get("resource-id") or "")


def droidbot_names() -> list[str]:
    return sorted(p.stem for p in (DATA / "droidbot").glob("*.json"))


def load_screen(name: str) -> Screen:
    """A droidbot pair as a Screen: leaves with text, label or a click handler become elements."""
    state = json.loads((DATA / "droidbot" / f"{name}.json").read_text(encoding="utf-8"))
    image_path = next((DATA / "droidbot").glob(f"{name}.[jp][pn]g"))
    image = Image.open(image_path).convert("RGB")
    elements = [e for i, v in enumerate(state["views"])
                if (e := _element(i, v, image.size)) is not None]
    package, _, activity = (state.get("foreground_activity") or "").partition("/")
    return Screen(elements=elements, geometry=ScreenGeometry(*image.size), image=image,
                  app=package or None, activity=activity or None)


def with_status_bar(screen: Screen, clock: str, battery: str, notes: int = 0) -> Screen:
    """The same screen at another moment: a repainted status bar with its own clock and battery."""
    assert screen.image is not None
    image = screen.image.copy()
    w, h = image.size
    bar = round(h * 0.03)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, w, bar), fill=(20, 20, 20))
    draw.text((w - 200, bar // 3), f"{battery} {clock}", fill=(255, 255, 255))
    for n in range(notes):
        draw.ellipse((20 + 50 * n, bar // 4, 50 + 50 * n, bar * 3 // 4), fill=(200, 200, 200))
    base = max((e.id for e in screen.elements), default=0) + 1
    extra = [Element(id=base, box=Box(w - 130, 10, w - 10, bar - 10), kind="text", text=clock),
             Element(id=base + 1, box=Box(w - 260, 10, w - 140, bar - 10), kind="text",
                     text=battery)]
    extra += [Element(id=base + 2 + n, box=Box(20 + 50 * n, 10, 50 + 50 * n, bar - 10),
                      kind="icon", label="notification") for n in range(notes)]
    return replace(screen, image=image, elements=[*screen.elements, *extra])
