"""``perceive(observation) -> Screen``: what is on the screen, as numbered elements.

A ``Perceiver`` loads its models once and keeps the last frame of a run:
the next frame re-runs text detection only on the tiles that changed and
reuses the rest (recognition of unchanged line crops is cached too).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from devices.base import Observation
from devices.geometry import Box, ScreenGeometry
from grounding.a11y import Node, parse_uiautomator, useful
from grounding.errors import ModelMissing
from grounding.faint import line_box, text_rows, worded
from grounding.fuse import Detection, Sources, fuse
from grounding.images import as_observation
from grounding.images import load_image as load_image  # where callers have read it from
from grounding.keypad import keypad_keys
from grounding.labels import LINE_H, LabelReader, empty_regions, glyphs, merge, unread
from grounding.ocr import Ocr, OcrConfig, TextBox, icon_run, rule_split
from grounding.proposals import button_frames, icon_blobs
from grounding.text import similarity
from grounding.types import Element, Screen


@dataclass(frozen=True, slots=True)
class PerceiveConfig:
    """Which sources run and how; ``use_detector=None`` means "when its model ships"."""

    ocr: OcrConfig = field(default_factory=OcrConfig)
    use_ocr: bool = True
    use_a11y: bool = True
    use_detector: bool | None = None
    proposals: bool = True
    short_labels: bool = True         # read the glyphs of buttons the text detector skipped
    second_look: bool = True          # read faint text rows the text detector passed over
    incremental: bool = True
    tile: int = 32
    full_redo_fraction: float = 0.5   # above this changed share, redo the whole frame
    hires_side: int = 2400            # landscape screens this wide can be ``refine``d
    a11y_spot_check: int = 4          # lines the tree names: read this many, trust the rest
    detector_with_tree: bool = False  # run the element detector even when a tree is given
    min_text_dp: float = 11.0         # the smallest text phone apps draw, in dp
    det_text_px: float = 9.0          # ... detected at this height when the dpi is known


@dataclass(slots=True)
class _Frame:
    rgb: np.ndarray
    texts: list[TextBox]
    dets: list[Detection]
    blobs: list[Box]


class Perceiver:
    """Perception with models loaded once and an incremental cache across one run's frames."""

    def __init__(self, config: PerceiveConfig | None = None) -> None:
        self.config = config or PerceiveConfig()
        self.ocr = Ocr(self.config.ocr) if self.config.use_ocr else None
        self.detector, self.icons = _load_detector(self.config.use_detector)
        self.labels = LabelReader(self.config.ocr.threads, None if self.ocr is None or
                                  self.ocr.int8 else self.ocr.rec) \
            if self.config.use_ocr and self.config.short_labels else None
        self._last: _Frame | None = None
        self._nodes: list[Node] = []
        self._det_scale: float | None = None

    def reset(self) -> None:
        """Forget the previous frame and every cached reading (a new run): lines, short
        labels and icon names are computed afresh, as for a screen never seen."""
        self._last = None
        for part in (self.ocr, self.labels, self.icons):
            if part is not None:
                part.forget()

    def perceive(self, source: Observation | Image.Image | str | Path) -> Screen:
        """The elements of one frame; unchanged parts of the previous frame are reused."""
        obs = as_observation(source)
        rgb = np.asarray(obs.image if obs.image.mode == "RGB" else obs.image.convert("RGB"))
        self._nodes = self._tree_nodes(obs, rgb)
        self._det_scale = self._text_scale(obs.geometry)
        rects = self._changes(rgb)
        texts, dets = self._texts(rgb, rects), self._detections(rgb, rects)
        blobs = self._blobs(rgb, rects, texts)
        self._last = _Frame(rgb.copy(), texts, dets, blobs)
        return self._screen(obs, rgb, texts, dets, blobs)

    def refine(self, source: Observation | Image.Image | str | Path) -> Screen:
        """Re-read the dense regions of a large screen at full resolution (small text that
        the scaled-down first pass missed); what was read already is kept."""
        obs = as_observation(source)
        rgb = np.asarray(obs.image if obs.image.mode == "RGB" else obs.image.convert("RGB"))
        self._nodes = self._tree_nodes(obs, rgb)
        self._det_scale = self._text_scale(obs.geometry)
        last = self._last if self._last is not None and self._last.rgb.shape == rgb.shape \
            else None
        texts = last.texts if last is not None else self._texts(rgb, None)
        dets = last.dets if last is not None else self._detections(rgb, None)
        if self.ocr is not None:
            found = [b for r in dense_regions(rgb, self.config.ocr.det_max_side)
                     for b in self.ocr.detect(rgb[r.y1:r.y2, r.x1:r.x2], (r.x1, r.y1))]
            new = [b for b in merge_overlapping(found)
                   if not any(b.intersection(t.box) > 0.3 * b.area for t in texts)]
            texts = texts + self._read(rgb, new)
        blobs = self._blobs(rgb, None, texts)
        self._last = _Frame(rgb.copy(), texts, dets, blobs)
        return self._screen(obs, rgb, texts, dets, blobs)

    def can_refine(self, screen: Screen) -> bool:
        """Whether ``refine`` could see more: a landscape screen wider than ``hires_side``."""
        g = screen.geometry
        return self.ocr is not None and g.width >= self.config.hires_side and g.width > g.height

    def _text_scale(self, g: ScreenGeometry) -> float | None:
        """Text detection scale from the screen's density (Android dpi): the smallest text an
        app draws (``min_text_dp``) lands ``det_text_px`` tall; None (the default bounded
        scale) when the density is unknown or the default is smaller."""
        if not g.density:
            return None
        smallest = self.config.min_text_dp * g.density / 160
        default = self.config.ocr.det_max_side / max(g.width, g.height)
        return min(1.0, self.config.det_text_px / smallest) if \
            self.config.det_text_px / smallest < default else None

    def _tree_nodes(self, obs: Observation, rgb: np.ndarray) -> list[Node]:
        if not (self.config.use_a11y and obs.ui_tree):
            return []
        h, w = rgb.shape[:2]
        return [n for n in parse_uiautomator(obs.ui_tree) if useful(n, w, h)]

    def _screen(self, obs: Observation, rgb: np.ndarray, texts: list[TextBox],
                dets: list[Detection], blobs: list[Box]) -> Screen:
        legible, buttons = self._short_labels(rgb, _legible(texts), dets)
        src = Sources(nodes=self._nodes, texts=legible, detections=dets, blobs=blobs + buttons,
                      ocr_ran=self.ocr is not None)
        elements = fuse(src, rgb)
        self._label_icons(rgb, elements)
        keypad_keys(elements)
        return Screen(elements, obs.geometry, obs.image, obs.app, obs.activity)

    def _short_labels(self, rgb: np.ndarray, texts: list[TextBox],
                      dets: list[Detection]) -> tuple[list[TextBox], list[Box]]:
        """``texts`` with the labels read in the button-shaped regions where no text (or
        only a doubtful short reading) was found, and the small buttons whose ink is no
        label (icon candidates); see ``grounding.labels``."""
        if self.labels is None or self._nodes:
            return texts, []
        frames = button_frames(rgb) + [d.box for d in dets if d.kind == "button"]
        heights = [t.box.height for t in texts if t.text]
        line_h = float(np.median(heights)) if heights else LINE_H
        found = glyphs(rgb, empty_regions(frames, texts), line_h)
        if not found:
            return texts, []
        labels = self.labels.read(rgb, found, line_h)
        return merge(texts, labels), unread(found, labels, line_h, [d.box for d in dets])

    def _blobs(self, rgb: np.ndarray, rects: list[Box] | None,
               texts: list[TextBox]) -> list[Box]:
        """Icon-like blobs; on an incremental frame only the changed regions are searched."""
        if not self.config.proposals:
            return []
        boxes = [t.box for t in _legible(texts)]
        if rects is None or self._last is None:
            return icon_blobs(rgb, boxes) + _glyphs(texts)
        short = min(rgb.shape[:2])
        kept = [b for b in self._last.blobs if not any(b.intersection(r) for r in rects)]
        for r in rects:
            inside = [t for t in boxes if t.intersection(r)]
            kept += icon_blobs(rgb[r.y1:r.y2, r.x1:r.x2], inside, offset=(r.x1, r.y1),
                               short_side=short)
        return kept + [g for g in _glyphs(texts) if any(g.intersection(r) for r in rects)]

    def _changes(self, rgb: np.ndarray) -> list[Box] | None:
        """Regions that changed since the last frame; None when everything must be redone."""
        last = self._last
        if not self.config.incremental or last is None or last.rgb.shape != rgb.shape:
            return None
        rects = changed_regions(last.rgb, rgb, self.config.tile)
        h, w = rgb.shape[:2]
        if sum(r.area for r in rects) > self.config.full_redo_fraction * w * h:
            return None
        return [_grow(r, last.texts, w, h) for r in rects]

    def _texts(self, rgb: np.ndarray, rects: list[Box] | None) -> list[TextBox]:
        if self.ocr is None:
            return []
        if rects is None or self._last is None:
            texts = self._read(rgb, self.ocr.detect(rgb, scale=self._det_scale))
            return texts + self._second_look(rgb, texts)
        kept = [t for t in self._last.texts if not any(t.box.intersection(r) for r in rects)]
        boxes = [b for r in rects for b in self.ocr.detect(rgb[r.y1:r.y2, r.x1:r.x2],
                                                           (r.x1, r.y1), self._det_scale)]
        return kept + self._read(rgb, boxes)

    def _second_look(self, rgb: np.ndarray, texts: list[TextBox]) -> list[TextBox]:
        """Faint or small text rows the detector passed over, read directly (``faint``):
        only sure readings of words are kept."""
        assert self.ocr is not None
        if not self.config.second_look or self._nodes:
            return []
        h, w = rgb.shape[:2]
        rows = text_rows(rgb, [t.box for t in texts if t.text])
        lines = [line_box(r, h, w) for r in rows]
        return [t for t in self.ocr.recognize(rgb, lines)
                if worded(t.text, t.score, Box(t.box.x1, 0, t.box.x2, round(t.box.height / 1.4)))]

    def _detections(self, rgb: np.ndarray, rects: list[Box] | None) -> list[Detection]:
        if self.detector is None or (self._nodes and not self.config.detector_with_tree):
            return []  # the tree already names the controls
        if rects is None or self._last is None:
            return [Detection(d.box, d.kind, d.score) for d in self.detector.detect(rgb)]
        kept = [d for d in self._last.dets if not any(d.box.intersection(r) for r in rects)]
        for r in rects:  # the full frame plus a region: sizes are judged against the screen
            kept.extend(Detection(d.box, d.kind, d.score)
                        for d in self.detector.detect(rgb, region=r))
        return kept

    def _read(self, rgb: np.ndarray, boxes: list[Box]) -> list[TextBox]:
        """Recognized lines, plus each icon-sized box nothing could be read in (as empty
        text: ink the detector saw that is no word is likely an icon); a run of toolbar
        icons read as one line becomes one such empty box per icon (``ocr.icon_run``)."""
        read = [c for t in self._at_rules(rgb, self._recognize(rgb, boxes))
                for c in _icons_apart(rgb, t)]
        return read + [TextBox(b, "", 0.0) for b in boxes if b.width <= 2.5 * b.height
                       and not any(b.contains(t.box.center) for t in read)]

    def _at_rules(self, rgb: np.ndarray, read: list[TextBox]) -> list[TextBox]:
        """Phrases that cross a rule (a field's frame, a separator: "Sans | 10" read as
        "Sans10") read again as their pieces (``ocr.rule_split``)."""
        assert self.ocr is not None
        out: list[TextBox] = []
        for t in read:
            pieces = rule_split(rgb, t.box) if t.text else [t.box]
            out += self.ocr.recognize(rgb, pieces) if len(pieces) > 1 else [t]
        return out

    def _recognize(self, rgb: np.ndarray, boxes: list[Box]) -> list[TextBox]:
        """Recognize line boxes; lines inside tree nodes that name their text are only
        spot-checked, and all read when a spot check disagrees (a stale or wrong tree)."""
        assert self.ocr is not None
        leaves = [n for n in self._nodes if n.text and not n.has_children]
        k = self.config.a11y_spot_check
        if k <= 0 or not leaves:
            return self.ocr.recognize(rgb, boxes)
        owner = {i: n for i, b in enumerate(boxes) if (n := _leaf_at(leaves, b)) is not None}
        covered = sorted(owner, key=lambda i: -boxes[i].area)
        sample, unread = covered[:k], [boxes[i] for i in covered[k:]]
        read = self.ocr.recognize(rgb, [b for i, b in enumerate(boxes) if i not in owner]
                                  + [boxes[i] for i in sample])
        if not _agrees(read, [(boxes[i], owner[i].text) for i in sample]):
            return read + self.ocr.recognize(rgb, unread)
        return read + [TextBox(boxes[i], owner[i].text, 0.99) for i in covered[k:]]

    def _label_icons(self, rgb: np.ndarray, elements: list[Element]) -> None:
        if self.icons is not None:
            self.icons.label_elements(rgb, elements)


