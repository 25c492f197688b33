"""Float vs int8 OCR models side by side: CPU time and how often they read a line alike.

    python bench/ocr_models.py [--data ../shared/data] [--threads N]

Runs detection (float) + recognition with the rapidocr wheel's float recognizer and with
the package's int8 copy (grounding/models/ocr_rec_int8.onnx) on the 13 web pages, 20 Android
screenshots and the first 10 desktop dev-set screens; prints the wall and CPU time of each and
the share of lines read the same (spaces ignored). Figures, not tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grounding.ocr import Ocr, OcrConfig  # noqa: E402
from grounding.perceive import load_image  # noqa: E402


def images(data: Path) -> list[Path]:
    android = sorted(p for p in (data / "android-screens").rglob("*")
                     if p.suffix in (".png", ".jpg"))[:20]
    desktop = sorted((ROOT / "bench" / "desktop_devset" / "images").glob("*.png"))[:10]
    return sorted((data / "web-pages").glob("*/screenshot.png")) + android + desktop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--threads", type=int, default=None,
                    help="onnxruntime threads per model (default: the usable cores, up to 4)")
    args = ap.parse_args()
    ocr = {k: Ocr(OcrConfig(threads=args.threads, int8=k == "int8")) for k in ("float", "int8")}
    cpu, wall = dict.fromkeys(ocr, 0.0), dict.fromkeys(ocr, 0.0)
    same = total = 0
    for path in images(args.data):
        rgb = np.asarray(load_image(path))
        read = {}
        for name, o in ocr.items():
            t, w = time.process_time(), time.perf_counter()
            read[name] = {tb.text.replace(" ", "") for tb in o(rgb)}
            cpu[name] += time.process_time() - t
            wall[name] += time.perf_counter() - w
        total += len(read["float"])
        same += len(read["float"] & read["int8"])
    print(f"wall: float {wall['float']:.1f} s, int8 {wall['int8']:.1f} s "
          f"(x{wall['float'] / wall['int8']:.2f}); CPU: float {cpu['float']:.1f} s, int8 "
          f"{cpu['int8']:.1f} s (x{cpu['float'] / cpu['int8']:.2f}); lines read alike "
          f"{same}/{total} = {100 * same / total:.1f}%  [{len(images(args.data))} screens]")


if __name__ == "__main__":
    main()
