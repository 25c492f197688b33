"""Recompute saved rows' kinds from their screenshots (drawn.kind), as the harvester decides.

Plain Python with numpy and PIL (no pyatspi, no apps): ``generate.py --relabel`` calls it.
A row keeps its id, box and name. One whose box now draws the other kind gets the other
kind's instruction from phrasing.py, by the harvester's seed rule (the ``i``-th target of its
kind on the screen, top to bottom, left to right, takes pattern ``i``), with its neighbour
recomputed from the screen's text rows; one that draws neither, or whose name is a program's
identifier (phrasing.id_like), is dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import drawn
import numpy as np
import phrasing
from PIL import Image

CONTAINER = re.compile(r" in the (?:(toolbar)|(.+) (menu|dialog))$")


def relabelled(rows: list[dict], folder: Path) -> tuple[list[dict], int]:
    """The rows that still draw a text or an icon target, and how many changed kind."""
    kinds, images = {}, {}
    for r in rows:
        if r["image"] not in images:
            with Image.open(folder / r["image"]) as im:
                images[r["image"]] = np.asarray(im.convert("RGB"))
        kinds[r["id"]] = drawn.kind(images[r["image"]], tuple(r["box"]), r["role"], r["name"])
    kept = [r for r in rows if kinds[r["id"]]
            and not phrasing.id_like(r["name"], kinds[r["id"]] == "icon")]
    moved = [r for r in kept if (kinds[r["id"]] == "icon") != r["icon"]]
    for r in moved:
        r["icon"] = kinds[r["id"]] == "icon"
        r["kind"] = phrasing.kind(phrasing.Target(r["name"], r["role"], r["icon"]))
    for r in moved:
        rephrase(r, [o for o in kept if o["image"] == r["image"]])
    return kept, len(moved)


def rephrase(row: dict, screen: list[dict]) -> None:
    """Phrase ``row`` as its new kind, the way the harvester phrases a target on ``screen``."""
    t = phrasing.Target(row["name"], row["role"], row["icon"], **context(row),
                        neighbour=phrasing.neighbour(row["box"], [
                            (o["name"], o["box"]) for o in screen
                            if o is not row and not o["icon"]]),
                        position=phrasing.position(row["box"], tuple(row["size"])))
    same = sorted((o for o in screen if o["kind"] == row["kind"]),
                  key=lambda o: (o["box"][1], o["box"][0]))
    row["instruction"], row["pattern"] = phrasing.phrase(t, same.index(row))


def context(row: dict) -> dict:
    """The toolbar, menu or dialog the old instruction named, when it named one (rows do not
    keep the tree walk's context otherwise)."""
    m = CONTAINER.search(row["instruction"])
    if not m:
        return {}
    if m.group(1):
        return {"toolbar": True}
    return {"menu": m.group(2)} if m.group(3) == "menu" else {"window": m.group(2)}
