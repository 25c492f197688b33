"""Helpers for the interfaces tests: the CLI in a subprocess, flows written into tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "flows"


def cli(*args: str | Path, timeout: float = 180,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`guiagent ARGS` as a user runs it (the test's isolated data dir, no display)."""
    environ = dict(os.environ, **(env or {}))
    environ.pop("DISPLAY", None)
    environ.pop("WAYLAND_DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "guiagent", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=environ,
                          cwd=ROOT)


def write_flow(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path
