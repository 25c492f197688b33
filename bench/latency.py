"""What a user waits for: one-shot commands (a fresh process each) and a warm loop's step.

    python bench/latency.py [--repeat 3]
    python bench/latency.py --long     # also: the report of a run of 101 actions


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
import sys
import tempfile
import time
from pathlib import Path

TASK = "open Settings, tap Network & internet, turn on Airplane mode"


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def long_report(tmp: Path) -> None:
    """A run of 101 actions: its report.html's size and how long writing it takes."""
    task = "open Settings" + ", tap Network & internet, go back, tap Display, go back" * 25
    subprocess.run(["guiagent", "run", task, "--max-steps", "120", "--out", str(tmp / "long")],
                   check=True, capture_output=True)
    write = ("import sys, time; from guiagent.report import write_report; t = time.perf_counter();"
             " write_report(sys.argv[1]); print(time.perf_counter() - t)")
    spent = float(subprocess.run([sys.executable, "-c", write, str(tmp / "long")], check=True,
                                 capture_output=True, text=True, cwd=tmp).stdout)
    page = tmp / "long" / "report.html"
    acts = sum('"kind": "act"' in line for line in (tmp / "long" / "steps.jsonl").open())
    print(f"report.html of a run of {acts} actions  {page.stat().st_size / 1e6:.1f} MB, "
          f"written in {spent:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--long", action="store_true", help="also measure a long run's report")
    args = ap.parse_args()
    n = args.repeat
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
    if args.long:
        long_report(tmp)


if __name__ == "__main__":
    main()
