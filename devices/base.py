"""The device contract: what every driver (Android, desktop, simulated phone) implements."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image

from devices.errors import Unsupported
from devices.geometry import PixelPoint, ScreenGeometry
from devices.settle import SettleConfig, wait_for_settle

Direction = Literal["up", "down", "left", "right"]

# Key names every driver understands; drivers map them to their own codes.
KEYS = ("back", "home", "enter", "delete", "app_switch", "tab", "escape", "space",
        "up", "down", "left", "right", "menu", "search", "power", "volume_up", "volume_down")


@dataclass(slots=True)
class Observation:
    """One look at the screen: the image plus what the platform says about it."""

    image: Image.Image
    geometry: ScreenGeometry
    app: str | None = None
    activity: str | None = None
    ts: float = field(default_factory=time.time)
    ui_tree: str | None = None
    settled: bool = True
    keyboard_shown: bool | None = None


class Device(ABC):
    """A screen that can be looked at and touched.

    Points are always ``PixelPoint`` in the physical pixels of the last
    screenshot; a driver converts them to its input system's space through
    ``ScreenGeometry`` and nowhere else.
    """

    id: str = "device"
    settle_config: SettleConfig = SettleConfig()

    @abstractmethod
    def screenshot(self) -> Image.Image:
        """Capture the screen as an RGB image; raise ``CaptureFailed`` rather than return junk."""

    @abstractmethod
    def geometry(self) -> ScreenGeometry:
        """Size, scale and origin of the screen."""

    @abstractmethod
    def tap(self, p: PixelPoint) -> None: ...

    @abstractmethod
    def swipe(self, start: PixelPoint, end: PixelPoint, duration_s: float = 0.3) -> None: ...

    @abstractmethod
    def type_text(self, text: str) -> None: ...

    @abstractmethod
    def press_key(self, key: str) -> None:
        """Press a named key (see ``KEYS``) or a hotkey such as ``ctrl+c``."""

    def long_press(self, p: PixelPoint, duration_s: float = 0.8) -> None:
        self.swipe(p, p, duration_s)

    def scroll(
        self, direction: Direction, at: PixelPoint | None = None, amount: float = 0.5
    ) -> None:
        """Scroll the content so that what lies in ``direction`` comes into view."""
        g = self.geometry()
        c = at or PixelPoint(g.width // 2, g.height // 2)
        dx = round(g.width * amount / 2)
        dy = round(g.height * amount / 2)
        # Content moves opposite to the finger: to see what is below, swipe up.
        ends = {"down": (0, -dy), "up": (0, dy), "right": (-dx, 0), "left": (dx, 0)}
        ex, ey = ends[direction]
        start = g.clamp(PixelPoint(c.x - ex // 2, c.y - ey // 2))
        end = g.clamp(PixelPoint(c.x + ex // 2, c.y + ey // 2))
        self.swipe(start, end, 0.4)

    def launch_app(self, app: str) -> None:
        raise Unsupported(f"{self.id} cannot launch apps by name")

    def current_app(self) -> tuple[str | None, str | None]:
        """(package or window class, activity or window title); (None, None) when unknown."""
        return None, None

    def ui_tree(self) -> str | None:
        """The accessibility tree as uiautomator-style XML, or None where there is none."""
        return None

    def keyboard_shown(self) -> bool | None:
        return None

    def transient_shown(self) -> bool:
        """Whether something that goes away by itself (a tooltip) is on screen now."""
        return False

    def observe(self, settle: SettleConfig | None = None, with_tree: bool = True) -> Observation:
        """Wait for the screen to settle, then capture it with what the platform knows."""
        image, settled = wait_for_settle(self.screenshot, settle or self.settle_config,
                                         transient=self.transient_shown)
        app, activity = self.current_app()
        return Observation(
            image=image,
            geometry=self.geometry(),
            app=app,
            activity=activity,
            ui_tree=self.ui_tree() if with_tree else None,
            settled=settled,
            keyboard_shown=self.keyboard_shown(),
        )

    def close(self) -> None:  # noqa: B027 - optional hook, most drivers hold nothing
        """Release connections; the device is unusable afterwards."""

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
