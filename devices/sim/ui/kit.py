"""Material-like building blocks: app bars, list rows, switches, sliders, fields, FABs, lists."""

from __future__ import annotations

from collections.abc import Callable

from devices.sim.ui.theme import APPBAR_H, ITEM_H, ROW_H, WIDTH, Palette
from devices.sim.ui.widgets import Bounds, Handler, Node, Paint

TEXT = "android.widget.TextView"
BUTTON = "android.widget.Button"
IMAGE_BUTTON = "android.widget.ImageButton"
IMAGE = "android.widget.ImageView"
LINEAR = "android.widget.LinearLayout"
FRAME = "android.widget.FrameLayout"
VIEW_GROUP = "android.view.ViewGroup"
RECYCLER = "androidx.recyclerview.widget.RecyclerView"
SWITCH = "android.widget.Switch"
SEEKBAR = "android.widget.SeekBar"
EDIT = "android.widget.EditText"


def text(s: str, b: Bounds, pal: Palette, size: int = 42, weight: str = "regular",
         color: str | None = None, align: str = "left", rid: str = "") -> Node:
    return Node(TEXT, b, text=s, rid=rid,
                paint=Paint("text", fg=color or pal.on_bg, size=size, weight=weight, align=align))


def icon_button(name: str, desc: str, cx: int, cy: int, pal: Palette, on_tap: Handler | None,
                rid: str = "", color: str | None = None, size: int = 64) -> Node:
    """An icon-only button: what screen readers know only by its content-desc."""
    r = 72
    return Node(IMAGE_BUTTON, (cx - r, cy - r, cx + r, cy + r), desc=desc, rid=rid,
                clickable=on_tap is not None, focusable=True, on_tap=on_tap,
                paint=Paint("icon", fg=color or pal.on_bg, icon=name, size=size))


def app_bar(title: str, top: int, pal: Palette, back: Handler | None = None,
            actions: list[tuple[str, str, Handler]] | None = None, pkg: str = "",
            large: bool = False, nav: tuple[str, str] = ("arrow_back", "Navigate up"),
            text_button: tuple[str, Handler] | None = None) -> Node:
    """Top app bar: navigation icon, title, trailing icon actions (icon, desc, handler),
    or one filled text button (label, handler) such as an editor's Save."""
    h = APPBAR_H + (120 if large else 0)
    bar = Node(VIEW_GROUP, (0, top, WIDTH, top + h), rid=f"{pkg}:id/toolbar",
               paint=Paint("rect", bg=pal.bg))
    cy = top + APPBAR_H // 2
    x = 44
    if back is not None:
        bar.add(icon_button(nav[0], nav[1], 84, cy, pal, back))
        x = 176
    right = WIDTH - 16
    if text_button is not None:
        right = WIDTH - 300
        label, handler = text_button
        bar.add(button(label, (WIDTH - 280, cy - 50, WIDTH - 40, cy + 50), pal, handler,
                       rid=f"{pkg}:id/editor_menu_save_button"))
    for name, desc, handler in reversed(actions or []):
        bar.add(icon_button(name, desc, right - 72, cy, pal, handler))
        right -= 144
    if large:
        bar.add(text(title, (44, top + APPBAR_H - 10, WIDTH - 44, top + h), pal, 76,
                     rid=f"{pkg}:id/title"))
    else:
        bar.add(text(title, (x, top, right, top + APPBAR_H), pal, 56, rid=f"{pkg}:id/title"))
    return bar


