"""The offline planner on the simulated phone with real perception and grounding; the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from openai_server import OpenAIServer

from devices.sim.device import SimDevice
from devices.sim.perturb import Perturbations
from devices.sim.tasks import Task, load_tasks
from guiagent.config import Settings
from guiagent.session import RunOptions, build_loop
from guiagent.steps import Acted, Grounded, RunResult, StepRecord
from guiagent.trajectory import read_run
from tests.loop.conftest import Script, decide, plan

AIRPLANE = "settings get global airplane_mode_on"


def run_task(phone: SimDevice, task: str, tmp_path: Path, **options: object) -> list[StepRecord]:
    opts = RunOptions(planner="offline", out=tmp_path / "run", **options)  # type: ignore[arg-type]
    records = list(build_loop(task, phone, Settings(), opts).run(task))
    assert isinstance(records[-1], RunResult)
    return records


def test_step_list_turns_on_airplane_mode(phone: SimDevice, tmp_path: Path) -> None:
    assert phone.shell(AIRPLANE).strip() == "0"
    task = "open Settings, tap Network & internet, turn on Airplane mode"
    records = run_task(phone, task, tmp_path)
    result = records[-1]
    assert isinstance(result, RunResult) and result.status == "success", result.reason
    assert phone.shell(AIRPLANE).strip() == "1"
    assert sum(isinstance(r, Acted) for r in records) == 3
    meta, saved = read_run(tmp_path / "run")
    assert meta["planner"] == "offline" and meta["status"] == "success"


def test_toggle_already_on_takes_no_action(phone: SimDevice, tmp_path: Path) -> None:
    phone.shell("settings put global airplane_mode_on 1")
    records = run_task(phone, "open Settings, tap Network & internet, turn on Airplane mode",
                       tmp_path)
    assert records[-1].status == "success"  # type: ignore[attr-defined]
    assert sum(isinstance(r, Acted) for r in records) == 2
    assert phone.shell(AIRPLANE).strip() == "1"


def test_a_step_that_cannot_be_found_fails_naming_it(phone: SimDevice, tmp_path: Path) -> None:
    records = run_task(phone, "open Settings, tap Teleportation settings", tmp_path)
    result = records[-1]
    assert isinstance(result, RunResult) and result.status == "failed"
    assert "step 2 'tap Teleportation settings'" in result.reason


def test_dry_run_sends_nothing(phone: SimDevice, tmp_path: Path) -> None:
    records = run_task(phone, "open Settings", tmp_path, dry_run=True)
    assert records[-1].status == "success"  # type: ignore[attr-defined]
    assert all(r.dry_run for r in records if isinstance(r, Acted))
    assert phone.current_app()[0] == "com.android.launcher3"


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guiagent", *args], capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.mark.slow
def test_cli_run_json_and_replay(tmp_path: Path) -> None:
    env = dict(os.environ)
    task = "open Settings, tap Network & internet, turn on Airplane mode"
    done = cli("run", task, "--json", "--out", str(tmp_path / "a"), env=env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["status"] == "success" and out["steps"] == 3
    assert out["run_dir"] == str(tmp_path / "a")
    assert "Settings" in done.stderr                     # progress lines
    again = cli("replay", str(tmp_path / "a"), "--json", "--out", str(tmp_path / "b"), env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["steps"] == 3
    bad = cli("run", "open Settings, frobnicate", "--json", "--out", str(tmp_path / "c"),
              env=env)
    assert bad.returncode == 1 and json.loads(bad.stdout)["status"] == "failed"
    usage = cli("run", "x", "--planner", "llm", env=env)
    assert usage.returncode == 4 and "OPENAI_BASE_URL" in usage.stderr
    assert "Traceback" not in usage.stderr


@pytest.mark.slow
def test_ctrl_c_stops_after_the_current_action(tmp_path: Path) -> None:
    task = "wait 2 seconds, wait 2 seconds, wait 2 seconds, wait 2 seconds"
    proc = subprocess.Popen([sys.executable, "-m", "guiagent", "run", task, "--json",
                             "--out", str(tmp_path / "r")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "plan:" in line:                           # the loop is running
            break
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2
    result = json.loads(out)
    assert (result["status"], result["reason"]) == ("stopped", "stopped by the user")
    assert 1 <= result["steps"] < 4


@pytest.mark.slow
def test_cli_run_with_a_model_server(tmp_path: Path) -> None:
    script = Script(plan=[plan("open Clock"), plan("done", done=True)],
                    decision=[decide(type="tap", target="Clock")])
    with OpenAIServer() as srv:
        srv.default = script  # type: ignore[assignment]
        env = dict(os.environ, OPENAI_API_KEY="test")
        done = cli("run", "open the clock", "--base-url", srv.base_url, "--model", "test-model",
                   "--json", "--max-tokens", "5000", "--out", str(tmp_path / "r"), env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["status"], result["steps"]) == ("success", 1)
    assert result["tokens"] == 120 * sum(script.calls.values())
    assert read_run(tmp_path / "r")[0]["planner"] == "llm"


STEP_TASKS = [t for t in load_tasks() if t.kind == "steps"]


@pytest.mark.slow
@pytest.mark.parametrize("task", STEP_TASKS, ids=[t.id for t in STEP_TASKS])
def test_offline_planner_on_the_step_list_suite(task: Task, tmp_path: Path) -> None:
    with SimDevice() as phone:
        task.setup(phone.shell)
        records = run_task(phone, task.instruction, tmp_path, assume_yes=True)
        assert records[-1].status == "success", records[-1]  # type: ignore[attr-defined]
        assert task.check(phone.shell), task.explain(phone.shell)


def test_a_pop_up_in_the_way_is_declined(tmp_path: Path) -> None:
    with SimDevice(seed=1, perturbations=Perturbations(permission_dialog=1.0)) as phone:
        records = run_task(phone, "open Settings, tap Network & internet, turn on Airplane mode",
                           tmp_path)
        assert records[-1].status == "success", records[-1]  # type: ignore[attr-defined]
        assert phone.shell(AIRPLANE).strip() == "1"
    taps = [r for r in records if isinstance(r, Grounded)]
    assert any(r.label == "Don't allow" for r in taps)   # declined, never granted
