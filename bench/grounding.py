"""Grounding figures: point-in-box accuracy (text / icon) and perception latency.

    python bench/grounding.py [--data ../shared/data] [--sets web,android,sim] [--limit N]
    python bench/grounding.py --sets latency [--repeat 3]

Sets: ``web`` (shared/data/web-pages: English instructions generated from the
element boxes, plus the pages' own locate-cases), ``android`` (shared/data/
android-screens, DroidBot dumps; once with the view hierarchy fused in, once
from pixels only), ``sim`` (the simulated phone's screens). Latency: cold
perception (fresh cache), incremental perception (next frame with a small
change), and plain RapidOCR (its default pipeline) on the same images; with
``--repeat N`` each is the best of N runs. ``--sets latency`` prints wall and
CPU time on four fixed screens (CPU time is less distorted by other load).
Figures, not tests: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devices.base import Observation  # noqa: E402
from devices.geometry import Box, ScreenGeometry  # noqa: E402
from grounding import runtime  # noqa: E402
from grounding.datasets import android_pairs, droidbot_to_uiautomator, web_page_elements  # noqa: E402
from grounding.locate import locate  # noqa: E402
from grounding.ocr import OcrConfig  # noqa: E402
from grounding.perceive import PerceiveConfig, Perceiver, load_image  # noqa: E402

INT8 = {"auto": None, "int8": True, "float": False}


@dataclass
class Case:
    instruction: str
    boxes: list[Box]          # any of these counts as a hit
    icon: bool


@dataclass
class Tally:
    hits: dict[str, int] = field(default_factory=lambda: {"text": 0, "icon": 0})
    total: dict[str, int] = field(default_factory=lambda: {"text": 0, "icon": 0})
    cold: list[float] = field(default_factory=list)
    incremental: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, case: Case, ok: bool, note: str) -> None:
        kind = "icon" if case.icon else "text"
        self.total[kind] += 1
        self.hits[kind] += ok
        if not ok:
            self.misses.append(f"{case.instruction!r}: {note}")


def observation(image: Image.Image, tree: str | None = None) -> Observation:
    return Observation(image=image, geometry=ScreenGeometry(image.width, image.height),
                       ui_tree=tree)


def nudge(image: Image.Image) -> Image.Image:
    """The next frame: a small region changes (a band of the screen shifted by 6 px)."""
    a = np.asarray(image).copy()
    h, w = a.shape[:2]
    y1, y2, x1, x2 = h // 3, h // 3 + h // 14, w // 6, w // 6 + w // 3
    a[y1:y2, x1 + 6:x2] = a[y1:y2, x1:x2 - 6]
    return Image.fromarray(a)


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def run_screen(p: Perceiver, obs: Observation, cases: list[Case], tally: Tally,
               plain: Callable[[np.ndarray], object] | None, repeat: int = 1) -> None:
    """Latency is the best of ``repeat`` runs (other load on the machine only adds)."""
    cold, incremental, plain_ms = [], [], []
    nxt = observation(nudge(obs.image), obs.ui_tree)
    rgb = np.asarray(obs.image)
    for _ in range(repeat):
        p.reset()
        t = time.perf_counter()
        screen = p.perceive(obs)
        cold.append((time.perf_counter() - t) * 1000)
        incremental.append(timed(lambda: p.perceive(nxt)))
        if plain is not None:
            plain_ms.append(timed(lambda: plain(rgb)))
    tally.cold.append(min(cold))
    tally.incremental.append(min(incremental))
    if plain_ms:
        tally.plain.append(min(plain_ms))
    for case in cases:
        target = locate(screen, case.instruction)
        ok = target.found and target.point is not None and any(
            b.contains(target.point) for b in case.boxes)
        tally.add(case, ok, target.reason[:140])


def web_cases(folder: Path) -> list[Case]:
    """One instruction per distinct visible text; quoted and unquoted forms alternate."""
    labeled = [e for e in web_page_elements(folder) if 2 <= len(e.text) <= 40 and not e.icon]
    by_text: dict[str, list[Box]] = {}
    for e in labeled:
        by_text.setdefault(e.text, []).append(e.box)
    cases = []
    for i, (text, boxes) in enumerate(sorted(by_text.items())):
        instruction = f'click "{text}"' if i % 2 else f"tap {text}"
        cases.append(Case(instruction, boxes, False))
    return cases


def locate_cases(folder: Path) -> list[Case]:
    path = folder / "locate-cases.json"
    if not path.exists():
        return []
    out = []
    for c in json.loads(path.read_text(encoding="utf-8"))["testCases"]:
        r = c["response_rect"]
        out.append(Case(c["prompt"], [Box(r["left"], r["top"], r["left"] + r["width"],
                                          r["top"] + r["height"])], False))
    return out


def android_cases(state: dict) -> list[Case]:
    """Texts of visible text views, and content descriptions of text-less image controls."""
    cases: dict[str, Case] = {}
    for v in state.get("views", []):
        if v.get("visible") is False or not v.get("bounds"):
            continue
        (x1, y1), (x2, y2) = v["bounds"]
        box = Box(x1, y1, x2, y2)
        text = (v.get("text") or "").strip()
        desc = (v.get("content_description") or v.get("content-desc") or "").strip()
        if text and 2 <= len(text) <= 40 and box.area > 0:
            cases.setdefault(f'tap "{text}"', Case(f'tap "{text}"', [], False)).boxes.append(box)
        elif desc and not text and "Image" in (v.get("class") or "") and box.area > 0:
            key = f"tap the {desc} icon"
            cases.setdefault(key, Case(key, [], True)).boxes.append(box)
    return list(cases.values())


def web_set(data: Path, limit: int) -> Iterator[tuple[str, Observation, list[Case]]]:
    for folder in sorted(p for p in (data / "web-pages").iterdir() if p.is_dir())[:limit]:
        obs = observation(load_image(folder / "screenshot.png"))
        yield "web", obs, web_cases(folder)
        if (cases := locate_cases(folder)):
            yield "web locate-cases", obs, cases


def android_set(data: Path, limit: int) -> Iterator[tuple[str, Observation, list[Case]]]:
    for img, js in android_pairs(data / "android-screens")[:limit]:
        state = json.loads(js.read_text(encoding="utf-8"))
        image, cases = load_image(img), android_cases(state)
        yield "android a11y+pixels", observation(image, droidbot_to_uiautomator(state)), cases
        yield "android pixels only", observation(image), cases


def sim_set(data: Path, limit: int) -> Iterator[tuple[str, Observation, list[Case]]]:
    from devices.sim.device import SimDevice
    from grounding.a11y import parse_uiautomator

    dev = SimDevice()
    for app in ("launcher", "settings", "settings-network")[:limit]:
        if app == "settings":
            dev.launch_app("settings")
        if app == "settings-network":
            tree = dev.observe().ui_tree or ""
            node = next(n for n in parse_uiautomator(tree) if n.text == "Network & internet")
            dev.tap(node.box.center)
        obs = dev.observe()
        state_cases: dict[str, Case] = {}
        for n in parse_uiautomator(obs.ui_tree or ""):
            if n.text and 2 <= len(n.text) <= 40:
                state_cases.setdefault(n.text, Case(f'tap "{n.text}"', [], False)).boxes.append(
                    n.box)
            elif n.desc and not n.text:
                state_cases.setdefault(n.desc, Case(f"tap the {n.desc} icon", [], True)
                                       ).boxes.append(n.box)
        cases = list(state_cases.values())
        yield "sim a11y+pixels", obs, cases
        yield "sim pixels only", Observation(image=obs.image, geometry=obs.geometry), cases


def latency(data: Path, repeat: int) -> None:
    """Wall and CPU time (best of ``repeat``) on fixed screens: cold and incremental
    perception with the package's default OCR models (int8 on a CPU), cold with the
    wheel's float models, and plain RapidOCR; then medians over the 1920x1080 screens."""
    from rapidocr import RapidOCR

    from devices.sim.device import SimDevice

    dev = SimDevice()
    dev.launch_app("settings")
    sim = dev.observe()
    web = data / "web-pages"
    cases: list[tuple[str, Image.Image, str | None]] = [
        (f"{page} 1920x1080", load_image(web / page / "screenshot.png"), None)
        for page in ("githubstatus", "antd-pagination", "antd-tooltip")]
    cases += [("sim Settings 1080x2400 with tree", sim.image, sim.ui_tree),
              ("sim Settings 1080x2400 pixels only", sim.image, None)]
    p = Perceiver()
    fp32 = Perceiver(PerceiveConfig(ocr=OcrConfig(int8=False)))
    plain = RapidOCR(params={"Global.log_level": "error"})
    wide: dict[str, list[float]] = {}
    for name, image, tree in cases:
        runs = time_case(p, fp32, plain, image, tree, repeat)
        print(f"{name}: " + "; ".join(
            f"{k} {min(w for w, _ in v):.0f} ms wall / {min(c for _, c in v):.0f} ms CPU"
            for k, v in runs.items()) + f"  (best of {repeat})")
        if "1920x1080" in name:
            for k, v in runs.items():
                wide.setdefault(k, []).append(min(w for w, _ in v))
    med = {k: statistics.median(v) for k, v in wide.items()}
    print(f"1920x1080 medians ({len(wide['cold'])} screens): cold {med['cold']:.0f} ms, "
          f"incremental {med['incremental']:.0f} ms, cold with float OCR models "
          f"{med['cold fp32']:.0f} ms, plain RapidOCR {med['plain']:.0f} ms "
          f"(x{med['plain'] / med['cold']:.1f} of cold)")
    print(f"OCR models: {'int8' if p.ocr and p.ocr.int8 else 'float'} by default on "
          f"{runtime.device_name()}; plain = RapidOCR's own pipeline and defaults")


