"""`guiagent explore`: a breadth-first crawl of the simulated phone's Settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from devices.sim.apps import settings as sim_settings
from devices.sim.apps.base import Dialog
from devices.sim.device import SimDevice
from guiagent.explore import ExploreOptions, explore
from guiagent.safety import RISKS
from guiagent.session import TreeFirstPerceiver
from planners.appmodel import AppModelStore


def menu_tree() -> set[str]:
    """The titles of Settings' menu pages, as the simulated phone defines them."""
    return ({sim_settings.Home.title, sim_settings.Internet.title}
            | {title for title, _, _, _ in sim_settings.ENTRIES})


def crash_on_rename(self: sim_settings.About) -> None:
    """Device name -> the system's "has stopped" dialog (the simulated phone has no crashing
    app of its own, so the test gives About phone one)."""
    self.host.show_dialog(Dialog("Settings has stopped", buttons=[
        ("Close app", lambda: self.host.remove_task(sim_settings.PKG))],
        package=sim_settings.PKG))


def all_settings(phone: SimDevice) -> dict[str, str]:
    lines = "".join(phone.shell(f"settings list {ns}") for ns in ("global", "system", "secure"))
    return dict(line.split("=", 1) for line in lines.splitlines())


@pytest.mark.slow
def test_exploring_settings_reaches_every_menu_screen_and_risks_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim_settings.About, "rename", crash_on_rename)
    store = AppModelStore(tmp_path / "appmodels")
    with SimDevice() as phone:
        before = all_settings(phone)
        result = explore(phone, "Settings", TreeFirstPerceiver(), store, tmp_path / "run",
                         ExploreOptions(max_actions=400))
        after = all_settings(phone)
    titles = {n.title for n in result.nodes.values()}
    assert menu_tree() <= titles, menu_tree() - titles
    assert len(menu_tree()) == 16
    # every toggle it flipped, restored (Android keeps a note of Wi-Fi under airplane mode)
    assert {k: after[k] for k in before} == before
    assert result.restored
    assert result.crashes == ["About phone > Device name: has stopped"]
    taps = [json.loads(line)["action"] for line in
            (tmp_path / "run" / "steps.jsonl").read_text().splitlines()]
    names = [a.get("target", "") for a in taps if a["type"] == "tap"]
    assert names and not [n for n in names if any(p.search(n) for p in RISKS.values())]
    assert not any(a["type"] == "type" for a in taps)
    page = (tmp_path / "run" / "map.html").read_text()
    assert page.count("<section") == len(result.nodes) and page.count("<img") >= 16
    assert "href='#" in page and (tmp_path / "run" / "report.html").is_file()
    model = store.load("com.android.settings")
    assert len(model.transitions) >= 30


def test_explore_command_writes_a_map(tmp_path: Path) -> None:
    env = dict(os.environ, GUIAGENT_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "guiagent", "explore", "Settings",
                           "--max-actions", "6", "--out", str(tmp_path / "run")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert re.match(r"explored Settings: \d+ screens, \d+ actions", done.stdout)
    assert (tmp_path / "run" / "map.html").is_file()
    assert (tmp_path / "data" / "appmodels").is_dir()
