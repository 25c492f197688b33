"""Latency of the element detector and the icon classifier on real screenshots.

    python bench/detector.py [--runs 20]

Prints median and p90 of Detector.detect() on a 1080x2400 phone screen and a
1920x1080 desktop page (from shared/data), plus the cold start (model load +
first call) and a 32-crop IconClassifier batch.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/grounding.py would shadow the grounding package

from grounding.detector import Detector  # noqa: E402
from grounding.icons import IconClassifier  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SCREENS = {
    "phone 1080x2400": (DATA / "android-screens/droidbot/yelp_2017-08-11_202631.jpg", (1080, 2400)),
    "desktop 1920x1080": (DATA / "web-pages/antd-pagination/screenshot.png", (1920, 1080)),
}


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), float(np.percentile(times, 90))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    for name, (path, size) in SCREENS.items():
        img = np.asarray(Image.open(path).convert("RGB").resize(size))
        t0 = time.perf_counter()
        det = Detector()
        found = det.detect(img)
        cold = time.perf_counter() - t0
        med, p90 = timed(lambda: det.detect(img), args.runs)  # noqa: B023
        print(f"detect {name}: median {med * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, "
              f"cold {cold * 1000:.0f} ms, {len(found)} elements")
    clf = IconClassifier()
    crops = [np.asarray(Image.open(SCREENS["phone 1080x2400"][0]).convert("RGB"))[
        i * 40:i * 40 + 96, 0:96] for i in range(32)]
    med, p90 = timed(lambda: clf.classify(crops), args.runs)
    print(f"icons 32-crop batch: median {med * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
