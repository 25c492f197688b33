"""What perception produces and what locating answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from devices.geometry import Box, PixelPoint, ScreenGeometry

if TYPE_CHECKING:
    from PIL import Image

Kind = Literal["text", "icon", "button", "input", "toggle", "checkbox", "slider", "image",
               "list_item", "tab", "container", "other"]
Source = Literal["a11y", "ocr", "detector", "fused", "proposal"]


@dataclass(slots=True)
class Element:
    """One thing on the screen a person could point at."""

    id: int
    box: Box
    kind: Kind = "other"
    text: str = ""
    label: str = ""
    confidence: float = 1.0
    source: Source = "ocr"
    checked: bool | None = None
    clickable: bool | None = None
    resource_id: str = ""

    @property
    def center(self) -> PixelPoint:
        return self.box.center

    def describe(self) -> str:
        """One line for an element list: ``[3] toggle "Wi-Fi" (on)``."""
        name = self.text or self.label
        state = "" if self.checked is None else (" (on)" if self.checked else " (off)")
        return f'[{self.id}] {self.kind} "{name}"{state}'


@dataclass(slots=True)
class Screen:
    """A perceived screen: elements in reading order plus where they came from."""

    elements: list[Element]
    geometry: ScreenGeometry
    image: Image.Image | None = None
    app: str | None = None
    activity: str | None = None

    def by_id(self, element_id: int) -> Element | None:
        return next((e for e in self.elements if e.id == element_id), None)

    def texts(self) -> list[str]:
        return [e.text for e in self.elements if e.text]


@dataclass(slots=True)
class Target:
    """The answer to "where is X?": a point, or an honest "not found" with candidates."""

    found: bool
    point: PixelPoint | None = None
    element: Element | None = None
    score: float = 0.0
    reason: str = ""
    candidates: list[tuple[Element, float]] = field(default_factory=list)
