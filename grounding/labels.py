"""Short labels and single glyphs in buttons and keys (``=``, ``C``, ``%``, ``ln``, ``AC``).

The text detector skips isolated one- to three-character labels, so a calculator's ``=``
or ``(`` key would be no element at all. Every button-shaped region (a rectangular frame,
a detected button) in which nothing was read has its ink cropped as one short text line,
and all of them are read in one recognizer batch; a reading is kept when it is short and
confident. The float recognizer reads lone glyphs far better than the int8 copy (which is
tuned on lines of words), so it is loaded, once, the first time a screen has such regions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from devices.geometry import Box
from grounding import runtime
from grounding.modelfiles import REC_MODEL, models_dir
from grounding.names import phrases, shown_key
from grounding.ocr import TextBox, rec_input
from grounding.pixelcache import PixelCache, pixel_key

MIN_SCORE = 0.5      # a key symbol's reading: mean confidence
WORD_SCORE = 0.8     # a short word's or letter's reading ("AC", "ln", "F")
SURE = 0.9           # a line recognizer's short reading below this is read again
DOT_SCORE = 0.2      # a lone dot reads poorly; its ink's shape says it is a dot
MAX_CHARS = 4
INK = 40             # grey levels from the region's background that count as ink
LINE_H = 16          # text line height when the screen has no text to measure
CJK = 0x2E80         # short labels are read over the characters below this code point


@dataclass(frozen=True, slots=True)
class Glyph:
    """The ink of one empty button: its box, the line box the recognizer reads, and the
    button's own box."""

    ink: Box
    line: Box
    region: Box
    solid: bool = False  # a filled shape (a light glyph on a dark tile): an icon, not a label


def doubtful(t: TextBox) -> bool:
    """A short reading the line recognizer was unsure of ("9%6" for a "%" key)."""
    return len(t.text) <= 3 and t.score < SURE


def empty_regions(frames: list[Box], texts: list[TextBox]) -> list[Box]:
    """Button-shaped regions in which no text was read (or only a doubtful short one),
    innermost of nested twins first."""
    read = [t.box for t in texts if t.text and not doubtful(t)]
    return [b for b in sorted(frames, key=lambda b: b.area)
            if not any(b.contains(t.center) for t in read)]


def unread(found: list[Glyph], labels: list[TextBox], line_h: float,
           taken: list[Box]) -> list[Box]:
    """Small square buttons whose ink read as no label (a title bar's minimize, maximize
    and close) and that hold none of the ``taken`` boxes (controls found already): icon
    candidates, named by the icon classifier or by their place."""
    return [g.region for g in found if not any(g.line == t.box for t in labels)
            and not any(g.region.contains(b.center) for b in taken)
            and max(g.region.width, g.region.height) <= 2.5 * line_h
            and g.region.width <= 1.5 * g.region.height <= 2.25 * g.region.width]


def merge(texts: list[TextBox], labels: list[TextBox]) -> list[TextBox]:
    """``texts`` plus the short labels read, which replace the doubtful readings of the
    same ink."""
    kept = [t for t in texts if not (doubtful(t) and any(
        t.box.intersection(g.box) > 0.3 * min(t.box.area, g.box.area) for g in labels))]
    return kept + labels


def glyphs(rgb: np.ndarray, regions: list[Box], line_h: float) -> list[Glyph]:
    """Each region's ink as one short line to read; regions with no ink, or ink too large
    to be a label, give none; several regions around the same ink give one."""
    out: list[Glyph] = []
    for r in regions:
        ink = ink_box(rgb, r)
        if ink is None or ink.height > 1.6 * line_h or ink.width > 4 * line_h:
            continue
        if any(g.ink.iou(ink) > 0.5 for g in out):
            continue
        out.append(Glyph(ink, _line(ink, line_h, r), r, _solid(rgb, r, ink, line_h)))
    return out


def ink_box(rgb: np.ndarray, region: Box) -> Box | None:
    """The box of what differs from the region's background, inside its border."""
    inset = max(2, round(0.12 * min(region.width, region.height)))
    x1, y1, x2, y2 = region.x1 + inset, region.y1 + inset, region.x2 - inset, region.y2 - inset
    if x2 - x1 < 3 or y2 - y1 < 3:
        return None
    grey = rgb[y1:y2, x1:x2].astype(np.int16).mean(axis=2)
    mask = np.abs(grey - np.median(grey)) > INK
    ys, xs = np.nonzero(mask)
    if not ys.size or mask.mean() > 0.5:
        return None
    box = Box(x1 + int(xs.min()), y1 + int(ys.min()), x1 + int(xs.max()) + 1,
              y1 + int(ys.max()) + 1)
    touches = box.x1 == x1 or box.y1 == y1 or box.x2 == x2 or box.y2 == y2
    return None if touches else box


def _solid(rgb: np.ndarray, region: Box, ink: Box, line_h: float) -> bool:
    """Whether the ink fills most of a box of glyph size in both directions: strokes of a
    label leave most of theirs empty (a "-" or "." is thin or tiny, so never solid)."""
    if min(ink.width, ink.height) < 0.5 * line_h:
        return False
    grey = rgb[region.y1:region.y2, region.x1:region.x2].astype(np.int16).mean(axis=2)
    inside = grey[ink.y1 - region.y1:ink.y2 - region.y1, ink.x1 - region.x1:ink.x2 - region.x1]
    return bool((np.abs(inside - np.median(grey)) > INK).mean() > 0.6)


