"""The desktop driver: capture with mss, input with pyautogui, on an X11 display (Xvfb included).

The caller (guiagent) passes the display environment in ``display_env``; this
module never reads configuration from the environment. Points arrive as
``PixelPoint`` of the last screenshot and reach pyautogui only through
``ScreenGeometry.to_logical``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from PIL import Image

from devices import atspi
from devices.base import Device, Direction, Observation
from devices.desktop_clipboard import ClipboardOwner
from devices.desktop_pointer import parking_spot, tooltip_shown, window_box
from devices.errors import (
    CaptureFailed,
    DeviceNotFound,
    DeviceSpecError,
    DeviceUnreachable,
    DisplayUnavailable,
    InputRefused,
    Unsupported,
)
from devices.geometry import LogicalPoint, PixelPoint, ScreenGeometry
from devices.registry import DeviceInfo
from devices.settle import SettleConfig

NO_DISPLAY = ("no X display (DISPLAY is not set); desktop control needs X11. For a virtual "
              "screen run: Xvfb :99 -screen 0 1280x800x24 & export DISPLAY=:99")
WAYLAND = ("this is a Wayland session; screen capture and input need X11. Log in to an Xorg "
           "session, or use a virtual screen: Xvfb :99 & DISPLAY=:99 guiagent ...")

# Wheel clicks for a scroll of one whole screen (amount=1.0); one click is about 3 lines.
WHEEL_CLICKS_PER_SCREEN = 10

# The device-independent key names (devices.base.KEYS) as desktop keys or hotkeys.
SEMANTIC_KEYS = {
    "back": "alt+left", "home": "win+d", "app_switch": "alt+tab", "delete": "backspace",
    "escape": "esc", "menu": "apps", "search": "win", "volume_up": "volumeup",
    "volume_down": "volumedown", "home_key": "home", "forward_delete": "delete",
}
KEY_ALIASES = {
    "control": "ctrl", "cmd": "win", "command": "win", "super": "win", "meta": "win",
    "windows": "win", "return": "enter", "page_up": "pageup", "page_down": "pagedown",
    "plus": "+", "option": "alt",
}
# pyautogui's X11 keymap types '<' with shift held, which gives '>': paste it instead.
DIRECT_CHARS = frozenset(chr(c) for c in range(32, 127)) - {"<"} | {"\n", "\t"}

_X_LOCK = threading.RLock()
_bound_owner: object = None   # the driver pyautogui's X connection was made for


@dataclass(frozen=True, slots=True)
class XTarget:
    """The X display to use and the authority file that opens it."""

    display: str
    xauthority: str | None = None


def x_target(display_env: Mapping[str, str | None] | None) -> XTarget:
    """The display named in the caller's environment; ``DisplayUnavailable`` when there is none."""
    if display_env is None:
        raise DisplayUnavailable("the desktop driver needs the caller's display environment: "
                                 "open it with display_env=guiagent.config.display_env()")
    env = dict(display_env)
    if not env.get("DISPLAY"):
        wayland = env.get("WAYLAND_DISPLAY") or (env.get("XDG_SESSION_TYPE") or "") == "wayland"
        raise DisplayUnavailable(WAYLAND if wayland else NO_DISPLAY)
    return XTarget(str(env["DISPLAY"]), env.get("XAUTHORITY") or None)


def answers_quickly(target: XTarget, timeout_s: float = 1.0) -> bool:
    """False when a TCP display (``host:N``) does not accept a connection within ``timeout_s``;
    X clients would wait minutes for it. Local displays (``:N``) fail at once by themselves."""
    host, _, rest = target.display.rpartition(":")
    if not host or host == "unix" or host.startswith("/"):
        return True
    number = rest.partition(".")[0]
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=timeout_s):
            return True
    except (OSError, ValueError):
        return False


def x_alive(target: XTarget) -> bool:
    """Whether the X server still accepts connections (its local socket, or TCP)."""
    host, _, rest = target.display.rpartition(":")
    if host and host != "unix" and not host.startswith("/"):
        return answers_quickly(target)
    number = rest.partition(".")[0]
    for address in (f"\0/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}"):
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.settimeout(1.0)
                sock.connect(address)
                return True
        except OSError:
            continue
    return False


