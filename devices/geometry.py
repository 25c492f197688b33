"""Coordinate spaces, made explicit.

Three spaces exist and each has its own type:

- ``PixelPoint``: physical pixels of one captured screen (what a screenshot shows).
- ``NormPoint``: fractions 0..1 of that screen (what some grounding models answer).
- ``LogicalPoint``: the input system's points in the global desktop space
  (pyautogui / X11 logical coordinates, including the monitor origin).

Every conversion between them lives in ``ScreenGeometry``; nothing else
multiplies by a scale factor or adds a monitor origin.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PixelPoint:
    """A point in physical pixels of one screen, origin at its top-left corner."""

    x: int
    y: int


@dataclass(frozen=True, slots=True)
class NormPoint:
    """A point as fractions (0..1) of a screen's width and height."""

    x: float
    y: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.x <= 1.0 and 0.0 <= self.y <= 1.0):
            raise ValueError(f"normalized point out of range 0..1: ({self.x}, {self.y})")


@dataclass(frozen=True, slots=True)
class LogicalPoint:
    """A point in the input system's global logical coordinates."""

    x: int
    y: int


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box in physical pixels: left, top, right, bottom (right/bottom exclusive)."""

    x1: int
    y1: int
    x2: int
    y2: int

    @property
    def width(self) -> int:
        return self.x2 - self.x1

    @property
    def height(self) -> int:
        return self.y2 - self.y1

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)

    @property
    def center(self) -> PixelPoint:
        return PixelPoint((self.x1 + self.x2) // 2, (self.y1 + self.y2) // 2)

    def contains(self, p: PixelPoint) -> bool:
        return self.x1 <= p.x < self.x2 and self.y1 <= p.y < self.y2

    def intersection(self, other: Box) -> int:
        w = min(self.x2, other.x2) - max(self.x1, other.x1)
        h = min(self.y2, other.y2) - max(self.y1, other.y1)
        return max(0, w) * max(0, h)

    def iou(self, other: Box) -> float:
        inter = self.intersection(other)
        union = self.area + other.area - inter
        return inter / union if union else 0.0


@dataclass(frozen=True, slots=True)
class ScreenGeometry:
    """One screen: its size in physical pixels, its HiDPI scale and its origin.

    ``scale`` is physical pixels per logical point (2.0 on a HiDPI laptop whose
    desktop runs at 200 %). ``origin`` is the screen's top-left corner in the
    global logical space (non-zero for the second monitor of a desktop).
    """

    width: int
    height: int
    scale: float = 1.0
    origin: LogicalPoint = LogicalPoint(0, 0)
    density: int | None = None
    rotation: int = 0

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"screen size must be positive, got {self.width}x{self.height}")
        if self.scale <= 0:
            raise ValueError(f"scale factor must be positive, got {self.scale}")

    @property
    def logical_width(self) -> int:
        return round(self.width / self.scale)

    @property
    def logical_height(self) -> int:
        return round(self.height / self.scale)

    def contains(self, p: PixelPoint) -> bool:
        return 0 <= p.x < self.width and 0 <= p.y < self.height

    def clamp(self, p: PixelPoint) -> PixelPoint:
        return PixelPoint(min(max(p.x, 0), self.width - 1), min(max(p.y, 0), self.height - 1))

    def to_pixel(self, p: NormPoint) -> PixelPoint:
        """Fractions of the screen -> physical pixels (1.0 maps to the last pixel)."""
        return PixelPoint(
            min(round(p.x * self.width), self.width - 1),
            min(round(p.y * self.height), self.height - 1),
        )

    def to_norm(self, p: PixelPoint) -> NormPoint:
        """Physical pixels -> fractions of the screen."""
        return NormPoint(
            min(max(p.x / self.width, 0.0), 1.0), min(max(p.y / self.height, 0.0), 1.0)
        )

    def to_logical(self, p: PixelPoint) -> LogicalPoint:
        """Physical pixels of this screen -> global logical points for the input system."""
        return LogicalPoint(
            self.origin.x + round(p.x / self.scale), self.origin.y + round(p.y / self.scale)
        )

    def from_logical(self, p: LogicalPoint) -> PixelPoint:
        """Global logical points -> physical pixels of this screen."""
        return PixelPoint(
            round((p.x - self.origin.x) * self.scale), round((p.y - self.origin.y) * self.scale)
        )
