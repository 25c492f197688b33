"""Launcher3: home screen with a labelled app grid and a dock, the app drawer, recents."""

from __future__ import annotations

import functools
import time
from functools import partial

from PIL import Image, ImageDraw

from devices.sim.apps.base import AppInfo, Host, Screen
from devices.sim.state import BASE_TIME_MS
from devices.sim.ui import kit
from devices.sim.ui.theme import APP_COLORS, HEIGHT, WIDTH
from devices.sim.ui.widgets import Node, Paint

PKG = "com.android.launcher3"
ACTIVITY = ".uioverrides.QuickstepLauncher"
HOME_APPS = ["Settings", "Contacts", "Messages", "Clock", "Calculator", "Notes"]
DOCK_APPS = ["Phone", "Chrome", "Camera", "Photos"]
CELL_W, CELL_H = 270, 250


@functools.lru_cache(maxsize=2)
def wallpaper(dark: bool) -> Image.Image:
    """A soft vertical gradient, computed once per theme."""
    top, bottom = ((32, 45, 78), (12, 16, 28)) if dark else ((120, 160, 220), (40, 70, 130))
    small = Image.new("RGB", (1, 256))
    draw = ImageDraw.Draw(small)
    for y in range(256):
        t = y / 255
        draw.point((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return small.resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)


class Home(Screen):
    """The first home page: date, six apps, the dock and the search bar."""

    package = PKG
    activity = ACTIVITY

    def __init__(self, host: Host, apps: dict[str, AppInfo], order: list[str]) -> None:
        super().__init__(host)
        self.apps = apps
        self.order = order
        self.menu: AppInfo | None = None

    def build(self, top: int, bottom: int) -> list[Node]:
        dark = self.state.get("secure", "ui_night_mode") == "2"
        bg = Node(kit.FRAME, (0, 0, WIDTH, HEIGHT), rid=f"{PKG}:id/launcher", dump=False,
                  paint=Paint("image", picture=wallpaper(dark)))
        workspace = Node(kit.VIEW_GROUP, (0, top, WIDTH, bottom), rid=f"{PKG}:id/workspace")
        stamp = time.gmtime((BASE_TIME_MS / 1000) + self.host.now())
        workspace.add(Node(kit.TEXT, (60, top + 90, WIDTH - 60, top + 190),
                           text=time.strftime("%a, %b %-d", stamp), rid=f"{PKG}:id/date",
                           paint=Paint("text", fg="#FFFFFF", size=60)))
        for i, label in enumerate(a for a in self.order if a in self.apps):
            x, y = (i % 4) * CELL_W, 1130 + (i // 4) * CELL_H
            workspace.add(self.icon(label, x, y))
        dock = Node(kit.VIEW_GROUP, (0, 1790, WIDTH, 2040), rid=f"{PKG}:id/hotseat")
        for i, label in enumerate(DOCK_APPS):
            dock.add(self.icon(label, i * CELL_W, 1790, show_label=False))
        search = Node(kit.FRAME, (48, 2080, WIDTH - 48, 2230), desc="Search",
                      rid=f"{PKG}:id/search_container_hotseat", clickable=True,
                      on_tap=lambda: self.host.open(Drawer(self.host, self.apps, search=True)),
                      paint=Paint("rect", bg="#FFFFFFE6", radius=75))
        search.add(Node(kit.IMAGE, (90, 2105, 190, 2205), dump=False,
                        paint=Paint("icon", fg="#4285F4", icon="search", size=72)))
        content = Node(kit.FRAME, (0, top, WIDTH, bottom), rid="android:id/content",
                       children=[workspace, dock, search])
        if self.menu is not None:
            content.add(*self.menu_nodes(self.menu))
        return [bg, content]

    def menu_nodes(self, app: AppInfo) -> list[Node]:
        icon = next((n for n in self.icons() if n[0] == app.label), None)
        x, y = icon[1:] if icon else (0, 1130)
        right = min(WIDTH - 30, x + CELL_W + 290)
        top = y - 340 if y > 700 else y + CELL_H
        return kit.popup_menu([("App info", lambda: self.app_info(app)),
                               ("Widgets", lambda: None)], right, top, self.pal,
                              self.close_menu)

    def icons(self) -> list[tuple[str, int, int]]:
        """(label, x, y) of every icon on the page, grid then dock."""
        grid = [a for a in self.order if a in self.apps]
        cells = [(label, (i % 4) * CELL_W, 1130 + (i // 4) * CELL_H)
                 for i, label in enumerate(grid)]
        return cells + [(label, i * CELL_W, 1790) for i, label in enumerate(DOCK_APPS)]

    def icon(self, label: str, x: int, y: int, show_label: bool = True) -> Node:
        app = self.apps[label]
        return Node(kit.TEXT, (x, y, x + CELL_W, y + CELL_H), text=label if show_label else "",
                    desc=label, clickable=True, long_clickable=True, focusable=True,
                    on_tap=lambda: self.host.launch(app.package),
                    on_long=lambda: self.open_menu(app),
                    paint=Paint("app_icon", bg=APP_COLORS.get(label, "#5F6368"), fg="#FFFFFF",
                                icon=app.icon))

    def open_menu(self, app: AppInfo) -> None:
        """Long press on an icon: the shortcut menu with App info."""
        self.menu = app

    def close_menu(self) -> None:
        self.menu = None

    def app_info(self, app: AppInfo) -> None:
        from devices.sim.apps.settings import AppInfoPage

        self.host.launch("com.android.settings")
        self.host.open(AppInfoPage(self.host, app))

    def on_back(self) -> bool:
        if self.menu is not None:
            self.menu = None
            return True
        return False

    def on_swipe(self, x1: int, y1: int, x2: int, y2: int) -> bool:
        if y1 - y2 > 300 and abs(y1 - y2) > abs(x1 - x2):
            self.host.open(Drawer(self.host, self.apps))
            return True
        return False


class Drawer(Screen):
    """All apps, alphabetical, with a search field that filters them."""

    package = PKG
    activity = ACTIVITY

    def __init__(self, host: Host, apps: dict[str, AppInfo], search: bool = False) -> None:
        super().__init__(host)
        self.apps = apps
        if search:
            self.host.focus(self, "q")

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        query = self.fields.get("q", "").strip().lower()
        labels = sorted(a for a in self.apps if self.apps[a].in_launcher and query in a.lower())
        panel = Node(kit.FRAME, (0, top, WIDTH, bottom), rid=f"{PKG}:id/apps_view",
                     paint=Paint("rect", bg=pal.surface))
        panel.add(self.input("q", (48, top + 60, WIDTH - 48, top + 200),
                             "Search your phone and more",
                             f"{PKG}:id/search_box_input", rounded=True))
        s = kit.Scroller(self.offsets, self.limits, "apps", (0, top + 240, WIDTH, bottom), pal,
                         f"{PKG}:id/apps_list_view")
        s.node.paint = Paint("rect", bg=pal.surface)
        for r in range(0, len(labels), 4):
            s.add(CELL_H + 20, partial(self.cells, labels[r:r + 4]))
        panel.add(s.done())
        if not labels:
            panel.add(kit.text("No apps found", (0, top + 300, WIDTH, top + 420), pal, 44,
                               color=pal.on_variant, align="center"))
        return [panel]

    def cells(self, labels: list[str], y: int) -> list[Node]:
        return [self.cell(lab, i * (WIDTH // 4), y) for i, lab in enumerate(labels)]

    def cell(self, label: str, x: int, y: int) -> Node:
        app = self.apps[label]
        return Node(kit.TEXT, (x, y, x + CELL_W, y + CELL_H), text=label, desc=label,
                    clickable=True, focusable=True, on_tap=lambda: self.host.launch(app.package),
                    paint=Paint("app_icon", bg=APP_COLORS.get(label, "#5F6368"),
                                fg=self.pal.on_bg, icon=app.icon))

    def on_enter(self, key: str) -> None:
        query = self.fields.get("q", "").strip().lower()
        hits = sorted(a for a in self.apps if self.apps[a].in_launcher and query in a.lower())
        self.host.focus(self, None)
        if query and hits:
            self.host.launch(self.apps[hits[0]].package)

    def on_swipe(self, x1: int, y1: int, x2: int, y2: int) -> bool:
        if y2 - y1 > 300 and self.offsets.get("apps", 0) == 0:
            self.host.finish(self)
            return True
        return False


class Stub(Screen):
    """A bundled app the simulator only pretends to have: a title and an empty state."""

    def __init__(self, host: Host, package: str, activity: str, title: str, icon: str,
                 empty: str) -> None:
        super().__init__(host)
        self.package, self.activity = package, activity
        self.title, self.icon, self.empty = title, icon, empty

    def build(self, top: int, bottom: int) -> list[Node]:
        pal = self.pal
        mid = (top + bottom) // 2
        body = Node(kit.FRAME, (0, top, WIDTH, bottom), paint=Paint("rect", bg=pal.bg))
        body.add(kit.app_bar(self.title, top, pal, pkg=self.package),
                 Node(kit.IMAGE, (WIDTH // 2 - 120, mid - 300, WIDTH // 2 + 120, mid - 60),
                      paint=Paint("icon", fg=pal.on_variant, icon=self.icon, size=200)),
                 kit.text(self.empty, (60, mid - 20, WIDTH - 60, mid + 80), pal, 46,
                          color=pal.on_variant, align="center", rid=f"{self.package}:id/empty"))
        return self.root(top, bottom, body)


STUBS = [
    ("Phone", "com.google.android.dialer", ".extensions.GoogleDialtactsActivity", "phone",
     "No recent calls"),
    ("Chrome", "com.android.chrome", "com.google.android.apps.chrome.Main", "public",
     "You're offline"),
    ("Camera", "com.android.camera2", "com.android.camera.CameraLauncher", "camera",
     "Camera is not available on this device"),
    ("Photos", "com.google.android.apps.photos", ".home.HomeActivity", "photos",
     "No photos or videos yet"),
]


def stub_apps() -> list[AppInfo]:
    apps = []
    for label, pkg, act, icon, empty in STUBS:
        def factory(host: Host, pkg: str = pkg, act: str = act, label: str = label,
                    icon: str = icon, empty: str = empty) -> Screen:
            return Stub(host, pkg, act, label, icon, empty)
        apps.append(AppInfo(label, pkg, icon, act, {act: factory}))
    return apps


class Recents(Screen):
    """Overview: the most recent task's card in the middle, older ones to the left."""

    package = PKG
    activity = ACTIVITY

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.index = 0

    def tasks(self) -> list[str]:
        return [p for p in reversed(self.host.order) if p != PKG]

    def build(self, top: int, bottom: int) -> list[Node]:
        dark = self.state.get("secure", "ui_night_mode") == "2"
        bg = Node(kit.FRAME, (0, 0, WIDTH, HEIGHT), dump=False,
                  paint=Paint("image", picture=_dimmed(dark)))
        root = Node(kit.FRAME, (0, top, WIDTH, bottom), rid=f"{PKG}:id/overview_panel")
        tasks = self.tasks()
        if not tasks:
            root.add(Node(kit.TEXT, (0, 1100, WIDTH, 1200), text="No recent items",
                          paint=Paint("text", fg="#FFFFFF", size=48, align="center")))
            return [bg, root]
        self.index = max(0, min(self.index, len(tasks) - 1))
        for i, pkg in enumerate(tasks):
            x = 216 - (i - self.index) * 672
            if -648 < x < WIDTH:
                root.add(self.card(pkg, x))
        root.add(Node(kit.BUTTON, (WIDTH // 2 - 170, 1930, WIDTH // 2 + 170, 2050),
                      text="Clear all", rid=f"{PKG}:id/clear_all", clickable=True,
                      on_tap=self.clear_all,
                      paint=Paint("button", bg="#FFFFFF33", fg="#FFFFFF", size=40)))
        return [bg, root]

    def card(self, pkg: str, x: int) -> Node:
        app = self.host.packages.get(pkg)
        label = app.label if app is not None else pkg
        thumb = self.host.thumbs.get(pkg)
        card = Node(kit.FRAME, (x, 380, x + 648, 1820), desc=label,
                    rid=f"{PKG}:id/snapshot", clickable=True,
                    on_tap=lambda: self.host.launch(pkg),
                    paint=Paint("image", picture=_thumb(thumb)) if thumb is not None
                    else Paint("rect", bg=self.pal.bg, radius=40))
        card.add(Node(kit.TEXT, (x, 280, x + 648, 370), text=label, rid=f"{PKG}:id/title",
                      paint=Paint("text", fg="#FFFFFF", size=42, weight="medium",
                                  align="center")))
        return card

    def clear_all(self) -> None:
        for pkg in self.tasks():
            self.host.remove_task(pkg)
        self.host.launch(PKG)

    def on_swipe(self, x1: int, y1: int, x2: int, y2: int) -> bool:
        tasks = self.tasks()
        if abs(x2 - x1) > abs(y2 - y1):
            self.index += 1 if x2 > x1 else -1
            self.index = max(0, min(self.index, len(tasks) - 1))
        elif y1 - y2 > 300 and tasks and 380 <= y1 < 1820:
            self.host.remove_task(tasks[self.index])
        return True


@functools.lru_cache(maxsize=2)
def _dimmed(dark: bool) -> Image.Image:
    return Image.blend(wallpaper(dark), Image.new("RGB", (WIDTH, HEIGHT), "black"), 0.45)


_THUMBS: dict[int, Image.Image] = {}


def _thumb(frame: Image.Image) -> Image.Image:
    """A 60 % copy of a task's last frame, memoised by identity."""
    key = id(frame)
    if key not in _THUMBS:
        if len(_THUMBS) > 16:
            _THUMBS.clear()
        _THUMBS[key] = frame.resize((648, 1440), Image.Resampling.BILINEAR)
    return _THUMBS[key]
