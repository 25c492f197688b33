"""The notification shade with Quick Settings, pulled down from the status bar."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from devices.sim.apps.base import Screen
from devices.sim.state import BASE_TIME_MS, Message
from devices.sim.ui import kit
from devices.sim.ui.theme import WIDTH
from devices.sim.ui.widgets import Node, Paint

PKG = "com.android.systemui"
WINDOW = "NotificationShade"
TILE_W, TILE_H = 468, 190


class Shade(Screen):
    """Brightness, six toggle tiles, and the (empty) notification list."""

    package = PKG
    activity = WINDOW

    def build(self, top: int, bottom: int) -> list[Node]:
        pal, st = self.pal, self.state
        panel = Node(kit.FRAME, (0, top, WIDTH, bottom), rid=f"{PKG}:id/notification_panel",
                     paint=Paint("rect", bg=pal.surface))
        stamp = time.gmtime(BASE_TIME_MS / 1000 + self.host.now())
        panel.add(kit.text(time.strftime("%a, %b %-d", stamp), (60, top + 20, 700, top + 120),
                           pal, 44, rid=f"{PKG}:id/date"))
        level = int(st.get("system", "screen_brightness") or "0") / 255
        panel.add(kit.slider(level, (40, top + 140, WIDTH - 40, top + 280), pal,
                             self.set_brightness, "Display brightness", f"{PKG}:id/slider"))
        for i, (label, icon, on, state, flip) in enumerate(self.tiles()):
            x, y = 48 + (i % 2) * (TILE_W + 48), top + 320 + (i // 2) * (TILE_H + 30)
            panel.add(Node("android.widget.Switch", (x, y, x + TILE_W, y + TILE_H), text=label,
                           desc=f"{label},{state}", checkable=True, checked=on, clickable=True,
                           focusable=True, on_tap=flip, rid=f"{PKG}:id/tile",
                           paint=Paint("tile", bg=pal.primary if on else pal.surface_variant,
                                       fg=pal.on_primary if on else pal.on_bg, icon=icon,
                                       hint=state, radius=60)))
        y = top + 320 + 3 * (TILE_H + 30) + 40
        notes = st.notifications()
        if not notes:
            panel.add(kit.text("No notifications", (0, y, WIDTH, y + 120), pal, 42,
                               color=pal.on_variant, align="center",
                               rid=f"{PKG}:id/no_notifications"))
            return [panel]
        for m in notes:
            panel.add(self.notification(m, y))
            y += 250
        panel.add(kit.button("Clear all", (WIDTH - 330, y, WIDTH - 48, y + 110), pal,
                             self.clear_all, filled=False, rid=f"{PKG}:id/dismiss_text"))
        return [panel]

    def notification(self, m: Message, y: int) -> Node:
        pal = self.pal
        name = self.state.display_name(m.address)
        card = Node(kit.FRAME, (48, y, WIDTH - 48, y + 230), desc=f"Messages notification: "
                    f"{name}", rid=f"{PKG}:id/expandableNotificationRow", clickable=True,
                    on_tap=partial(self.open_message, m.address),
                    paint=Paint("rect", bg=pal.bg, radius=40))
        card.add(Node(kit.IMAGE, (80, y + 30, 150, y + 100), dump=False,
                      paint=Paint("icon", fg=pal.primary, icon="sms", size=52)),
                 kit.text("Messages • now", (170, y + 30, WIDTH - 100, y + 100), pal, 34,
                          color=pal.on_variant, rid="android:id/app_name_text"),
                 kit.text(name, (90, y + 100, WIDTH - 100, y + 160), pal, 44, weight="medium",
                          rid="android:id/title"),
                 kit.text(m.body, (90, y + 160, WIDTH - 100, y + 220), pal, 40,
                          color=pal.on_variant, rid="android:id/text"))
        return card

    def open_message(self, address: str) -> None:
        from devices.sim.apps.messages import PKG as MESSAGES
        from devices.sim.apps.messages import Conversation

        self.host.launch(MESSAGES)
        self.host.open(Conversation(self.host, address))

    def clear_all(self) -> None:
        self.state.dismissed.update(m.id for m in self.state.notifications())
        self.host.close_shade()

    def tiles(self) -> list[tuple[str, str, bool, str, Callable[[], None]]]:
        st = self.state
        wifi, bt = st.flag("global", "wifi_on"), st.flag("global", "bluetooth_on")
        plane, dnd = st.flag("global", "airplane_mode_on"), st.flag("global", "zen_mode")
        dark = st.get("secure", "ui_night_mode") == "2"
        rotate = st.flag("system", "accelerometer_rotation")
        return [
            ("Internet", "wifi", wifi, "AndroidWifi" if wifi else "Off",
             partial(st.set_flag, "global", "wifi_on", not wifi)),
            ("Bluetooth", "bluetooth", bt, "On" if bt else "Off",
             partial(st.set_flag, "global", "bluetooth_on", not bt)),
            ("Airplane mode", "airplane", plane, "On" if plane else "Off",
             partial(st.set_airplane, not plane)),
            ("Dark theme", "dark_mode", dark, "On" if dark else "Off",
             partial(st.put, "secure", "ui_night_mode", "1" if dark else "2")),
            ("Do Not Disturb", "dnd", dnd, "On" if dnd else "Off",
             partial(st.set_flag, "global", "zen_mode", not dnd)),
            ("Auto-rotate", "rotate", rotate, "On" if rotate else "Off",
             partial(st.set_flag, "system", "accelerometer_rotation", not rotate)),
        ]

    def set_brightness(self, value: float) -> None:
        self.state.put("system", "screen_brightness", str(round(value * 255)))

    def on_swipe(self, x1: int, y1: int, x2: int, y2: int) -> bool:
        if y1 - y2 > 200:
            self.host.close_shade()
        return True