def _authority_file(target: XTarget) -> str:
    """python-xlib refuses to connect without an authority file; an empty one means "no cookie"."""
    if target.xauthority:
        return target.xauthority
    home_file = Path.home() / ".Xauthority"
    return str(home_file) if home_file.exists() else os.devnull


@contextlib.contextmanager
def x_client_env(target: XTarget) -> Iterator[None]:
    """Point DISPLAY/XAUTHORITY at ``target`` while an X client library connects.

    pyautogui and python-xlib read both from ``os.environ`` at connect time (pyautogui at
    import), and python-xlib prints a warning to stdout for an empty authority file, which
    would corrupt ``--json`` output; the previous values are restored afterwards.
    """
    with _X_LOCK:
        saved = {k: os.environ.get(k) for k in ("DISPLAY", "XAUTHORITY")}
        os.environ["DISPLAY"] = target.display
        os.environ["XAUTHORITY"] = _authority_file(target)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _x_errors() -> tuple[type[BaseException], ...]:
    """The exception classes python-xlib raises (none where it is not installed)."""
    try:
        import Xlib.error
    except ImportError:
        return ()
    return (Xlib.error.XError, Xlib.error.ConnectionClosedError, Xlib.error.DisplayError,
            Xlib.error.XauthError)


def _window_gone() -> tuple[type[BaseException], ...]:
    """python-xlib's errors for a window that no longer exists."""
    try:
        import Xlib.error
    except ImportError:
        return ()
    return (Xlib.error.BadWindow, Xlib.error.BadDrawable)


def _is_connection_closed(exc: BaseException) -> bool:
    import Xlib.error

    return isinstance(exc, Xlib.error.ConnectionClosedError)


def open_xlib(target: XTarget) -> Any:
    """A python-xlib connection to ``target``, refusing XWayland (it cannot see Wayland windows)."""
    failures: tuple[type[BaseException], ...] = (ImportError, *_x_errors())
    try:
        import Xlib.display

        with x_client_env(target):
            conn = Xlib.display.Display(target.display)
    except failures as exc:
        raise DisplayUnavailable(
            f"cannot open X display {target.display}: {exc}. Is the X server running?"
        ) from exc
    if conn.query_extension("XWAYLAND") is not None:
        conn.close()
        raise DisplayUnavailable(WAYLAND)
    return conn


def bound_pyautogui(target: XTarget, owner: object) -> ModuleType:
    """pyautogui driving ``target``'s display on behalf of ``owner`` (a driver).

    pyautogui connects to one display per process, at import. When another driver asks
    (another display, or a restarted server under the same name), its X11 backend module
    is reloaded so that it connects afresh.
    """
    global _bound_owner
    if _bound_owner is not owner or "pyautogui" not in sys.modules:
        failures: tuple[type[BaseException], ...] = (ImportError, KeyError, OSError,
                                                     *_x_errors())
        with x_client_env(target):
            try:
                fresh = "pyautogui" not in sys.modules
                import pyautogui

                if not fresh:
                    # The old connection is left to the garbage collector: python-xlib's
                    # close() raises TypeError when that server is already gone.
                    importlib.reload(pyautogui.platformModule)
            except failures as exc:
                raise DisplayUnavailable(
                    f"pyautogui cannot use X display {target.display}: {exc}"
                ) from exc
        _bound_owner = owner
    import pyautogui

    pyautogui.PAUSE = 0.0        # the agent paces itself; no sleep after every call
    pyautogui.FAILSAFE = False   # no corner-of-screen abort: there is no hand on a headless mouse
    return pyautogui


def _new_mss(target: XTarget) -> Any:
    import mss

    factory = getattr(mss, "MSS", None) or mss.mss   # mss 10 deprecates mss.mss()
    try:
        with x_client_env(target):
            return factory(display=target.display)
    except mss.ScreenShotError as exc:
        raise DisplayUnavailable(f"cannot open X display {target.display}: {exc}. "
                                 "Is the X server running?") from exc


