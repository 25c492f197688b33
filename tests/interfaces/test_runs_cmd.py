"""`guiagent run` progress and `guiagent runs list|show|open` on real runs, a killed one too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guiagent.config import data_dir

from .conftest import ROOT, cli

TASK = "open Settings, tap Network & internet, turn on Airplane mode"


@pytest.mark.slow
def test_run_shows_progress_then_runs_list_show_open() -> None:
    done = cli("run", TASK, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)                      # stdout holds the one JSON object only
    assert out["status"] == "success" and out["steps"] == 3
    run_dir = Path(out["run_dir"])
    assert run_dir.parent == data_dir() / "runs"
    for line in ("step 1 plan: open Settings", "step 3 plan: turn on Airplane mode",
                 "outcome: ok", "status   success", "steps    3", f"saved in {run_dir}"):
        assert line in done.stderr, done.stderr
    assert (run_dir / "report.html").is_file() and (run_dir / "act-003.png").is_file()

    listing = json.loads(cli("runs", "list", "--json").stdout)
    assert [(r["id"], r["status"], r["steps"]) for r in listing] == [(run_dir.name, "success", 3)]
    shown = cli("runs", "show", "last")
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    assert lines[0] == f"{run_dir.name}: {TASK}"
    assert sum("] act: " in line for line in lines) == 3
    assert lines[-1] == f"success: {out['reason']}"
    as_json = json.loads(cli("runs", "show", run_dir.name[:10], "--json").stdout)
    steps = (run_dir / "steps.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(as_json["records"]) == len(steps) and as_json["run"]["status"] == "success"

    (run_dir / "report.html").unlink()
    opened = cli("runs", "open", "last")
    assert opened.returncode == 0 and opened.stdout.strip() == str(run_dir / "report.html")
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert page.count('<section class="card">') == 4      # three actions, done
    assert page.count("data:image/jpeg;base64,") == 7     # before+after x3, the last screen
    assert '<div class="banner success">success: ' in page
    assert '"Airplane mode" [' in page and 'href="act-003.png"' in page
    assert "turn on Airplane mode" in page and "success: " in page


def test_runs_of_an_empty_data_dir_and_an_unknown_run() -> None:
    listing = cli("runs", "list")
    assert listing.returncode == 0 and "no runs in" in listing.stderr
    missing = cli("runs", "show", "nope")
    assert missing.returncode == 4
    assert "no run 'nope'" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.slow
def test_a_killed_run_is_readable() -> None:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "guiagent", "run", "open Settings, wait 20 seconds, go back"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        steps = wait_for_act(data_dir() / "runs", proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    shown = cli("runs", "show", "last")
    assert shown.returncode == 0, shown.stderr
    assert "[1] act: " in shown.stdout
    assert shown.stdout.splitlines()[-1].startswith("incomplete: the run ended before its result")
    listing = json.loads(cli("runs", "list", "--json").stdout)
    assert listing[0]["status"] == "incomplete" and listing[0]["path"] == str(steps.parent)
    opened = cli("runs", "open", "last")
    assert opened.returncode == 0
    assert "incomplete" in (steps.parent / "report.html").read_text(encoding="utf-8")


def wait_for_act(root: Path, proc: subprocess.Popen[bytes], timeout: float = 60) -> Path:
    """steps.jsonl of the running run, once its first action is recorded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        for steps in root.glob("*/steps.jsonl"):
            if '"kind": "act"' in steps.read_text(encoding="utf-8"):
                return steps
        time.sleep(0.1)
    raise AssertionError("no action was recorded in time")
