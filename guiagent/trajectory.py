"""Trajectories: one folder per run, written step by step so a crash loses no completed step.

Layout of ``<data dir>/runs/<YYYYmmdd-HHMMSS>-<slug>/`` (or ``--out DIR``):

    run.json       {"task", "started", "planner", "device", ...}; after the run also
                   "status", "reason", "steps", "seconds", "tokens", "cost_usd" (atomic write)
    steps.jsonl    one JSON object per step record, appended and fsynced as it happens;
                   "kind" is observe | plan | decide | ground | safety | act | reflect |
                   app_model | rollback | warning | result (see guiagent/steps.py)
    screen-NNN.png the screen as observed before action NNN+1 and after action NNN;
                   "act" records name theirs in "before" and "after". PNGs are encoded on
                   a background thread (it overlaps perception) and on disk before
                   the record that names it; a crash can lose the last screen, never
                   a step record, and no record names a missing file.
    act-NNN.png,   written when the run ends (guiagent/report.py): the action drawn on
    report.html    its screen, and one self-contained page with a card per step
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image

from guiagent.config import data_dir
from guiagent.errors import RecordNotWritten, UsageError
from guiagent.files import (
    append_line,
    atomic_write_bytes,
    atomic_write_text,
    exclusive_write_text,
)
from guiagent.steps import RunResult, StepRecord

STEPS = "steps.jsonl"
META = "run.json"


def slugify(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "run"


def runs_root() -> Path:
    return data_dir() / "runs"


def new_run_dir(task: str, root: Path | None = None) -> Path:
    """A fresh ``<timestamp>-<slug>`` folder under ``root`` (default: the data dir's runs/)."""
    root = root or runs_root()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = root / f"{stamp}-{slugify(task)}"
    path, n = base, 1
    while True:   # mkdir decides, so that runs started at once (parallel flows) never collide
        try:
            path.mkdir(parents=True)
            return path
        except FileExistsError:
            n += 1
            path = base.with_name(f"{base.name}-{n}")


class Trajectory:
    """Writes one run folder; every method returns only after the data is on disk.

    A write that fails (a full disk, a folder that cannot be written) raises
    RecordNotWritten: a run that cannot keep its record stops rather than go on unrecorded.
    """

    def __init__(self, run_dir: Path, meta: dict[str, Any]) -> None:
        self.dir = Path(run_dir)
        self.meta = dict(meta)
        self._writer: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []
        with self._writing():
            self.dir.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.dir / META, json.dumps(self.meta, indent=2))

    @classmethod
    def create(cls, task: str, out: Path | None = None, **meta: Any) -> Trajectory:
        """A new run folder: ``out`` if given (must be empty, and is claimed atomically: of
        two runs given the same folder one gets it), else a fresh one under runs/."""
        started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        meta = {"task": task, "started": started, **meta}
        if out is None:
            return cls(_writable(lambda: new_run_dir(task), runs_root()), meta)
        out = Path(out)
        _claim(out, json.dumps(meta, indent=2))
        return cls(out, meta)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """OSError while writing the record -> RecordNotWritten naming the folder."""
        try:
            yield
        except OSError as exc:
            raise RecordNotWritten(_cannot_write(self.dir, exc)) from exc

    def save_image(self, index: int, image: Image.Image) -> str:
        """Queue the screen seen before action ``index + 1`` for writing; returns the file name."""
        name = f"screen-{index:03d}.png"
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trajectory")
        self._pending.append(self._writer.submit(_write_png, self.dir / name, image))
        return name

    def flush(self) -> None:
        """Wait for every queued screen; a failed write is raised here."""
        pending, self._pending = self._pending, []
        with self._writing():
            for future in pending:
                future.result()

    def record(self, rec: StepRecord) -> None:
        """Append one record, after every queued screen is on disk: a record never names a
        file that does not exist yet (a crash or SIGKILL leaves no dangling name)."""
        self.flush()
        with self._writing():
            append_line(self.dir / STEPS, json.dumps(rec.to_dict(), default=str))

    def finish(self, result: RunResult) -> None:
        """Write the result into run.json (the result record itself goes through ``record``)."""
        self.flush()
        if self._writer is not None:
            self._writer.shutdown()
        keys = ("status", "reason", "answer", "steps", "tokens", "cost_usd", "seconds")
        done = {k: v for k, v in result.to_dict().items() if k in keys}
        self.meta.update(done, finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        with self._writing():
            atomic_write_text(self.dir / META, json.dumps(self.meta, indent=2))
            from guiagent.report import write_report

            write_report(self.dir)


def _cannot_write(folder: Path, exc: OSError) -> str:
    where = exc.filename or folder
    return (f"cannot write the run record in {folder} ({where}: {exc.strerror or exc}); the run "
            "stops: free some space or choose another folder with --out")


def _writable(make: Callable[[], Path], folder: Path) -> Path:
    try:
        return make()
    except OSError as exc:
        raise RecordNotWritten(_cannot_write(folder, exc)) from exc


def _claim(out: Path, meta_text: str) -> None:
    """Make ``out`` (or take it while empty) and create its run.json exclusively; a folder
    with files, a path under a file, or one that cannot be written is a UsageError."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if any(p.name != META for p in out.iterdir()):
            raise UsageError(f"--out {out}: the folder is not empty; name a new folder")
        exclusive_write_text(out / META, meta_text)
    except FileExistsError as exc:
        what = "another run took the folder" if (out / META).exists() else "a file is in the way"
        raise UsageError(f"--out {out}: {what}; name a new folder") from exc
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there ({exc.strerror or exc}); name a "
                         "folder you can write to") from exc


def _write_png(path: Path, image: Image.Image) -> None:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    atomic_write_bytes(path, buf.getvalue())


def read_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(run.json, the step records) of a recorded run; a damaged file is a one-line error
    (guiagent.runs reads it)."""
    from guiagent.runs import read_run as read

    return read(run_dir)
