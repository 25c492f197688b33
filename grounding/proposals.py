"""A cheap OpenCV pass that proposes icon-like blobs, so icon-only buttons become elements.

Text is masked out first (OCR already has it); what remains is grouped by
edges into compact, roughly square blobs of icon size.
"""

from __future__ import annotations

import cv2
import numpy as np

from devices.geometry import Box

MAX_SIDE = 1280  # work at most at this resolution


def icon_blobs(rgb: np.ndarray, text_boxes: list[Box], limit: int = 200,
               offset: tuple[int, int] = (0, 0), short_side: int | None = None) -> list[Box]:
    """Boxes of compact non-text blobs between ~10 px and ~12 % of the short screen side
    (thin marks such as a minimize bar from 9 px; their box is squared around them).

    For a crop of a screen give its ``offset`` (boxes come back in screen pixels, text
    boxes are given in them too) and the screen's ``short_side``.
    """
    h, w = rgb.shape[:2]
    ox, oy = offset
    scale = min(1.0, MAX_SIDE / max(h, w))
    small = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    edges = cv2.Canny(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), 40, 120)
    for b in text_boxes:
        x1, y1 = max(0, int((b.x1 - ox) * scale)), max(0, int((b.y1 - oy) * scale))
        x2, y2 = int((b.x2 - ox) * scale) + 1, int((b.y2 - oy) * scale) + 1
        edges[y1:max(y1, y2), x1:max(x1, x2)] = 0
    edges = cv2.dilate(edges, np.ones((5, 5), np.uint8))
    # CCOMP: a glyph inside a button frame is a blob of its own, not hidden by the frame
    contours, tree = cv2.findContours(edges, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    lo, hi = 10 * scale, 0.12 * (short_side or min(h, w)) * scale
    boxes: list[Box] = []
    for c, (_, _, _, parent) in zip(contours, tree[0] if tree is not None else [], strict=True):
        x, y, bw, bh = cv2.boundingRect(c)
        if parent >= 0 or not _icon_sized(bw, bh, lo, hi):
            continue
        side = max(bw, bh)  # thin glyphs (a minimize bar, a small triangle) get a square target
        fx, fy = max(0.0, x + (bw - side) / 2), max(0.0, y + (bh - side) / 2)
        boxes.append(Box(ox + round(fx / scale), oy + round(fy / scale),
                         ox + round((fx + side) / scale), oy + round((fy + side) / scale)))
    boxes.sort(key=lambda b: -b.area)
    return boxes[:limit]


def _icon_sized(bw: int, bh: int, lo: float, hi: float) -> bool:
    """Roughly square and icon-sized; small thin marks (dilated 5 px) pass down to 5 px."""
    short, long = min(bw, bh), max(bw, bh)
    if long > hi or short < 5:
        return False
    if short >= lo:
        return long <= 2 * short
    return long >= 0.9 * lo and long <= 3 * short


def button_frames(rgb: np.ndarray, limit: int = 400) -> list[Box]:
    """Closed rectangular outlines of button size (keys, push buttons): the regions that may
    hold a short label the text detector skipped. Both edges of a frame come back (the
    caller reads what is inside and drops duplicates)."""
    h, w = rgb.shape[:2]
    scale = min(1.0, MAX_SIDE / max(h, w))
    small = rgb if scale == 1.0 else cv2.resize(
        rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    edges = cv2.Canny(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), 20, 60)
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    lo, hi = 10 * scale, 0.2 * min(h, w) * scale
    boxes: list[Box] = []
    for c in contours:
        x, y, bw, bh = cv2.boundingRect(c)
        if not (lo <= bh <= hi and lo <= bw <= 8 * bh) or cv2.contourArea(c) < 0.8 * bw * bh:
            continue
        boxes.append(Box(round(x / scale), round(y / scale), round((x + bw) / scale),
                         round((y + bh) / scale)))
    return boxes[:limit]
