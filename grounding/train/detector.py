"""Train the element-kind classifier.

    python -m grounding.train.detector --out grounding/models/


Proposals come from the runtime's own ``grounding.detector.proposals`` on
synthetic screens, labelled by IoU with the drawn elements, so the model
learns the proposal distribution it will meet.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from PIL import Image

from grounding import detector as rt
from grounding.train import evaluate, screens
from grounding.train.loop import export, predict, seed_everything, train
from grounding.train.nets import KindNet

NONE_PER_POSITIVE = 1.5
UPSCALED = 0.4


def _scaled(b: screens.Box4, f: float) -> screens.Box4:
    return round(b[0] * f), round(b[1] * f), round(b[2] * f), round(b[3] * f)


def _box4(b: np.ndarray) -> screens.Box4:
    return int(b[0]), int(b[1]), int(b[2]), int(b[3])


def _labels(boxes: np.ndarray, truth: list[tuple[screens.Box4, str]]) -> np.ndarray:
    """Kind index per proposal; -1 where the overlap is ambiguous (0.3..0.5)."""
    out = np.zeros(len(boxes), np.int64)
    for i, b in enumerate(boxes):
        best, kind = 0.0, "none"
        for t, k in truth:
            o = evaluate.iou(_box4(b), t)
            if o > best:
                best, kind = o, k
        out[i] = screens.KINDS.index(kind) if best >= 0.5 else (-1 if best >= 0.3 else 0)
    return out


def _jittered(truth: list[tuple[screens.Box4, str]], rng: np.random.Generator) -> np.ndarray:
    boxes = np.array([b for b, _ in truth], np.float32).reshape(-1, 4)
    wh = np.repeat(boxes[:, 2:] - boxes[:, :2], 2, axis=0).reshape(-1, 4)
    return np.round(boxes + rng.uniform(-0.08, 0.08, boxes.shape) * wh).astype(np.int32)


def screen_samples(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crops, box features and kinds from one synthetic screen."""
    img, truth = screens.screen(rng)
    f = float(rng.uniform(1.4, 2.0)) if rng.random() < UPSCALED else 1.0
    if f > 1:  # a high-resolution capture that the runtime scales down
        img = img.resize((round(img.width * f), round(img.height * f)), Image.Resampling.BICUBIC)
    small, scale = rt.working_image(np.asarray(img))
    truth = [(_scaled(b, scale * f), k) for b, k in truth]
    boxes = np.concatenate([rt.proposals(small), _jittered(truth, rng)])
    boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2] + 2)
    y = _labels(boxes, truth)
    pos, neg = np.nonzero(y > 0)[0], np.nonzero(y == 0)[0]
    neg = rng.permutation(neg)[:int(NONE_PER_POSITIVE * len(pos)) + 10]
    keep = np.concatenate([pos, neg])
    x, g = rt.crops(small, boxes[keep])
    return x, g, y[keep]


def dataset(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    parts = [screen_samples(rng) for _ in range(n)]
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))  # type: ignore


def heldout(model: Path, n: int, seed: int) -> dict[str, dict[str, float]]:
    """The runtime Detector on ``n`` fresh synthetic screens."""
    det, rng, results, found = rt.Detector(model), np.random.default_rng(seed), [], []
    for _ in range(n):
        img, truth = screens.screen(rng)
        pred = [((d.box.x1, d.box.y1, d.box.x2, d.box.y2), d.kind)
                for d in det.detect(np.asarray(img))]
        results.append(evaluate.match(pred, truth))
        props = [_box4(b) for b in rt.proposals(np.asarray(img))]
        found += [any(evaluate.iou(t, b) >= 0.5 for b in props) for t, _ in truth]
    print(f"proposal recall (IoU >= 0.5, any kind): {np.mean(found):.3f} of {len(found)}")
    return evaluate.report(results)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--screens", type=int, default=600)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    seed_everything(args.seed)
    t0 = time.time()
    x, g, y = dataset(args.screens, args.seed)
    counts = np.bincount(y, minlength=len(screens.KINDS))
    print(f"data: {len(y)} crops from {args.screens} screens ({time.time() - t0:.0f} s): "
          + ", ".join(f"{k} {c}" for k, c in zip(screens.KINDS, counts, strict=True)), flush=True)
    net = KindNet(len(screens.KINDS))
    weights = (counts.sum() / np.maximum(counts, 1) / len(counts)) ** 0.5
    train(net, [x, g], y, epochs=args.epochs, seed=args.seed, weights=weights.astype(np.float32))
    xt, gt, yt = dataset(max(10, args.screens // 10), args.seed + 1000)
    acc = float((predict(net, [xt, gt]).argmax(1) == yt).mean())
    print(f"held-out crop accuracy: {acc:.4f} on {len(yt)} crops")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "detector.onnx"
    export(net, [x, g], ["crop", "geom"], path,
           {"kinds": screens.KINDS, "crop_accuracy": round(acc, 4), "seed": args.seed})
    print("held-out synthetic screens:", heldout(path, 30, args.seed + 2000))
    print(f"wrote {path} in {time.time() - t0:.0f} s total")


if __name__ == "__main__":
    main()