def _icons_apart(rgb: np.ndarray, t: TextBox) -> list[TextBox]:
    """``t``, or the icons of a toolbar run read as text, as unread (empty) text boxes."""
    cells = icon_run(rgb, t)
    return [TextBox(b, "", 0.0) for b in cells] if cells else [t]


def _glyphs(texts: list[TextBox]) -> list[Box]:
    """Ink OCR found but read as one character at best, not confidently: likely an icon."""
    return [t.box for t in texts if len(t.text) <= 1 and t.score < 0.8]


def _legible(texts: list[TextBox]) -> list[TextBox]:
    """Single characters count as text only when read confidently (else they are glyphs)."""
    return [t for t in texts if len(t.text) > 1 or t.score >= 0.8]


def _leaf_at(leaves: list[Node], box: Box) -> Node | None:
    holders = [n for n in leaves if n.box.contains(box.center)]
    return min(holders, key=lambda n: n.box.area) if holders else None


def _agrees(read: list[TextBox], checks: list[tuple[Box, str]]) -> bool:
    """Whether OCR read what the tree says in at least half of the checked lines."""
    good = 0
    for box, said in checks:
        seen = " ".join(t.text for t in read if box.contains(t.box.center))
        good += bool(seen) and max(similarity(said, seen), similarity(seen, said)) >= 0.35
    return 2 * good >= len(checks)


