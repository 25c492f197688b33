"""Icon classifier: what an icon-sized crop shows (search, back, more, ...) or ``other``.

The model is the project's own (``grounding/models/icons.onnx``, trained by
``python -m grounding.train.icons``); its labels travel in the ONNX metadata.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from grounding import tables
from grounding.errors import GroundingError, ImageError
from grounding.pixelcache import PixelCache, pixel_key
from grounding.runtime import session
from grounding.types import Element

MODELS = Path(__file__).parent / "models"
ICON_SIZE = 32
CACHE_SIZE = 4096  # classified crops remembered across frames
MAX_CROP = 96   # larger crops are shrunk first: same result, a fraction of the work
MIN_PROB = 0.5  # below this an icon keeps no label
GLYPH_PROB = 0.8  # a one-character OCR reading becomes an icon only above this
THEME_SCORE, THEME_GLYPH = 0.95, 0.98  # matches to the installed icon theme taken above these
NO_LABEL = ("", "other")


def open_model(model_path: Path | None, default: str) -> tuple[Any, dict[str, str]]:
    """An onnxruntime session for a packaged (or given) model and its metadata map."""
    sess = session(model_path or MODELS / default)
    return sess, dict(sess.get_modelmeta().custom_metadata_map)


def meta_list(meta: dict[str, str], key: str) -> list[str]:
    """A JSON list stored under ``key`` in a model's metadata."""
    try:
        value = json.loads(meta[key])
    except (KeyError, ValueError) as exc:
        raise GroundingError(f"model metadata has no valid {key!r}") from exc
    return [str(v) for v in value]


def load_aliases(path: Path) -> dict[str, list[str]]:
    """What people call each label (``{"more": ["three dots", ...]}``); empty if no file."""
    if not path.is_file():
        return {}
    raw = tables.load(path) or {}
    return {str(k): [str(v) for v in vs or []] for k, vs in raw.items()}


def _rgb(crop: np.ndarray) -> np.ndarray:
    if crop.ndim != 3 or crop.shape[2] not in (3, 4) or min(crop.shape[:2]) < 2:
        raise ImageError(f"icon crop must be an RGB image of at least 2x2, got {crop.shape}")
    return crop[:, :, :3].astype(np.float32)


def _shrunk(crop: np.ndarray) -> np.ndarray:
    side = max(crop.shape[:2])
    if side <= MAX_CROP or crop.ndim != 3:
        return crop
    f = MAX_CROP / side
    size = (max(2, round(crop.shape[1] * f)), max(2, round(crop.shape[0] * f)))
    return cv2.resize(np.ascontiguousarray(crop[:, :, :3]), size, interpolation=cv2.INTER_AREA)


def _square(box: tuple[int, int, int, int], margin: float) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    side = max(x2 - x1, y2 - y1) * (1 + 2 * margin)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2),
            round(cy + side / 2))


def preprocess(crop: np.ndarray, size: int = ICON_SIZE) -> np.ndarray:
    """RGB crop -> size x size float32 "distance from background", tight on the foreground.

    Colour- and polarity-free, and scale-free: the same icon on a dark or a
    light theme, tight or padded, gives the same input.
    """
    img = _rgb(_shrunk(crop))
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    diff = np.abs(img - np.median(border, axis=0))
    dist = np.maximum(np.maximum(diff[:, :, 0], diff[:, :, 1]), diff[:, :, 2])  # fast max
    ys, xs = np.nonzero(dist > max(0.3 * float(dist.max()), 12.0))
    box = (0, 0, img.shape[1], img.shape[0])
    if len(xs):
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    x1, y1, x2, y2 = _square(box, 0.08)
    pad = max(0, -x1, -y1, x2 - img.shape[1], y2 - img.shape[0])
    dist = np.pad(dist, pad)
    tile = dist[y1 + pad:y2 + pad, x1 + pad:x2 + pad]
    tile = cv2.resize(tile, (size, size), interpolation=cv2.INTER_AREA)
    return (tile / max(float(tile.max()), 1.0)).astype(np.float32)


