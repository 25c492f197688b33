"""The desktop set's harvest rules on its committed data: no row is named by a program's
identifier, no scene's screenshot is its main window's (its menu did not open), and a menu's
items cover no menu's title (bench/desktop_devset)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PIL import Image

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset"
sys.path.insert(0, str(DEVSET))

import generate  # noqa: E402
import phrasing  # noqa: E402


def rows(parts: tuple[str, ...] = ("devset.jsonl", "heldout.jsonl")) -> list[dict]:
    lines = [line for part in parts
             for line in (DEVSET / part).read_text(encoding="utf-8").splitlines()]
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize(("name", "icon", "want"), [
    ("x_squared", True, True), ("finc_term", False, True), ("RadioButton", True, True),
    ("FeatherPad", False, False), ("Save As…", False, False), ("x²", True, False),
    ("4.3\xa0kB", False, False), ("Bold", True, False), ("ln", True, False),
])
def test_identifier_names(name: str, icon: bool, want: bool) -> None:
    assert phrasing.id_like(name, icon) is want


def test_no_row_is_named_by_an_identifier() -> None:
    every = rows(("devset.jsonl", "heldout.jsonl", "variants.jsonl"))
    assert [r["id"] for r in every if phrasing.id_like(r["name"], r["icon"])] == []


@pytest.mark.slow
def test_no_scene_shows_its_main_window_instead() -> None:
    # A scene whose steps opened nothing is its main window's screenshot again: the harvester
    # fails it (generate.take_steps); none such stays in the set.
    shot = {s.name: s for s in generate.all_scenes(Path("home"))}
    images = {Path(r["image"]).stem for r in rows()}
    same = []
    for name in images:
        scene = shot.get(name)
        bases = [b for b in shot.values() if scene and b.keys == () and b.argv == scene.argv
                 and b.size == scene.size and b.name in images and scene.keys]
        for base in bases:
            with Image.open(DEVSET / f"images/{name}.png") as a, \
                    Image.open(DEVSET / f"images/{base.name}.png") as b:
                if generate.changed(a, b) < generate.MIN_CHANGE:
                    same.append(name)
    assert same == []


def test_menu_items_cover_no_menu_title() -> None:
    # A popup never covers the menu that opened it (harvest.popup_shift): Java's bridge once
    # put a menu's items over the menu bar, 21-24 px too high.
    menus: dict[str, list[list[int]]] = {}
    for r in rows():
        if r["role"] == "menu":
            menus.setdefault(r["image"], []).append(r["box"])
    wrong = [r["id"] for r in rows() if r["role"].endswith("menu item")
             and any(overlap(r["box"], m) > 2 for m in menus.get(r["image"], []))]
    assert wrong == []


def overlap(a: list[int], b: list[int]) -> int:
    """How far two boxes overlap on their narrower axis (0: apart)."""
    return max(min(min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])), 0)
