"""The real `guiagent` command in a subprocess, and checks that a run ended properly.

Faults are injected from outside the process (a killed adb daemon, X server or model
server, a signal, a full disk), so each test drives the CLI as a user does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Finished:
    """What a finished command left: exit code, stderr, and its run record."""

    rc: int
    stderr: str
    meta: dict[str, Any]
    records: list[dict[str, Any]]

    @property
    def result(self) -> dict[str, Any]:
        return self.records[-1]


def cli_env(**extra: str) -> dict[str, str]:
    """This test's isolated data and config dirs (tests/conftest.py), plus ``extra``."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200")
    env.update(extra)
    return env


def start(*args: str, env: dict[str, str] | None = None,
          cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "guiagent", *args], env=env or cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)


def guiagent(*args: str, env: dict[str, str] | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one command to its end; a traceback on stderr fails the test."""
    proc = subprocess.run([sys.executable, "-m", "guiagent", *args], env=env or cli_env(),
                          capture_output=True, text=True, timeout=timeout)
    assert TRACEBACK not in proc.stderr, proc.stderr
    return proc


def finished(rc: int, stderr: str, out: Path) -> Finished:
    """The run record in ``out``, checked to be finished: run.json has the result, the last
    step record is the result, and every file a record names exists."""
    assert TRACEBACK not in stderr, stderr
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    records = [json.loads(line) for line in
               (out / "steps.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "status" in meta and "finished" in meta, meta
    assert records and records[-1]["kind"] == "result", records[-3:]
    for rec in records:
        for key in ("before", "after", "image"):
            if rec.get(key):
                assert (out / rec[key]).is_file(), f"{rec['kind']} names {rec[key]}: missing"
    return Finished(rc, stderr, meta, records)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("guiagent: error:")]