def _line(ink: Box, line_h: float, region: Box) -> Box:
    """A text line around the ink as tall as the screen's text (a "-" is one stroke in a
    line of text height), within the region."""
    h = max(ink.height + 4, min(line_h, region.height))
    w = max(ink.width + 0.5 * h, h)
    cx, cy = (ink.x1 + ink.x2) / 2, (ink.y1 + ink.y2) / 2
    return Box(max(region.x1, round(cx - w / 2)), max(region.y1, round(cy - h / 2)),
               min(region.x2, round(cx + w / 2)), min(region.y2, round(cy + h / 2)))


class LabelReader:
    """Reads the glyphs of empty buttons with the float recognizer (loaded on first use)."""

    def __init__(self, threads: int | None = None, session: Any = None) -> None:
        """``session``: the line recognizer's own when it is the float model already."""
        self._threads = threads
        self._session: Any = None
        self._given = session
        self._charset: list[str] = []
        self._allowed = np.zeros(0, bool)
        self._seen: PixelCache[tuple[str, float]] = PixelCache(1024)

    def read(self, rgb: np.ndarray, found: list[Glyph], line_h: float) -> list[TextBox]:
        """The accepted readings as text boxes over each glyph's line."""
        found = [g for g in found if min(g.region.width, g.region.height) >= 0.9 * line_h
                 and not g.solid]  # smaller buttons and filled tiles hold icons, no words
        crops = [_crop(rgb, g.line) for g in found]
        keys = [pixel_key(c) for c in crops]
        todo = [i for i, k in enumerate(keys) if k not in self._seen]
        if todo:
            for i, reading in zip(todo, self._recognize([crops[i] for i in todo]), strict=True):
                self._seen.put(keys[i], reading)
        out = []
        for g, k in zip(found, keys, strict=True):
            text, score = accept(*self._seen[k], rgb, g, line_h)
            if text:
                out.append(TextBox(g.line, text, score))
        return out

    def forget(self) -> None:
        """Drop the remembered readings (a new run)."""
        self._seen.clear()

    def _recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if self._session is None:
            self._session = self._given or runtime.session(models_dir() / REC_MODEL,
                                                           self._threads)
            meta = self._session.get_modelmeta().custom_metadata_map
            self._charset = ["", *meta.get("character", "").splitlines(), " "]
            self._allowed = np.array([i == 0 or (len(c) == 1 and ord(c) < CJK)
                                      for i, c in enumerate(self._charset)])
        x, _ = rec_input(crops)
        probs = self._session.run(None, {self._session.get_inputs()[0].name: x})[0]
        return [_decode(p, self._charset, self._allowed) for p in probs]


def _crop(rgb: np.ndarray, b: Box) -> np.ndarray:
    import cv2

    m = round(0.25 * b.height)
    return cv2.copyMakeBorder(np.ascontiguousarray(rgb[b.y1:b.y2, b.x1:b.x2]), m, m, 0, 0,
                              cv2.BORDER_REPLICATE)


def _decode(prob: np.ndarray, charset: list[str], allowed: np.ndarray) -> tuple[str, float]:
    """Greedy CTC over the ``allowed`` characters (Latin, Greek, symbols: a lone glyph is
    otherwise often taken for a CJK character): the text and its mean probability."""
    prob = prob * allowed
    prob = prob / np.maximum(prob.sum(axis=1, keepdims=True), 1e-9)
    idx = prob.argmax(axis=1)
    keep = (idx != 0) & np.concatenate([[True], idx[1:] != idx[:-1]])
    chars = [charset[i] if i < len(charset) else "" for i in idx[keep]]
    conf = prob.max(axis=1)[keep]
    return "".join(chars).strip(), float(conf.mean()) if conf.size else 0.0


@cache
def _readings() -> dict[str, str]:
    return {str(k): str(v) for k, v in (phrases().get("glyph_readings") or {}).items()}


def accept(text: str, score: float, rgb: np.ndarray, g: Glyph,
           line_h: float) -> tuple[str, float]:
    """The label a reading gives, or "" when it is no short confident label: a key's symbol
    (``keys.yaml``) or a short confident word of letters and digits; anything else (a
    "▼", an icon read as a CJK character) stays for the icon classifier. Look-alikes are
    mapped ("十" is "+"), a tiny dot is ".", a slanted stroke is "/" (not "1")."""
    text = _readings().get(text, text)
    if max(g.ink.width, g.ink.height) <= 0.3 * line_h and score >= DOT_SCORE and \
            g.ink.y1 > g.line.y1 and text in (".", "·", "•", "。", ",", "°", "'", ""):
        return ".", max(score, MIN_SCORE)
    if not text or len(text) > MAX_CHARS or score < MIN_SCORE:
        return "", 0.0
    if shown_key(text) is None and not (text.isascii() and text.isalnum()
                                        and score >= WORD_SCORE):
        return "", 0.0
    if text in ("1", "l", "I", "|", "/", "\\"):
        text = _stroke(rgb, g.ink) or text
    return text, score


def _stroke(rgb: np.ndarray, ink: Box) -> str:
    """"/" or "\\" when a single stroke's ink leans; "" when it stands upright."""
    grey = rgb[ink.y1:ink.y2, ink.x1:ink.x2].astype(np.int16).mean(axis=2)
    mask = np.abs(grey - np.median(np.r_[grey[0], grey[-1]])) > INK
    q = max(1, ink.height // 4)
    top, bottom = np.nonzero(mask[:q])[1], np.nonzero(mask[-q:])[1]
    if not (top.size and bottom.size) or ink.height < 6:
        return ""
    lean = (top.mean() - bottom.mean()) / ink.height
    return "/" if lean > 0.2 else "\\" if lean < -0.2 else ""
