"""Menus, dialog fields and hotkeys in step lists, on perceived screens built as data and
grounded with the real ``grounding.locate``."""

from __future__ import annotations

from devices.geometry import Box, PixelPoint, ScreenGeometry
from grounding.locate import locate
from grounding.types import Element, Kind, Screen
from planners.grammar import parse_steps
from planners.menus import MenuWalk, labelled_field, menu_levels


def el(i: int, kind: Kind, text: str, box: tuple[int, int, int, int], label: str = "") -> Element:
    return Element(i, Box(*box), kind, text=text, label=label, clickable=kind != "text")


MENU_BAR = [el(1, "button", "File", (10, 10, 50, 30)), el(2, "button", "Edit", (50, 10, 90, 30)),
            el(3, "button", "New Tab", (100, 40, 140, 70), label="Create new tab for this folder")]
FILE_MENU = [el(4, "button", "New", (10, 30, 200, 55)),
             el(5, "button", "Save As...   Shift+Ctrl+S", (10, 55, 200, 80)),
             el(6, "button", "Create New...", (10, 80, 200, 105))]
SUBMENU = [el(7, "button", "Folder", (200, 80, 300, 105)),
           el(8, "button", "Blank File", (200, 105, 300, 130))]


def screen(*parts: list[Element]) -> Screen:
    return Screen([e for part in parts for e in part], ScreenGeometry(800, 600))


def test_step_forms() -> None:
    task = ("choose Save As in the File menu, choose File > Create New > Folder, "
            "open the Edit menu, press ctrl+shift+s, type 'notes.txt' as the file name")
    got = [(s.verb, s.target, s.value) for s in parse_steps(task)]
    assert got == [("menu", "Save As", "File"), ("menu", "> Create New > Folder", "File"),
                   ("menu", "", "Edit"), ("hotkey", "", "ctrl+shift+s"),
                   ("fill", "file name", "notes.txt")]
    assert menu_levels("File", "> Create New > Folder") == ["File", "Create New", "Folder"]


def test_a_closed_menu_is_opened_first_then_its_item_picked() -> None:
    walk = MenuWalk(["File", "Save As"])
    first = walk.next(screen(MENU_BAR), locate)
    assert isinstance(first, Element) and first.text == "File"
    walk.clicked.append(first)
    item = walk.next(screen(MENU_BAR, FILE_MENU), locate)
    assert isinstance(item, Element) and item.id == 5
    walk.clicked.append(item)
    assert walk.next(screen(MENU_BAR), locate) is None


def test_an_open_menu_is_not_clicked_again() -> None:
    walk = MenuWalk(["File", "Save As"])
    item = walk.next(screen(MENU_BAR, FILE_MENU), locate)
    assert isinstance(item, Element) and item.id == 5 and walk.clicked[0].text == "File"


def test_submenus_are_walked_and_near_misses_refused() -> None:
    walk = MenuWalk(["File", "Create New", "Folder"])
    picks = []
    for shown in ([MENU_BAR], [MENU_BAR, FILE_MENU], [MENU_BAR, FILE_MENU, SUBMENU]):
        nxt = walk.next(screen(*shown), locate)
        assert isinstance(nxt, Element)
        picks.append(nxt.text)
        walk.clicked.append(nxt)
    assert picks == ["File", "Create New...", "Folder"]
    # "Create New" is not the "New Tab" button whose tooltip starts with those words.
    closed = MenuWalk(["File", "Create New"])
    closed.clicked.append(MENU_BAR[0])
    assert closed.next(screen(MENU_BAR), locate) == "wait"
    assert closed.next(screen(MENU_BAR), locate) == "the File menu shows no 'Create New'"


def test_a_dialog_field_is_found_by_the_label_beside_it() -> None:
    header = el(1, "text", "Name", (300, 120, 400, 140))          # a file list's column heading
    label = el(2, "text", "Name:", (10, 40, 60, 60))
    field = el(3, "input", "", (70, 35, 600, 65))
    other = el(4, "input", "", (70, 200, 600, 230))
    assert labelled_field(screen([header, label, field, other]), "file name") is field
    named = el(5, "input", "", (70, 300, 600, 330), label="Folder name")
    assert labelled_field(screen([named, field]), "the folder name field") is named
    # Pixels only, no input seen: the place right of the label.
    spot = labelled_field(screen([header, label]), "file name")
    assert isinstance(spot, PixelPoint) and spot.x > label.box.x2 and spot.y == 50
    assert labelled_field(screen([header]), "file name") is None
