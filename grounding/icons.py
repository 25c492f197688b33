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
import yaml

from grounding.errors import GroundingError, ImageError
from grounding.runtime import session

MODELS = Path(__file__).parent / "models"
ICON_SIZE = 32
MAX_CROP = 96   # larger crops are shrunk first: same result, a fraction of the work


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
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise GroundingError(f"{path.name} is not valid YAML: {exc}") from exc
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

    def classify(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Each RGB uint8 crop -> (label, probability); ``other`` when it is no known icon."""
        if not crops:
            return []
        batch = np.stack([preprocess(c) for c in crops])[:, None]
        probs = self._session.run(None, {self._input: batch})[0]
        best = probs.argmax(axis=1)
        return [(self.labels[i], float(probs[n, i])) for n, i in enumerate(best)]
