"""Goals no step form spells out, on the simulated phone from a fresh data dir, checked by
the phone's state; the second run walks the app model the first one saved."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devices.sim.device import SimDevice
from guiagent.config import Settings
from guiagent.session import RunOptions, build_loop
from guiagent.steps import Acted, Planned, RunResult, StepRecord


def run(phone: SimDevice, task: str, out: Path) -> list[StepRecord]:
    opts = RunOptions(planner="offline", out=out, assume_yes=True, max_steps=60)
    return list(build_loop(task, phone, Settings(), opts).run(task))


def connected(phone: SimDevice) -> str:
    return phone.shell("cmd wifi status").split('connected to "', 1)[-1].split('"')[0]


@pytest.mark.slow
def test_a_wifi_row_is_found_by_exploring_then_by_the_saved_map(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    counts, plans = [], []
    for n in range(2):
        phone = SimDevice()
        with phone:
            assert connected(phone) == "AndroidWifi"
            records = run(phone, "connect to CoffeeShop Guest", tmp_path / f"run{n}")
            result = records[-1]
            assert isinstance(result, RunResult)
            assert result.status == "success", result.reason
            assert connected(phone) == "CoffeeShop Guest"
        counts.append(sum(isinstance(r, Acted) for r in records))
        plans.append(" ".join(r.subgoal for r in records if isinstance(r, Planned)))
    assert "exploring Settings" in plans[0] and "under 'Internet" in plans[0]
    assert "where the app model saw 'CoffeeShop Guest'" in plans[1]
    assert counts[1] <= counts[0] <= 8, counts


@pytest.mark.slow
def test_a_goal_no_place_holds_fails_saying_where_it_looked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    with SimDevice() as phone:
        opts = RunOptions(planner="offline", out=tmp_path / "run", assume_yes=True,
                          max_steps=30)
        task = "show me the alarm called Moonwalk"
        records = list(build_loop(task, phone, Settings(), opts).run(task))
    result = records[-1]
    assert isinstance(result, RunResult) and result.status == "failed"
    assert "'Moonwalk'" in result.reason and "in Clock" in result.reason
    assert "configure a model" in result.reason


def test_the_cli_takes_a_goal_to_the_device(tmp_path: Path) -> None:
    """A goal is no syntax error (exit 1): the run goes on to the device, here one that
    cannot be found (a device error, not 1)."""
    env = dict(os.environ, GUIAGENT_DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "guiagent", "run",
                           "switch the phone to dark theme", "-d",
                           "android:nothing@127.0.0.1:9", "--json"], capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode not in (0, 1), done.stderr
    assert "no Android device" in done.stderr
    assert "not a step" not in done.stderr and "Traceback" not in done.stderr
