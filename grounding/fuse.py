"""Fusion: accessibility nodes, OCR phrases, detections and icon blobs -> one element list.

Pixels win over the tree: a node whose box shows nothing, or whose text OCR
reads as something else, is dropped. An OCR phrase inside a control labels
it; overlapping candidates keep the better one; elements are numbered in
reading order (rows top to bottom, left to right within a row).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from devices.geometry import Box
from grounding.a11y import Node
from grounding.names import shown_key
from grounding.ocr import TextBox, ink_height, ink_runs
from grounding.text import normalize, similarity
from grounding.types import Element, Kind

CONTROL_KINDS = {"button", "icon", "input", "toggle", "checkbox", "tab", "list_item", "slider"}


@dataclass(slots=True)
class Detection:
    """A detected control (from the element detector) in image pixels."""

    box: Box
    kind: str
    score: float


@dataclass(slots=True)
class Sources:
    """Everything perception found on one frame, before fusion."""

    nodes: list[Node] = field(default_factory=list)
    texts: list[TextBox] = field(default_factory=list)
    detections: list[Detection] = field(default_factory=list)
    blobs: list[Box] = field(default_factory=list)
    ocr_ran: bool = True


def fuse(src: Sources, rgb: np.ndarray) -> list[Element]:
    """The fused, de-duplicated, numbered element list."""
    src = replace(src, texts=split_items(src.texts, rgb))
    elements = [_from_node(n, src) for n in src.nodes if _node_visible(n, src, rgb)]
    free = _attach_texts(elements, src.texts)
    _name_rows(elements)
    elements += _from_detections(src.detections, elements, free)
    elements += [_from_phrase(t) for t in free]
    elements += [Element(0, b, "icon", confidence=0.3, source="proposal", clickable=True)
                 for b in _uncovered(src.blobs, elements)]
    return number(dedupe(elements))


ITEM_GAP = 0.7    # blank this many text heights wide separates two items ("File   Edit")
WORD_GAP = 0.17   # blank this many box heights wide separates two words
ITEM_CHARS = 1.6  # an item gap is also this many of the phrase's mean character advances
LOOSE_ITEM_GAP = 1.0  # ... items, when letters stand apart (a capitals tab "ALL  IMAGE": 0.7)


def split_items(texts: list[TextBox], rgb: np.ndarray) -> list[TextBox]:
    """OCR phrases cut where the pixels show a gap far wider than a space (a menu bar,
    a table row): each part is its own item, as a person reads it."""
    return [part for t in texts for part in _split_phrase(t, rgb)]


def _split_phrase(t: TextBox, rgb: np.ndarray) -> list[TextBox]:
    tokens = t.text.split()
    if len(tokens) < 2:
        return [t]
    runs = ink_runs(rgb, t.box, WORD_GAP * t.box.height)
    height = text_height(rgb, t.box)
    char = sum(b - a for a, b in runs) / max(1, len(t.text) - len(tokens) + 1)  # ink a letter
    gap = max(ITEM_GAP * height, ITEM_CHARS * char)  # a fixed-width font's space: 1.3 chars
    if len(runs) != len(tokens):  # letters apart (unsmoothed, bold): cut at items' gaps
        return _split_by_share(t, tokens, ink_runs(rgb, t.box, LOOSE_ITEM_GAP * height))
    parts, start = [], 0
    for i in range(1, len(runs) + 1):
        if i == len(runs) or runs[i][0] - runs[i - 1][1] >= gap:
            box = Box(runs[start][0], t.box.y1, runs[i - 1][1], t.box.y2)
            parts.append(TextBox(box, " ".join(tokens[start:i]), t.score))
            start = i
    return parts if len(parts) > 1 else [t]


def _split_by_share(t: TextBox, tokens: list[str], items: list[tuple[int, int]]
                    ) -> list[TextBox]:
    """A phrase cut at the gaps between ``items`` (inked parts set far apart) when the
    words cannot be matched to the ink one by one (text drawn without smoothing shows gaps
    between letters as wide as a space): each gap takes the word boundary whose share of
    the characters puts it nearest, within two characters; else the phrase stays whole."""
    if not 1 < len(items) <= len(tokens):
        return [t]
    text = " ".join(tokens)
    x1, x2 = items[0][0], items[-1][1]
    char = (x2 - x1) / len(text)
    ends = [len(" ".join(tokens[:k + 1])) + 0.5 for k in range(len(tokens) - 1)]
    cuts: list[int] = []
    for a, b in zip(items, items[1:], strict=False):
        mid = (a[1] + b[0]) / 2
        k = min(range(len(ends)), key=lambda i: abs(x1 + ends[i] * char - mid))
        if abs(x1 + ends[k] * char - mid) > 2 * char or (cuts and k <= cuts[-1]):
            return [t]
        cuts.append(k)
    bounds = [-1, *cuts, len(tokens) - 1]
    return [TextBox(Box(items[i][0], t.box.y1, items[i][1], t.box.y2),
                    " ".join(tokens[bounds[i] + 1:bounds[i + 1] + 1]), t.score)
            for i in range(len(items))]


def text_height(rgb: np.ndarray, box: Box) -> float:
    """The height of the text in a detected line: its ink, or (faint or lower-case text)
    at least 0.6 of the box, which the detector pads around the ink."""
    return max(float(ink_height(rgb, box)), 0.6 * box.height)


# A lone glyph OCR reads is an icon: what apps mean by it.
GLYPHS = {":": "more", "⋮": "more", "…": "more", "...": "more", "x": "close", "×": "close",
          "✕": "close", "+": "add", "<": "back", "←": "back", ">": "forward", "→": "forward",
          "≡": "menu", "☰": "menu", "?": "help", "⌕": "search"}


CHROME = {"more", "close", "back", "forward", "menu"}  # glyphs of window and app chrome


def _from_phrase(t: TextBox) -> Element:
    glyph = GLYPHS.get(t.text.strip().casefold())
    if glyph is not None and glyph not in CHROME and shown_key(t.text) is not None:
        return Element(0, t.box, "button", t.text, label=glyph, confidence=t.score,
                       source="ocr", clickable=True)  # a "+" key: its symbol, and "add"
    if glyph is not None and t.box.width <= 2 * t.box.height:
        return Element(0, t.box, "icon", label=glyph, confidence=min(t.score, 0.5),
                       source="proposal", clickable=True)
    return Element(0, t.box, "text", t.text, confidence=t.score, source="ocr")


def _from_node(n: Node, src: Sources) -> Element:
    # A text leaf where OCR reads nothing may be occluded or stale: trust it less.
    unseen = bool(n.text and src.ocr_ran and not n.has_children
                  and not any(_inside(t.box, n.box) for t in src.texts))
    return Element(0, n.box, n.kind, text=n.text, label=n.desc,
                   confidence=0.5 if unseen else 0.9, source="a11y",
                   checked=n.checked if n.checkable else None, clickable=n.clickable,
                   resource_id=n.resource_id)


def _inside(inner: Box, outer: Box) -> bool:
    return outer.contains(inner.center)


def _node_visible(n: Node, src: Sources, rgb: np.ndarray) -> bool:
    """False when the node's pixels show nothing or OCR reads a different text there."""
    crop = rgb[max(0, n.box.y1):n.box.y2:2, max(0, n.box.x1):n.box.x2:2]
    if crop.size == 0 or float(crop.std()) < 2.0:
        return False
    if not (n.text and src.ocr_ran) or n.has_children:
        return True
    seen = " ".join(t.text for t in src.texts if _inside(t.box, n.box))
    if not seen or not normalize(n.text):  # symbols only ("+/-", ")"): nothing to compare
        return True
    return max(similarity(n.text, seen), similarity(seen, n.text)) >= 0.35


