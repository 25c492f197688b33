"""The simulated phone: apps and their activity stacks, input, frames, `uiautomator dump`.

Everything a test or an agent sees comes from one widget tree per frame, so what is
drawn, what a tap hits and what `uiautomator dump` lists always agree.
"""

from __future__ import annotations

import functools
import io
import random
import threading
import time
from collections.abc import Callable

from PIL import Image

from devices.sim import chrome, commands, storage
from devices.sim.apps import installed
from devices.sim.apps.base import AppInfo, Dialog, Screen
from devices.sim.apps.launcher import HOME_APPS, Home, Recents
from devices.sim.apps.launcher import PKG as LAUNCHER
from devices.sim.apps.systemui import Shade
from devices.sim.fs import VirtualFS
from devices.sim.keys import CHARS, keycode
from devices.sim.perturb import Perturbations
from devices.sim.shell import ShellResult
from devices.sim.state import PhoneState
from devices.sim.ui import hierarchy, keyboard
from devices.sim.ui.render import render
from devices.sim.ui.theme import (
    CONTENT_BOTTOM,
    CONTENT_TOP,
    HEIGHT,
    KEYBOARD_H,
    NAV_H,
    WIDTH,
    Palette,
    palette,
)
from devices.sim.ui.widgets import Node, draggable, hit, long_tappable, scrollable, tappable

ANIMATION_S = 0.3
TOAST_S = 2.0



