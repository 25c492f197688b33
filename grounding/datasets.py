"""Readers for grounding dev sets: DroidBot/Rico Android dumps and web pages with element boxes.

DroidBot state JSON is turned into uiautomator XML, so perception reads it
exactly as it reads a live phone's ``uiautomator dump``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from devices.geometry import Box


@dataclass(frozen=True, slots=True)
class Labeled:
    """One ground-truth element: its box, text (or description), and whether it is an icon."""

    box: Box
    text: str
    icon: bool


def _attr(view: dict[str, Any], *names: str) -> str:
    for n in names:
        v = view.get(n)
        if v not in (None, ""):
            return str(v)
    return ""


def _flag(view: dict[str, Any], *names: str) -> str:
    return "true" if _attr(view, *names) in ("True", "true") else "false"


def droidbot_to_uiautomator(state: dict[str, Any]) -> str:
    """A DroidBot state (``{"views": [...]}``) as uiautomator dump XML (visible views only)."""
    views = state.get("views", [])

    def emit(i: int, depth: int) -> list[str]:
        v = views[i]
        if v.get("visible") is False or not v.get("bounds"):
            return []
        (x1, y1), (x2, y2) = v["bounds"]
        attrs = {"class": _attr(v, "class"), "text": _attr(v, "text"),
                 "content-desc": _attr(v, "content_description", "content-desc"),
                 "resource-id": _attr(v, "resource_id", "resource-id"),
                 "clickable": _flag(v, "clickable"), "checkable": _flag(v, "checkable"),
                 "checked": _flag(v, "checked"), "scrollable": _flag(v, "scrollable"),
                 "bounds": f"[{x1},{y1}][{x2},{y2}]"}
        head = "<node " + " ".join(f"{k}={quoteattr(val)}" for k, val in attrs.items())
        kids = [line for c in v.get("children", []) for line in emit(c, depth + 1)]
        return [head + ">", *kids, "</node>"] if kids else [head + " />"]

    roots = [i for i, v in enumerate(views) if v.get("parent") in (None, -1)]
    body = [line for r in roots for line in emit(r, 0)]
    return "<?xml version='1.0' encoding='UTF-8' ?><hierarchy rotation=\"0\">" + "".join(body) \
        + "</hierarchy>"


def web_page_elements(folder: str | Path) -> list[Labeled]:
    """Ground truth of a ``web-pages`` folder: TEXT/BUTTON/FORM_ITEM/IMG nodes with boxes."""
    raw = json.loads((Path(folder) / "elements.json").read_text(encoding="utf-8"))
    out: list[Labeled] = []
    for e in raw:
        r = e["rect"]
        box = Box(round(r["left"]), round(r["top"]), round(r["left"] + r["width"]),
                  round(r["top"] + r["height"]))
        if box.width < 4 or box.height < 4:
            continue
        out.append(Labeled(box, (e.get("content") or "").strip(),
                           e.get("nodeType", "").startswith("IMG")))
    return out


def android_pairs(root: str | Path) -> list[tuple[Path, Path]]:
    """(screenshot, hierarchy) pairs of the DroidBot part of ``android-screens``."""
    folder = Path(root) / "droidbot"
    pairs = []
    for js in sorted(folder.glob("*.json")):
        img = next((p for p in (js.with_suffix(".png"), js.with_suffix(".jpg")) if p.exists()),
                   None)
        if img is not None:
            pairs.append((img, js))
    return pairs
