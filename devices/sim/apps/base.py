"""What every simulated app's screens build on: the host (the phone) and the Screen base."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image

from devices.sim.state import PhoneState
from devices.sim.ui import kit
from devices.sim.ui.theme import Palette
from devices.sim.ui.widgets import Bounds, Handler, Node


@dataclass(slots=True)
class Dialog:
    """A modal AlertDialog: title, message, optional body widgets, buttons (label, handler)."""

    title: str
    message: str = ""
    buttons: list[tuple[str, Handler]] = field(default_factory=list)
    body: Callable[[Bounds], list[Node]] | None = None
    body_h: int = 0
    cancelable: bool = True
    package: str = "android"
    on_cancel: Handler | None = None


class Host(Protocol):
    """What a screen may ask of the phone it runs on."""

    state: PhoneState
    rng: random.Random
    order: list[str]
    packages: dict[str, AppInfo]
    thumbs: dict[str, Image.Image]
    layout_variant: int

    @property
    def pal(self) -> Palette: ...

    def now(self) -> float: ...

    def open(self, screen: Screen) -> None: ...

    def finish(self, screen: Screen) -> None: ...

    def launch(self, package: str) -> None: ...

    def toast(self, message: str) -> None: ...

    def show_dialog(self, dialog: Dialog | None) -> None: ...

    def focus(self, screen: Screen, key: str | None) -> None: ...

    def focus_key(self, screen: Screen) -> str | None: ...

    def remove_task(self, package: str) -> None: ...

    def close_shade(self) -> None: ...


class Screen:
    """One activity (or one state of it): builds its widgets from the phone's state."""

    package = ""
    activity = ""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.fields: dict[str, str] = {}
        self.offsets: dict[str, int] = {}
        self.limits: dict[str, int] = {}

    @property
    def pal(self) -> Palette:
        return self.host.pal

    @property
    def state(self) -> PhoneState:
        return self.host.state

    def build(self, top: int, bottom: int) -> list[Node]:
        """Widgets of the content area between the status bar and the keyboard or nav bar."""
        raise NotImplementedError

    def on_back(self) -> bool:
        """Handle Back inside the screen (close a search, a mode); False lets the phone pop it."""
        return False

    def on_enter(self, key: str) -> None:
        """The IME's Enter/Done key on the focused field ``key``."""
        self.host.focus(self, None)

    def on_text(self, key: str) -> None:
        """The text of field ``key`` changed."""

    def on_keys(self, text: str) -> bool:
        """Text typed with no field focused (a hardware keyboard); True when used."""
        return False

    def on_swipe(self, x1: int, y1: int, x2: int, y2: int) -> bool:
        """A swipe that no list consumed; True when the screen used it."""
        return False

    def scroll(self, key: str, dy: int) -> None:
        limit = self.limits.get(key, 0)
        self.offsets[key] = max(0, min(limit, self.offsets.get(key, 0) + dy))

    def input(self, key: str, b: Bounds, hint: str, rid: str = "",
              rounded: bool = False, password: bool = False) -> Node:
        """A text field bound to ``self.fields[key]``; tapping it focuses it."""
        focused = self.host.focus_key(self) == key
        return kit.field(self.fields.get(key, ""), b, self.pal, hint, focused,
                         lambda: self.host.focus(self, key), rid, rounded, password)

    numeric_fields: tuple[str, ...] = ()

    def input_type(self, key: str) -> str:
        """"number" for fields that bring up the digit keypad, else "text"."""
        return "number" if key in self.numeric_fields else "text"

    def root(self, top: int, bottom: int, *children: Node) -> list[Node]:
        """The activity's window content, as uiautomator lists it."""
        return [Node(kit.FRAME, (0, top, kit.WIDTH, bottom), rid="android:id/content",
                     children=list(children))]

    def back_button(self) -> Handler:
        return lambda: self.host.finish(self)


@dataclass(frozen=True, slots=True)
class AppInfo:
    """One installed app: launcher label and icon, package, activities -> screen factories."""

    label: str
    package: str
    icon: str
    main: str
    activities: dict[str, Callable[[Host], Screen]]
    in_launcher: bool = True

    def component(self, activity: str | None = None) -> str:
        return f"{self.package}/{activity or self.main}"
