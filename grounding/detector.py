"""Element detector: classic OpenCV proposals + the project's small kind classifier (ONNX).

Proposals are connected components of the edge map, dilated with a few
kernels so that letters join into words and lines and an icon's parts into
one icon, plus the faint outlines of flat regions (pale filled fields). Each
proposal crop (with context) and its box shape go through
``grounding/models/detector.onnx`` (trained by ``python -m grounding.train.detector``),
which answers one of the model's kinds or ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from devices.geometry import Box
from grounding.errors import ImageError
from grounding.icons import meta_list, open_model

WORK_SIDE = 1280            # the longer side proposals are computed at
CROP_W, CROP_H = 48, 24     # classifier input, pixels
KERNELS = ((3, 3), (7, 3), (15, 5), (9, 9))   # letters -> words -> lines; icon parts
MIN_SIDE, MAX_FRACTION = 5, 0.6
REGION_MIN_SIDE = 12        # faint-region boxes smaller than this are letters or noise
NONE = "none"


@dataclass(frozen=True, slots=True)
class Detection:
    """One detected element in the input image's pixels."""

    box: Box
    kind: str
    score: float


def working_image(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The image scaled so its longer side is at most WORK_SIDE, and that scale."""
    if image.ndim != 3 or image.shape[2] < 3 or image.dtype != np.uint8:
        raise ImageError(f"detector needs an RGB uint8 HxWx3 image, got {image.shape} "
                         f"{image.dtype}")
    scale = min(1.0, WORK_SIDE / max(image.shape[:2]))
    if scale < 1.0:
        size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
        image = cv2.resize(image[:, :, :3], size, interpolation=cv2.INTER_LINEAR)
    return np.ascontiguousarray(image[:, :, :3]), scale


def edge_map(image: np.ndarray) -> np.ndarray:
    """Edges of the luminance OR-ed with edges of the saturation (colour on colour)."""
    gray = cv2.Canny(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), 40, 120)
    sat = cv2.Canny(np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_RGB2HSV)[:, :, 1]), 60, 160)
    edges: np.ndarray = cv2.bitwise_or(gray, sat)
    return edges


def _outer_boxes(mask: np.ndarray) -> np.ndarray:
    """Bounding boxes (x, y, w, h) of every connected blob (outer contours, nested ones too)."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return np.zeros((0, 4), np.int32)
    return np.array([cv2.boundingRect(c) for c, h in zip(contours, hierarchy[0], strict=True)
                     if h[3] < 0], np.int32).reshape(-1, 4)


def _region_edges(image: np.ndarray) -> np.ndarray:
    """Faint edges of flat regions (filled fields, pale cards), noise and letters smoothed away."""
    smooth = cv2.medianBlur(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), 5)
    return cv2.dilate(cv2.Canny(smooth, 12, 36), np.ones((3, 3), np.uint8))


