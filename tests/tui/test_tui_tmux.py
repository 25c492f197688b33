"""`guiagent tui` in a real terminal (tmux): it starts, shows its keys, runs a task on sim."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                          text=True, check=True).stdout


def wait_screen(session: str, words: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if words in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{words!r} never appeared; the pane shows:\n{screen}")


def test_tui_under_tmux(tmp_path: Path) -> None:
    session = f"guiagent-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "TERM": "xterm-256color", "GUIAGENT_DATA_DIR": str(tmp_path / "data")}
    cmd = f"{sys.executable} -m guiagent tui -d sim"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "140", "-y", "45", cmd],
                   env=env, check=True)
    try:
        screen = wait_screen(session, "Take over")
        assert "Run" in screen and "Step mode" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", "open Settings"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        screen = wait_screen(session, "success")
        assert "] act: " in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
