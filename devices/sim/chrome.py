"""System UI around the apps: status bar, navigation bar, dialogs, toasts, loading, popups."""

from __future__ import annotations

import time

from devices.sim.apps.base import Dialog
from devices.sim.state import BASE_TIME_MS, PhoneState
from devices.sim.ui import kit
from devices.sim.ui.render import wrap
from devices.sim.ui.theme import (
    CONTENT_BOTTOM,
    CONTENT_TOP,
    HEIGHT,
    NAV_H,
    STATUS_H,
    WIDTH,
    Palette,
)
from devices.sim.ui.widgets import Handler, Node, Paint

SCRIM_ID = "android:id/dialog_scrim"
SYSTEMUI = "com.android.systemui"
DIALOG_W = 920


def clock_text(now: float) -> str:
    stamp = time.gmtime(BASE_TIME_MS / 1000 + now)
    return f"{stamp.tm_hour}:{stamp.tm_min:02d}"


def status_bar(state: PhoneState, pal: Palette, now: float, on_wallpaper: bool) -> Node:
    """Clock on the left; Wi-Fi or airplane, Bluetooth, signal and battery on the right."""
    fg = "#FFFFFF" if on_wallpaper else pal.bar_fg
    bar = Node(kit.FRAME, (0, 0, WIDTH, STATUS_H), rid=f"{SYSTEMUI}:id/status_bar",
               paint=None if on_wallpaper else Paint("rect", bg=pal.bar))
    cy = STATUS_H // 2 + 4
    bar.add(Node(kit.TEXT, (56, 0, 300, STATUS_H), text=clock_text(now),
                 rid=f"{SYSTEMUI}:id/clock", paint=Paint("text", fg=fg, size=40,
                                                         weight="medium")))
    if state.notifications():
        bar.add(Node(kit.IMAGE, (200, cy - 33, 260, cy + 27), desc="Messages notification",
                     paint=Paint("icon", fg=fg, icon="sms", size=46)))
    icons: list[tuple[str, str]] = []
    airplane = state.flag("global", "airplane_mode_on")
    if airplane:
        icons.append(("airplane", "Airplane mode"))
    if state.flag("global", "bluetooth_on"):
        icons.append(("bluetooth", "Bluetooth on"))
    if state.flag("global", "wifi_on"):
        icons.append(("wifi", "Wi-Fi three bars"))
    if not airplane:
        icons.append(("signal", "Phone four bars"))
    x = WIDTH - 200
    bar.add(Node(kit.TEXT, (x + 70, 0, WIDTH - 40, STATUS_H), text="87%",
                 paint=Paint("text", fg=fg, size=38, align="right")),
            Node(kit.IMAGE, (x, 0, x + 70, STATUS_H), desc="Battery 87 percent.",
                 paint=Paint("icon", fg=fg, icon="battery_full", size=52)))
    for name, desc in reversed(icons):
        x -= 66
        bar.add(Node(kit.IMAGE, (x, cy - 33, x + 60, cy + 27), desc=desc,
                     paint=Paint("icon", fg=fg, icon=name, size=48)))
    return bar


def nav_bar(pal: Palette, back: Handler, home: Handler, recents: Handler,
            on_wallpaper: bool) -> Node:
    fg = "#FFFFFF" if on_wallpaper else pal.bar_fg
    top = HEIGHT - NAV_H
    bar = Node(kit.FRAME, (0, top, WIDTH, HEIGHT), rid=f"{SYSTEMUI}:id/navigation_bar_frame",
               paint=None if on_wallpaper else Paint("rect", bg=pal.bar))
    for cx, name, desc, handler in ((270, "back", "Back", back), (540, "home", "Home", home),
                                    (810, "recents", "Overview", recents)):
        bar.add(Node(kit.IMAGE_BUTTON, (cx - 130, top, cx + 130, HEIGHT), desc=desc,
                     rid=f"{SYSTEMUI}:id/{name}", clickable=True, on_tap=handler,
                     paint=Paint("nav", fg=fg, icon=name)))
    return bar


