"""Settings: Network & internet, Connected devices, Display, Sound, Apps, About phone."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from devices.sim.apps.base import AppInfo, Dialog, Host, Screen
from devices.sim.state import WIFI_NETWORKS
from devices.sim.ui import kit
from devices.sim.ui.theme import ITEM_H, ROW_H, WIDTH, Palette
from devices.sim.ui.widgets import Node, Paint

PKG = "com.android.settings"
MAIN = ".Settings"
SUB = ".SubSettings"
Build = Callable[[kit.Scroller], None]
TIMEOUTS = [("15 seconds", 15000), ("30 seconds", 30000), ("1 minute", 60000),
            ("2 minutes", 120000), ("5 minutes", 300000), ("10 minutes", 600000),
            ("30 minutes", 1800000)]


class Page(Screen):
    """A settings page: app bar with a back arrow, then a scrolling list of preferences."""

    package = PKG
    activity = SUB
    title = ""

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        large = self.activity == MAIN
        bar = kit.app_bar(self.title, top, pal, None if large else self.back_button(),
                          pkg=PKG, large=large)
        s = kit.Scroller(self.offsets, self.limits, "list", (0, bar.bounds[3], WIDTH, bottom),
                         pal, "com.android.settings:id/recycler_view")
        self.rows(s)
        return self.root(top, bottom, Node(kit.FRAME, (0, top, WIDTH, bottom),
                                           paint=Paint("rect", bg=pal.bg),
                                           children=[bar, s.done()]))

    def rows(self, s: kit.Scroller) -> None:
        raise NotImplementedError

    def item(self, s: kit.Scroller, title: str, summary: str = "",
             on_tap: Callable[[], None] | None = None, icon: str = "") -> None:
        h = ITEM_H if summary else ROW_H
        s.add(h, lambda y: kit.row(title, y, self.pal, on_tap, summary, icon))

    def toggle(self, s: kit.Scroller, title: str, ns: str, key: str, summary: str = "",
               on_set: Callable[[bool], None] | None = None, icon: str = "") -> None:
        """A SwitchPreference bound to ``settings ns key`` ("1"/"0")."""
        value = self.state.flag(ns, key)

        def flip() -> None:
            (on_set or (lambda v: self.state.set_flag(ns, key, v)))(not value)

        h = ITEM_H if summary else ROW_H
        s.add(h, lambda y: kit.switch_row(title, value, y, self.pal, flip, summary, icon))

    def header(self, s: kit.Scroller, title: str) -> None:
        s.add(120, lambda y: kit.text(title, (60, y + 40, WIDTH - 60, y + 120), self.pal, 38,
                                      weight="medium", color=self.pal.primary))


class Home(Page):
    """The top-level list; longer than one screen."""

    activity = MAIN
    title = "Settings"

    def rows(self, s: kit.Scroller) -> None:
        s.add(190, lambda y: Node(kit.FRAME, (48, y + 20, WIDTH - 48, y + 170),
                                  text="Search settings", rid=f"{PKG}:id/search_action_bar",
                                  clickable=True, on_tap=lambda: self.host.open(Search(self.host)),
                                  paint=Paint("field", bg=self.pal.surface_variant,
                                              fg=self.pal.on_variant, size=44, radius=75,
                                              hint="Search settings")))
        entries = ENTRIES
        if self.host.layout_variant:     # a vendor build that lists Display first
            entries = sorted(ENTRIES, key=lambda e: e[0] not in ("Display", "Sound & vibration"))
        for title, summary, icon, page in entries:
            opener = (lambda p=page: self.host.open(p(self.host))) if page else \
                (lambda t=title: self.host.open(Generic(self.host, t)))
            self.item(s, title, summary, opener, icon)


class Network(Page):
    """Wi-Fi, airplane mode and the other connections, under a field that searches settings."""

    title = "Network & internet"

    def rows(self, s: kit.Scroller) -> None:
        st = self.state
        s.add(190, lambda y: self.input("q", (48, y + 20, WIDTH - 48, y + 170), "Search",
                                        f"{PKG}:id/search_src_text", rounded=True))
        airplane = st.flag("global", "airplane_mode_on")
        wifi = st.flag("global", "wifi_on")
        self.item(s, "Internet", st.wifi_ssid if wifi else "Off",
                  lambda: self.host.open(Internet(self.host)), icon="public")
        self.toggle(s, "Wi-Fi", "global", "wifi_on", st.wifi_ssid if wifi else "Off",
                    icon="wifi")
        self.item(s, "Mobile network", "Airplane mode is on" if airplane else "T-Mobile",
                  icon="signal")
        self.item(s, "Hotspot & tethering", "Off", icon="tethering")
        self.toggle(s, "Airplane mode", "global", "airplane_mode_on",
                    on_set=self.state.set_airplane, icon="airplane")
        self.item(s, "Data Saver", "Off", icon="data_usage")
        self.item(s, "VPN", "None", icon="vpn_key")
        self.item(s, "Private DNS", "Automatic", icon="dns")


    def on_enter(self, key: str) -> None:
        """Enter in the search field shows the settings that match what was typed."""
        query = self.fields.pop(key, "")
        self.host.focus(self, None)
        search = Search(self.host)
        search.fields["q"] = query
        self.host.open(search)


class Internet(Page):
    """Wi-Fi on/off and the networks in range; secured ones ask for the password."""

    title = "Internet"

    def rows(self, s: kit.Scroller) -> None:
        st = self.state
        wifi = st.flag("global", "wifi_on")
        self.toggle(s, "Wi-Fi", "global", "wifi_on", icon="wifi")
        if not wifi:
            self.item(s, "To see available networks, turn Wi-Fi on")
            return
        for ssid, password in WIFI_NETWORKS.items():
            summary = "Connected" if ssid == st.wifi_ssid else \
                ("Saved" if ssid in st.wifi_saved else ("Secured" if password else "Open"))
            self.item(s, ssid, summary, partial(self.pick, ssid), icon="wifi")
        self.item(s, "Network preferences", "Wi-Fi turns back on automatically")

    def pick(self, ssid: str) -> None:
        if ssid == self.state.wifi_ssid:
            return
        if not WIFI_NETWORKS[ssid] or ssid in self.state.wifi_saved:
            self.connect(ssid)
            return
        self.fields["password"] = ""
        self.host.focus(self, "password")

        def body(b: tuple[int, int, int, int]) -> list[Node]:
            return [self.input("password", (b[0] + 30, b[1], b[2] - 30, b[1] + 140),
                               "Password", "com.android.settings:id/password", password=True)]

        self.host.show_dialog(Dialog(ssid, body=body, body_h=160, package=PKG,
                                     buttons=[("Cancel", self.cancel),
                                              ("Connect", partial(self.try_password, ssid))],
                                     on_cancel=self.cancel))

    def cancel(self) -> None:
        self.host.focus(self, None)

    def try_password(self, ssid: str) -> None:
        self.host.focus(self, None)
        if self.fields.get("password", "") != WIFI_NETWORKS[ssid]:
            self.host.toast("Incorrect password")
            return
        self.state.wifi_saved.add(ssid)
        self.connect(ssid)

    def connect(self, ssid: str) -> None:
        self.state.wifi_ssid = ssid
        self.host.toast(f"Connected to {ssid}")

    def on_enter(self, key: str) -> None:
        self.host.focus(self, None)


class Connected(Page):
    title = "Connected devices"

    def rows(self, s: kit.Scroller) -> None:
        self.toggle(s, "Bluetooth", "global", "bluetooth_on",
                    "On" if self.state.flag("global", "bluetooth_on") else "Off", icon="bluetooth")
        self.item(s, "Pair new device", icon="add")
        self.item(s, "Connection preferences", "NFC, Android Auto", icon="devices")


class Display(Page):
    title = "Display"

    def rows(self, s: kit.Scroller) -> None:
        st, pal = self.state, self.pal
        level = int(st.get("system", "screen_brightness") or "0") / 255
        self.header(s, "Brightness")
        s.add(ROW_H, lambda y: kit.text("Brightness level", (60, y, WIDTH - 60, y + ROW_H), pal,
                                        46))
        s.add(150, lambda y: kit.slider(level, (40, y, WIDTH - 40, y + 150), pal,
                                        self.set_brightness, "Brightness level",
                                        "com.android.settings:id/seekbar"))
        self.toggle(s, "Adaptive brightness", "system", "screen_brightness_mode",
                    "Optimise brightness for the light around you")
        self.header(s, "Lock display")
        timeout = int(st.get("system", "screen_off_timeout") or "60000")
        label = next((t for t, ms in TIMEOUTS if ms == timeout), f"{timeout // 1000} seconds")
        self.item(s, "Screen timeout", f"After {label} of inactivity", self.pick_timeout)
        self.header(s, "Appearance")
        dark = st.get("secure", "ui_night_mode") == "2"
        s.add(ITEM_H, lambda y: kit.switch_row(
            "Dark theme", dark, y, pal, lambda: st.put("secure", "ui_night_mode",
                                                       "1" if dark else "2"),
            "Will never turn on automatically"))
        self.item(s, "Font size", "Default")
        self.item(s, "Display size", "Default")

    def set_brightness(self, value: float) -> None:
        self.state.put("system", "screen_brightness", str(round(value * 255)))
        self.state.put("system", "screen_brightness_mode", "0")

    def pick_timeout(self) -> None:
        options = [(label, ms) for label, ms in TIMEOUTS]

        def body(b: tuple[int, int, int, int]) -> list[Node]:
            current = int(self.state.get("system", "screen_off_timeout") or "60000")
            nodes = []
            for i, (label, ms) in enumerate(options):
                y = b[1] + i * 120
                nodes.append(radio(label, ms == current, (b[0], y, b[2], y + 120), self.pal,
                                   partial(self.choose_timeout, ms)))
            return nodes

        self.host.show_dialog(Dialog("Screen timeout", buttons=[("Cancel", lambda: None)],
                                     body=body, body_h=len(options) * 120, package=PKG))

    def choose_timeout(self, ms: int) -> None:
        self.state.put("system", "screen_off_timeout", str(ms))
        self.host.show_dialog(None)


def radio(label: str, checked: bool, b: tuple[int, int, int, int], pal: Palette,
          on_tap: Callable[[], None]) -> Node:
    """A RadioButton row of a single-choice dialog."""
    x1, y1, x2, y2 = b
    cy = (y1 + y2) // 2
    node = Node("android.widget.CheckedTextView", b, text=label, checkable=True, checked=checked,
                clickable=True, focusable=True, on_tap=on_tap, rid="android:id/text1")
    node.add(Node(kit.IMAGE, (x1 + 30, cy - 30, x1 + 90, cy + 30), dump=False,
                  paint=Paint("circle", bg=None, outline=pal.primary if checked else
                              pal.on_variant)),
             kit.text(label, (x1 + 130, y1, x2, y2), pal, 44))
    if checked:
        node.children[0].add(Node(kit.IMAGE, (x1 + 45, cy - 15, x1 + 75, cy + 15), dump=False,
                                  paint=Paint("circle", bg=pal.primary)))
    return node


class Sound(Page):
    title = "Sound & vibration"

    def rows(self, s: kit.Scroller) -> None:
        pal, st = self.pal, self.state
        level = int(st.get("system", "volume_ring") or "0") / 7
        s.add(ROW_H, lambda y: kit.text("Ring volume", (60, y, WIDTH - 60, y + ROW_H), pal, 46))
        s.add(150, lambda y: kit.slider(level, (40, y, WIDTH - 40, y + 150), pal,
                                        lambda v: st.put("system", "volume_ring",
                                                         str(round(v * 7))), "Ring volume"))
        self.toggle(s, "Do Not Disturb", "global", "zen_mode",
                    "On" if st.flag("global", "zen_mode") else "Off", icon="dnd")
        self.toggle(s, "Vibrate for calls", "system", "vibrate_when_ringing", icon="vibration")
        self.item(s, "Phone ringtone", "Pixel Sounds", icon="notifications")


class Apps(Page):
    title = "Apps"

    def rows(self, s: kit.Scroller) -> None:
        apps = sorted((a for a in self.host.packages.values() if a.in_launcher),
                      key=lambda a: a.label)
        self.header(s, f"All {len(apps)} apps")
        for app in apps:
            self.item(s, app.label, app.package, partial(self.app_info, app), icon=app.icon)

    def app_info(self, app: AppInfo) -> None:
        self.host.open(AppInfoPage(self.host, app))


class AppInfoPage(Page):
    activity = ".applications.InstalledAppDetails"

    def __init__(self, host: Host, app: AppInfo) -> None:
        super().__init__(host)
        self.app = app
        self.title = "App info"

    def rows(self, s: kit.Scroller) -> None:
        pal, app = self.pal, self.app
        s.add(150, lambda y: kit.text(app.label, (60, y, WIDTH - 60, y + 150), pal, 64,
                                      align="center", rid=f"{PKG}:id/entity_header_title"))
        s.add(200, lambda y: [
            kit.button("Open", (80, y + 40, 500, y + 160), pal,
                       lambda: self.host.launch(app.package), rid=f"{PKG}:id/button1"),
            kit.button("Force stop", (580, y + 40, 1000, y + 160), pal, self.force_stop,
                       filled=False, rid=f"{PKG}:id/button2")])
        self.item(s, "Notifications", "On")
        self.item(s, "Storage & cache", "Clear storage", self.clear)
        self.item(s, "Version", "1.0")

    def force_stop(self) -> None:
        self.host.show_dialog(Dialog("Force stop?", "If you force stop an app, it may "
                                     "misbehave.", [("Cancel", lambda: None),
                                                    ("OK", lambda: self.host.remove_task(
                                                        self.app.package))], package=PKG))

    def clear(self) -> None:
        def wipe() -> None:
            self.state.reset(self.app.package)
            self.host.remove_task(self.app.package)
            self.host.toast("Storage cleared")
        self.host.show_dialog(Dialog("Delete app data?", "All this app's data will be "
                                     "deleted permanently.",
                                     [("Cancel", lambda: None), ("Delete", wipe)], package=PKG))


class About(Page):
    title = "About phone"

    def rows(self, s: kit.Scroller) -> None:
        st = self.state
        self.item(s, "Device name", st.get("global", "device_name") or "", self.rename)
        self.item(s, "Phone number", "+1 555-0100")
        self.item(s, "Model", "Pixel 7")
        self.item(s, "Android version", "14")
        self.item(s, "IP address", "Unavailable" if st.flag("global", "airplane_mode_on")
                  else "10.0.2.16")
        self.item(s, "Build number", "UQ1A.240205.004")

    def rename(self) -> None:
        self.fields["name"] = self.state.get("global", "device_name") or ""
        self.host.focus(self, "name")

        def body(b: tuple[int, int, int, int]) -> list[Node]:
            return [self.input("name", (b[0] + 30, b[1], b[2] - 30, b[1] + 140), "Device name",
                               "android:id/edit")]

        def save() -> None:
            name = self.fields.get("name", "").strip()
            if name:
                self.state.put("global", "device_name", name)
            self.host.focus(self, None)

        self.host.show_dialog(Dialog("Device name", body=body, body_h=160, package=PKG,
                                     buttons=[("Cancel", lambda: self.host.focus(self, None)),
                                              ("OK", save)],
                                     on_cancel=lambda: self.host.focus(self, None)))

    def on_enter(self, key: str) -> None:
        self.host.focus(self, None)


class Generic(Page):
    """A page the simulator does not model in depth: title and a few fixed entries."""

    def __init__(self, host: Host, title: str) -> None:
        super().__init__(host)
        self.title = title

    def rows(self, s: kit.Scroller) -> None:
        for name, summary in GENERIC.get(self.title, [("Advanced", "")]):
            self.item(s, name, summary)


class Search(Screen):
    """Search settings: a field and the pages whose titles match."""

    package = PKG
    activity = ".search.SearchResultTrampoline"

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        host.focus(self, "q")

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        query = self.fields.get("q", "").strip().lower()
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        body.add(kit.icon_button("arrow_back", "Navigate up", 84, top + 100, pal,
                                 self.back_button()),
                 self.input("q", (176, top + 30, WIDTH - 40, top + 170), "Search settings",
                            f"{PKG}:id/search_src_text", rounded=True))
        s = kit.Scroller(self.offsets, self.limits, "results", (0, top + 220, WIDTH, bottom),
                         pal, f"{PKG}:id/list_results")
        for title, crumb, icon, page in self.results(query):
            s.add(ITEM_H, partial(self.result, title, crumb, icon, page))
        body.add(s.done())
        return self.root(top, bottom, body)

    def results(self, query: str) -> list[tuple[str, str, str, Callable[[Host], Screen] | None]]:
        """Settings whose name matches, then pages whose title or summary does."""
        if not query:
            return []
        hits = [(t, crumb, icon, page) for t, crumb, icon, page in SEARCH_INDEX
                if query in t.lower()]
        hits += [(t, "Settings", icon, page) for t, summary, icon, page in ENTRIES
                 if query in f"{t} {summary}".lower()]
        return hits

    def result(self, title: str, crumb: str, icon: str,
               page: Callable[[Host], Screen] | None, y: int) -> Node:
        def opener() -> None:
            self.host.open(page(self.host) if page else Generic(self.host, title))
        return kit.row(title, y, self.pal, opener, crumb, icon=icon)


ENTRIES: list[tuple[str, str, str, Callable[[Host], Screen] | None]] = [
    ("Network & internet", "Mobile, Wi-Fi, hotspot", "wifi", Network),
    ("Connected devices", "Bluetooth, pairing", "bluetooth", Connected),
    ("Apps", "Assistant, recent apps, default apps", "apps", Apps),
    ("Notifications", "Notification history, conversations", "notifications", None),
    ("Battery", "87% - Should last until about 11:30 PM", "battery", None),
    ("Storage", "38% used - 79.4 GB free", "storage", None),
    ("Sound & vibration", "Volume, haptics, Do Not Disturb", "volume", Sound),
    ("Display", "Dark theme, font size, brightness", "display", Display),
    ("Wallpaper & style", "Colours, themed icons, app grid", "palette", None),
    ("Accessibility", "Display, interaction, audio", "accessibility", None),
    ("Security & privacy", "App security, device lock, permissions", "security", None),
    ("Location", "On - 3 apps have access to location", "location", None),
    ("System", "Languages, gestures, time, backup", "system_update", None),
    ("About phone", "Pixel 7", "smartphone", About),
]

# Individual settings the search finds: (name, breadcrumb, icon, page that holds it).
SEARCH_INDEX: list[tuple[str, str, str, Callable[[Host], Screen] | None]] = [
    ("Wi-Fi", "Network & internet", "wifi", Network),
    ("Internet", "Network & internet", "public", Internet),
    ("Airplane mode", "Network & internet", "airplane", Network),
    ("Bluetooth", "Connected devices", "bluetooth", Connected),
    ("Brightness level", "Display", "brightness", Display),
    ("Adaptive brightness", "Display", "brightness", Display),
    ("Dark theme", "Display", "dark_mode", Display),
    ("Screen timeout", "Display", "display", Display),
    ("Do Not Disturb", "Sound & vibration", "dnd", Sound),
    ("Ring volume", "Sound & vibration", "volume", Sound),
    ("Vibrate for calls", "Sound & vibration", "vibration", Sound),
    ("Device name", "About phone", "smartphone", About),
    ("Build number", "About phone", "info", About),
]

GENERIC = {
    "Notifications": [("App notifications", ""), ("Notification history", "Off")],
    "Battery": [("Battery Saver", "Off"), ("Battery percentage", "")],
    "Storage": [("Apps", "4.2 GB"), ("Images", "1.1 GB"), ("System", "13 GB")],
    "System": [("Languages", "English (United States)"), ("Date & time", "GMT+00:00")],
}


def app() -> AppInfo:
    activities: dict[str, Callable[[Host], Screen]] = {
        MAIN: Home, SUB: Home,
        ".Settings$NetworkDashboardActivity": Network,
        ".Settings$InternetActivity": Internet,
        ".Settings$ConnectedDeviceDashboardActivity": Connected,
        ".Settings$DisplaySettingsActivity": Display,
        ".Settings$SoundSettingsActivity": Sound,
        ".Settings$MyDeviceInfoActivity": About,
        ".Settings$ManageApplicationsActivity": Apps,
    }
    return AppInfo("Settings", PKG, "settings", MAIN, activities)
