"""Personal-data masking: recall and precision per class on bench/pii_set.jsonl, and 1 MB timing.

    python bench/pii.py [--set bench/pii_heldout.jsonl] [--misses] [--no-timing]

pii_set.jsonl (305 texts) was written before the masking was reworked and is the dev set;
pii_heldout.jsonl (73 texts) was written after, and is only measured, never tuned on.
Each line of a set is a text with the personal values it holds (class and value) or a
look-alike that is not personal (a price, time, date, version, order number, IP ...).
A value counts as masked when every letter and digit of it lies inside a masked span
(``+1 <OTP_1> 2671`` leaks); its class is right when a span of its class covers it.
Precision per class: masked spans that overlap a personal value, over all spans of that
class. The timing part runs every pattern that reads untrusted text over 256 KB and 1 MB
inputs (parse_json_reply refuses 1 MB, over its limit, before parsing; its "(256 KB)" row
parses the first 256 KB of each 1 MB input).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the root first: tests/planners is no package

from planners.privacy import PII_CLASSES, find_pii  # noqa: E402

SET = Path(__file__).with_name("pii_set.jsonl")
Span = tuple[int, int, str]


def load(path: Path = SET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def where(text: str, value: str) -> tuple[int, int]:
    start = text.index(value)
    return start, start + len(value)


def covered(text: str, span: tuple[int, int], spans: list[Span], kind: str | None = None) -> bool:
    """Every letter and digit of ``text[span]`` lies inside a found span (of ``kind``)."""
    inside = [(a, b) for a, b, k in spans if kind is None or k == kind]
    return all(any(a <= i < b for a, b in inside)
               for i in range(*span) if text[i].isalnum())


def score(cases: list[dict]) -> tuple[dict[str, Counter], list[str]]:
    """Counters per class (positives, masked, class right, spans, true spans) and the misses."""
    stats: dict[str, Counter] = {k: Counter() for k in PII_CLASSES}
    misses: list[str] = []
    lookalikes = Counter()
    for case in cases:
        text, spans = case["text"], find_pii(case["text"])
        values = [where(text, p["value"]) for p in case["pii"]]
        for p, span in zip(case["pii"], values, strict=True):
            s = stats[p["class"]]
            s["positives"] += 1
            s["masked"] += covered(text, span, spans)
            s["class_right"] += covered(text, span, spans, p["class"])
            if not covered(text, span, spans):
                misses.append(f"leak  {p['class']:5} {text!r} -> {masked(text, spans)!r}")
        for a, b, kind in spans:
            stats[kind]["spans"] += 1
            true = any(a < e and s < b for s, e in values)
            stats[kind]["true_spans"] += true
            if not true:
                misses.append(f"false {kind:5} {text!r} -> {masked(text, spans)!r}")
        if "lookalike" in case:
            lookalikes["cases"] += 1
            lookalikes["kept"] += case["lookalike"] in masked(text, spans)
    stats["lookalike"] = lookalikes
    return stats, misses


def masked(text: str, spans: list[Span]) -> str:
    out, last = [], 0
    for a, b, kind in spans:
        out += [text[last:a], f"<{kind.upper()}>"]
        last = b
    return "".join(out) + text[last:]


def report(stats: dict[str, Counter]) -> None:
    print(f"{'class':8}{'positives':>10}{'recall':>9}{'class ok':>10}{'spans':>7}"
          f"{'precision':>11}")
    for kind in PII_CLASSES:
        s = stats[kind]
        recall = s["masked"] / s["positives"] if s["positives"] else float("nan")
        right = s["class_right"] / s["positives"] if s["positives"] else float("nan")
        precision = s["true_spans"] / s["spans"] if s["spans"] else 1.0
        print(f"{kind:8}{s['positives']:>10}{recall:>9.1%}{right:>10.1%}{s['spans']:>7}"
              f"{precision:>11.1%}")
    total = sum(stats[k]["positives"] for k in PII_CLASSES)
    leaks = total - sum(stats[k]["masked"] for k in PII_CLASSES)
    look = stats["lookalike"]
    print(f"positives {total}, leaked {leaks}; look-alikes kept {look['kept']}/{look['cases']}")


def timing() -> None:
    """Seconds per pattern, worst over the inputs, at 256 KB and 1 MB: linear means about 4x."""
    from untrusted_text import INPUTS, PATTERNS  # the same list the tests use

    print(f"{'pattern (worst of ' + str(len(INPUTS)) + ' inputs)':34}{'256 KB':>9}{'1 MB':>9}"
          f"{'ratio':>7}")
    for name, fn in PATTERNS.items():
        worst = [max(_seconds(fn, make(size)) for make in INPUTS.values())
                 for size in (1 << 18, 1 << 20)]
        print(f"{name:34}{worst[0]:>8.3f}s{worst[1]:>8.3f}s{worst[1] / max(worst[0], 1e-3):>7.1f}")


def _seconds(fn: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    fn(text)
    return time.perf_counter() - start


def main(argv: list[str] | None = None, timed: Callable[[], None] = timing) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET, help="the JSONL set to score")
    parser.add_argument("--misses", action="store_true", help="print every leak and false hit")
    parser.add_argument("--no-timing", action="store_true", help="skip the 1 MB timing")
    args = parser.parse_args(argv)
    cases = load(args.set)
    stats, misses = score(cases)
    print(f"{len(cases)} texts in {args.set.name}")
    report(stats)
    if args.misses:
        print("\n".join(misses))
    if not args.no_timing:
        timed()


if __name__ == "__main__":
    main()