def read_monitors(target: XTarget) -> list[dict[str, int]]:
    """mss's monitor list: [all monitors as one box, monitor 1, monitor 2, ...]."""
    import mss

    sct = _new_mss(target)
    try:
        return [dict(m) for m in sct.monitors]
    except mss.ScreenShotError as exc:
        raise DisplayUnavailable(f"cannot list monitors of {target.display}: {exc}") from exc
    finally:
        sct.close()


def monitor_index(arg: str | None) -> int | None:
    """``desktop`` -> None (primary), ``desktop:N`` -> N (0 = all monitors as one screen)."""
    if arg is None or arg == "":
        return None
    if not arg.isdigit():
        raise DeviceSpecError(f"desktop:{arg}: give a monitor number, e.g. desktop:1 "
                              "(desktop:0 = all monitors as one screen)")
    return int(arg)


def pick_monitor(monitors: list[dict[str, int]], index: int | None) -> dict[str, int]:
    """The monitor ``index`` names: None is the primary one, 0 all of them together."""
    if index is None:
        primary = [m for m in monitors[1:] if m.get("is_primary")]
        return (primary or monitors[1:] or monitors)[0]
    if index >= len(monitors):
        raise DeviceNotFound(f"desktop:{index}: this display has monitors 1..{len(monitors) - 1} "
                             "(desktop:0 = all of them)")
    return monitors[index]


def xft_dpi(conn: Any) -> int | None:
    """Xft.dpi from the X resource database (what xrdb sets; 192 on a 200 % desktop)."""
    try:
        text = conn.screen().root.get_full_property(conn.get_atom("RESOURCE_MANAGER"), 0)
    except _x_errors():
        return None
    value = text.value if text is not None else b""
    raw = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    for line in raw.splitlines():
        name, _, dpi = line.partition(":")
        if name.strip() == "Xft.dpi":
            with contextlib.suppress(ValueError):
                return round(float(dpi))
    return None


def split_key(key: str) -> list[str]:
    """``"ctrl+c"`` -> ["ctrl", "c"]; device-independent names become desktop keys first."""
    name = key.strip()
    name = SEMANTIC_KEYS.get(name.lower(), name)
    if name == "+":
        return ["+"]
    parts = [p.strip() for p in name.replace("++", "+plus").split("+")]
    if not all(parts):
        raise Unsupported(f"cannot read key '{key}'; write keys like enter, f5 or ctrl+shift+t")
    # A lone "K" types a capital; in a combination ("ctrl+K") letters name keys, not characters.
    keep_case = len(parts) == 1 and len(parts[0]) == 1
    return [KEY_ALIASES.get(p.lower(), p if keep_case else p.lower()) for p in parts]