def _attach_texts(elements: list[Element], texts: list[TextBox]) -> list[TextBox]:
    """Merge OCR phrases into the smallest element holding them; return the phrases left over."""
    free: list[TextBox] = []
    for t in texts:
        holders = [e for e in elements if _inside(t.box, e.box)]
        if not holders:
            free.append(t)
            continue
        e = min(holders, key=lambda h: h.box.area)
        if e.text and (similarity(t.text, e.text) >= 0.5 or _same_symbols(t.text, e.text)):
            e.source = "fused"
        elif e.kind in ("icon", "image") and (e.label or len(t.text.strip()) < 2):
            e.source = "fused"  # a glyph OCR read inside an icon is not its name
        elif not e.text and e.kind in CONTROL_KINDS and e.kind != "list_item":
            e.text, e.source = t.text, "fused"
        else:
            free.append(t)
    return free


def _same_symbols(a: str, b: str) -> bool:
    """Texts of symbols only ("+/-", "<-"), which ``similarity`` cannot compare, written alike."""
    return not normalize(b) and "".join(a.split()) == "".join(b.split())


def _name_rows(elements: list[Element]) -> None:
    """A nameless list row is called by the first text inside it (usually its title)."""
    for row in elements:
        if row.kind != "list_item" or row.text or row.label:
            continue
        inner = [e for e in elements if e is not row and e.text and e.kind == "text"
                 and row.box.contains(e.center)]
        if inner:
            row.label = min(inner, key=lambda e: (e.box.y1, e.box.x1)).text