class IconClassifier:
    """Batched icon classification with the packaged ONNX model."""

    def __init__(self, model_path: Path | None = None):
        self._session, meta = open_model(model_path, "icons.onnx")
        self.labels: list[str] = meta_list(meta, "labels")
        self.aliases: dict[str, list[str]] = load_aliases(
            (model_path or MODELS / "icons.onnx").with_suffix(".aliases.yaml"))
        self._input = self._session.get_inputs()[0].name
        self._seen: PixelCache[tuple[str, float]] = PixelCache(CACHE_SIZE)

    def classify(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Each RGB uint8 crop -> (label, probability); ``other`` when it is no known icon.
        Crops classified before (same pixels, e.g. the unchanged part of the last frame)
        are answered from a cache."""
        keys = [pixel_key(c) for c in crops]
        todo = [i for i, k in enumerate(keys) if k not in self._seen]
        if todo:
            batch = np.stack([preprocess(crops[i]) for i in todo])[:, None]
            probs = self._session.run(None, {self._input: batch})[0]
            for n, i in enumerate(todo):
                best = int(probs[n].argmax())
                self._seen.put(keys[i], (self.labels[best], float(probs[n, best])))
        return [self._seen[k] for k in keys]

    def forget(self) -> None:
        """Drop the remembered classifications (a new run)."""
        self._seen.clear()

    def label_elements(self, rgb: np.ndarray, elements: list[Element]) -> None:
        """Name, in place and in one batch, the nameless icons of a perceived screen and the
        glyphs OCR read as one character; then the window controls by their place."""
        todo = [e for e in elements if _unnamed_icon(e) or _glyph_text(e)]
        crops = [_padded(rgb, e) for e in todo]
        classes = self.classify(crops) if crops else []
        for e, (label, prob), theme in zip(todo, classes, theme_names(crops), strict=True):
            if theme[1] >= (THEME_GLYPH if e.kind == "text" else THEME_SCORE):
                label, prob = theme[0], 1.0
            if label in NO_LABEL or prob < (GLYPH_PROB if e.kind == "text" else MIN_PROB):
                continue
            e.label, e.kind = label.replace("_", " "), "icon"
            e.source = "proposal" if e.source == "ocr" else e.source
        h, w = rgb.shape[:2]
        if w > h:
            name_window_controls(elements, w, h)


def theme_names(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Each crop's closest icon of the installed icon theme and its score (grounding/
    themeicons.py); ("", 0) for all when no theme is installed."""
    from grounding import themeicons

    index = themeicons.installed() if crops else None
    return index.match(crops) if index is not None else [("", 0.0)] * len(crops)


def _padded(rgb: np.ndarray, e: Element) -> np.ndarray:
    """The element's crop with a margin: detector boxes often clip a glyph's edges, and
    ``preprocess`` needs background at the border."""
    m = max(2, round(0.15 * max(e.box.width, e.box.height)))
    h, w = rgb.shape[:2]
    return rgb[max(0, e.box.y1 - m):min(h, e.box.y2 + m), max(0, e.box.x1 - m):min(w, e.box.x2 + m)]


def _unnamed_icon(e: Element) -> bool:
    """An icon with no name, or only a character or two OCR read into it ("00" scissors)."""
    junk = len(e.text.strip()) <= 2 and e.source != "a11y"
    return e.kind in ("icon", "image") and not e.label and (not e.text or junk)


def _glyph_text(e: Element) -> bool:
    """One character OCR read in a roughly square box: often an icon it took for a letter."""
    return e.kind == "text" and e.source == "ocr" and len(e.text.strip()) == 1 \
        and e.box.width <= 1.5 * e.box.height and e.box.height <= 1.5 * e.box.width


# What the buttons left of a title bar's close button look like, by the classifier.
_CONTROL_LOOKS = {"", "remove", "maximize", "stop", "copy", "fullscreen exit"}


def name_window_controls(elements: list[Element], width: int, height: int) -> None:
    """Desktop title bars end in [minimize] [maximize] [close] at the top right: name the
    nameless (or minus/square-looking) glyphs just left of a close button there (or of
    the last glyph at the screen's right edge, when the window runs past it)."""
    bar = [e for e in elements if e.center.y < 0.1 * height and e.center.x > 0.75 * width
           and (e.kind in ("icon", "image", "button") and not e.text or _glyph_text(e))]
    anchors = [e for e in bar if e.label == "close"]
    if not anchors and bar:
        last = max(bar, key=lambda e: e.box.x2)
        anchors = [last] if last.box.x2 >= 0.98 * width else []
    for anchor in anchors:
        row = sorted((e for e in bar if e is not anchor and e.center.x <= anchor.center.x
                      and abs(e.center.y - anchor.center.y) <= max(6, anchor.box.height // 2)),
                     key=lambda e: -e.center.x)
        _name_row(row, anchor, width)


def _name_row(row: list[Element], anchor: Element, width: int) -> None:
    """Walk left from the anchor; a button and its glyph (same x) are one control."""
    x, name, left = anchor.center.x, "", ["maximize", "minimize"]
    for e in row:
        if x - e.center.x <= 0.01 * width:  # the same control as the last one
            if e.label in _CONTROL_LOOKS and name:
                _name(e, name)
            continue
        if x - e.center.x > 0.05 * width or e.label not in _CONTROL_LOOKS or not left:
            return
        name = "minimize" if e.label == "remove" else left[0]
        left = left[left.index(name) + 1:]
        _name(e, name)
        x = e.center.x


def _name(e: Element, label: str) -> None:
    e.label, e.kind = label, "icon"
    e.source = "proposal" if e.source == "ocr" else e.source
