"""Detection metrics (IoU >= 0.5, same kind) and the real-screenshot ground truth."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

Box4 = tuple[int, int, int, int]
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
DATA = SHARED / "android-screens"
WEB_KIND = {"TEXT Node": "text", "BUTTON Node": "button", "FORM_ITEM Node": "input"}
CLASS_KIND = (("Switch", "toggle"), ("ToggleButton", "toggle"), ("CheckBox", "checkbox"),
              ("RadioButton", "checkbox"), ("SeekBar", "slider"), ("EditText", "input"),
              ("ImageButton", "icon"), ("Button", "button"), ("ImageView", "icon"),
              ("TextView", "text"))


def iou(a: Box4, b: Box4) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _centre_in(a: Box4, b: Box4) -> bool:
    cx, cy = (a[0] + a[2]) / 2, (a[1] + a[3]) / 2
    return b[0] <= cx < b[2] and b[1] <= cy < b[3]


def centre_hits(pred: list[tuple[Box4, str]], truth: list[tuple[Box4, str]]
                ) -> tuple[Counter[str], Counter[str]]:
    """Per kind: ground truths with a same-kind detection whose centre and theirs lie in
    each other's box (what a tap needs, whatever the padding), and ground truths."""
    hit, total = Counter[str](), Counter[str]()
    for box, kind in truth:
        total[kind] += 1
        hit[kind] += any(k == kind and _centre_in(b, box) and _centre_in(box, b)
                         for b, k in pred)
    return hit, total


def match(pred: list[tuple[Box4, str]], truth: list[tuple[Box4, str]], thr: float = 0.5
          ) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str]]:
    """Per kind: true positives, predictions, ground truths, ground truths found with any kind."""
    tp, npred, ntrue, anykind = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    for k in (k for _, k in pred):
        npred[k] += 1
    for box, kind in truth:
        ntrue[kind] += 1
        best = [k for b, k in pred if iou(box, b) >= thr]
        anykind[kind] += bool(best)
        tp[kind] += kind in best
    return tp, npred, ntrue, anykind


def report(results: Iterable[tuple[Counter[str], ...]]) -> dict[str, dict[str, float]]:
    """Recall and precision per kind, summed over screens."""
    tot: list[Counter[str]] = [Counter(), Counter(), Counter(), Counter()]
    for r in results:
        for acc, c in zip(tot, r, strict=True):
            acc.update(c)
    tp, npred, ntrue, anykind = tot
    return {k: {"recall": round(tp[k] / ntrue[k], 3) if ntrue[k] else 0.0,
                "precision": round(tp[k] / npred[k], 3) if npred[k] else 0.0,
                "localised": round(anykind[k] / ntrue[k], 3) if ntrue[k] else 0.0,
                "n": ntrue[k]} for k in sorted(ntrue | npred)}


def _kind(node: dict[str, object]) -> str | None:
    cls = str(node.get("class") or "")
    for name, kind in CLASS_KIND:
        if cls.endswith(name):
            if kind == "text" and not node.get("text"):
                return None
            return kind
    return None


def _views(path: Path) -> list[dict[str, object]]:
    raw = json.loads(path.read_text())
    if "views" in raw:
        return list(raw["views"])
    out, stack = [], [raw.get("activity", {}).get("root", raw)]
    while stack:
        node = stack.pop()
        out.append(node)
        stack += node.get("children", []) or []
    return out


def _bounds(node: dict[str, object], sx: float, sy: float) -> Box4 | None:
    b = node.get("bounds")
    if not b:
        return None
    flat = [v for p in b for v in p] if isinstance(b[0], list) else list(b)  # type: ignore
    box = (int(flat[0] * sx), int(flat[1] * sy), int(flat[2] * sx), int(flat[3] * sy))
    return box if box[2] - box[0] >= 4 and box[3] - box[1] >= 4 else None


def real_screens() -> Iterator[tuple[str, np.ndarray, list[dict[str, Any]]]]:
    """(name, RGB image, nodes with 'box', 'kind', 'label') for each real screen."""
    with open(DATA / "manifest.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        sx, sy = float(row["bounds_scale_x"]), float(row["bounds_scale_y"])
        row_w = int(row["image_w"])
        nodes: list[dict[str, Any]] = []
        for v in _views(DATA / row["hierarchy"]):
            box = _bounds(v, sx, sy)
            if box and v.get("visible", True) is not False:
                label = v.get("content_description") or v.get("content-desc") or ""
                kind = _kind(v)
                if kind == "icon" and max(box[2] - box[0], box[3] - box[1]) > 0.15 * row_w:
                    kind = "image"
                nodes.append({"box": box, "kind": kind, "label": str(label or "")})
        yield row["name"], np.asarray(Image.open(DATA / row["image"]).convert("RGB")), nodes


def _web_kind(node: dict[str, Any], side: int) -> str | None:
    kind = node.get("attributes", {}).get("nodeType", "")
    if kind == "IMG Node":
        r = node["rect"]
        return "icon" if max(r["width"], r["height"]) <= 0.06 * side else "image"
    return WEB_KIND.get(kind)


def web_screens() -> Iterator[tuple[str, np.ndarray, list[dict[str, Any]]]]:
    """(name, RGB image, nodes with 'box' and 'kind') for each real web page."""
    for folder in sorted(p for p in (SHARED / "web-pages").iterdir() if p.is_dir()):
        img = np.asarray(Image.open(folder / "screenshot.png").convert("RGB"))
        nodes = []
        for n in json.loads((folder / "elements.json").read_text()):
            r = n["rect"]
            box = (int(r["left"]), int(r["top"]), int(r["left"] + r["width"]),
                   int(r["top"] + r["height"]))
            nodes.append({"box": box, "kind": _web_kind(n, min(img.shape[:2])), "label": ""})
        yield folder.name, img, nodes