def _from_detections(dets: list[Detection], elements: list[Element],
                     free: list[TextBox]) -> list[Element]:
    """Detected controls not in the tree; OCR phrases inside one become its text (and
    leave ``free``, which is updated in place)."""
    dets = [d for d in sorted(dets, key=lambda d: -d.score)
            if d.kind not in ("text", "other", "none", "container")
            and min(d.box.width, d.box.height) >= 6]  # OCR owns text; slivers are no targets
    if not dets:
        return []
    boxes = _array([d.box for d in dets])
    texts = _array([t.box for t in free])
    taken = np.any(_iou(boxes, _array([e.box for e in elements])) > 0.5, axis=1)
    among: np.ndarray = _iou(boxes, boxes) > 0.5
    overlap, inside = _intersections(boxes, texts), _contains_centers(boxes, texts)
    still, picked = np.ones(len(free), bool), np.zeros(len(dets), bool)
    out: list[Element] = []
    for i, d in enumerate(dets):
        if taken[i] or (among[i] & picked).any():
            continue
        glyph = d.kind in ("icon", "image")
        if glyph and (overlap[i, still] > 0.6 * d.box.area).any():
            continue  # a glyph inside a line of text
        inner = [int(j) for j in np.flatnonzero(inside[i] & still)]
        if d.kind in ("icon", "image", "checkbox", "toggle") and any(
                len(free[j].text) >= 3 for j in inner):
            continue  # words are no glyph: the detector mistook text for a control
        inner = inner if len(inner) == 1 else []  # a label beside a field stays a text
        still[inner] = False
        picked[i] = True
        kind: Kind = d.kind if d.kind in CONTROL_KINDS | {"text", "image"} else "other"  # type: ignore[assignment]
        out.append(Element(0, d.box, kind, " ".join(free[j].text for j in inner),
                           confidence=d.score, source="detector", clickable=True))
    free[:] = [t for t, keep in zip(free, still, strict=True) if keep]
    return out


def _uncovered(blobs: list[Box], elements: list[Element]) -> list[Box]:
    """Blobs that are no element yet (rows and containers around them do not count)."""
    if not blobs:
        return []
    b, e = _array(blobs), _array([x.box for x in elements])
    area_b, area_e = _areas(b)[:, None], _areas(e)[None, :]
    covered: np.ndarray = (_intersections(b, e) > 0.3 * area_b) & (area_e < 6 * area_b)
    return [blob for blob, c in zip(blobs, np.any(covered, axis=1), strict=True) if not c]


def dedupe(elements: list[Element]) -> list[Element]:
    """Of two strongly overlapping elements of the same kind and text, keep the more confident."""
    ordered = sorted(elements, key=lambda e: -e.confidence)
    if not ordered:
        return []
    names = {key: n for n, key in enumerate({(e.kind, e.text) for e in ordered})}
    ids = np.array([names[(e.kind, e.text)] for e in ordered])
    clash = (_iou(*[_array([e.box for e in ordered])] * 2) > 0.7) & (ids[:, None] == ids)
    kept = np.zeros(len(ordered), bool)
    for i in range(len(ordered)):
        kept[i] = not (clash[i] & kept).any()
    return [e for e, k in zip(ordered, kept, strict=True) if k]


def _array(boxes: list[Box]) -> np.ndarray:
    return np.array([(b.x1, b.y1, b.x2, b.y2) for b in boxes], np.int64).reshape(-1, 4)


def _areas(a: np.ndarray) -> np.ndarray:
    return np.clip(a[:, 2] - a[:, 0], 0, None) * np.clip(a[:, 3] - a[:, 1], 0, None)


def _intersections(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise intersection areas: ``a`` rows x ``b`` columns."""
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    inter = _intersections(a, b)
    union = _areas(a)[:, None] + _areas(b)[None, :] - inter
    return np.divide(inter, union, out=np.zeros(inter.shape), where=union > 0)


def _contains_centers(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Whether each ``outer`` box holds each ``inner`` box's center (Box.contains)."""
    cx, cy = (inner[:, 0] + inner[:, 2]) // 2, (inner[:, 1] + inner[:, 3]) // 2
    return ((outer[:, None, 0] <= cx) & (cx < outer[:, None, 2])
            & (outer[:, None, 1] <= cy) & (cy < outer[:, None, 3]))


def number(elements: list[Element]) -> list[Element]:
    """Sort into reading order and number from 1."""
    rows: list[list[Element]] = []
    for e in sorted(elements, key=lambda e: e.center.y):
        if rows and e.center.y - rows[-1][0].center.y < max(8, rows[-1][0].box.height // 2):
            rows[-1].append(e)
        else:
            rows.append([e])
    ordered = [e for row in rows for e in sorted(row, key=lambda e: e.box.x1)]
    for i, e in enumerate(ordered, start=1):
        e.id = i
    return ordered
