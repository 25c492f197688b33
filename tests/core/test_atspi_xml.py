"""The AT-SPI reader's output form: nodes read from the bus become uiautomator-style XML in
pixels of one monitor, which grounding reads like Android's tree."""

from __future__ import annotations

from devices.atspi import STATES, AtNode, pick_windows, to_xml
from devices.geometry import LogicalPoint, ScreenGeometry
from grounding.a11y import parse_uiautomator


def node(role: str, name: str, box: tuple[int, int, int, int], *states: str,
         children: list[AtNode] | None = None, text: str | None = None) -> AtNode:
    bits = sum(1 << STATES[s] for s in ("showing", "visible", "sensitive", *states))
    kids = children or []
    return AtNode(":1.1", f"/{name}", 0, role=role, name=name, states=bits, extents=box,
                  child_count=len(kids), text=text, app="editor", children=kids)


def test_windows_become_xml_in_monitor_pixels() -> None:
    menu = node("menu", "File", (1000, 10, 40, 20), children=[
        node("menu item", "Save As...", (1000, 30, 150, 20))])
    window = node("frame", "notes - editor", (1000, 0, 800, 600), "active", children=[
        menu, node("text", "", (1000, 40, 800, 500), "editable", "focused", text="hello"),
        node("push button", "Hidden", (1100, 300, 50, 20)),
        node("check box", "Wrap", (1200, 560, 60, 20), "checked")])
    window.children[2].states = 0                         # not showing: left out
    # The second monitor starts at x=1000 and has 2 pixels per point.
    g = ScreenGeometry(1600, 1200, scale=2.0, origin=LogicalPoint(1000, 0))
    nodes = {n.text or n.desc: n for n in parse_uiautomator(to_xml([window], g))}
    assert nodes["File"].kind == "button" and nodes["File"].box.x1 == 0
    assert nodes["Save As..."].box.y1 == 60 and nodes["Save As..."].clickable
    assert nodes["hello"].kind == "input" and nodes["hello"].box.x2 == 1600
    assert nodes["Wrap"].kind == "checkbox" and nodes["Wrap"].checked
    assert "Hidden" not in nodes


def test_active_window_and_popups_are_picked() -> None:
    active = node("frame", "editor", (0, 0, 800, 600), "active")
    behind = node("frame", "other", (0, 0, 800, 600))
    popup = node("window", "", (100, 100, 200, 100))
    hidden = node("dialog", "gone", (0, 0, 10, 10))
    hidden.states = 0
    assert pick_windows([behind, active, popup, hidden], None) == [active, popup]
    assert pick_windows([behind], "other") == [behind]          # named like the X focus
