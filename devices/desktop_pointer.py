"""The pointer out of the way: after a click it rests on the button, and the tooltip it
calls up would cover the neighbouring controls in the next screenshot.

Before each observation the desktop driver parks the pointer on an edge of its monitor
(never a corner, where pyautogui's fail-safe lives), outside the active window when the
window leaves room, and the settle step waits until no tooltip window is shown.
"""

from __future__ import annotations

from typing import Any

from devices.geometry import Box, LogicalPoint


def window_box(conn: Any, window: Any) -> Box | None:
    """The window's box in root (logical) coordinates, frame excluded; None when unknown."""
    try:
        geo = window.get_geometry()
        pos = window.translate_coords(conn.screen().root, 0, 0)
    except Exception:  # noqa: BLE001 - a window that vanished has no box; Xlib raises many kinds
        return None
    return Box(-pos.x, -pos.y, -pos.x + geo.width, -pos.y + geo.height)


def parking_spot(monitor: dict[str, int], avoid: Box | None) -> LogicalPoint:
    """The middle of a monitor edge (right, bottom, left, top), 2 points inside it, that
    lies outside ``avoid``; the right one when every edge is inside it."""
    left, top, w, h = monitor["left"], monitor["top"], monitor["width"], monitor["height"]
    spots = [LogicalPoint(left + w - 3, top + h // 2), LogicalPoint(left + w // 2, top + h - 3),
             LogicalPoint(left + 2, top + h // 2), LogicalPoint(left + w // 2, top + 2)]
    for p in spots:
        if avoid is None or not (avoid.x1 <= p.x < avoid.x2 and avoid.y1 <= p.y < avoid.y2):
            return p
    return spots[0]


TOOLTIP_TYPES = ("_NET_WM_WINDOW_TYPE_TOOLTIP",)


def tooltip_shown(conn: Any, top: int = 8) -> bool:
    """Whether one of the ``top`` topmost windows is a mapped tooltip."""
    root = conn.screen().root
    wanted = {conn.get_atom(name) for name in TOOLTIP_TYPES}
    type_atom = conn.get_atom("_NET_WM_WINDOW_TYPE")
    try:
        children = root.query_tree().children[-top:]
        for child in reversed(children):
            if child.get_attributes().map_state != 2:   # X.IsViewable
                continue
            prop = child.get_full_property(type_atom, 0)
            if prop is not None and wanted & set(prop.value):
                return True
    except Exception:  # noqa: BLE001 - windows come and go between calls: treat as none shown
        return False
    return False
