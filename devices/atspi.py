"""The Linux desktop's accessibility tree, read over the AT-SPI D-Bus bus with jeepney.

What ``uiautomator dump`` is to Android: the focused window of every application (plus
its open menus, popups and dialogs, which are windows of their own), as the same
uiautomator-style XML the Android driver returns, in pixels of one monitor. The walk
is breadth-first with every level's calls sent at once (one round trip a level, not
one per call) and bounded in depth, node count and time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from devices.errors import DeviceError
from devices.geometry import LogicalPoint, ScreenGeometry

ROOT = "/org/a11y/atspi/accessible/root"
REGISTRY = "org.a11y.atspi.Registry"
ACCESSIBLE = "org.a11y.atspi.Accessible"
COORD_SCREEN = 0

# AtspiStateType bit numbers (atspi-constants.h).
STATES = {"active": 1, "checked": 4, "editable": 7, "enabled": 8, "focusable": 11,
          "focused": 12, "modal": 16, "selected": 23, "sensitive": 24, "showing": 25,
          "visible": 30, "checkable": 41}
# Top-level windows read even when they are not the active one: what opens above it.
POPUP_ROLES = frozenset({"menu", "popup menu", "window", "dialog", "alert", "file chooser",
                         "tool tip", "notification"})
# Roles a person clicks; a role here is "clickable" in the XML.
CLICKABLE_ROLES = frozenset({
    "push button", "toggle button", "check box", "radio button", "menu item", "menu",
    "check menu item", "radio menu item", "combo box", "page tab", "link", "list item",
    "table cell", "tree item", "icon", "spin button", "push button menu", "toggle button menu",
    "entry", "password text", "slider"})
# A toggle button is also what keypads are made of: checkable only when it is pressed.
CHECKABLE_ROLES = frozenset({"check box", "radio button", "check menu item", "radio menu item",
                             "switch"})
OCCLUDING_ROLES = frozenset({"menu", "popup menu", "window", "dialog", "alert", "file chooser"})


class AtspiUnavailable(DeviceError):
    """No AT-SPI bus answers, or it could not be read."""


@dataclass(frozen=True, slots=True)
class WalkLimits:
    """Bounds of one tree walk: a huge table or a hung application cannot stall a step."""

    depth: int = 40
    nodes: int = 1500
    seconds: float = 1.5
    children: int = 400      # a container with more children is read as a leaf


@dataclass(slots=True)
class AtNode:
    """One accessible object as read: what it is, says and is, and where (logical points)."""

    bus: str
    path: str
    depth: int
    role: str = ""
    name: str = ""
    description: str = ""
    states: int = 0
    extents: tuple[int, int, int, int] = (0, 0, 0, 0)
    child_count: int = 0
    text: str | None = None
    app: str = ""
    children: list[AtNode] = field(default_factory=list)

    def has(self, state: str) -> bool:
        return bool(self.states >> STATES[state] & 1)


def _call(bus: str, path: str, interface: str, method: str,
          signature: str | None = None, body: tuple[Any, ...] = ()) -> Any:
    from jeepney import DBusAddress, new_method_call

    return new_method_call(DBusAddress(path, bus, interface), method, signature, body)


def _states(words: list[int]) -> int:
    return sum(int(w) << (32 * i) for i, w in enumerate(words[:2]))


def _unwrap(value: Any) -> Any:
    """A D-Bus variant as jeepney returns it, ``(signature, value)``, to its value."""
    return value[1] if isinstance(value, tuple) and len(value) == 2 else value


def connect(address: str, timeout_s: float = 1.0) -> Any:
    """A jeepney connection to a D-Bus address; ``AtspiUnavailable`` when it does not open."""
    try:
        from jeepney.io.blocking import open_dbus_connection
    except ImportError as exc:
        raise AtspiUnavailable("the jeepney package is missing: pip install jeepney") from exc
    try:
        return open_dbus_connection(address, auth_timeout=timeout_s)
    except (OSError, ValueError, RuntimeError, StopIteration) as exc:
        raise AtspiUnavailable(f"cannot connect to D-Bus at {address}: {exc}") from exc


def bus_address(env: dict[str, str | None], x_property: Callable[[], str | None]) -> str:
    """The accessibility bus: ``AT_SPI_BUS_ADDRESS``, else org.a11y.Bus on the session bus,
    else the ``AT_SPI_BUS`` property of the X root window (set by at-spi-bus-launcher)."""
    if env.get("AT_SPI_BUS_ADDRESS"):
        return str(env["AT_SPI_BUS_ADDRESS"])
    why = "DBUS_SESSION_BUS_ADDRESS is not set"
    if env.get("DBUS_SESSION_BUS_ADDRESS"):
        try:
            return _session_a11y_address(str(env["DBUS_SESSION_BUS_ADDRESS"]))
        except AtspiUnavailable as exc:
            why = str(exc)
    found = x_property()
    if found:
        return found
    raise AtspiUnavailable(f"no accessibility bus: {why}, and the X root window has no "
                           "AT_SPI_BUS property")


def _session_a11y_address(session: str) -> str:
    from jeepney.wrappers import DBusErrorResponse

    conn = connect(session)
    try:
        reply = conn.send_and_get_reply(_call("org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus",
                                              "GetAddress"), timeout=2.0)
        from jeepney.wrappers import unwrap_msg

        return str(unwrap_msg(reply)[0])
    except (DBusErrorResponse, TimeoutError, OSError) as exc:
        raise AtspiUnavailable(f"the session bus has no org.a11y.Bus ({exc}); install "
                               "at-spi2-core") from exc
    finally:
        conn.close()


class Batch:
    """Method calls sent together, their replies collected by serial until a deadline."""

    def __init__(self, conn: Any, deadline: float) -> None:
        self.conn, self.deadline = conn, deadline
        self.pending: dict[int, tuple[AtNode, str]] = {}
        self.replies: dict[int, Any] = {}

    def send(self, node: AtNode, what: str, message: Any) -> None:
        serial = next(self.conn.outgoing_serial)
        self.conn.send(message, serial=serial)
        self.pending[serial] = (node, what)

    def collect(self) -> Iterator[tuple[AtNode, str, Any]]:
        """(node, what, body) per successful reply; error replies and late ones are skipped."""
        from jeepney import HeaderFields, MessageType

        while self.pending:
            left = self.deadline - time.monotonic()
            if left <= 0:
                return
            try:
                msg = self.conn.receive(timeout=left)
            except TimeoutError:
                return
            serial = msg.header.fields.get(HeaderFields.reply_serial, -1)
            entry = self.pending.pop(serial, None)
            if entry is not None and msg.header.message_type == MessageType.method_return:
                yield entry[0], entry[1], msg.body


class TreeReader:
    """Reads the focused windows' accessibility trees from one AT-SPI bus connection."""

    def __init__(self, address: str, limits: WalkLimits | None = None) -> None:
        self.address = address
        self.limits = limits or WalkLimits()
        self.conn = connect(address)
        self.truncated = False

    def close(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass

    def applications(self) -> list[str]:
        """The names of the applications registered on the bus."""
        deadline = time.monotonic() + self.limits.seconds
        apps = self._children_of([AtNode(REGISTRY, ROOT, -1)], deadline)
        self._read(apps, deadline)
        return [a.name or a.bus for a in apps]

    def windows(self, active_title: str | None = None) -> list[AtNode]:
        """The active window of each application and the popups shown above it, read
        breadth-first; ``truncated`` says whether a limit cut the walk short."""
        deadline = time.monotonic() + self.limits.seconds
        self.truncated = False
        root = AtNode(REGISTRY, ROOT, -1)
        apps = self._children_of([root], deadline)
        self._read(apps, deadline)
        tops = self._children_of(apps, deadline)
        self._read(tops, deadline)
        wanted = pick_windows(tops, active_title)
        self._descend(wanted, deadline)
        return wanted

    def _descend(self, level: list[AtNode], deadline: float) -> None:
        count = len(level)
        while level:
            open_ = [n for n in level if n.has("showing") and 0 < n.child_count
                     <= self.limits.children and n.depth < self.limits.depth]
            kids = self._children_of(open_, deadline)
            if count + len(kids) > self.limits.nodes or time.monotonic() > deadline:
                self.truncated = True
                kids = kids[:max(0, self.limits.nodes - count)]
            self._read(kids, deadline)
            self._read_texts([k for k in kids if k.has("editable")], deadline)
            count += len(kids)
            level = kids if time.monotonic() < deadline else []

    def _children_of(self, parents: list[AtNode], deadline: float) -> list[AtNode]:
        batch = Batch(self.conn, deadline)
        for p in parents:
            batch.send(p, "children", _call(p.bus, p.path, ACCESSIBLE, "GetChildren"))
        found: dict[int, list[AtNode]] = {}
        for p, _, body in batch.collect():
            found[id(p)] = [AtNode(bus, path, p.depth + 1, app=p.app or p.name)
                            for bus, path in body[0] if path != "/org/a11y/atspi/null"]
        for p in parents:
            p.children = found.get(id(p), [])
        if batch.pending:
            self.truncated = True
        return [c for p in parents for c in p.children]

    def _read(self, nodes: list[AtNode], deadline: float) -> None:
        batch = Batch(self.conn, deadline)
        for n in nodes:
            batch.send(n, "role", _call(n.bus, n.path, ACCESSIBLE, "GetRoleName"))
            batch.send(n, "state", _call(n.bus, n.path, ACCESSIBLE, "GetState"))
            batch.send(n, "props", _call(n.bus, n.path, "org.freedesktop.DBus.Properties",
                                         "GetAll", "s", (ACCESSIBLE,)))
            batch.send(n, "box", _call(n.bus, n.path, "org.a11y.atspi.Component",
                                       "GetExtents", "u", (COORD_SCREEN,)))
        for n, what, body in batch.collect():
            _apply(n, what, body)
        if batch.pending:
            self.truncated = True

    def _read_texts(self, nodes: list[AtNode], deadline: float) -> None:
        batch = Batch(self.conn, deadline)
        for n in nodes:
            batch.send(n, "text", _call(n.bus, n.path, "org.a11y.atspi.Text", "GetText", "ii",
                                        (0, -1)))
        for n, _, body in batch.collect():
            n.text = str(body[0])


def _apply(n: AtNode, what: str, body: Any) -> None:
    if what == "role":
        n.role = str(body[0])
    elif what == "state":
        n.states = _states(list(body[0]))
    elif what == "box":
        n.extents = tuple(int(v) for v in body[0])  # type: ignore[assignment]
    else:
        props = {k: _unwrap(v) for k, v in body[0].items()}
        n.name = str(props.get("Name") or "").strip()
        n.description = str(props.get("Description") or "").strip()
        n.child_count = int(props.get("ChildCount") or 0)


def pick_windows(tops: list[AtNode], active_title: str | None) -> list[AtNode]:
    """Active windows, and shown popups, menus and dialogs; when no window says it is
    active, the shown one titled like the X server's active window."""
    shown = [w for w in tops if w.has("showing") and w.extents[2] > 0 and w.extents[3] > 0]
    active = [w for w in shown if w.has("active")]
    if not active and active_title:
        active = [w for w in shown if w.name == active_title][:1]
    popups = [w for w in shown if w.role in POPUP_ROLES and w not in active]
    return active + popups


# -- the XML -------------------------------------------------------------------------------

def class_name(n: AtNode) -> str:
    """``push button`` -> ``atspi.PushButton``; editable text is an ``atspi.Entry``."""
    role = "entry" if n.role == "text" and n.has("editable") else n.role
    return "atspi." + "".join(w.capitalize() for w in role.split())


def _flatten(nodes: list[AtNode]) -> Iterator[AtNode]:
    for n in nodes:
        yield n
        yield from _flatten(n.children)


def to_xml(windows: list[AtNode], geometry: ScreenGeometry) -> str:
    """The windows as uiautomator-style XML in pixels of ``geometry``'s screen.
    ``partial="true"``: the tree covers the focused windows, not the whole screen."""
    covers = _covers(windows, geometry)
    parts = ['<?xml version="1.0" encoding="UTF-8"?><hierarchy rotation="0" partial="true">']
    for i, w in enumerate(windows):
        parts.extend(_node_xml(w, i, geometry, covers[i + 1:]))
    parts.append("</hierarchy>")
    return "".join(parts)


def _covers(windows: list[AtNode], g: ScreenGeometry) -> list[list[tuple[int, int, int, int]]]:
    """Per window: the boxes of the popups shown above it (menus inside it included)."""
    out = []
    for w in windows:
        # A menu's own box is its title in the menu bar; its items are the popup.
        inner = [_pixels(c if n.role == "menu" else n, g) for n in _flatten(w.children)
                 if n.role in OCCLUDING_ROLES and n.has("showing")
                 for c in (n.children if n.role == "menu" else [n])]
        out.append([b for b in inner if b is not None])
    return out


def _pixels(n: AtNode, g: ScreenGeometry) -> tuple[int, int, int, int] | None:
    x, y, w, h = n.extents
    if w <= 0 or h <= 0:
        return None
    a = g.from_logical(LogicalPoint(x, y))
    b = g.from_logical(LogicalPoint(x + w, y + h))
    return a.x, a.y, b.x, b.y


def _node_xml(n: AtNode, index: int, g: ScreenGeometry,
              above: list[list[tuple[int, int, int, int]]]) -> Iterator[str]:
    box = _pixels(n, g)
    hidden = box is None or not n.has("showing") or _occluded(box, above)
    yield f"<node {_attrs(n, index, box if not hidden else None)}>"
    if n.has("showing"):
        for i, c in enumerate(n.children):
            yield from _node_xml(c, i, g, above)
    yield "</node>"


def _occluded(box: tuple[int, int, int, int], above: list[list[tuple[int, int, int, int]]]
              ) -> bool:
    """Whether a later window's popup covers the middle of ``box``."""
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    return any(a[0] <= cx < a[2] and a[1] <= cy < a[3] for boxes in above for a in boxes)


def _attrs(n: AtNode, index: int, box: tuple[int, int, int, int] | None) -> str:
    editable = n.text is not None
    text = (n.text or "") if editable else n.name
    desc = (n.name or n.description) if editable else n.description
    flag = lambda v: "true" if v else "false"  # noqa: E731
    values = {
        "index": str(index), "text": text, "resource-id": "", "class": class_name(n),
        "package": n.app, "content-desc": desc,
        "checkable": flag(n.role in CHECKABLE_ROLES or n.has("checkable")
                          or (n.role == "toggle button" and n.has("checked"))),
        "checked": flag(n.has("checked")), "clickable": flag(n.role in CLICKABLE_ROLES or editable),
        "enabled": flag(n.has("sensitive") or n.has("enabled")),
        "focusable": flag(n.has("focusable")), "focused": flag(n.has("focused")),
        "scrollable": "false", "long-clickable": "false",
        "password": flag(n.role == "password text"), "selected": flag(n.has("selected")),
        "bounds": "[{},{}][{},{}]".format(*box) if box else "",
    }
    return " ".join(f"{k}={quoteattr(v)}" for k, v in values.items())


# -- the driver's source -------------------------------------------------------------------

class DesktopTree:
    """Where the desktop driver gets its tree: one reader, reopened when its bus went
    away; ``None`` (pixels only), silently, when there is no bus or nothing is exposed."""

    retry_s = 10.0   # after a failure, the bus is looked for again this much later

    def __init__(self, env: dict[str, str | None] | None = None, enabled: bool = True,
                 limits: WalkLimits | None = None) -> None:
        self.env, self.enabled, self.limits = env or {}, enabled, limits or WalkLimits()
        self._reader: TreeReader | None = None
        self._failed_at: float | None = None
        self.last_error: str | None = None
        self.last_seconds = 0.0

    def read(self, geometry: ScreenGeometry, active_title: str | None,
             x_property: Callable[[], str | None]) -> str | None:
        """The focused windows as uiautomator XML, or None."""
        reader = self._open(x_property)
        if reader is None:
            return None
        t0 = time.monotonic()
        try:
            windows = reader.windows(active_title)
        except (OSError, ValueError, RuntimeError, TimeoutError) as exc:
            self._fail(f"the accessibility bus stopped answering: {exc}")
            return None
        self.last_seconds = time.monotonic() - t0
        return to_xml(windows, geometry) if windows else None

    def _open(self, x_property: Callable[[], str | None]) -> TreeReader | None:
        if not self.enabled:
            return None
        if self._reader is None:
            if self._failed_at is not None and time.monotonic() - self._failed_at < self.retry_s:
                return None
            try:
                self._reader = TreeReader(bus_address(self.env, x_property), self.limits)
            except AtspiUnavailable as exc:
                self._fail(str(exc))
        return self._reader

    def probe(self, x_property: Callable[[], str | None]) -> str:
        """A line on the bus and who exposes a tree; ``AtspiUnavailable`` says why not."""
        reader = TreeReader(bus_address(self.env, x_property), self.limits)
        try:
            apps = reader.applications()
        except (OSError, ValueError, RuntimeError, TimeoutError) as exc:
            raise AtspiUnavailable(f"the accessibility bus does not answer: {exc}") from exc
        finally:
            reader.close()
        shown = ", ".join(apps[:6]) + (" ..." if len(apps) > 6 else "")
        return (f"AT-SPI bus {reader.address}: {len(apps)} application(s) expose a tree"
                + (f" ({shown})" if apps else ""))

    def _fail(self, why: str) -> None:
        self.close()
        self._failed_at, self.last_error = time.monotonic(), why

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
