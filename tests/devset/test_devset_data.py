"""The committed desktop grounding set (bench/desktop_devset: dev and held-out parts, split by
application) is well-formed, and its phrasings are the ones people use."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset"
FIELDS = {"id", "image", "app", "size", "instruction", "box", "icon", "role", "name", "kind",
          "pattern"}
PARTS = {"dev": "devset.jsonl", "heldout": "heldout.jsonl"}


def read(part: str) -> list[dict]:
    lines = (DEVSET / PARTS[part]).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read("dev") + read("heldout")


@pytest.fixture(scope="module")
def sizes(rows: list[dict]) -> dict[str, tuple[int, int]]:
    out = {}
    for image in {r["image"] for r in rows}:
        with Image.open(DEVSET / image) as im:
            im.verify()
        with Image.open(DEVSET / image) as im:
            out[image] = im.size
    return out


def test_rows_have_every_field_and_unique_ids(rows: list[dict]) -> None:
    assert rows, "devset.jsonl is empty"
    for r in rows:
        assert set(r) >= FIELDS, r["id"]
        assert isinstance(r["icon"], bool) and r["instruction"].strip() and r["name"].strip()
    ids = Counter(r["id"] for r in rows)
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_box_lies_inside_its_image(rows: list[dict],
                                         sizes: dict[str, tuple[int, int]]) -> None:
    bad = []
    for r in rows:
        w, h = sizes[r["image"]]
        x1, y1, x2, y2 = r["box"]
        if not (0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h):
            bad.append((r["id"], r["box"], (w, h)))
    assert bad == []


def test_a_third_are_icons_and_names_are_unambiguous(rows: list[dict]) -> None:
    share = sum(r["icon"] for r in rows) / len(rows)
    assert 0.25 <= share <= 0.40, f"icon share {share:.0%}"
    per_image = Counter((r["image"], r["name"].casefold()) for r in rows)
    assert [k for k, n in per_image.items() if n > 1] == []


def test_split_by_application() -> None:
    split = json.loads((DEVSET / "split.json").read_text(encoding="utf-8"))
    apps = {part: {r["app"] for r in read(part)} for part in PARTS}
    assert apps["dev"] <= set(split["dev"]) and apps["heldout"] <= set(split["heldout"])
    assert not set(split["dev"]) & set(split["heldout"])
    assert not {r["image"] for r in read("dev")} & {r["image"] for r in read("heldout")}
    assert len(apps["dev"] | apps["heldout"]) >= 12 and len(apps["heldout"]) >= 4
    assert not {"galculator", "xcalc"} & set(split["heldout"])   # tuning targets


def test_two_screen_sizes_and_many_phrasings(rows: list[dict]) -> None:
    assert {tuple(r["size"]) for r in rows} == {(1280, 800), (1920, 1080)}
    patterns: dict[str, set[int]] = {}
    for r in rows:
        patterns.setdefault(r["kind"], set()).add(r["pattern"])
    assert all(len(patterns[k]) == 8 for k in ("icon", "menu item", "menu", "text")), patterns


def test_spans_several_apps_and_screens(rows: list[dict]) -> None:
    assert len({r["image"] for r in rows}) >= 60
    assert len(rows) >= 600


def test_data_stays_small() -> None:
    files = [*(DEVSET / f for f in PARTS.values()), *(DEVSET / "images").glob("*.png")]
    total = sum(p.stat().st_size for p in files)
    assert total < 25 * 1024 * 1024, f"{total} bytes"


def test_phrasings_name_the_container_position_and_neighbour() -> None:
    sys.path.insert(0, str(DEVSET))
    import phrasing
    from phrasing import Target

    item = Target("Save As…", "menu item", False, menu="File")
    said = {phrasing.phrase(item, i)[0] for i in range(8)}
    assert {"pick Save As from the File menu", "in the File menu choose Save As",
            "Save As in the File menu", 'click "Save As…"'} <= said
    icon = Target("Bold", "push button", True, toolbar=True, neighbour="Italic",
                  position="top left")
    said = {phrasing.phrase(icon, i)[0] for i in range(8)}
    assert {"the Bold icon in the toolbar", "the Bold icon at the top left",
            "the Bold icon next to Italic", "click the Bold icon"} <= said
    lone = Target("OK", "push button", False)       # no container, no neighbour: next pattern
    assert phrasing.phrase(lone, 4) == ("tap 'OK'", 7)
    assert phrasing.position((0, 0, 10, 10), (1280, 800)) == "top left"
    assert phrasing.position((600, 380, 680, 420), (1280, 800)) == "middle"


def test_libreoffice_scenes_with_a_menu_open_keep_only_menu_targets(rows: list[dict]) -> None:
    # While a menu is open LibreOffice reports its toolbars shifted up by the menu bar's
    # height, so such a scene's toolbar boxes would be wrong (generate.menus_only).
    office = [r for r in rows if r["app"] in {"soffice", "localc", "loimpress"}]
    menu_open = {r["image"] for r in office if r["role"].endswith("menu item")}
    assert menu_open, "no LibreOffice scene with a menu open"
    assert [r["id"] for r in office if r["image"] in menu_open and "menu" not in r["role"]] == []
    sys.path.insert(0, str(DEVSET))
    from generate import Scene, menus_only

    item = [{"role": "menu item"}]
    assert menus_only(Scene("w", (), "soffice", ("alt+o",)), [])
    assert menus_only(Scene("w", (), "soffice", ("@40,10",)), item)
    assert not menus_only(Scene("w", (), "soffice", ("Escape",)), [{"role": "push button"}])
    assert not menus_only(Scene("g", (), "gedit", ("alt+f",)), item)


def drawn_module():
    sys.path.insert(0, str(DEVSET))
    import drawn

    return drawn


def pixels(image: str):
    import numpy as np

    with Image.open(DEVSET / image) as im:
        return np.asarray(im.convert("RGB"))


def test_every_row_draws_its_kind(rows: list[dict]) -> None:
    # The harvester's rule (drawn.kind): a text row's box draws its name as text, an icon
    # row's box draws a picture and no text; generate.py --relabel keeps the set so.
    drawn = drawn_module()
    sys.path.insert(0, str(DEVSET))
    import phrasing

    shots = {image: pixels(image) for image in {r["image"] for r in rows}}
    wrong = [r["id"] for r in rows if drawn.kind(shots[r["image"]], tuple(r["box"]), r["role"],
                                                 r["name"]) != ("icon" if r["icon"] else "text")]
    assert wrong == []
    kinds = [r["id"] for r in rows
             if r["kind"] != phrasing.kind(phrasing.Target(r["name"], r["role"], r["icon"]))]
    assert kinds == []


@pytest.mark.parametrize(("image", "box", "role", "name", "want"), [
    ("featherpad.png", (222, 27, 255, 59), "push button", "Find", "icon"),   # a magnifier
    ("calc.png", (487, 29, 531, 64), "push button", "Redo", "icon"),         # arrow + drop-down
    ("impress.png", (901, 519, 983, 585), "list item", "Title Only", "icon"),  # a thumbnail
    ("gedit.png", (15, 3, 82, 49), "push button", "Open", "text"),
    ("gnumeric-cells-1080.png", (1186, 751, 1271, 785), "push button", "OK", "text"),
    ("gnumeric-file.png", (246, 137, 282, 171), "toggle button", "Menu", ""),  # 'trl+S' cut
    ("gnumeric-format.png", (505, 28, 542, 63), "push button", "Sum", ""),   # under a menu
])
def test_what_a_box_draws(image: str, box: tuple, role: str, name: str, want: str) -> None:
    # Dev screenshots only: the rule was chosen on the dev part.
    assert drawn_module().kind(pixels(f"images/{image}"), box, role, name) == want
