"""Clock: alarms (add with a time picker, switch on/off, delete) and the world clock tab."""

from __future__ import annotations

import time
from functools import partial

from devices.sim.apps.base import AppInfo, Dialog, Host, Screen
from devices.sim.state import BASE_TIME_MS, Alarm
from devices.sim.ui import kit
from devices.sim.ui.theme import WIDTH
from devices.sim.ui.widgets import Bounds, Node, Paint

PKG = "com.android.deskclock"
MAIN = ".DeskClock"
TABS = (("alarm", "Alarm"), ("clock", "Clock"), ("timer", "Timer"), ("timer", "Stopwatch"))
CARD_H = 300


def alarm_time(a: Alarm) -> str:
    return f"{a.hour % 12 or 12}:{a.minutes:02d}"


def am_pm(a: Alarm) -> str:
    return "AM" if a.hour < 12 else "PM"


class DeskClock(Screen):
    """Tabs at the bottom; the Alarm tab lists alarms as cards with a switch and a delete."""

    package = PKG
    activity = MAIN
    numeric_fields = ("hour", "minute")

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.tab = "Alarm"
        self.pm = False

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        body.add(kit.app_bar(self.tab, top, pal, None, [
            ("more_vert", "More options", lambda: None)], pkg=PKG))
        tabs_top = bottom - 200
        if self.tab == "Alarm":
            body.add(self.alarm_list(top + 180, tabs_top))
            body.add(Node(kit.IMAGE_BUTTON, (WIDTH // 2 - 110, tabs_top - 250, WIDTH // 2 + 110,
                                             tabs_top - 40), desc="Add alarm",
                          rid=f"{PKG}:id/fab", clickable=True, on_tap=self.add_alarm,
                          paint=Paint("fab", bg=pal.primary_container, fg=pal.on_bg,
                                      icon="add", size=90, radius=70)))
        elif self.tab == "Clock":
            stamp = time.gmtime(BASE_TIME_MS / 1000 + self.host.now())
            body.add(kit.text(f"{stamp.tm_hour % 12 or 12}:{stamp.tm_min:02d}",
                              (0, top + 400, WIDTH, top + 640), pal, 200, align="center",
                              rid=f"{PKG}:id/digital_clock"),
                     kit.text(time.strftime("%a, %b %-d", stamp), (0, top + 660, WIDTH, top + 760),
                              pal, 48, color=pal.on_variant, align="center", rid=f"{PKG}:id/date"))
        else:
            body.add(kit.text("00:00:00" if self.tab == "Stopwatch" else "00h 00m 00s",
                              (0, top + 500, WIDTH, top + 700), pal, 120, align="center"))
        body.add(self.tab_bar(tabs_top, bottom))
        return self.root(top, bottom, body)

    def tab_bar(self, top: int, bottom: int) -> Node:
        pal = self.pal
        bar = Node(kit.LINEAR, (0, top, WIDTH, bottom), rid=f"{PKG}:id/bottom_navigation",
                   paint=Paint("rect", bg=pal.surface))
        w = WIDTH // len(TABS)
        for i, (icon, label) in enumerate(TABS):
            x = i * w
            selected = label == self.tab
            tab = Node(kit.FRAME, (x, top, x + w, bottom), desc=label, clickable=True,
                       selected=selected, on_tap=partial(self.select, label))
            tab.add(Node(kit.IMAGE, (x + w // 2 - 80, top + 25, x + w // 2 + 80, top + 105),
                         dump=False, paint=Paint("icon", fg=pal.on_bg, icon=icon, size=60,
                                                 bg=pal.primary_container if selected else None,
                                                 radius=40)),
                    kit.text(label, (x, top + 110, x + w, top + 170), pal, 36, align="center",
                             weight="medium" if selected else "regular"))
            bar.add(tab)
        return bar

    def select(self, tab: str) -> None:
        self.tab = tab

    def alarm_list(self, top: int, bottom: int) -> Node:
        pal = self.pal
        s = kit.Scroller(self.offsets, self.limits, "alarms", (0, top, WIDTH, bottom), pal,
                         f"{PKG}:id/alarm_recycler_view")
        for a in sorted(self.state.alarms, key=lambda a: (a.hour, a.minutes)):
            s.add(CARD_H + 30, partial(self.card, a))
        s.add(300, lambda y: [])
        return s.done()

    def card(self, a: Alarm, y: int) -> Node:
        pal = self.pal
        b: Bounds = (40, y + 15, WIDTH - 40, y + 15 + CARD_H)
        card = Node(kit.FRAME, b, rid=f"{PKG}:id/alarm_card",
                    paint=Paint("rect", bg=pal.surface, radius=40))
        color = pal.on_bg if a.enabled else pal.on_variant
        card.add(Node(kit.TEXT, (90, y + 40, 520, y + 200), text=alarm_time(a),
                      rid=f"{PKG}:id/digital_clock",
                      paint=Paint("text", fg=color, size=120)),
                 kit.text(am_pm(a), (470, y + 80, 600, y + 180), pal, 48, color=color),
                 kit.text(a.label or "No label", (90, y + 200, 700, y + 280), pal, 38,
                          color=pal.on_variant, rid=f"{PKG}:id/edit_label"))
        sw = kit.switch(a.enabled, y + 60, 120, pal, lambda: self.toggle(a),
                        rid=f"{PKG}:id/onoff", desc=f"{alarm_time(a)} {am_pm(a)}")
        sw.bounds = (WIDTH - 260, y + 60, WIDTH - 100, y + 180)
        card.add(sw, kit.icon_button("delete", f"Delete {alarm_time(a)} {am_pm(a)} alarm",
                                     WIDTH - 170, y + 240, pal,
                                     lambda: self.delete(a), f"{PKG}:id/delete", size=56))
        return card

    def toggle(self, a: Alarm) -> None:
        a.enabled = not a.enabled
        if a.enabled:
            self.host.toast(f"Alarm set for {alarm_time(a)} {am_pm(a)}")

    def delete(self, a: Alarm) -> None:
        self.state.alarms = [x for x in self.state.alarms if x.id != a.id]
        self.host.toast("Alarm deleted")

    # --- the time picker (keyboard-entry mode of Android's TimePickerDialog) -------------

    def add_alarm(self) -> None:
        self.fields.update(hour="", minute="")
        self.pm = False
        self.host.focus(self, "hour")
        self.host.show_dialog(Dialog("Set time", body=self.picker, body_h=330, package=PKG,
                                     buttons=[("Cancel", self.cancel), ("OK", self.save)],
                                     on_cancel=self.cancel))

    def picker(self, b: Bounds) -> list[Node]:
        pal = self.pal
        x1, y1, _, _ = b
        nodes = [self.input("hour", (x1 + 30, y1, x1 + 290, y1 + 180), "Hour",
                            "android:id/input_hour"),
                 kit.text(":", (x1 + 295, y1, x1 + 345, y1 + 180), pal, 100),
                 self.input("minute", (x1 + 350, y1, x1 + 610, y1 + 180), "Minute",
                            "android:id/input_minute")]
        for i, label in enumerate(("AM", "PM")):
            on = (label == "PM") == self.pm
            nodes.append(Node(kit.BUTTON, (x1 + 650, y1 + i * 95, x1 + 830, y1 + i * 95 + 85),
                              text=label, rid=f"android:id/{label.lower()}_label",
                              clickable=True, checkable=True, checked=on,
                              on_tap=partial(self.set_pm, label == "PM"),
                              paint=Paint("button", bg=pal.primary_container if on else None,
                                          fg=pal.on_bg, outline=pal.divider, size=40,
                                          radius=16)))
        nodes.append(kit.text("Hour", (x1 + 30, y1 + 190, x1 + 290, y1 + 260), pal, 34,
                              color=pal.on_variant))
        nodes.append(kit.text("Minute", (x1 + 350, y1 + 190, x1 + 610, y1 + 260), pal, 34,
                              color=pal.on_variant))
        return nodes

    def set_pm(self, pm: bool) -> None:
        self.pm = pm

    def on_enter(self, key: str) -> None:
        self.host.focus(self, "minute" if key == "hour" else None)

    def cancel(self) -> None:
        self.host.focus(self, None)

    def save(self) -> None:
        self.host.focus(self, None)
        try:
            hour, minute = int(self.fields.get("hour", "")), int(self.fields.get("minute", "") or 0)
        except ValueError:
            self.host.toast("Enter a valid time")
            return
        if not (1 <= hour <= 12 and 0 <= minute <= 59):
            self.host.toast("Enter a valid time")
            return
        hour = hour % 12 + (12 if self.pm else 0)
        alarm = Alarm(self.state.new_id(), hour, minute, True, "")
        self.state.alarms.append(alarm)
        self.host.toast(f"Alarm set for {alarm_time(alarm)} {am_pm(alarm)}")


def app() -> AppInfo:
    return AppInfo("Clock", PKG, "alarm", MAIN, {MAIN: DeskClock})
