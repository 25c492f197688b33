"""Local grounding on the desktop dev set: point-in-box accuracy (text / icon) and latency.

    python bench/grounding_desktop.py [--part dev|heldout|all|variants] [--limit N] [--misses N]

The set is split by application (bench/desktop_devset/split.json): ``dev`` (devset.jsonl) is
what rules and models may be tuned on, ``heldout`` (heldout.jsonl) is only measured; ``all``
prints both, one after the other, from the same run. ``variants`` (variants.jsonl) is dev
apps re-rendered in other fonts, sizes, hinting and themes (variants.py there): dev data,
tallied by look. The set (built by generate.py there
from real Debian apps under Xvfb
with AT-SPI boxes as ground truth) gives pixels only: this measures OCR + detector grounding.
Each screenshot is perceived from a fresh cache (a new frame, as on a screen change), then
every instruction on it is located. Latency per instruction = that perception + its locate.
Figures, not tests: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devices.base import Observation  # noqa: E402
from devices.geometry import Box, ScreenGeometry  # noqa: E402
from grounding.locate import locate  # noqa: E402
from grounding.ocr import OcrConfig  # noqa: E402
from grounding.perceive import PerceiveConfig, Perceiver, load_image  # noqa: E402

INT8 = {"auto": None, "int8": True, "float": False}


@dataclass
class Case:
    id: str
    instruction: str
    box: Box
    icon: bool
    app: str


@dataclass
class Tally:
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    perceive_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    misses: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, case: Case, ok: bool, note: str) -> None:
        kind = "icon" if case.icon else "text"
        for key in (kind, f"{case.app} {kind}"):
            self.total[key] += 1
            self.hits[key] += ok
        if not ok:
            self.misses[kind].append(f"{case.id} {case.instruction!r}: {note}")


PARTS = {"dev": "devset.jsonl", "heldout": "heldout.jsonl", "variants": "variants.jsonl"}


def load_cases(data: Path, part: str = "dev") -> dict[str, list[Case]]:
    """One part's instructions grouped by image path (relative to ``data``); the variants
    part's rows are tallied by look (font, theme) rather than by app."""
    by_image: dict[str, list[Case]] = defaultdict(list)
    for line in (data / PARTS[part]).read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            by_image[r["image"]].append(Case(r["id"], r["instruction"], Box(*r["box"]),
                                             r["icon"], r.get("look", r.get("app", "?"))))
    return by_image


def run_image(p: Perceiver, path: Path, cases: list[Case], tally: Tally) -> None:
    image = load_image(path)
    obs = Observation(image=image, geometry=ScreenGeometry(image.width, image.height))
    p.reset()
    t = time.perf_counter()
    screen = p.perceive(obs)
    perceive_ms = (time.perf_counter() - t) * 1000
    tally.perceive_ms.append(perceive_ms)
    for case in cases:
        t = time.perf_counter()
        target = locate(screen, case.instruction)
        tally.total_ms.append(perceive_ms + (time.perf_counter() - t) * 1000)
        ok = target.found and target.point is not None and case.box.contains(target.point)
        where = f"at {target.point.x:.0f},{target.point.y:.0f}" if target.point else ""
        b = case.box
        tally.add(case, ok, f"{where} want ({b.x1},{b.y1},{b.x2},{b.y2}) {target.reason[:90]}")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


def ratio(t: Tally, key: str) -> str:
    n = t.total.get(key, 0)
    return f"{t.hits[key]}/{n} = {100 * t.hits[key] / n:.1f}%" if n else "n/a"


def report(t: Tally, show_misses: int, part: str = "dev") -> None:
    print(f"== desktop {part} set: text {ratio(t, 'text')}   icon {ratio(t, 'icon')}")
    print(f"   perceive+locate per instruction: median {statistics.median(t.total_ms):.0f} ms"
          f" p90 {pct(t.total_ms, .9):.0f} ms;  perceive per screen: median"
          f" {statistics.median(t.perceive_ms):.0f} ms p90 {pct(t.perceive_ms, .9):.0f} ms"
          f"   [{len(t.perceive_ms)} screens]")
    apps = sorted({k.rsplit(" ", 1)[0] for k in t.total if " " in k})
    for app in apps:
        print(f"   {app:22s} text {ratio(t, app + ' text'):18s} icon {ratio(t, app + ' icon')}")
    for kind in ("text", "icon"):
        for m in t.misses[kind][:show_misses]:
            print(f"   {kind} miss: {m}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "desktop_devset")
    ap.add_argument("--part", choices=("dev", "heldout", "all", "variants"), default="dev",
                    help="which applications: dev (tune on these), heldout (measure only), all"
                    " (dev, then heldout), variants (dev apps in other fonts and themes)")
    ap.add_argument("--limit", type=int, default=1000, help="screenshots to use per part")
    ap.add_argument("--misses", type=int, default=10, help="misses to print per split")
    ap.add_argument("--ocr-models", choices=("auto", "int8", "float"), default="auto",
                    help="OCR recognizer: auto (int8 on a CPU), int8 or float")
    args = ap.parse_args()
    p = Perceiver(PerceiveConfig(ocr=OcrConfig(int8=INT8[args.ocr_models])))
    warm = False
    for part in (("dev", "heldout") if args.part == "all" else (args.part,)):
        by_image = load_cases(args.data, part)
        images = sorted(by_image)[:args.limit]
        if not warm:
            p.perceive(load_image(args.data / images[0]))  # first inference allocates
            warm = True
        tally = Tally()
        for image in images:
            run_image(p, args.data / image, by_image[image], tally)
        report(tally, args.misses, part)


if __name__ == "__main__":
    main()
