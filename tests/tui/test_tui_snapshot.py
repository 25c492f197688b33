"""Snapshot of the TUI's layout (no device opened, so nothing on it changes between runs)."""

from __future__ import annotations

from pathlib import Path

from devices import open_device
from guiagent.config import load_settings
from tui.app import GuiagentApp
from tui.wiring import make_start_run


def test_layout_snapshot(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    app = GuiagentApp(devices=[], open_device=open_device,
                      start_run=make_start_run(load_settings()), runs_root=tmp_path / "runs",
                      device=None)
    assert snap_compare(app, terminal_size=(120, 36))
