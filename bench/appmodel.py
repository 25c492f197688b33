"""What the app model costs per step and how well it tells screens apart.

    python bench/appmodel.py [-n 20]

On the 25 real Android screens of shared/data/android-screens: fingerprint time
(with the dHash of a 1440x2560 screenshot), similarity of the same screen under
another status bar, the highest score between distinct screens; locate time in
a model of 25 and of 500 states; save and load time of the 500-state model.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from appmodel.screens import droidbot_names, load_screen, with_status_bar  # noqa: E402

from grounding.types import Screen  # noqa: E402
from planners.appmodel import AppModel, AppModelStore  # noqa: E402
from planners.fingerprint import fingerprint, similarity  # noqa: E402


def ms(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def synthetic(screen: Screen, i: int) -> Screen:
    """Another screen of the same app: same layout, other texts (the hardest case to index)."""
    tag = "".join(chr(ord("a") + int(d)) for d in str(i))      # digits would be masked
    return replace(screen, activity=None, elements=[
        replace(e, text=f"{e.text} {tag}") for e in screen.elements])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    n = ap.parse_args().n
    screens = {name: load_screen(name) for name in droidbot_names()}
    first = screens["yelp_2017-08-11_202619"]
    print(f"fingerprint (dHash + {len(first.elements)} elements, 1440x2560): "
          f"{ms(lambda: fingerprint(first), n):.2f} ms median")
    same = [similarity(fingerprint(with_status_bar(s, "8:59", "93%")),
                       fingerprint(with_status_bar(s, "23:14", "12%", notes=3)))
            for s in screens.values()]
    print(f"same screen, other clock/battery/notifications: min score {min(same):.2f} "
          f"over {len(same)} screens")
    fps = {k: fingerprint(replace(s, activity=None)) for k, s in screens.items()}
    distinct = [similarity(fps[a], fps[b]) for a, b in combinations(screens, 2)
                if screens[a].activity != screens[b].activity]
    print(f"distinct screens (activity hidden): max score {max(distinct):.2f} "
          f"over {len(distinct)} pairs (threshold 0.5)")
    small = AppModel("bench")
    for s in screens.values():
        small.locate(replace(s, app="bench"))
    probe = replace(first, app="bench")
    print(f"locate in a model of {len(small.states)} states: "
          f"{ms(lambda: small.locate(probe), n):.2f} ms median")
    big = AppModel("com.yelp.android")
    for i in range(500):
        big.locate(synthetic(first, i))
    probe = synthetic(first, 250)
    print(f"locate in a model of {len(big.states)} states: "
          f"{ms(lambda: big.locate(probe), n):.2f} ms median")
    with tempfile.TemporaryDirectory() as tmp:
        store = AppModelStore(Path(tmp))
        print(f"save {len(big.states)} states: {ms(lambda: store.save(big), n):.1f} ms median, "
              f"{store.path_for(big.app).stat().st_size / 1024:.0f} KiB; "
              f"load: {ms(lambda: store.load(big.app), n):.1f} ms median")


if __name__ == "__main__":
    main()
