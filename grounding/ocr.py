"""OCR with the PP-OCR ONNX models that ship inside the ``rapidocr`` wheel.

rapidocr's own pipeline downloads any model it lacks and recognizes whole
lines; here its packaged det/rec models run through ``grounding.runtime``
(never a download: a missing file is ``ModelMissing``), text detection runs
at a bounded scale, crops are axis-aligned (UI text is not rotated), and
each line is split into phrases at wide gaps using the CTC column positions,
so a toolbar row "File Edit View" becomes three boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from devices.geometry import Box
from grounding import runtime
from grounding.errors import ModelMissing
from grounding.modelfiles import model_paths
from grounding.pixelcache import PixelCache, pixel_key
from grounding.text import mend

REC_MIN_WIDTH = 160              # narrower batches are padded: short crops read better
REC_HEIGHT = 48
CACHE_SIZE = 4096  # recognized line crops remembered across frames
INK = 24           # a pixel column (or row) whose grey levels span less than this is blank
TALL = 1.5         # a line box this many times as tall as its ink is read around the ink
WORD_LETTERS = "aAI"  # one-letter words: a line that starts with one is text, not a glyph
GLYPH_GAP = 0.45   # a lone character this many text heights off a line's words is a glyph
CLOSE_GLYPHS = "xX×✕"  # ... read glued to the words' end: a tab's close button
PICTURE_W = 0.7    # a picture read glued before a word is at least this share of its height wide
RUN_CHARS = 6      # a run of toolbar icons read as text is at most this many characters
RUN_SURE = 0.9     # ... read below this confidence, or with a character that is no letter
RUN_GAP = 0.5      # ... with its buttons' ink this many ink heights apart (a word space: 0.3-0.45)
UNDERLINED_SURE = 0.9  # a line read again without its underlines takes that reading this sure
RULE_COVER = 0.9   # a column inked over this share of a line box's height is a rule, not text
RULE_TEXT = 0.8    # ... when the ink beside it spans at most this share of the height


@dataclass(frozen=True, slots=True)
class OcrConfig:
    """Knobs of the OCR pass; the defaults suit 1080p desktops and phone screens."""

    det_max_side: int = 1280      # text detection input is scaled down to this long side
    det_thresh: float = 0.3
    box_thresh: float = 0.5
    min_score: float = 0.5        # recognized text below this mean confidence is dropped
    rec_batch: int = 16           # most crops in one recognizer run
    rec_margin: float = 0.25      # extra height around a line: smaller glyphs, cheaper reads
    gap_factor: float = 1.6       # a gap wider than this many text heights splits a phrase
    threads: int | None = None
    int8: bool | None = None      # int8 recognizer; None: on a CPU that runs int8 fast


@dataclass(frozen=True, slots=True)
class TextBox:
    """One recognized phrase: its box in image pixels, text and confidence."""

    box: Box
    text: str
    score: float


class Ocr:
    """Text detection and recognition; models are loaded once per instance."""

    def __init__(self, config: OcrConfig | None = None) -> None:
        self.config = config or OcrConfig()
        self.int8 = runtime.device_name() == "cpu" and runtime.fast_int8() \
            if self.config.int8 is None else self.config.int8
        det, rec = model_paths(self.int8)
        self.det = runtime.session(det, self.config.threads)
        self.rec = runtime.session(rec, self.config.threads)
        meta = self.rec.get_modelmeta().custom_metadata_map
        if "character" not in meta:
            raise ModelMissing(f"{rec.name} carries no character table; reinstall guiagent")
        self.charset = ["", *meta["character"].splitlines(), " "]
        self._det_input = self.det.get_inputs()[0].name
        self._rec_input = self.rec.get_inputs()[0].name
        self._cache: PixelCache[list[tuple[int, int, str, float]]] = PixelCache(CACHE_SIZE)

    def __call__(self, rgb: np.ndarray) -> list[TextBox]:
        """Detect and recognize all text in an RGB image."""
        return self.recognize(rgb, self.detect(rgb))

    def detect(self, rgb: np.ndarray, offset: tuple[int, int] = (0, 0),
               scale: float | None = None) -> list[Box]:
        """Text line boxes in ``rgb``, shifted by ``offset`` (for crops of a larger image);
        detection runs at ``scale`` (default: the long side down to ``det_max_side``)."""
        h, w = rgb.shape[:2]
        x = self.det_input(rgb, scale)
        prob = self.det.run(None, {self._det_input: x})[0][0, 0]
        return _boxes_from_prob(prob, w / x.shape[3], h / x.shape[2], self.config, offset)

    def det_input(self, rgb: np.ndarray, scale: float | None = None) -> np.ndarray:
        """The detector's input: ``rgb`` scaled (to at most ``det_max_side``), sides of 32s,
        as -1..1 planes made in one array (a fresh process pays for each new one)."""
        h, w = rgb.shape[:2]
        scale = min(1.0, scale or self.config.det_max_side / max(h, w))
        rh, rw = max(32, round(h * scale / 32) * 32), max(32, round(w * scale / 32) * 32)
        x = np.empty((1, 3, rh, rw), np.float32)
        x[0] = cv2.resize(rgb, (rw, rh), interpolation=cv2.INTER_AREA).transpose(2, 0, 1)
        x /= np.float32(127.5)
        x -= np.float32(1.0)
        return x

    def crops(self, rgb: np.ndarray, boxes: list[Box]) -> list[np.ndarray]:
        """The recognizer's crops of line boxes (with the configured margin)."""
        return [_crop(rgb, b, self.config.rec_margin) for b in boxes]

    def recognize(self, rgb: np.ndarray, boxes: list[Box]) -> list[TextBox]:
        """Read each line box (batched by width) and split it into phrases.

        Crops already read (this frame or an earlier one) come from a cache keyed by
        their pixels: repeated labels and unchanged or scrolled lines cost nothing.
        """
        crops = self.crops(rgb, boxes)
        keys = [pixel_key(c) for c in crops]
        todo: dict[bytes, int] = {}
        for i, k in enumerate(keys):
            if k not in self._cache and k not in todo:
                todo[k] = i
        order = sorted(todo.values(), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        widths = [max(REC_MIN_WIDTH, rec_width(crops[i])) for i in order]
        for a, b in batch_bounds(widths, self.config.rec_batch):
            batch = order[a:b]
            read = self._rec_batch([crops[i] for i in batch], [boxes[i] for i in batch])
            for i, phrases in zip(batch, read, strict=True):
                self._cache.put(keys[i], [(t.box.x1 - boxes[i].x1, t.box.x2 - boxes[i].x1,
                                          t.text, t.score) for t in phrases])
        self._reread_underlined([(crops[i], boxes[i], keys[i]) for i in todo.values()])
        self._cut_glyphs(rgb, [(boxes[i], keys[i]) for i in todo.values()])
        return [TextBox(Box(b.x1 + dx1, b.y1, b.x1 + dx2, b.y2), text, score)
                for b, k in zip(boxes, keys, strict=True)
                for dx1, dx2, text, score in self._cache[k]]

    def _reread_underlined(self, lines: list[tuple[np.ndarray, Box, bytes]]) -> None:
        """Lines that have strokes under their letters (a menu's mnemonic underlines: "View
        Jabs" for "View Tabs", read unsure or, unsmoothed, sure: "Iabs") read again with the
        strokes wiped (``_no_underline``); a reading of other letters in the same places
        wins when it is ``UNDERLINED_SURE`` or surer than the first."""
        redo = []
        for crop, b, k in lines:
            read = self._cache[k]
            if read and (wiped := _no_underline(crop)) is not crop:
                redo.append((wiped, b, k))
        if not redo:
            return
        for (_, b, k), phrases in zip(redo, self._rec_batch([c for c, _, _ in redo],
                                                            [b for _, b, _ in redo]),
                                      strict=True):
            old, new = self._cache[k], " ".join(t.text for t in phrases)
            sure = min(UNDERLINED_SURE, float(np.mean([p[3] for p in old])))
            if _misread(" ".join(p[2] for p in old), new) and \
                    float(np.mean([t.score for t in phrases])) >= sure:
                self._cache.put(k, [(t.box.x1 - b.x1, t.box.x2 - b.x1, t.text, t.score)
                                    for t in phrases])

    def _cut_glyphs(self, rgb: np.ndarray, lines: list[tuple[Box, bytes]]) -> None:
        """Lines read as a lone character set apart from words ("x Cut": a menu item's icon
        before its label; "notes.txt X": a tab's close button) become the glyph and the
        words read again on their own (with the icon in the crop they read worse: "目 Sect
        Al" for "Select All"); so does a picture read glued to a word ("HSave",
        ``picture_cut``). A glyph that is no letter or digit, or such a picture, keeps a low
        score: it is an icon, not text."""
        cuts = [(b, k, cut) for b, k in lines if (read := self._cache[k]) and (
            cut := glyph_cut(rgb, b, " ".join(p[2] for p in read))) is not None]
        if not cuts:
            return
        words = self.recognize(rgb, [w for _, _, (_, w, _) in cuts])
        for b, k, (glyph, w, char) in cuts:
            first = self._cache[k][0]
            score = first[3] if glyph.x1 < w.x1 else self._cache[k][-1][3]
            glued = glyph.x1 < w.x1 and len(first[2].split(" ")[0]) > 1  # "HSave": a picture
            score = score if char.isascii() and char.isalnum() and not glued else min(score, 0.5)
            self._cache.put(k, sorted([(glyph.x1 - b.x1, glyph.x2 - b.x1, char, score)] + [
                (t.box.x1 - b.x1, t.box.x2 - b.x1, t.text, t.score) for t in words
                if t.box.y1 == w.y1 and w.x1 <= t.box.x1 < w.x2]))

    def forget(self) -> None:
        """Drop the recognition cache."""
        self._cache.clear()

    def _rec_batch(self, crops: list[np.ndarray], boxes: list[Box]) -> list[list[TextBox]]:
        x, widths = rec_input(crops)
        pad = x.shape[3]
        probs = self.rec.run(None, {self._rec_input: x})[0]
        out: list[list[TextBox]] = []
        for p, box, cw, crop in zip(probs, boxes, widths, crops, strict=True):
            crop_h = crop.shape[0]
            px_per_col = (pad / p.shape[0]) * crop_h / REC_HEIGHT
            out.append(self._phrases(p, box, px_per_col, cw * crop_h / REC_HEIGHT))
        return out

    def _phrases(self, prob: np.ndarray, box: Box, px_per_col: float,
                 text_w: float) -> list[TextBox]:
        chars = _ctc_decode(prob, self.charset)
        chars = [c for c in chars if c[1] * px_per_col < text_w + px_per_col]
        limit = self.config.gap_factor * box.height
        groups: list[list[tuple[str, int, float]]] = [[]]
        for ch in chars:
            prev = groups[-1][-1] if groups[-1] else None
            if prev is not None and (ch[1] - prev[1]) * px_per_col > limit:
                groups.append([])
            groups[-1].append(ch)
        last = len(groups) - 1
        return [tb for i, g in enumerate(groups)
                if (tb := self._phrase(g, box, px_per_col, i == 0, i == last)) is not None]

    def _phrase(self, group: list[tuple[str, int, float]], box: Box, px_per_col: float,
                first: bool, last: bool) -> TextBox | None:
        text = mend("".join(c for c, _, _ in group).strip())
        if not text:
            return None
        score = float(np.mean([s for _, _, s in group]))
        if score < self.config.min_score:
            return None
        solid = [(col, c) for c, col, _ in group if not c.isspace()]
        # Estimated from the CTC columns even at the line's ends: a detected line may start
        # with a glyph OCR does not read (an icon before a link), which is no part of it.
        lead = 2.0 if first else 1.5
        x1 = box.x1 + max(0, round((solid[0][0] - lead) * px_per_col))
        x2 = box.x2 if last else box.x1 + round((solid[-1][0] + 2.0) * px_per_col)
        return TextBox(Box(x1, box.y1, min(box.x2, max(x2, x1 + 2)), box.y2), text, score)


def _misread(old: str, new: str) -> bool:
    """Whether ``new`` reads other letters in the same places as ``old`` ("Jabs" -> "Tabs"),
    not other pieces ("X Cut" -> "cut": the icon lost) nor only another case. Spaces are
    no letters: a word gap read anew ("Look& Feel Ihemes" -> "Look&Feel Themes") is none."""
    old, new = old.replace(" ", ""), new.replace(" ", "")
    return len(old) == len(new) and old.casefold() != new.casefold()


def glyph_cut(rgb: np.ndarray, box: Box, text: str) -> tuple[Box, Box, str] | None:
    """A line read as one character and words ("x Cut", "notes.txt X", or a close glyph
    read glued to the words: "notes.txtX") split in two: the glyph's box, the words' box
    and the character, when the pixels show the character apart from the words by more
    than ``GLYPH_GAP`` of their ink's height (a word space is far narrower; the line's box
    is no measure: an icon or a highlight grows it); else None."""
    words = text.split(" ")
    head = len(words[0]) == 1
    glued = len(words) == 1 and len(text) >= 4 and text[-1] in CLOSE_GLYPHS  # "notes.txtX"
    if not glued and (len(words) < 2 or head == (len(words[-1]) == 1) or len(text) < 4):
        return picture_cut(rgb, box, text)
    char = text[0] if head else text[-1]
    if char in WORD_LETTERS or (not head and char.isalnum() and char not in "xX"):
        return None  # "a cat", "Row 3": words; a lone end glyph is one that closes
    runs = ink_runs(rgb, box, max(2.0, 0.15 * box.height))
    if len(runs) < 2:
        return None
    glyph, near = (runs[0], runs[1]) if head else (runs[-1], runs[-2])
    rest = Box(near[0], box.y1, box.x2, box.y2) if head else Box(box.x1, box.y1, near[1], box.y2)
    gap = near[0] - glyph[1] if head else glyph[0] - near[1]
    if gap < GLYPH_GAP * ink_height(rgb, rest):
        return None
    return Box(glyph[0], box.y1, glyph[1], box.y2), rest, char


def picture_cut(rgb: np.ndarray, box: Box, text: str) -> tuple[Box, Box, str] | None:
    """A picture read glued to the word after it as one more letter ("HSave": a menu item's
    14 pt icon before "Save"; a check box before its label) split off like ``glyph_cut``'s
    glyph: the line's first ink stands apart from the rest by ``GLYPH_GAP`` of the rest's
    ink height and by twice the usual gap between its letters (unsmoothed text sets its
    letters far apart), and is a picture's size: as tall as that ink and ``PICTURE_W`` to
    1.6 of it wide (a letter set apart by a fixed-width font's cell, an "i" or "l", is
    narrow; a word is wider) in one piece (a short word's letters stand apart: "File").
    The character is the reading's first."""
    if len(text.split(" ")[0]) < 3 or text[0] in WORD_LETTERS:
        return None
    runs = ink_runs(rgb, box, max(2.0, 0.15 * box.height))
    if len(runs) < 2:
        return None
    (a, b), near = runs[0], runs[1][0]
    rest, pic = Box(near, box.y1, box.x2, box.y2), Box(a, box.y1, b, box.y2)
    h = ink_height(rgb, rest)
    if h < 6 or near - b < GLYPH_GAP * h or not PICTURE_W * h <= b - a <= 1.6 * h or \
            ink_height(rgb, pic) < 0.8 * h or near - b < 2 * _letter_gap(rgb, rest) or \
            sum(a <= x < b for x, _ in ink_runs(rgb, box, 1.0)) > 1:
        return None
    return pic, rest, text[0]


def _letter_gap(rgb: np.ndarray, box: Box) -> float:
    """The usual blank between a line's letters (text drawn unsmoothed sets every letter
    as far apart as a picture would be from a smoothed word)."""
    runs = ink_runs(rgb, box, 1.0)
    gaps = [b[0] - a[1] for a, b in zip(runs, runs[1:], strict=False)]
    return float(np.median(gaps)) if len(gaps) > 1 else 0.0


def icon_run(rgb: np.ndarray, t: TextBox) -> list[Box]:
    """The icons of a line that is a run of adjacent toolbar buttons read as text ("BIU"
    for Bold, Italic, Underline; "三三" for alignment buttons), one square box each; []
    for a line of words. Evidence: a short reading that is unsure or holds a character
    that is not ASCII, whose ink stands in two or more icon-sized (about square) cells
    apart by more than ``RUN_GAP`` of its height (letters of a word, and words, sit
    closer: "Sum", "Go to" stay text)."""
    if _reads_as_text(t):
        return []
    rows = ink_rows(rgb, t.box)
    if rows is None:
        return []
    h = rows[1] - rows[0]
    runs = ink_runs(rgb, t.box, max(3.0, RUN_GAP * h))
    if len(runs) < 2 or any(not 0.25 * h <= b - a <= 1.7 * h for a, b in runs):
        return []
    cy = (rows[0] + rows[1]) / 2
    return [_square((a + b) / 2, cy, max(b - a, h) + 4) for a, b in runs]


def _reads_as_text(t: TextBox) -> bool:
    """Whether a reading is text whatever its pixels: long, sure ASCII ("OK"), a number
    ("100%"), or words a space sets apart ("Go to")."""
    chars = t.text.replace(" ", "")
    number = any(c.isdigit() for c in chars) and all(c.isdigit() or c in ".,:%" for c in chars)
    return not 2 <= len(chars) <= RUN_CHARS or (t.score >= RUN_SURE and chars.isascii()) \
        or number or (" " in t.text and any(len(w) > 1 and _latin(w) for w in t.text.split()))


def _latin(text: str) -> bool:
    return text.isascii() and text.isalnum()


def _square(cx: float, cy: float, side: float) -> Box:
    return Box(round(cx - side / 2), round(cy - side / 2), round(cx + side / 2),
               round(cy + side / 2))


def ink_runs(rgb: np.ndarray, box: Box, min_gap: float) -> list[tuple[int, int]]:
    """Horizontal extents (image x) of the inked parts of a text box, split at blank
    columns at least ``min_gap`` wide; blank = little grey variation from top to bottom
    (the box's margins make a vertical stroke vary too)."""
    trim = box.height // 10  # an underline or a highlight's edge at the very rim is no ink
    crop = rgb[max(0, box.y1 + trim):max(0, box.y2 - trim), max(0, box.x1):box.x2]
    if crop.size == 0:
        return []
    spread = (crop.max(axis=0).astype(np.int16) - crop.min(axis=0)).max(axis=1)
    if spread.min() >= INK:  # not one blank column: a shaded background?
        spread = np.minimum(spread, _off_rows(crop))
    inked = np.flatnonzero(spread >= INK)
    if not inked.size:
        return []
    cuts = np.flatnonzero(np.diff(inked) - 1 >= min_gap)
    starts, ends = inked[np.r_[0, cuts + 1]], inked[np.r_[cuts, inked.size - 1]] + 1
    x0 = max(0, box.x1)
    return [(x0 + a, x0 + b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def _off_rows(crop: np.ndarray) -> np.ndarray:
    """Per column, how far its pixels stray from their rows' usual level (the commonest): a
    background shaded from top to bottom (a Swing or Qt menu bar's gradient) spans many
    grey levels in every column, yet each row is one level where nothing is drawn."""
    grey = crop.max(axis=2).astype(np.int16)
    rows = np.arange(grey.shape[0])[:, None] * 256
    counts = np.bincount((grey + rows).ravel(), minlength=grey.shape[0] * 256)
    usual = counts.reshape(-1, 256).argmax(axis=1)
    return np.abs(grey - usual[:, None]).max(axis=0)


def rule_split(rgb: np.ndarray, box: Box) -> list[Box]:
    """A detected line cut at the thin vertical rules it crosses (a field's frame, a
    separator between a font box and a size box: "Sans | 10" read as "Sans10"): a rule is
    a column or three of ink from top to bottom of the box, with ink on both sides that is
    shorter than it (text, not a letter's stem). Pieces with no ink are dropped; ``[box]``
    when there is no rule."""
    crop = rgb[max(0, box.y1):box.y2, max(0, box.x1):box.x2].astype(np.int16)
    h, w = crop.shape[:2]
    if h < 8 or w < h:
        return [box]
    grey = crop.mean(axis=2)
    inked = np.abs(grey - np.median(grey, axis=1, keepdims=True)) >= INK
    cuts = [(a, b) for a, b in _runs(inked.mean(axis=0) >= RULE_COVER)
            if a >= 2 and b <= w - 2 and b - a <= max(2, h // 8)
            and _beside(inked[:, max(0, a - 2 * h):a], h) and _beside(inked[:, b:b + 2 * h], h)]
    if not cuts:
        return [box]
    edges = [0] + [x for cut in cuts for x in cut] + [w]
    x0 = max(0, box.x1)
    return [Box(x0 + a, box.y1, x0 + b, box.y2) for a, b in zip(edges[::2], edges[1::2],
                                                                strict=True)
            if b - a >= 3 and inked[:, a:b].any()]


def _beside(inked: np.ndarray, h: int) -> bool:
    """Whether the ink next to a rule is there and shorter than ``RULE_TEXT`` of the line."""
    rows = np.flatnonzero(inked[:, inked.mean(axis=0) < RULE_COVER].any(axis=1))
    return bool(rows.size) and rows[-1] - rows[0] + 1 <= RULE_TEXT * h


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Start and end (exclusive) of each run of True in a 1-D array."""
    padded = np.r_[False, flags, False].astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return list(zip(change[::2].tolist(), change[1::2].tolist(), strict=True))


def ink_height(rgb: np.ndarray, box: Box) -> int:
    """The height of the ink in a text box (the text itself, not the padding the detector
    adds around it)."""
    rows = ink_rows(rgb, box)
    return rows[1] - rows[0] if rows else 0


def ink_rows(rgb: np.ndarray, box: Box) -> tuple[int, int] | None:
    """The top and bottom (image y, bottom exclusive) of the rows of a box whose grey
    levels vary from left to right; None when none does."""
    crop = rgb[max(0, box.y1):box.y2, max(0, box.x1):box.x2]
    if crop.size == 0:
        return None
    spread = (crop.max(axis=1).astype(np.int16) - crop.min(axis=1)).max(axis=1)
    rows = np.flatnonzero(spread >= INK)
    top = max(0, box.y1)
    return (top + int(rows[0]), top + int(rows[-1]) + 1) if rows.size else None


def rec_width(crop: np.ndarray) -> int:
    """A crop's width once scaled to the recognizer's input height."""
    return max(1, round(crop.shape[1] * REC_HEIGHT / crop.shape[0]))


def batch_bounds(widths: list[int], most: int, run_cost: int = 32) -> list[tuple[int, int]]:
    """Cut ascending ``widths`` into batches of at most ``most`` so that the padded input
    (each batch as wide as its widest) plus ``run_cost`` columns a run is smallest."""
    best = [0] + [1 << 60] * len(widths)
    cut = [0] * (len(widths) + 1)
    for j in range(1, len(widths) + 1):
        for i in range(max(0, j - most), j):
            cost = best[i] + (j - i) * widths[j - 1] + run_cost
            if cost < best[j]:
                best[j], cut[j] = cost, i
    bounds, j = [], len(widths)
    while j:
        bounds.append((cut[j], j))
        j = cut[j]
    return bounds[::-1]


def rec_input(crops: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
    """A recognizer batch: crops scaled to ``REC_HEIGHT``, left-aligned and zero-padded to
    the widest (at least ``REC_MIN_WIDTH``); also each crop's scaled width."""
    widths = [rec_width(c) for c in crops]
    x = np.zeros((len(crops), 3, REC_HEIGHT, max(max(widths), REC_MIN_WIDTH)), np.float32)
    for i, (c, cw) in enumerate(zip(crops, widths, strict=True)):
        r = cv2.resize(c, (cw, REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
        x[i, :, :, :cw] = r.astype(np.float32).transpose(2, 0, 1) / 127.5 - 1.0
    return x, widths


def _ctc_decode(prob: np.ndarray, charset: list[str]) -> list[tuple[str, int, float]]:
    """Greedy CTC: (character, column, probability) for each emitted character."""
    idx = prob.argmax(axis=1)
    conf = prob.max(axis=1)
    keep = (idx != 0) & np.concatenate([[True], idx[1:] != idx[:-1]])
    return [(charset[i] if i < len(charset) else "", int(col), float(conf[col]))
            for col, i in zip(np.flatnonzero(keep), idx[keep], strict=True)]


def _crop(rgb: np.ndarray, b: Box, margin: float = 0.0) -> np.ndarray:
    """The line's pixels with ``margin`` x its height added above and below (edge-padded);
    a box far taller than its ink is cut down around the ink first."""
    b = _tight(rgb, b)
    m = round(b.height * margin)
    crop = rgb[max(0, b.y1):b.y2, max(0, b.x1):b.x2]
    if not crop.size:
        return np.zeros((REC_HEIGHT, REC_HEIGHT, 3), np.uint8)
    return cv2.copyMakeBorder(crop, m, m, 0, 0, cv2.BORDER_REPLICATE) if m else crop


def _no_underline(crop: np.ndarray) -> np.ndarray:
    """``crop`` with the thin strokes under its text wiped (a menu's mnemonic underlines,
    a link's underline: the recognizer reads an underlined "T" as "J"): pieces of ink at
    most 2 px high and twice as wide, apart from the letters and below where most of
    them end, under a letter of a word, painted with the background. Descenders belong to
    their letters and stay; an underscore has no letter above it, an underlined toolbar
    glyph (Underline) no letter beside it."""
    if crop.shape[0] < 8:
        return crop
    grey = crop.mean(axis=2)
    bg = np.median(grey)
    mask = (np.abs(grey - bg) >= INK).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n < 3:
        return crop
    x, y, w, h = (stats[1:, i] for i in range(4))
    thin = (h <= 2) & (w >= 2 * h + 2)
    letters = ~thin & (h >= 4)
    if not letters.any():
        return crop
    baseline, size = np.median((y + h)[letters]), np.median(h[letters])
    if h.max() > 1.6 * size:
        return crop   # pictures taller than the letters: a toolbar, an icon before a label
    wipe = [i + 1 for i in np.flatnonzero(thin & (y >= baseline))
            if _under_word(x[i], x[i] + w[i], letters, x, w, size)]
    drop = np.isin(labels, wipe) | _attached(labels, letters, stats[1:], int(baseline))
    if not drop.any():
        return crop
    out = crop.copy()
    out[drop] = np.median(crop.reshape(-1, 3), axis=0).astype(crop.dtype)
    return out


def _attached(labels: np.ndarray, letters: np.ndarray, stats: np.ndarray,
              baseline: int) -> np.ndarray:
    """The underlines grown into their letter (subpixel or hinted text joins them by a
    faint pixel: "Eind" for an underlined "Find"): a letter's ink at most 3 rows below
    the baseline whose lowest rows are straight runs reaching past the letter's sides
    (those rows are wiped: a "Q"'s tail above them stays). A "g" or "p" ends no wider than
    it is (a curve, a stem, a small font's flat foot)."""
    out = np.zeros(labels.shape, bool)
    for i in np.flatnonzero(letters):
        x, y, w, h = stats[i, :4]
        if not 1 <= y + h - baseline <= 3 or y >= baseline:
            continue
        mine = labels[y:y + h, x:x + w] == i + 1
        above = np.flatnonzero(mine[:baseline - y].any(axis=0))
        for row in range(h - 1, max(baseline - y, h - 3) - 1, -1):   # 1 or 2 px thick
            if not _past_sides(np.flatnonzero(mine[row]), above):
                break
            out[y + row, x:x + w] |= mine[row]
    return out


def _past_sides(cols: np.ndarray, letter: np.ndarray) -> bool:
    """Whether ink columns ``cols`` are one straight run reaching past a letter's sides."""
    return cols.size >= 4 and cols[-1] - cols[0] + 1 == cols.size and letter.size > 0 \
        and cols[0] <= letter[0] and cols[-1] >= letter[-1] and cols.size > letter.size


def _under_word(x1: int, x2: int, letters: np.ndarray, x: np.ndarray, w: np.ndarray,
                size: float) -> bool:
    """Whether a stroke from ``x1`` to ``x2`` lies mostly under one letter-sized piece (an
    underscore lies between letters) with another within a letter's height beside it (a word; a
    toolbar glyph's underline or an icon's foot has none)."""
    above = letters & (np.minimum(x + w, x2) - np.maximum(x, x1) >= 0.6 * (x2 - x1))
    near = letters & (x < x2 + size) & (x + w > x1 - size)
    return bool(above.any()) and near.sum() >= 2 and x2 - x1 <= 2 * size


def _tight(rgb: np.ndarray, b: Box) -> Box:
    """``b`` cut down to its ink rows and a fifth of their height around them, when it is
    more than ``TALL`` times as tall as they are (a menu row's box grown by an icon, or a
    highlight): the recognizer reads text best at its usual share of the crop's height."""
    rows = ink_rows(rgb, b)
    if rows is None or rows[1] - rows[0] < 6 or b.height <= TALL * (rows[1] - rows[0]):
        return b
    pad = round(0.2 * (rows[1] - rows[0]))
    return Box(b.x1, max(b.y1, rows[0] - pad), b.x2, min(b.y2, rows[1] + pad))


def _boxes_from_prob(prob: np.ndarray, sx: float, sy: float, cfg: OcrConfig,
                     offset: tuple[int, int]) -> list[Box]:
    """DB post-processing: threshold, components, unclip, scale back to image pixels."""
    mask = cv2.dilate((prob > cfg.det_thresh).astype(np.uint8), np.ones((2, 2), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    boxes: list[Box] = []
    for x, y, w, h, _area in stats[1:n]:
        if min(w, h) < 3 or _box_score(prob, mask, x, y, w, h) < cfg.box_thresh:
            continue
        grow = 0.4 * min(w, h)  # DB shrinks text regions; unclip them back
        boxes.append(Box(offset[0] + max(0, round((x - grow) * sx)),
                         offset[1] + max(0, round((y - grow) * sy)),
                         offset[0] + round((x + w + grow) * sx),
                         offset[1] + round((y + h + grow) * sy)))
    return boxes


def _box_score(prob: np.ndarray, mask: np.ndarray, x: int, y: int, w: int, h: int) -> float:
    region = mask[y:y + h, x:x + w].astype(bool)
    values: Any = prob[y:y + h, x:x + w][region]
    return float(values.mean()) if values.size else 0.0
