"""The executor: the only code that turns an Action into device input.

Targets are resolved before this point (grounding happens in the loop), so
every targeted action arrives here with a ``PixelPoint`` in the pixels of
the last screenshot. ``{{secret:NAME}}`` in typed text becomes the user's
secret here and nowhere earlier, so no record or request ever holds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from devices import Device, PixelPoint
from devices.errors import Unsupported
from planners.actions import (
    Action,
    Back,
    Done,
    Fail,
    Home,
    Key,
    LaunchApp,
    LongPress,
    Scroll,
    Swipe,
    Tap,
    Type,
    Wait,
)
from planners.privacy import resolve_secrets

SWIPE_FRACTION = 0.4


class Executor:
    """Sends actions to one device; ``sleep`` is injectable so waits can be skipped in tests."""

    def __init__(self, device: Device, sleep: Callable[[float], None] = time.sleep,
                 secrets: Mapping[str, str] | None = None) -> None:
        self.device = device
        self.sleep = sleep
        self.secrets = dict(secrets or {})

    def execute(self, action: Action, point: PixelPoint | None = None) -> None:
        """Perform ``action``; targeted actions need ``point`` unless the target is optional."""
        match action:
            case Tap():
                self.device.tap(self._need(point, action))
            case LongPress():
                self.device.long_press(self._need(point, action))
            case Swipe():
                self._swipe(action.direction, point)
            case Scroll():
                self.device.scroll(action.direction, at=point)
            case Type():
                text = resolve_secrets(action.text, self.secrets)  # only now, never logged
                if point is not None:
                    self.device.tap(point)
                self.device.type_text(text)
            case Key():
                self.device.press_key(action.key)
            case Back():
                self.device.press_key("back")
            case Home():
                self.device.press_key("home")
            case LaunchApp():
                self.device.launch_app(action.app)
            case Wait():
                self.sleep(action.seconds)
            case Done() | Fail():
                pass
            case _:
                raise Unsupported(f"the executor has no rule for action {action!r}")

    @staticmethod
    def _need(point: PixelPoint | None, action: Action) -> PixelPoint:
        if point is None:
            raise ValueError(f"'{action.type}' reached the executor without a point")
        return point

    def _swipe(self, direction: str, point: PixelPoint | None) -> None:
        """A finger swipe from ``point`` (or the centre) towards ``direction``."""
        g = self.device.geometry()
        start = point or PixelPoint(g.width // 2, g.height // 2)
        dx = round(g.width * SWIPE_FRACTION)
        dy = round(g.height * SWIPE_FRACTION)
        step = {"up": (0, -dy), "down": (0, dy), "left": (-dx, 0), "right": (dx, 0)}[direction]
        end = g.clamp(PixelPoint(start.x + step[0], start.y + step[1]))
        self.device.swipe(start, end)
