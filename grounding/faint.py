"""A second look for text the detector passed over: faint, small or greyed labels.

The text detector runs on a scaled-down screen (a 1080p screen at two thirds), where thin
grey labels (a properties pane's "ISO", "Exposure", a disabled item) fade below its
threshold. Rows of ink at full resolution that no detected line covers and that are shaped
like a line of text are read directly by the recognizer; a reading is kept only when it is
sure and made of words, so a row of pictures stays for the icon pass.
"""

from __future__ import annotations

import cv2
import numpy as np

from devices.geometry import Box

EDGE = 24          # a 3x3 grey-level gradient this strong is ink (faint text's is 40-90)
ROW_H = (7, 24)    # a text row's ink height in pixels
MAX_ROWS = 16      # rows read at most on one screen (the recognizer's cost stays bounded)
SURE = 0.85        # a row's reading is kept at this mean confidence or more
RULE = 25          # a straight line of ink this long (a frame, a rule) is no letter


def text_rows(rgb: np.ndarray, covered: list[Box]) -> list[Box]:
    """Boxes around rows of ink outside the ``covered`` boxes that look like a line of
    text: letter-sized pieces of ink side by side, at least two heights wide, not a solid bar."""
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    grad = cv2.morphologyEx(grey, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    mask = cv2.threshold(grad, EDGE - 1, 1, cv2.THRESH_BINARY)[1]
    rules = cv2.max(cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((RULE, 1), np.uint8)),
                    cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, 2 * RULE), np.uint8)))
    mask = cv2.subtract(mask, rules)  # frames and separators: a letter's stroke is shorter
    for b in covered:
        mask[max(0, b.y1):max(0, b.y2), max(0, b.x1):max(0, b.x2)] = 0
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, 9), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    rows = []
    for x, y, w, h, _area in stats[1:n]:
        if ROW_H[0] <= h <= ROW_H[1] and w >= 2 * h and \
                mask[y:y + h, x:x + w].mean() <= 0.9 and _letters(grey[y:y + h, x:x + w]):
            rows.append(Box(int(x), int(y), int(x + w), int(y + h)))
    return sorted(rows, key=lambda b: -b.width)[:MAX_ROWS]


def _letters(grey: np.ndarray) -> bool:
    """Whether a row's ink stands in letters: three or more pieces apart from the row's
    background, each narrower than the row is tall (a picture is one wide piece or few)."""
    ink = (np.abs(grey.astype(np.int16) - int(np.median(grey))) >= EDGE).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    pieces = stats[1:n]
    h = grey.shape[0]
    big = pieces[pieces[:, 3] >= 0.3 * h]
    return len(big) >= 3 and bool((big[:, 2] <= 1.2 * h).all())


def line_box(row: Box, height: int, width: int) -> Box:
    """The line box the recognizer reads around a row's ink: a fifth of its height above
    and below, a little at the sides, within the screen."""
    pad = max(2, round(0.2 * row.height))
    return Box(max(0, row.x1 - pad), max(0, row.y1 - pad), min(width, row.x2 + pad),
               min(height, row.y2 + pad))


def worded(text: str, score: float, row: Box) -> bool:
    """Whether a row's reading is sure text: two or more letters, mostly letters and
    digits, and about as many characters as the row's width holds."""
    solid = text.replace(" ", "")
    letters = sum(c.isalpha() for c in solid)
    if score < SURE or letters < 2 or sum(c.isalnum() for c in solid) < 0.8 * len(solid):
        return False
    return 0.25 * row.height <= row.width / len(solid) <= 1.2 * row.height
