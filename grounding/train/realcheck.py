"""Check the shipped models on real Android screenshots (shared/data/android-screens).

    python -m grounding.train.realcheck --models grounding/models/

Icons: ImageButton/ImageView nodes whose content-desc names a known icon,
cropped at their view bounds. Detector: recall per kind of the views whose
class says their kind (the hierarchies omit decorations, so no precision).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np

from grounding.detector import Detector
from grounding.icons import IconClassifier
from grounding.train import evaluate

# content-desc pattern -> icon label
# Android labels both the up arrow and a drawer toggle "Navigate up": either is right.
DESC_LABEL = ((r"navigate up", "back|menu"), (r"^back$", "back"), (r"more options", "more"),
              (r"dismiss|^close", "close"), (r"voice search", "mic"), (r"search", "search"),
              (r"refresh", "refresh"), (r"filter", "filter"), (r"^share", "share"),
              (r"open navigation drawer|^menu", "menu"), (r"settings$", "settings"))


def desc_label(desc: str) -> str | None:
    for pattern, label in DESC_LABEL:
        if re.search(pattern, desc, re.IGNORECASE):
            return label
    return None


def real_icons() -> list[tuple[str, str, np.ndarray]]:
    """(screen, expected label, crop) for every labelled icon-sized real view."""
    out = []
    for name, img, nodes in evaluate.real_screens():
        for n in nodes:
            x1, y1, x2, y2 = n["box"]
            label = desc_label(n["label"])
            if label and max(x2 - x1, y2 - y1) <= 0.2 * img.shape[1]:
                out.append((name, label, img[y1:y2, x1:x2]))
    return out


def check_icons(model: Path) -> float:
    clf = IconClassifier(model)
    items = real_icons()
    got = clf.classify([c for _, _, c in items])
    hits = 0
    for (name, want, _), (label, score) in zip(items, got, strict=True):
        hits += label in want.split("|")
        print(f"  {name:32s} want {want:9s} got {label:9s} {score:.2f}")
    acc = hits / max(1, len(items))
    print(f"real icons: {hits}/{len(items)} correct ({acc:.2f})")
    return acc


def check_detector(model: Path, web: bool = False) -> dict[str, dict[str, float]]:
    det, counts = Detector(model), [evaluate.Counter[str]() for _ in range(4)]
    for _, img, nodes in evaluate.web_screens() if web else evaluate.real_screens():
        truth = [(n["box"], n["kind"]) for n in nodes if n["kind"]]
        pred = [((d.box.x1, d.box.y1, d.box.x2, d.box.y2), d.kind) for d in det.detect(img)]
        tp, _, ntrue, _ = evaluate.match(pred, truth)
        hit, _ = evaluate.centre_hits(pred, truth)
        for acc, c in zip(counts, (tp, ntrue, hit), strict=False):
            acc.update(c)
    tp, ntrue, hit = counts[:3]
    report = {k: {"iou_recall": round(tp[k] / n, 3), "centre_recall": round(hit[k] / n, 3),
                  "n": n} for k, n in sorted(ntrue.items())}
    print(f"real {'web pages' if web else 'android screens'}, detector recall by kind:",
          report)
    return report


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--models", type=Path, default=Path(__file__).parents[1] / "models")
    args = ap.parse_args(argv)
    check_icons(args.models / "icons.onnx")
    check_detector(args.models / "detector.onnx")
    check_detector(args.models / "detector.onnx", web=True)


if __name__ == "__main__":
    main()