def _corners(stats: np.ndarray, kw: int, kh: int) -> np.ndarray:
    """(x, y, w, h) of dilated blobs -> (x1, y1, x2, y2) with the dilation taken back."""
    return np.stack([stats[:, 0] + kw // 2, stats[:, 1] + kh // 2,
                     stats[:, 0] + stats[:, 2] - kw // 2, stats[:, 1] + stats[:, 3] - kh // 2],
                    axis=1)


def proposals(image: np.ndarray) -> np.ndarray:
    """Candidate boxes (N x 4 int32: x1, y1, x2, y2) in ``image`` pixels."""
    edges = edge_map(image)
    h, w = edges.shape
    found = [_corners(_outer_boxes(cv2.dilate(edges, np.ones((kh, kw), np.uint8))), kw, kh)
             for kw, kh in KERNELS]
    regions = _corners(_outer_boxes(_region_edges(image)), 3, 3)
    sides = np.minimum(regions[:, 2] - regions[:, 0], regions[:, 3] - regions[:, 1])
    found.append(regions[sides >= REGION_MIN_SIDE])
    boxes = np.concatenate(found).astype(np.int32)
    bw, bh = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    keep = ((bw >= MIN_SIDE) | (bh >= MIN_SIDE)) & (bw >= 2) & (bh >= 2)
    keep &= (bw * bh <= MAX_FRACTION * w * h) & (bw / np.maximum(bh, 1) < 40)
    return np.unique(boxes[keep] // 3 * 3, axis=0)


def crops(image: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Classifier inputs: (N,3,CROP_H,CROP_W) crops with context and (N,4) box features."""
    h, w = image.shape[:2]
    pad = max(h, w) // 8
    padded = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    out = np.empty((len(boxes), CROP_H, CROP_W, 3), np.uint8)
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        m = max(2, int(0.15 * min(x2 - x1, y2 - y1)))
        tile = padded[y1 - m + pad:y2 + m + pad, x1 - m + pad:x2 + m + pad]
        out[i] = cv2.resize(tile, (CROP_W, CROP_H), interpolation=cv2.INTER_AREA)
    return out.transpose(0, 3, 1, 2).astype(np.float32) / 255.0, box_features(boxes, w, h)


def box_features(boxes: np.ndarray, w: int, h: int) -> np.ndarray:
    """Shape and place of each box: log aspect, log relative width/height, vertical position."""
    side = float(min(w, h))
    bw = np.maximum(boxes[:, 2] - boxes[:, 0], 1).astype(np.float32)
    bh = np.maximum(boxes[:, 3] - boxes[:, 1], 1).astype(np.float32)
    return np.stack([np.log(bw / bh) / 3, np.log(bw / side * 20) / 3,
                     np.log(bh / side * 20) / 3, (boxes[:, 1] + boxes[:, 3]) / (2 * h)],
                    axis=1).astype(np.float32)


def nms(boxes: np.ndarray, scores: np.ndarray, kinds: np.ndarray, iou: float = 0.5,
        inside: float = 0.8) -> list[int]:
    """Greedy suppression of overlaps above ``iou`` and of same-kind boxes inside a better one."""
    order = list(np.argsort(-scores))
    area = np.maximum((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), 1)
    keep: list[int] = []
    while order:
        i = int(order.pop(0))
        keep.append(i)
        rest = np.asarray(order, dtype=np.int64)
        if not len(rest):
            break
        ix = np.minimum(boxes[rest, 2], boxes[i, 2]) - np.maximum(boxes[rest, 0], boxes[i, 0])
        iy = np.minimum(boxes[rest, 3], boxes[i, 3]) - np.maximum(boxes[rest, 1], boxes[i, 1])
        inter = np.clip(ix, 0, None) * np.clip(iy, 0, None)
        drop = inter / (area[rest] + area[i] - inter) > iou
        drop |= (kinds[rest] == kinds[i]) & (inter / area[rest] > inside)
        order = [int(r) for r in rest[~drop]]
    return keep


class Detector:
    """Proposals + kind classifier; ``detect`` answers elements in the input's pixels."""

    def __init__(self, model_path: Path | None = None, min_score: float = 0.5):
        self._session, meta = open_model(model_path, "detector.onnx")
        self.kinds: list[str] = meta_list(meta, "kinds")
        self.min_score = min_score

    def classify(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """Kind probabilities (N x kinds) of ``boxes`` on a working-scale image."""
        if not len(boxes):
            return np.zeros((0, len(self.kinds)), np.float32)
        x, g = crops(image, boxes)
        probs: np.ndarray = self._session.run(None, {"crop": x, "geom": g})[0]
        return probs

    def detect(self, image: np.ndarray, region: Box | None = None) -> list[Detection]:
        """Elements on an RGB uint8 HxWx3 screenshot, best first after NMS.

        ``region`` limits the search to part of the screen (a changed area) while
        sizes are still judged against the whole screen: pass the full frame and a
        region rather than a cropped image.
        """
        small, scale = working_image(image)
        boxes = proposals(small) if region is None else self._proposals_in(small, region, scale)
        probs = self.classify(small, boxes)
        none = self.kinds.index(NONE)
        probs[:, none] = 0
        best, score = probs.argmax(axis=1), probs.max(axis=1)
        sel = np.nonzero(score >= self.min_score)[0]
        keep = sel[nms(boxes[sel], score[sel], best[sel])] if len(sel) else sel
        return [Detection(self._to_input(boxes[i], scale, image.shape), self.kinds[best[i]],
                          float(score[i])) for i in keep]

    @staticmethod
    def _proposals_in(small: np.ndarray, region: Box, scale: float) -> np.ndarray:
        h, w = small.shape[:2]
        x1 = min(w - 1, max(0, int(region.x1 * scale)))
        y1 = min(h - 1, max(0, int(region.y1 * scale)))
        x2 = max(x1 + 1, min(w, round(region.x2 * scale)))
        y2 = max(y1 + 1, min(h, round(region.y2 * scale)))
        boxes = proposals(np.ascontiguousarray(small[y1:y2, x1:x2]))
        return boxes + np.array([x1, y1, x1, y1], np.int32)

    @staticmethod
    def _to_input(b: np.ndarray, scale: float, shape: tuple[int, ...]) -> Box:
        h, w = shape[:2]
        return Box(max(0, int(b[0] / scale)), max(0, int(b[1] / scale)),
                   min(w, round(b[2] / scale)), min(h, round(b[3] / scale)))