class DesktopDevice(Device):
    """One monitor (or all of them) of an X11 display, driven like a person at the keyboard."""

    paste_timeout_s = 2.0   # how long a window may take to fetch pasted text
    click_grace_s = 0.2     # the pointer stays this long where it clicked before parking

    def __init__(self, target: XTarget, monitor: int | None = None,
                 scale: float | None = None, tree: atspi.DesktopTree | None = None) -> None:
        if scale is not None and scale <= 0:
            raise DeviceSpecError(f"scale factor must be positive, got {scale}")
        self.target = target
        self.id = "desktop" if monitor is None else f"desktop:{monitor}"
        self._monitor = pick_monitor(read_monitors(target), monitor)
        self._xlib = open_xlib(target)
        self._density = xft_dpi(self._xlib)
        self._scale = scale
        self._geometry: ScreenGeometry | None = None
        self._local = threading.local()
        self._grabbers: list[Any] = []
        self._clipboard: ClipboardOwner | None = None
        self.tree = tree or atspi.DesktopTree(enabled=False)
        self.park_pointer = True
        self._clicked_at = 0.0   # when the last click or drag ended (time.monotonic)

    @classmethod
    def from_spec(cls, arg: str | None, *, display_env: Mapping[str, str | None] | None = None,
                  scale: float | None = None, accessibility: bool = True,
                  **_other: Any) -> DesktopDevice:
        """``desktop[:N]``; ``display_env``: the caller's DISPLAY, XAUTHORITY, WAYLAND_DISPLAY
        and D-Bus addresses; ``accessibility=False`` reads no AT-SPI tree (pixels only)."""
        target = x_target(display_env)
        if not answers_quickly(target, timeout_s=5.0):
            raise DisplayUnavailable(f"X display {target.display} does not answer; "
                                     "is its X server running and reachable?")
        tree = atspi.DesktopTree(dict(display_env or {}), enabled=accessibility)
        return cls(target, monitor_index(arg), scale, tree)

    @classmethod
    def discover(cls, *, display_env: Mapping[str, str | None] | None = None,
                 **_other: Any) -> list[DeviceInfo]:
        """``desktop`` and ``desktop:N`` per monitor; [] when there is no usable X display."""
        try:
            target = x_target(display_env)
            if not answers_quickly(target):
                return []
            open_xlib(target).close()        # refuses XWayland, as opening the device does
            monitors = read_monitors(target)
        except DisplayUnavailable:
            return []
        size = "{width}x{height}+{left}+{top}"
        primary = pick_monitor(monitors, None)
        found = [DeviceInfo("desktop", "desktop", description=(
            f"X display {target.display}, primary monitor {size.format(**primary)}"))]
        found += [DeviceInfo(f"desktop:{i}", "desktop",
                             description=f"monitor {i} {size.format(**m)}")
                  for i, m in enumerate(monitors[1:], start=1)]
        if len(monitors) > 2:
            found.append(DeviceInfo("desktop:0", "desktop",
                                    description=f"all monitors {size.format(**monitors[0])}"))
        return found

    # -- looking ---------------------------------------------------------------------------

    def _grabber(self) -> Any:
        """One mss instance per thread (its X connection is not shared across threads)."""
        sct = getattr(self._local, "sct", None)
        if sct is None:
            sct = self._local.sct = _new_mss(self.target)
            self._grabbers.append(sct)
        return sct

    def screenshot(self) -> Image.Image:
        import mss

        try:
            shot = self._grabber().grab(self._monitor)
        except AssertionError as exc:   # mss asserts on an empty reply: the server is gone
            raise self._lost_or(CaptureFailed(f"{self.id}: capture failed"), "capture") from exc
        except mss.ScreenShotError as exc:
            raise CaptureFailed(f"{self.id}: capture failed: {exc}") from exc
        image = Image.frombytes("RGB", shot.size, shot.raw, "raw", "BGRX")
        self._geometry = self._geometry_for(image)
        return image

    def _geometry_for(self, image: Image.Image) -> ScreenGeometry:
        """mss's monitor boxes are in the input system's units and its images in pixels
        (points vs pixels on a Retina Mac, the same X pixels on X11): their ratio is the scale."""
        scale = self._scale or round(image.width / self._monitor["width"], 3)
        origin = LogicalPoint(self._monitor["left"], self._monitor["top"])
        return ScreenGeometry(image.width, image.height, scale, origin, density=self._density)

    def geometry(self) -> ScreenGeometry:
        if self._geometry is None:
            self.screenshot()
        assert self._geometry is not None
        return self._geometry

    def current_app(self) -> tuple[str | None, str | None]:
        """(window class, window title) of the active window, else of the window under the mouse."""
        try:
            window = self._active_window()
            while window is not None:
                wm_class = window.get_wm_class()
                if wm_class:
                    return wm_class[-1], self._title(window)
                parent = window.query_tree().parent
                window = parent if parent and parent != self._xlib.screen().root else None
        except _window_gone():
            return None, None   # it closed while being read (a dialog just dismissed)
        except _x_errors() as exc:
            raise DeviceUnreachable(f"{self.id}: X server stopped answering: {exc}") from exc
        return None, None

    def _active_window(self) -> Any:
        focused = self._focused_window()
        return focused if focused is not None else \
            (self._xlib.screen().root.query_pointer().child or None)

    def _focused_window(self) -> Any:
        """The window manager's active window, else the X input focus; None when neither."""
        root = self._xlib.screen().root
        prop = root.get_full_property(self._xlib.get_atom("_NET_ACTIVE_WINDOW"), 0)
        if prop is not None and prop.value and prop.value[0]:
            return self._xlib.create_resource_object("window", prop.value[0])
        focus = self._xlib.get_input_focus().focus
        return focus if not isinstance(focus, int) and focus != root else None

    def ui_tree(self) -> str | None:
        """The AT-SPI tree of the focused windows (menus and dialogs included), or None."""
        return self.tree.read(self.geometry(), self._active_title(), self._root_bus_property)

    def _active_title(self) -> str | None:
        try:
            window = self._active_window()
            return self._title(window) if window is not None else None
        except _x_errors():
            return None

    def accessibility(self) -> str:
        """One line on the AT-SPI bus (see ``DesktopTree.probe``)."""
        return self.tree.probe(self._root_bus_property)

    def _root_bus_property(self) -> str | None:
        """``AT_SPI_BUS`` on the root window: where at-spi-bus-launcher says its bus is."""
        try:
            prop = self._xlib.screen().root.get_full_property(
                self._xlib.get_atom("AT_SPI_BUS"), 0)
        except _x_errors():
            return None
        value = prop.value if prop is not None else b""
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        return text or None

    def observe(self, settle: SettleConfig | None = None, with_tree: bool = True) -> Observation:
        """Park the pointer where it covers nothing, then look (see ``devices.desktop_pointer``)."""
        lost: tuple[type[BaseException], ...] = (TypeError, OSError, *_x_errors())
        try:
            if self.park_pointer:
                self._park()
            return super().observe(settle, with_tree)
        except lost as exc:
            # python-xlib on a dead socket: ConnectionClosedError, OSError, or a TypeError
            # raised while formatting the OSError; its connection is unusable afterwards.
            if isinstance(exc, TypeError) and not isinstance(exc.__context__, OSError):
                raise
            raise self._lost_or(exc, "a look at the screen") from exc

    def _park(self) -> None:
        """Without a focused window the pointer says which app is in front: it stays."""
        try:
            window = self._focused_window()
        except _x_errors():
            return
        if window is None:
            return
        avoid = window_box(self._xlib, window)
        spot = parking_spot(self._monitor, avoid)
        # An app reads a click's release with the pointer where it is then: let it be handled.
        time.sleep(max(0.0, self._clicked_at + self.click_grace_s - time.monotonic()))
        with self._input("pointer parking") as gui:
            if tuple(gui.position()) != (spot.x, spot.y):
                gui.moveTo(spot.x, spot.y)

    def transient_shown(self) -> bool:
        """A tooltip is on screen: the settle step waits for it to go."""
        with _X_LOCK:
            return tooltip_shown(self._xlib)

    def _title(self, window: Any) -> str | None:
        prop = window.get_full_property(self._xlib.get_atom("_NET_WM_NAME"), 0)
        if prop is not None and prop.value:
            value = prop.value
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        name = window.get_wm_name()
        return str(name) if name else None

    # -- touching --------------------------------------------------------------------------

    def _to_input(self, p: PixelPoint) -> LogicalPoint:
        g = self.geometry()
        if not g.contains(p):
            raise InputRefused(f"{self.id}: point ({p.x}, {p.y}) is outside the "
                               f"{g.width}x{g.height} screen")
        return g.to_logical(p)

    @contextlib.contextmanager
    def _input(self, what: str) -> Iterator[Any]:
        """pyautogui for one input action; its and Xlib's errors become device errors."""
        gui = bound_pyautogui(self.target, self)
        failures: tuple[type[BaseException], ...] = (gui.PyAutoGUIException, OSError,
                                                     *_x_errors())
        try:
            yield gui
        except TypeError as exc:
            # python-xlib formats a lost socket's OSError wrongly and raises TypeError instead.
            if not isinstance(exc.__context__, OSError):
                raise
            raise self._lost(what) from exc
        except failures as exc:
            if _is_connection_closed(exc):
                raise self._lost(what) from exc
            raise InputRefused(f"{self.id}: {what} failed: {exc}") from exc

    def _lost_or(self, other: BaseException, what: str) -> BaseException:
        """DeviceUnreachable when the X server no longer answers, else ``other``."""
        return other if x_alive(self.target) else self._lost(what)

    def _lost(self, what: str) -> DeviceUnreachable:
        return DeviceUnreachable(f"{self.id}: X display {self.target.display} went away "
                                 f"during {what}")

    def tap(self, p: PixelPoint) -> None:
        q = self._to_input(p)
        with self._input("tap") as gui:
            gui.click(q.x, q.y)
        self._clicked_at = time.monotonic()

    def long_press(self, p: PixelPoint, duration_s: float = 0.8) -> None:
        q = self._to_input(p)
        with self._input("long press") as gui:
            gui.moveTo(q.x, q.y)
            gui.mouseDown()
            try:
                time.sleep(duration_s)
            finally:
                gui.mouseUp()
                self._clicked_at = time.monotonic()

    def swipe(self, start: PixelPoint, end: PixelPoint, duration_s: float = 0.3) -> None:
        """Drag with the left button from ``start`` to ``end``."""
        a, b = self._to_input(start), self._to_input(end)
        with self._input("drag") as gui:
            gui.moveTo(a.x, a.y)
            gui.mouseDown()
            try:
                gui.moveTo(b.x, b.y, duration=duration_s)
            finally:
                gui.mouseUp()
                self._clicked_at = time.monotonic()

    def scroll(self, direction: Direction, at: PixelPoint | None = None,
               amount: float = 0.5) -> None:
        """Turn the mouse wheel so that what lies in ``direction`` comes into view."""
        g = self.geometry()
        q = self._to_input(at or PixelPoint(g.width // 2, g.height // 2))
        clicks = max(1, round(amount * WHEEL_CLICKS_PER_SCREEN))
        with self._input(f"scroll {direction}") as gui:
            if direction in ("up", "down"):
                gui.scroll(clicks if direction == "up" else -clicks, q.x, q.y)
            else:
                gui.hscroll(clicks if direction == "right" else -clicks, q.x, q.y)

    def type_text(self, text: str) -> None:
        """Type ASCII key by key; anything else is pasted through the clipboard (ctrl+v)."""
        if all(c in DIRECT_CHARS for c in text):
            with self._input("typing") as gui:
                gui.write(text)
            return
        self._take_clipboard(text)
        assert self._clipboard is not None
        self._clipboard.arm()
        with self._input("paste") as gui:
            gui.hotkey("ctrl", "v")
        if not self._clipboard.served.wait(self.paste_timeout_s):
            raise InputRefused(f"{self.id}: no window took the pasted text; focus a text field "
                               "first (terminals paste with shift+insert)")

    def _take_clipboard(self, text: str) -> None:
        self._release_clipboard()
        try:
            self._clipboard = ClipboardOwner(open_xlib(self.target), text)
        except _x_errors() as exc:
            raise InputRefused(f"{self.id}: could not put text on the clipboard: {exc}") from exc

    def _release_clipboard(self) -> None:
        if self._clipboard is not None:
            self._clipboard.close()
            self._clipboard = None

    def press_key(self, key: str) -> None:
        names = split_key(key)
        with self._input(f"key {key}") as gui:
            unknown = [n for n in names if not gui.isValidKey(n)]
            if unknown:
                raise Unsupported(f"{self.id}: no key named {', '.join(unknown)!s} "
                                  f"(in '{key}'); use names like enter, esc, f5, ctrl+c")
            gui.hotkey(*names)

    def close(self) -> None:
        self.tree.close()
        self._release_clipboard()
        for sct in self._grabbers:
            with contextlib.suppress(Exception):
                sct.close()
        self._grabbers.clear()
        with contextlib.suppress(*_x_errors(), OSError):
            self._xlib.close()
