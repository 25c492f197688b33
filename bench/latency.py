"""What a user waits for: one-shot commands (a fresh process each) and a warm loop's step.

    python bench/latency.py [--repeat 3]

One-shot: wall time of `guiagent screenshot`, `guiagent act` and a three-step
`guiagent run` on the simulated phone, each in a new process (Python start-up,
imports, model loading and the phone included). Warm loop: from the run records of
those runs, the loop's own seconds per action and the median settle+capture and
perception times of one screen. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

TASK = "open Settings, tap Network & internet, turn on Airplane mode"


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    n = ap.parse_args().repeat
    tmp = Path(tempfile.mkdtemp(prefix="guiagent-latency-"))
    shots = [wall(["guiagent", "screenshot", "-d", "sim", "-o", str(tmp / "s.png")])
             for _ in range(n)]
    acts = [wall(["guiagent", "act", "-d", "sim", "tap", "540", "1200"]) for _ in range(n)]
    runs = [wall(["guiagent", "run", TASK, "--out", str(tmp / f"r{i}"), "--json"])
            for i in range(n)]
    per_step, capture, perceive = [], [], []
    for i in range(n):
        recs = [json.loads(line) for line in (tmp / f"r{i}" / "steps.jsonl").open()]
        result = recs[-1]
        per_step.append(result["seconds"] / max(1, result["steps"]))
        capture += [r["capture_s"] for r in recs if r["kind"] == "observe"]
        perceive += [r["perceive_s"] for r in recs if r["kind"] == "observe"]
    print(f"one-shot guiagent screenshot -d sim   best {min(shots):.2f} s")
    print(f"one-shot guiagent act -d sim tap      best {min(acts):.2f} s")
    print(f"one-shot guiagent run (3 actions)     best {min(runs):.2f} s")
    print(f"warm loop, seconds per action         median {statistics.median(per_step):.2f} s")
    print(f"  settle + capture of one screen      median {statistics.median(capture):.3f} s")
    print(f"  perception of one screen (tree)     median {statistics.median(perceive):.3f} s")


if __name__ == "__main__":
    main()
