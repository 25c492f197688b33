"""Reading saved runs: one folder per run with run.json and steps.jsonl (one record a line).

A record file can be damaged (a disk error, an edit, a copy cut short). Reading never
guesses: a line that is not UTF-8 or not a JSON object is an error naming the file and
line; only a torn last line (the process was killed mid-write) is left out, and the run
then counts as incomplete.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guiagent.errors import UsageError

STEPS = "steps.jsonl"
META = "run.json"


class RunRecordError(UsageError):
    """A run folder whose run.json or steps.jsonl cannot be read as written."""


@dataclass(frozen=True)
class RunSummary:
    """What `guiagent runs list` shows; ``status`` is "incomplete" for a run that crashed
    and "damaged" for one whose records cannot be read."""

    id: str
    path: Path
    task: str
    status: str
    reason: str
    steps: int
    seconds: float
    started: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": str(self.path), "task": self.task, "status": self.status,
                "reason": self.reason, "steps": self.steps, "seconds": self.seconds,
                "started": self.started}


@dataclass(frozen=True)
class RunRecords:
    """A run's records; ``torn`` when the last line was cut short (left out)."""

    records: list[dict[str, Any]]
    torn: bool = False


def _record(path: Path, number: int, raw: bytes) -> dict[str, Any]:
    where = f"{path}:{number}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RunRecordError(f"{where}: not UTF-8 text (byte {exc.start}); the record file "
                             "is damaged; repair or remove that line") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RunRecordError(f"{where}: not a JSON record ({exc.msg}); the record file "
                             "is damaged; repair or remove that line") from exc
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        raise RunRecordError(f"{where}: a record is a JSON object with a \"kind\"; this line "
                             "is not one")
    return data


def load_records(run_dir: Path) -> RunRecords:
    """Every record of steps.jsonl; raises RunRecordError naming a damaged line."""
    path = Path(run_dir) / STEPS
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return RunRecords([])
    except OSError as exc:
        raise RunRecordError(f"{path}: cannot read ({exc.strerror})") from exc
    lines = data.split(b"\n")
    torn = bool(lines[-1].strip())   # no newline after the last line: killed mid-write
    body = lines[:-1] if torn else lines
    records = [_record(path, n, raw) for n, raw in enumerate(body, 1) if raw.strip()]
    if torn:
        try:
            records.append(_record(path, len(lines), lines[-1]))
            torn = False
        except RunRecordError:
            pass
    return RunRecords(records, torn)


def read_records(run_dir: Path) -> list[dict[str, Any]]:
    """The records of a run (see ``load_records``)."""
    return load_records(run_dir).records


def read_meta(run_dir: Path) -> dict[str, Any]:
    """run.json (task, planner, device...); raises RunRecordError when it is damaged."""
    path = Path(run_dir) / META
    if not path.is_file():
        raise RunRecordError(f"{run_dir}: not a run folder (no {META})")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise RunRecordError(f"{path}: not UTF-8 text; the file is damaged (restore it from "
                             "a copy)") from exc
    except json.JSONDecodeError as exc:
        raise RunRecordError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); "
                             "the file is damaged (restore it from a copy)") from exc
    except OSError as exc:
        raise RunRecordError(f"{path}: cannot read ({exc.strerror})") from exc
    if not isinstance(meta, dict):
        raise RunRecordError(f"{path}: run.json holds a JSON object; this one holds "
                             f"{type(meta).__name__}")
    return meta


def read_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(run.json, the step records) of a recorded run; RunRecordError when damaged."""
    return read_meta(run_dir), read_records(run_dir)


def summarize(run_dir: Path) -> RunSummary:
    """The run's status and counts; raises RunRecordError for a damaged run."""
    meta, loaded = read_meta(run_dir), load_records(run_dir)
    records = loaded.records
    task, started = str(meta.get("task", "")), str(meta.get("started", ""))
    result = next((r for r in reversed(records) if r.get("kind") == "result"), None)
    acts = sum(r.get("kind") == "act" for r in records)
    if result is None:
        why = ("its record file is cut short" if loaded.torn
               else "the run ended before its result was written")
        return RunSummary(run_dir.name, run_dir, task, "incomplete", why, acts, 0.0, started)
    try:
        steps, seconds = int(result.get("steps", acts)), float(result.get("seconds", 0.0))
    except (TypeError, ValueError):
        steps, seconds = acts, 0.0
    return RunSummary(run_dir.name, run_dir, task, str(result.get("status", "?")),
                      str(result.get("reason", "")), steps, seconds, started)


def _summary_or_damaged(run_dir: Path) -> RunSummary:
    try:
        return summarize(run_dir)
    except RunRecordError as exc:
        return RunSummary(run_dir.name, run_dir, "", "damaged", str(exc), 0, 0.0)


def list_runs(root: Path) -> list[RunSummary]:
    """Runs under ``root``, newest first (by start time, then folder name)."""
    if not root.is_dir():
        return []
    dirs = [d for d in root.iterdir() if d.is_dir() and (d / STEPS).exists()]
    found = [_summary_or_damaged(d) for d in dirs]
    return sorted(found, key=lambda r: (r.started, r.id), reverse=True)


def find_run(root: Path, name: str) -> Path:
    """A run by folder path, full id or unique id prefix ("last" = the newest)."""
    direct = Path(name)
    if direct.is_dir() and ((direct / STEPS).exists() or (direct / META).exists()):
        return direct
    runs = list_runs(root)
    if name == "last":
        if not runs:
            raise UsageError(f"no runs in {root} yet; `guiagent run TASK` saves one")
        return runs[0].path
    matches = [r.path for r in runs if r.id.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"no run '{name}' in {root}; see `guiagent runs list`")
    raise UsageError(f"'{name}' matches {len(matches)} runs; give more of the id")