class Phone:
    """A believable Android phone in process: 1080x2400 at 420 dpi, seeded data and apps."""

    width, height, density = WIDTH, HEIGHT, 420

    def __init__(self, seed: int = 0, perturbations: Perturbations | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seed = seed
        self.perturb = perturbations or Perturbations()
        self.layout_variant = self.perturb.layout_variant
        self.clock = clock
        self._t0 = clock()
        self.rng = random.Random(seed)
        self.state = PhoneState.seeded(seed)
        self.fs = VirtualFS()
        self.lock = threading.RLock()
        self.apps: dict[str, AppInfo] = {a.label: a for a in installed()}
        self.packages = {a.package: a for a in self.apps.values()}
        self.stacks: dict[str, list[Screen]] = {}
        self.order: list[str] = []            # packages, least recent first; last = foreground
        self.recents: Recents | None = None
        self.shade: Shade | None = None
        self.screen_on = True
        self._focus: tuple[Screen, str] | None = None
        self._dialog: Dialog | None = None
        self._toast: tuple[str, float] | None = None
        self._kb = {"shift": False, "symbols": False}
        self._version = 0
        self._frame: tuple[object, Image.Image] | None = None
        self._anim: tuple[Image.Image, float] | None = None
        self._png: tuple[Image.Image, bytes] | None = None
        self.thumbs: dict[str, Image.Image] = {}
        self.loading_until: dict[str, float] = {}
        self._seen: set[str] = set()
        self._home_order = self._launcher_order()
        self.go_home()
        storage.sync_notes(self.state, self.fs)

    # --- the Host protocol apps use ---------------------------------------------------

    @property
    def pal(self) -> Palette:
        return palette(self.state.get("secure", "ui_night_mode") == "2")

    def now(self) -> float:
        """Seconds since the phone booted, by its clock."""
        return self.clock() - self._t0

    def top(self) -> Screen:
        """The screen that gets input: the shade, Overview, or the foreground activity."""
        if self.shade is not None:
            return self.shade
        return self.app_top()

    def app_top(self) -> Screen:
        """The focused app's activity (Overview counts as the launcher's)."""
        if self.recents is not None:
            return self.recents
        return self.stacks[self.order[-1]][-1]

    def close_shade(self) -> None:
        self.shade = None

    def open(self, screen: Screen) -> None:
        if self._focus is not None and self._focus[0] is not screen:
            self._focus = None
        self.stacks.setdefault(screen.package, [])
        if not self.order or self.order[-1] != screen.package:
            self._bring(screen.package)
        self.stacks[screen.package].append(screen)

    def finish(self, screen: Screen) -> None:
        stack = self.stacks.get(screen.package, [])
        if self._focus and self._focus[0] is screen:
            self._focus = None
        if screen in stack:
            stack.remove(screen)
        if not stack:
            self.stacks.pop(screen.package, None)
            if screen.package in self.order:
                self.order.remove(screen.package)
            if not self.order or self.order[-1] == LAUNCHER or not self.stacks:
                self.go_home()

    def launch(self, package: str, activity: str | None = None) -> None:
        """Bring an app's task to the front, starting it (or ``activity``) if needed."""
        app = self.packages[package]
        self.recents = None
        self.shade = None
        self._dialog = None
        self._focus = None
        if package == LAUNCHER:
            self.go_home()
            return
        if activity is not None and activity != app.main:
            self.stacks.setdefault(package, [app.activities[app.main](self)])
            self.stacks[package].append(app.activities[activity](self))
        elif package not in self.stacks:
            self.stacks[package] = [app.activities[app.main](self)]
            self._first_start(app)
        self._bring(package)

    def toast(self, message: str) -> None:
        self._toast = (message, self.now() + TOAST_S)

    def show_dialog(self, dialog: Dialog | None) -> None:
        self._dialog = dialog

    def focus(self, screen: Screen, key: str | None) -> None:
        self._focus = (screen, key) if key is not None else None
        self._kb["shift"] = False

    def focus_key(self, screen: Screen) -> str | None:
        if self._focus is not None and self._focus[0] is screen:
            return self._focus[1]
        return None

    def go_home(self) -> None:
        self.recents = None
        self.shade = None
        self._dialog = None
        self._focus = None
        self.stacks[LAUNCHER] = [Home(self, self.apps, self._home_order)]
        self._bring(LAUNCHER)

    def _bring(self, package: str) -> None:
        if package in self.order:
            self.order.remove(package)
        self.order.append(package)

    def _first_start(self, app: AppInfo) -> None:
        """Perturbations that greet an app's first start: slow load, permission, rating."""
        if self.perturb.slow_loading:
            self.loading_until[app.package] = self.now() + self.perturb.slow_loading
        if app.package in self._seen:
            return
        self._seen.add(app.package)
        if self.perturb.happens(self.rng, self.perturb.permission_dialog):
            self._dialog = chrome.permission_dialog(app.label)
        elif self.perturb.happens(self.rng, self.perturb.rate_popup):
            self._dialog = chrome.rate_dialog(app.label, app.package)

    def _launcher_order(self) -> list[str]:
        order = list(HOME_APPS)
        if self.perturb.layout_variant:
            random.Random(self.seed).shuffle(order)
        return order

    # --- what is on screen ----------------------------------------------------------

    def keyboard_shown(self) -> bool:
        return self._focus is not None and self._focus[0] is self.top()

    def foreground(self) -> tuple[str, str]:
        """(package, activity) of the focused app, as `mFocusedApp` names them."""
        top = self.app_top()
        return top.package, top.activity

    def loading(self) -> bool:
        top = self.top()
        return self.loading_until.get(top.package, 0.0) > self.now() and top is self.app_top() \
            and self.recents is None

    def content_bottom(self) -> int:
        return CONTENT_BOTTOM - (KEYBOARD_H if self.keyboard_shown() else 0)

    def window(self) -> list[Node]:
        """The focused app window's widgets (no status bar, nav bar, keyboard or dialog)."""
        if self.loading():
            return chrome.loading_window(self.pal, self.top().package)
        return self.top().build(CONTENT_TOP, self.content_bottom())

    def layers(self) -> list[Node]:
        """Everything drawn, bottom to top."""
        pal = self.pal
        nodes = self.window()
        if self._dialog is not None:
            nodes.append(chrome.dialog_layer(self._dialog, pal, self._close_dialog,
                                             self.content_bottom()))
        if self.keyboard_shown():
            screen, key = self._focus or (self.top(), "")
            if screen.input_type(key) == "number":
                nodes.append(keyboard.build_numeric(pal, CONTENT_BOTTOM, self._key_press))
            else:
                nodes.append(keyboard.build(pal, CONTENT_BOTTOM, self._kb["shift"],
                                            self._kb["symbols"], self._key_press))
        if self._toast is not None and self._toast[1] > self.now():
            nodes.append(chrome.toast(self._toast[0], pal))
        nodes.append(chrome.status_bar(self.state, pal, self.now(), self._dark_status()))
        nodes.append(chrome.nav_bar(pal, self.back, self.go_home, self.app_switch,
                                    self._dark_status() and not self.keyboard_shown()))
        return nodes

    def _dark_status(self) -> bool:
        """Launcher home draws light icons on its wallpaper."""
        return isinstance(self.top(), Home) or self.recents is not None

    def dump_hierarchy(self) -> str:
        with self.lock:
            if self._dialog is not None:
                layer = chrome.dialog_layer(self._dialog, self.pal, self._close_dialog,
                                            self.content_bottom())
                return hierarchy.dump(layer.children, self._dialog.package)
            return hierarchy.dump(self.window(), self.top().package)

    def render(self) -> Image.Image:
        """The current frame, 1080x2400 RGB; cached while nothing changes."""
        with self.lock:
            frame, _ = self._current()
            return frame.copy()

    def png(self) -> bytes:
        """The current frame as PNG (what `screencap -p` sends), re-encoded only on change."""
        with self.lock:
            frame, stable = self._current()
            if stable and self._png is not None and self._png[0] is frame:
                return self._png[1]
            buf = io.BytesIO()
            frame.save(buf, format="PNG", compress_level=1)
            if stable:
                self._png = (frame, buf.getvalue())
            return buf.getvalue()

    def _current(self) -> tuple[Image.Image, bool]:
        """(frame, whether it is a cached frame that will not change by itself)."""
        if not self.screen_on:
            return _dark_frame(), True
        frame = self._static_frame()
        if self._anim is not None:
            before, t0 = self._anim
            t = (self.now() - t0) / ANIMATION_S
            if 0 <= t < 1:
                return Image.blend(before, frame, 0.25 + 0.75 * t * (2 - t)), False
            self._anim = None
        return frame, self._frame_key() is not None

    def _frame_key(self) -> object:
        toast = self._toast is not None and self._toast[1] > self.now()
        minute = int(self.now() // 60)
        if self.loading():
            return None
        return (self._version, minute, toast)

    def _static_frame(self) -> Image.Image:
        key = self._frame_key()
        if key is not None and self._frame is not None and self._frame[0] == key:
            return self._frame[1]
        image = render(self.layers(), (WIDTH, HEIGHT), self.pal.bg, self.now())
        self._frame = (key, image)
        return image

    # --- input ----------------------------------------------------------------------

    def start_screen(self, make: Callable[[Phone], Screen]) -> None:
        """Start one specific screen in its app's task (an intent with data)."""
        def run() -> None:
            screen = make(self)
            self.launch(screen.package)
            self.open(screen)
        self._act(run)

    def start(self, package: str, activity: str | None = None) -> None:
        """Start an app or one of its activities, as `am start` / `monkey` do."""
        self._act(lambda: self.launch(package, activity))

    def _act(self, fn: Callable[[], None]) -> None:
        """Run one input; if it changed the screen, start the short transition."""
        with self.lock:
            before_id = self._nav_id()
            before = self._frame[1] if self._frame is not None else None
            before_pkg = self.top().package
            fn()
            self.changed()
            if self._nav_id() != before_id and before is not None:
                self._anim = (before, self.now())
                if self.top().package != before_pkg and before_pkg != LAUNCHER:
                    self.thumbs[before_pkg] = before

    def _nav_id(self) -> tuple[int, int, bool]:
        return (id(self.top()), id(self._dialog), self.keyboard_shown())

    def tap(self, x: int, y: int) -> None:
        if not self.screen_on or self.perturb.happens(self.rng, self.perturb.ignored_tap_rate):
            return
        self._act(lambda: self._tap(x, y))

    def _tap(self, x: int, y: int) -> None:
        for layer in reversed(self.layers()):
            node = hit(layer, x, y, tappable)
            if node is not None:
                self._press(node, x, y)
                return
            if layer.rid == chrome.SCRIM_ID:      # a modal dialog: nothing below gets the tap
                if not any(c.contains(x, y) for c in layer.children):
                    self._cancel_dialog()
                return

    def _press(self, node: Node, x: int, y: int) -> None:
        if node.on_drag is not None:
            node.on_drag(x, y)
        elif node.on_tap is not None:
            node.on_tap()

    def long_press(self, x: int, y: int) -> None:
        if not self.screen_on:
            return

        def press() -> None:
            for layer in reversed(self.layers()):
                node = hit(layer, x, y, lambda n: long_tappable(n) or tappable(n))
                if node is not None:
                    (node.on_long or node.on_tap or (lambda: None))()
                    return
        self._act(press)

    def swipe(self, x1: int, y1: int, x2: int, y2: int, duration_ms: int = 300) -> None:
        if not self.screen_on:
            return
        if abs(x2 - x1) < 20 and abs(y2 - y1) < 20:
            if duration_ms >= 500:
                self.long_press(x1, y1)
            else:
                self.tap(x1, y1)
            return
        self._act(lambda: self._swipe(x1, y1, x2, y2))

    def _swipe(self, x1: int, y1: int, x2: int, y2: int) -> None:
        if self._dialog is None and self.shade is None and y1 < CONTENT_TOP + 40 \
                and y2 - y1 > 200:
            self._focus = None
            self.shade = Shade(self)
            return
        if self._dialog is not None or y1 >= HEIGHT - NAV_H or y1 < CONTENT_TOP:
            return
        window = self.window()
        for layer in reversed(window):
            node = hit(layer, x1, y1, draggable)
            if node is not None and node.on_drag is not None:
                node.on_drag(x2, y2)
                return
        top = self.top()
        if top.on_swipe(x1, y1, x2, y2):
            return
        for layer in reversed(window):
            node = hit(layer, x1, y1, scrollable)
            if node is not None and abs(y2 - y1) >= abs(x2 - x1):
                top.scroll(node.scroll_key, y1 - y2)
                return

    def text(self, s: str) -> None:
        self._act(lambda: self._type(s))

    def _type(self, s: str) -> None:
        """Text into the focused field; a newline is the Enter key, which may move focus."""
        for line_no, line in enumerate(s.split("\n")):
            if line_no:
                self._enter()
            if line:
                self._type_line(line)

    def _type_line(self, text: str) -> None:
        if self._focus is None or self._focus[0] is not self.top():
            if self._dialog is None:
                self.top().on_keys(text)
            return
        screen, key = self._focus
        screen.fields[key] = screen.fields.get(key, "") + text
        screen.on_text(key)

    def _key_press(self, value: str) -> None:
        """A key of the on-screen keyboard."""
        if value == "<shift>":
            self._kb["shift"] = not self._kb["shift"]
        elif value == "<symbols>":
            self._kb["symbols"] = not self._kb["symbols"]
        elif value == "<del>":
            self._delete()
        elif value == "<enter>":
            self._enter()
        else:
            self._type(value)
            self._kb["shift"] = False

    def _delete(self) -> None:
        if self._focus is not None and self._focus[0] is self.top():
            screen, key = self._focus
            screen.fields[key] = screen.fields.get(key, "")[:-1]
            screen.on_text(key)

    def _enter(self) -> None:
        if self._focus is not None and self._focus[0] is self.top():
            screen, key = self._focus
            screen.on_enter(key)
        elif self._dialog is None:
            self.top().on_keys("\n")

    def keyevent(self, code: int | str) -> None:
        """Press an Android key by number (4) or name ("KEYCODE_BACK", "BACK")."""
        number = keycode(code)
        self._act(lambda: self._key(number))

    def _key(self, number: int) -> None:
        power = {26: not self.screen_on, 224: True, 223: False}
        if number in power:
            self.screen_on = power[number]
            return
        actions: dict[int, Callable[[], None]] = {
            3: self.go_home, 4: self.back, 111: self.back, 187: self.app_switch,
            66: self._enter, 67: self._delete,
        }
        if not self.screen_on:
            return
        if number in actions:
            actions[number]()
        elif number in CHARS:
            self._type(CHARS[number])

    def back(self) -> None:
        """Back: hide the keyboard, close the shade or dialog, else the screen's own, else pop.

        On a task's root activity Back moves the task behind the launcher and keeps it,
        as Android 12 and later do.
        """
        if self.keyboard_shown():
            self._focus = None
        elif self.shade is not None:
            self.shade = None
        elif self._dialog is not None:
            self._cancel_dialog()
        elif self.recents is not None:
            self.recents = None
        elif not self.top().on_back():
            top = self.top()
            if len(self.stacks.get(top.package, [])) > 1:
                self.finish(top)
            elif top.package != LAUNCHER:
                self.go_home()

    def app_switch(self) -> None:
        if self.recents is not None:
            tasks = self.recents.tasks()
            if len(tasks) > 1:
                self.launch(tasks[1])
            return
        self._focus = None
        self._dialog = None
        self.shade = None
        self.thumbs[self.top().package] = self._static_frame()
        self.recents = Recents(self)

    def remove_task(self, package: str) -> None:
        self.stacks.pop(package, None)
        if package in self.order:
            self.order.remove(package)
        self.thumbs.pop(package, None)

    def _close_dialog(self) -> None:
        self._dialog = None

    def _cancel_dialog(self) -> None:
        dialog = self._dialog
        if dialog is not None and dialog.cancelable:
            self._dialog = None
            if dialog.on_cancel is not None:
                dialog.on_cancel()

    # --- shell ----------------------------------------------------------------------

    def command(self, argv: list[str]) -> ShellResult:
        """Run one program (`input`, `am`, `settings`, ...) as Android's shell would."""
        with self.lock:
            return commands.run(self, argv)

    def changed(self) -> None:
        """State may have changed: redraw, and refresh the files apps keep in storage."""
        self._version += 1
        storage.sync_notes(self.state, self.fs)

    def force_stop(self, package: str) -> None:
        if package == LAUNCHER:
            return
        self.remove_task(package)
        if self.recents is None and (not self.order or self.order[-1] not in self.stacks):
            self.go_home()
        self.changed()


@functools.lru_cache(maxsize=1)
def _dark_frame() -> Image.Image:
    return Image.new("RGB", (WIDTH, HEIGHT), "black")