def time_case(p: Perceiver, fp32: Perceiver, plain: Callable[[np.ndarray], object],
              image: Image.Image, tree: str | None,
              repeat: int) -> dict[str, list[tuple[float, float]]]:
    obs, nxt = observation(image, tree), observation(nudge(image), tree)
    rgb = np.asarray(image)
    runs: dict[str, list[tuple[float, float]]] = {
        "cold": [], "incremental": [], "cold fp32": [], "plain": []}
    for _ in range(repeat):
        p.reset()
        fp32.reset()
        runs["cold"].append(wall_cpu(lambda: p.perceive(obs)))
        runs["incremental"].append(wall_cpu(lambda: p.perceive(nxt)))
        runs["cold fp32"].append(wall_cpu(lambda: fp32.perceive(obs)))
        runs["plain"].append(wall_cpu(lambda: plain(rgb)))
    return runs


def wall_cpu(fn: Callable[[], object]) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


def report(name: str, t: Tally, show_misses: int) -> None:
    acc = {k: f"{t.hits[k]}/{t.total[k]} = {100 * t.hits[k] / t.total[k]:.1f}%"
           if t.total[k] else "n/a" for k in ("text", "icon")}
    print(f"\n== {name}: text {acc['text']}   icon {acc['icon']}")
    lat = f"   cold median {statistics.median(t.cold):.0f} ms p90 {pct(t.cold, .9):.0f} ms;" \
          f" incremental median {statistics.median(t.incremental):.0f} ms" \
          f" p90 {pct(t.incremental, .9):.0f} ms"
    if t.plain:
        ratio = statistics.median(t.plain) / statistics.median(t.cold)
        lat += f"; plain RapidOCR median {statistics.median(t.plain):.0f} ms" \
               f" (x{ratio:.1f} of cold)"
    print(lat + f"   [{len(t.cold)} screens]")
    for m in t.misses[:show_misses]:
        print("   miss:", m)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--sets", default="web,android,sim",
                    help="web, android, sim (comma-separated), or 'latency' alone")
    ap.add_argument("--limit", type=int, default=1000, help="screens per set")
    ap.add_argument("--no-plain", action="store_true", help="skip plain RapidOCR timing")
    ap.add_argument("--misses", type=int, default=8, help="misses to print per split")
    ap.add_argument("--ocr-models", choices=("auto", "int8", "float"), default="auto",
                    help="OCR recognizer: auto (int8 on a CPU), int8 or float")
    ap.add_argument("--repeat", type=int, default=1, help="time each screen N times, keep the best")
    args = ap.parse_args()
    if args.sets == "latency":
        latency(args.data, max(args.repeat, 3))
        return
    plain = None
    if not args.no_plain:
        from rapidocr import RapidOCR

        plain = RapidOCR(params={"Global.log_level": "error"})
    p = Perceiver(PerceiveConfig(ocr=OcrConfig(int8=INT8[args.ocr_models])))
    sets = {"web": web_set, "android": android_set, "sim": sim_set}
    for name in args.sets.split(","):
        tallies: dict[str, Tally] = {}
        for split, obs, cases in sets[name](args.data, args.limit):
            run_screen(p, obs, cases, tallies.setdefault(split, Tally()), plain, args.repeat)
        for split, tally in tallies.items():
            report(split, tally, args.misses)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