def toast(message: str, pal: Palette) -> Node:
    f_w = min(WIDTH - 160, 40 + len(message) * 22)
    x1 = (WIDTH - f_w) // 2
    return Node(kit.TEXT, (x1, CONTENT_BOTTOM - 300, x1 + f_w, CONTENT_BOTTOM - 180),
                text=message, rid="android:id/message",
                paint=Paint("text", bg="#303030", fg="#FFFFFF", size=38, align="center",
                            radius=60))


def dialog_layer(d: Dialog, pal: Palette, close: Handler, bottom: int) -> Node:
    """Scrim plus the dialog panel, centred above the keyboard when one is shown."""
    lines = wrap(d.message, 44, DIALOG_W - 140) if d.message else []
    height = 120 + 90 + len(lines) * 62 + (40 if lines else 0) + d.body_h + 170
    top = max(CONTENT_TOP + 40, (CONTENT_TOP + bottom) // 2 - height // 2)
    x1 = (WIDTH - DIALOG_W) // 2
    panel = Node(kit.LINEAR, (x1, top, x1 + DIALOG_W, top + height), rid="android:id/parentPanel",
                 paint=Paint("rect", bg=pal.surface, radius=56))
    y = top + 70
    panel.add(kit.text(d.title, (x1 + 70, y, x1 + DIALOG_W - 70, y + 90), pal, 54,
                       rid="android:id/alertTitle"))
    y += 110
    if lines:
        panel.add(Node(kit.TEXT, (x1 + 70, y, x1 + DIALOG_W - 70, y + len(lines) * 62),
                       text=d.message, rid="android:id/message",
                       paint=Paint("lines", fg=pal.on_variant, size=44)))
        y += len(lines) * 62 + 40
    if d.body is not None:
        panel.add(*d.body((x1 + 40, y, x1 + DIALOG_W - 40, y + d.body_h)))
        y += d.body_h
    panel.add(*_dialog_buttons(d, pal, close, x1 + DIALOG_W - 40, y + 30))
    scrim = Node(kit.FRAME, (0, 0, WIDTH, HEIGHT), rid=SCRIM_ID, dump=False,
                 paint=Paint("rect", bg=pal.scrim))
    return scrim.add(panel)


def _dialog_buttons(d: Dialog, pal: Palette, close: Handler, right: int, y: int) -> list[Node]:
    """Text buttons right-aligned; the last is the positive one (android:id/button1)."""
    nodes: list[Node] = []
    ids = ["button1", "button2", "button3"]
    for i, (label, handler) in enumerate(reversed(d.buttons)):
        w = 80 + len(label) * 26
        nodes.append(Node(kit.BUTTON, (right - w, y, right, y + 120), text=label,
                          rid=f"android:id/{ids[min(i, 2)]}", clickable=True, focusable=True,
                          on_tap=_then(close, handler),
                          paint=Paint("button", fg=pal.primary, size=42)))
        right -= w + 16
    return nodes


def _then(first: Handler, second: Handler) -> Handler:
    def run() -> None:
        first()
        second()
    return run


def permission_dialog(label: str) -> Dialog:
    """The runtime-permission prompt an app shows on its first start."""
    return Dialog(f"Allow {label} to send you notifications?",
                  buttons=[("Don't allow", _noop), ("Allow", _noop)], cancelable=False,
                  package="com.google.android.permissioncontroller")


def rate_dialog(label: str, package: str) -> Dialog:
    return Dialog(f"Enjoying {label}?", "Tap Rate to tell others what you think. "
                  "It only takes a moment.", buttons=[("Not now", _noop), ("Rate", _noop)],
                  package=package)


def _noop() -> None:
    return None


def loading_window(pal: Palette, package: str) -> list[Node]:
    """An app still starting: a blank window with a spinner."""
    cx, cy = WIDTH // 2, (CONTENT_TOP + CONTENT_BOTTOM) // 2
    root = Node(kit.FRAME, (0, CONTENT_TOP, WIDTH, CONTENT_BOTTOM), rid="android:id/content",
                paint=Paint("rect", bg=pal.bg))
    root.add(Node("android.widget.ProgressBar", (cx - 70, cy - 70, cx + 70, cy + 70),
                  rid=f"{package}:id/progress", paint=Paint("spinner", fg=pal.primary)))
    return [root]