def row(title: str, y: int, pal: Palette, on_tap: Handler | None = None, summary: str = "",
        icon: str = "", trailing: Node | None = None, rid: str = "", height: int = 0,
        on_long: Handler | None = None, avatar: str = "", x0: int = 0) -> Node:
    """A list item: leading icon or letter avatar, title, optional summary, trailing widget."""
    h = height or (ITEM_H if summary else ROW_H)
    item = Node(LINEAR, (x0, y, WIDTH, y + h), rid=rid, clickable=on_tap is not None,
                on_tap=on_tap, long_clickable=on_long is not None, on_long=on_long,
                focusable=on_tap is not None)
    left = 60
    if icon:
        item.add(Node(IMAGE, (x0 + 40, y + h // 2 - 44, x0 + 128, y + h // 2 + 44),
                      paint=Paint("icon", fg=pal.on_variant, icon=icon, size=68)))
        left = 176
    elif avatar:
        item.add(Node(IMAGE, (x0 + 44, y + h // 2 - 60, x0 + 164, y + h // 2 + 60),
                      paint=Paint("circle", bg=avatar_color(avatar), fg="#FFFFFF", size=56),
                      text=avatar[:1].upper(), dump=False))
        left = 210
    right = WIDTH - (200 if trailing is not None else 48)
    if summary:
        item.add(text(title, (x0 + left, y + 28, right, y + h // 2 + 4), pal, 46,
                      rid="android:id/title"))
        item.add(text(summary, (x0 + left, y + h // 2 + 4, right, y + h - 28), pal, 38,
                      color=pal.on_variant, rid="android:id/summary"))
    else:
        item.add(text(title, (x0 + left, y, right, y + h), pal, 46, rid="android:id/title"))
    if trailing is not None:
        item.add(trailing)
    return item


def avatar_color(name: str) -> str:
    colors = ["#1A73E8", "#D93025", "#188038", "#E37400", "#9334E6", "#007B83", "#C5221F"]
    return colors[sum(map(ord, name)) % len(colors)]


def switch(checked: bool, y: int, h: int, pal: Palette, on_tap: Handler | None = None,
           rid: str = "android:id/switch_widget", desc: str = "") -> Node:
    return Node(SWITCH, (WIDTH - 200, y, WIDTH - 48, y + h), text="ON" if checked else "OFF",
                desc=desc, rid=rid, checkable=True, checked=checked, focusable=True,
                clickable=on_tap is not None, on_tap=on_tap,
                paint=Paint("switch", bg=pal.primary, fg=pal.on_primary if checked
                            else pal.on_variant, outline=pal.switch_off))


def switch_row(title: str, checked: bool, y: int, pal: Palette, on_toggle: Handler,
               summary: str = "", icon: str = "", rid: str = "") -> Node:
    """A settings row whose whole width toggles the switch, like SwitchPreference."""
    h = ITEM_H if summary else ROW_H
    sw = switch(checked, y, h, pal)
    sw.clickable = False
    item = row(title, y, pal, on_toggle, summary, icon, sw, rid)
    item.checkable, item.checked = True, checked
    return item


def slider(value: float, b: Bounds, pal: Palette, on_set: Callable[[float], None],
           desc: str = "", rid: str = "") -> Node:
    """A SeekBar: tapping or dragging sets the value at the finger's x."""
    x1, _, x2, _ = b
    left, right = x1 + 40, x2 - 40

    def at(x: int, _y: int) -> None:
        on_set(max(0.0, min(1.0, (x - left) / (right - left))))

    return Node(SEEKBAR, b, desc=desc, rid=rid,
                clickable=True, focusable=True, on_drag=at,
                paint=Paint("slider", bg=pal.primary, outline=pal.surface_variant,
                            value=value))


def field(value: str, b: Bounds, pal: Palette, hint: str, focused: bool, on_tap: Handler,
          rid: str = "", rounded: bool = False, password: bool = False) -> Node:
    """An EditText; its text is the hint when empty, as uiautomator reports it."""
    shown = "•" * len(value) if password and value else value
    return Node(EDIT, b, text=shown or hint, rid=rid, clickable=True, focusable=True,
                focused=focused, on_tap=on_tap, password=password,
                paint=Paint("field", bg=pal.surface, fg=pal.on_bg, outline=pal.primary,
                            size=44, hint=hint, radius=(b[3] - b[1]) // 2 if rounded else 0))


def fab(icon: str, desc: str, bottom: int, pal: Palette, on_tap: Handler, label: str = "",
        rid: str = "") -> Node:
    """The floating action button, bottom right; extended when it has a label."""
    w = 420 if label else 168
    b = (WIDTH - 48 - w, bottom - 48 - 168, WIDTH - 48, bottom - 48)
    return Node(IMAGE_BUTTON if not label else BUTTON, b, text=label, desc=desc, rid=rid,
                clickable=True, focusable=True, on_tap=on_tap,
                paint=Paint("fab", bg=pal.primary_container, fg=pal.on_bg, icon=icon,
                            size=68, radius=48))


def button(label: str, b: Bounds, pal: Palette, on_tap: Handler, filled: bool = True,
           rid: str = "") -> Node:
    return Node(BUTTON, b, text=label, rid=rid, clickable=True, focusable=True, on_tap=on_tap,
                paint=Paint("button", bg=pal.primary if filled else None,
                            fg=pal.on_primary if filled else pal.primary, size=42,
                            outline=None if filled else pal.divider))


def divider(y: int, pal: Palette, x0: int = 0) -> Node:
    return Node("android.view.View", (x0, y, WIDTH, y + 3), dump=False,
                paint=Paint("rect", bg=pal.divider))


class Scroller:
    """Lays out children of a vertical list at ``y`` minus the scroll offset, clipped to ``area``.

    Children are added with their height; those entirely outside the viewport are not
    created, as in a RecyclerView, so the dump only lists what the screen shows.
    """

    def __init__(self, offsets: dict[str, int], limits: dict[str, int], key: str,
                 area: Bounds, pal: Palette, rid: str = "", cls: str = RECYCLER) -> None:
        self.offsets, self.limits, self.key, self.area = offsets, limits, key, area
        self.offset = offsets.get(key, 0)
        self.node = Node(cls, area, rid=rid, scroll_key=key, clip=True,
                         paint=Paint("rect", bg=pal.bg))
        self.y = area[1]

    def add(self, height: int, make: Callable[[int], Node | list[Node]]) -> None:
        top = self.y - self.offset
        if top < self.area[3] and top + height > self.area[1]:
            made = make(top)
            self.node.add(*(made if isinstance(made, list) else [made]))
        self.y += height

    def done(self) -> Node:
        content = self.y - self.area[1]
        view = self.area[3] - self.area[1]
        self.limits[self.key] = max(0, content - view)
        self.node.scrollable = content > view
        return self.node


def popup_menu(items: list[tuple[str, Handler]], right: int, top: int, pal: Palette,
               close: Handler) -> list[Node]:
    """An overflow menu: a full-screen catcher that closes it, and the item list."""
    catcher = Node(FRAME, (0, 0, WIDTH, 2400), clickable=True, on_tap=close, dump=False)
    width = 560
    bottom = top + 40 + 150 * len(items)
    panel = Node("android.widget.ListView", (right - width, top, right, bottom),
                 paint=Paint("rect", bg=pal.surface, radius=16))
    for i, (label, handler) in enumerate(items):
        y = top + 20 + i * 150

        def run(handler: Handler = handler) -> None:
            close()
            handler()

        panel.add(Node(LINEAR, (right - width, y, right, y + 150), clickable=True, on_tap=run,
                       focusable=True).add(
            text(label, (right - width + 50, y, right - 20, y + 150), pal, 46,
                 rid="android:id/title")))
    return [catcher, panel]
