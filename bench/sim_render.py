"""Frame times of the simulated phone: fresh renders per screen, cached frames, task replay.

    python bench/sim_render.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sim.conftest import tap_label  # noqa: E402

from devices.sim.device import SimDevice  # noqa: E402
from devices.sim.tasks import load_tasks  # noqa: E402
from devices.sim.tasks.runner import run_solution  # noqa: E402

SCREENS = [[], ["Settings"], ["Settings", "Display"], ["Contacts"], ["Contacts", "Search contacts"],
           ["Messages"], ["Messages", "Bob Smith"], ["Clock"], ["Calculator"], ["Notes"]]


def fresh_render_ms(path: list[str], repeats: int = 20) -> float:
    """Median time of a full re-render (cache invalidated each time) of one screen."""
    dev = SimDevice()
    for label in path:
        tap_label(dev, label)
    dev.phone._anim = None
    times = []
    for _ in range(repeats):
        dev.phone.changed()
        t = time.perf_counter()
        dev.screenshot()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    for path in SCREENS:
        print(f"fresh render  {' > '.join(path) or 'Home':<32} {fresh_render_ms(path):6.1f} ms")
    dev = SimDevice()
    dev.screenshot()
    t = time.perf_counter()
    for _ in range(100):
        dev.screenshot()
    print(f"cached frame  {'Home':<32} {(time.perf_counter() - t) * 10:6.2f} ms")
    tasks = load_tasks()
    t = time.perf_counter()
    for task in tasks:
        d = SimDevice()
        task.setup(d.shell)
        run_solution(d, task.solution)
        assert task.check(d.shell), task.id
    print(f"replay of all {len(tasks)} task solutions (no screenshots): "
          f"{time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
