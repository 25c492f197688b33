"""Reading saved runs: one folder per run with steps.jsonl (one step record per line)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guiagent.errors import UsageError


@dataclass(frozen=True)
class RunSummary:
    """What `guiagent runs list` shows; ``status`` is "incomplete" for a run that crashed."""

    id: str
    path: Path
    task: str
    status: str
    reason: str
    steps: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": str(self.path), "task": self.task, "status": self.status,
                "reason": self.reason, "steps": self.steps, "seconds": self.seconds}


def read_records(run_dir: Path) -> list[dict[str, Any]]:
    """Every complete line of steps.jsonl; a torn last line (a crash mid-write) is skipped."""
    path = Path(run_dir) / "steps.jsonl"
    records: list[dict[str, Any]] = []
    if not path.exists():
        return records
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def read_meta(run_dir: Path) -> dict[str, Any]:
    """run.json (task, planner, device...); {} when missing or torn."""
    try:
        meta = json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return meta if isinstance(meta, dict) else {}


def summarize(run_dir: Path) -> RunSummary:
    records = read_records(run_dir)
    task = str(read_meta(run_dir).get("task", ""))
    result = next((r for r in reversed(records) if r.get("kind") == "result"), None)
    acts = sum(r.get("kind") == "act" for r in records)
    if result is None:
        return RunSummary(run_dir.name, run_dir, task, "incomplete",
                          "the run ended before its result was written", acts, 0.0)
    return RunSummary(run_dir.name, run_dir, task, str(result.get("status", "?")),
                      str(result.get("reason", "")), int(result.get("steps", acts)),
                      float(result.get("seconds", 0.0)))


def list_runs(root: Path) -> list[RunSummary]:
    """Runs under ``root``, newest first."""
    if not root.exists():
        return []
    dirs = [d for d in root.iterdir() if d.is_dir() and (d / "steps.jsonl").exists()]
    return [summarize(d) for d in sorted(dirs, key=lambda d: d.name, reverse=True)]


def find_run(root: Path, name: str) -> Path:
    """A run by folder path, full id or unique id prefix ("last" = the newest)."""
    direct = Path(name)
    if direct.is_dir() and (direct / "steps.jsonl").exists():
        return direct
    runs = list_runs(root)
    if name == "last" and runs:
        return runs[0].path
    matches = [r.path for r in runs if r.id.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"no run '{name}' in {root}; see `guiagent runs list`")
    raise UsageError(f"'{name}' matches {len(matches)} runs; give more of the id")