def _load_detector(flag: bool | None) -> tuple[Any, Any]:
    """The project's element detector and icon classifier: when asked for, or (flag None)
    when their model files ship; asked for but absent raises ModelMissing."""
    models = Path(__file__).parent / "models"
    out: list[Any] = []
    for module, cls, model in (("detector", "Detector", "detector.onnx"),
                               ("icons", "IconClassifier", "icons.onnx")):
        shipped = importlib.util.find_spec(f"grounding.{module}") is not None \
            and (models / model).is_file()
        if flag is False or (flag is None and not shipped):
            out.append(None)
            continue
        if importlib.util.find_spec(f"grounding.{module}") is None:
            raise ModelMissing(f"grounding.{module} is not installed; reinstall guiagent")
        out.append(getattr(importlib.import_module(f"grounding.{module}"), cls)())
    return out[0], out[1]


def changed_regions(a: np.ndarray, b: np.ndarray, tile: int, thresh: int = 12) -> list[Box]:
    """Boxes (in pixels) around groups of changed tiles between two same-sized frames."""
    h, w = a.shape[:2]
    th, tw = -(-h // tile), -(-w // tile)
    d0, d1, d2 = cv2.split(cv2.absdiff(a, b))
    _, mask = cv2.threshold(cv2.max(cv2.max(d0, d1), d2), thresh, 255, cv2.THRESH_BINARY)
    mask = cv2.dilate(mask, np.ones((5, 5), np.uint8))  # lone pixels survive the averaging
    padded = cv2.copyMakeBorder(mask, 0, th * tile - h, 0, tw * tile - w, cv2.BORDER_CONSTANT)
    grid = cv2.resize(padded, (tw, th), interpolation=cv2.INTER_AREA) > 0  # any pixel
    n, _, stats, _ = cv2.connectedComponentsWithStats(
        cv2.dilate(grid.astype(np.uint8), np.ones((3, 3), np.uint8)), connectivity=8)
    return [Box(int(x) * tile, int(y) * tile, min(w, int(x + bw) * tile),
                min(h, int(y + bh) * tile)) for x, y, bw, bh, _ in stats[1:n]]


def _grow(r: Box, texts: list[TextBox], w: int, h: int) -> Box:
    """Extend a changed region over the old text lines it cuts, plus a small margin."""
    for t in texts:
        if t.box.intersection(r):
            r = Box(min(r.x1, t.box.x1), min(r.y1, t.box.y1), max(r.x2, t.box.x2),
                    max(r.y2, t.box.y2))
    return Box(max(0, r.x1 - 8), max(0, r.y1 - 8), min(w, r.x2 + 8), min(h, r.y2 + 8))


def dense_regions(rgb: np.ndarray, side: int, min_edges: int = 30) -> list[Box]:
    """Overlapping tiles of about ``side`` pixels that hold any detail (skip empty areas)."""
    h, w = rgb.shape[:2]
    edges = cv2.Canny(cv2.cvtColor(np.ascontiguousarray(rgb[::2, ::2]), cv2.COLOR_RGB2GRAY),
                      50, 150)
    out: list[Box] = []
    step = side - side // 8
    for y in range(0, max(1, h - side // 8), step):
        for x in range(0, max(1, w - side // 8), step):
            r = Box(x, y, min(w, x + side), min(h, y + side))
            if cv2.countNonZero(edges[r.y1 // 2:r.y2 // 2, r.x1 // 2:r.x2 // 2]) >= min_edges:
                out.append(r)
    return out


def merge_overlapping(boxes: list[Box]) -> list[Box]:
    """Drop boxes mostly inside a bigger one (duplicates from overlapping tiles)."""
    kept: list[Box] = []
    for b in sorted(boxes, key=lambda b: -b.area):
        if not any(b.intersection(k) > 0.6 * b.area for k in kept):
            kept.append(b)
    return kept


_DEFAULT: Perceiver | None = None


def perceive(observation: Observation | Image.Image | str | Path) -> Screen:
    """Perceive with a process-wide default Perceiver (models loaded on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Perceiver()
    return _DEFAULT.perceive(observation)
