"""Tasks as people type them and goals without a model, on the simulated phone.

The grammar tests are quick; the runs use the offline planner with the real perception
and grounding, a fresh data dir each, and check the phone's own state (bench/phrased.yaml).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from devices import Device
from devices.sim.device import SimDevice
from devices.sim.tasks import Task, load_tasks
from guiagent.config import Settings
from guiagent.session import RunOptions, build_loop
from guiagent.steps import Acted, Planned, RunResult, StepRecord
from planners.grammar import StepSyntaxError, clauses, grammar, parse_clause, parse_steps

PHRASED = Path(__file__).parents[2] / "bench" / "phrased.yaml"
TASKS = load_tasks(PHRASED.read_text(encoding="utf-8"))
ANSWERS = {r["id"]: r.get("answer") for r in yaml.safe_load(PHRASED.read_text("utf-8"))}


def steps_of(task: str) -> list[tuple[str, str, str]]:
    return [(s.verb, s.target, s.value) for s in parse_steps(task)]


def test_every_documented_form_parses_to_its_own_verb() -> None:
    for form in grammar().forms:
        for example in form.examples:
            (clause,), quoted = clauses(example)
            first = parse_clause(1, clause, quoted)[0] if not form.steps else None
            assert form.steps or (first is not None and first.verb == form.verb), example
            assert parse_steps(example)


@pytest.mark.parametrize(("task", "expected"), [
    ("open settings then network & internet then turn on wi-fi",
     [("open", "settings", ""), ("open", "network & internet", ""), ("toggle", "wi-fi", "on")]),
    ("Settings > Sound & vibration > Do Not Disturb",
     [("open", "Settings", ""), ("open", "Sound & vibration", ""),
      ("open", "Do Not Disturb", "")]),
    ("Settings → Network and internet → Airplane mode on",
     [("open", "Settings", ""), ("open", "Network and internet", ""),
      ("toggle", "Airplane mode", "on")]),
    ("open Settings\nSound and vibration\nswitch do not disturb on",
     [("open", "Settings", ""), ("open", "Sound and vibration", ""),
      ("toggle", "do not disturb", "on")]),
    ("open the clock app and create an alarm for 7:30 pm",
     [("open", "clock", ""), ("launch", "Clock", ""), ("tap", "Add alarm", ""),
      ("type", "", "7:30"), ("pick", "PM", ""), ("tap", "OK", "")]),
    ("enable dark mode", [("toggle", "dark mode", "on")]),
    ("disable Bluetooth", [("toggle", "Bluetooth", "off")]),
    ("set screen timeout to 5 minutes", [("tap", "screen timeout", ""), ("pick", "5 minutes", "")]),
    ("send hi to Bob", [("launch", "Messages", ""), ("chat", "Bob", ""),
                        ("fill", "message field", "hi"), ("tap", "Send", "")]),
    ("text 'see you, soon' to Carol Williams",
     [("launch", "Messages", ""), ("chat", "Carol Williams", ""),
      ("fill", "message field", "see you, soon"), ("tap", "Send", "")]),
    ("make a note called Groceries with apples and pears",
     [("launch", "Notes", ""), ("tap", "New note", ""), ("type", "Title", "Groceries"),
      ("type", "Note", "apples and pears"), ("tap", "Save", "")]),
    ("add Ada Lovelace to my contacts",
     [("launch", "Contacts", ""), ("tap", "Create contact", ""),
      ("fill", "first name", "Ada"), ("fill", "last name", "Lovelace"), ("tap", "Save", "")]),
    ("what's 15 plus 27?", [("ensure_app", "Calculator", ""), ("tap", "1", ""),
                            ("tap", "5", ""), ("tap", "+", ""), ("tap", "2", ""),
                            ("tap", "7", ""), ("tap", "=", ""), ("answer", "", "42")]),
    ("TRUN ON WIFI!!", [("toggle", "WIFI", "on")]),
    ("Please, switch blutooth off.", [("toggle", "blutooth", "off")]),
])
def test_phrasing_families(task: str, expected: list[tuple[str, str, str]]) -> None:
    assert steps_of(task) == expected


def test_desktop_menu_paths_are_not_breadcrumbs() -> None:
    assert steps_of("choose File > Save As")[0][0] == "menu"


def test_an_unreadable_task_names_the_nearest_forms_in_the_users_words() -> None:
    with pytest.raises(StepSyntaxError) as err:
        parse_steps("open Clock, frobnicate the widget")
    message = str(err.value)
    assert message.startswith("step 2 'frobnicate the widget' is not a step")
    assert message.split("did you mean")[1].count(" the widget'") == 3   # filled with its words


def test_the_cli_refuses_an_unreadable_task_before_touching_the_device(tmp_path: Path) -> None:
    """The device named cannot be reached: reaching it would be exit 3, not 1."""
    env = dict(os.environ, GUIAGENT_DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "guiagent", "run", "do the thing with my stuff",
                           "-d", "android:nothing@127.0.0.1:9", "--json"], capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode == 1, done.stderr
    suggested = done.stderr.split("did you mean")[-1]
    assert suggested.count(" the thing with my stuff'") == 3 and "Traceback" not in done.stderr
    assert "delete the thing" not in suggested      # nothing destructive the user did not ask


def run_goal(device: object, task: str, out: Path, max_steps: int = 60) -> list[StepRecord]:
    opts = RunOptions(planner="offline", out=out, assume_yes=True, max_steps=max_steps)
    records = list(build_loop(task, device, Settings(), opts).run(task))  # type: ignore[arg-type]
    assert isinstance(records[-1], RunResult)
    return records


def actions(records: list[StepRecord]) -> int:
    return sum(isinstance(r, Acted) for r in records)


@pytest.mark.slow
@pytest.mark.parametrize("task", TASKS, ids=[t.id for t in TASKS])
def test_phrased_task_from_a_fresh_data_dir(task: Task, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    with SimDevice() as phone:
        task.setup(phone.shell)
        records = run_goal(phone, task.instruction, tmp_path / "run")
        result = records[-1]
        assert isinstance(result, RunResult) and result.status == "success", result.reason
        assert task.check(phone.shell), task.explain(phone.shell)
    assert actions(records) <= 60
    if ANSWERS[task.id]:
        assert result.answer == ANSWERS[task.id]


@pytest.mark.slow
def test_a_second_run_of_a_goal_walks_the_saved_map(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    counts, plans = [], []
    for n in range(2):
        with SimDevice() as phone:
            phone.shell("settings put system screen_off_timeout 60000")
            records = run_goal(phone, "set screen timeout to 5 minutes", tmp_path / f"run{n}")
            assert records[-1].status == "success", records[-1]  # type: ignore[attr-defined]
            assert phone.shell("settings get system screen_off_timeout").strip() == "300000"
        counts.append(actions(records))
        plans.append(" ".join(r.subgoal for r in records if isinstance(r, Planned)))
    assert "exploring Settings" in plans[0]
    assert "where the app model saw 'screen timeout'" in plans[1]
    assert counts[1] < counts[0], counts


@pytest.mark.slow
def test_an_unreachable_goal_says_a_model_would_help(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    with SimDevice() as phone:
        records = run_goal(phone, "turn on teleportation", tmp_path / "run", max_steps=30)
    result = records[-1]
    assert isinstance(result, RunResult) and result.status == "failed"
    assert "teleportation" in result.reason and ("model" in result.reason
                                                 or "explore_budget" in result.reason)
    assert actions(records) <= 30


@pytest.mark.slow
@pytest.mark.adb
def test_a_goal_through_a_real_adb_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          adb_phone: Device) -> None:
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    shell = adb_phone.shell  # type: ignore[attr-defined]
    shell("settings put global bluetooth_on 0")
    records = run_goal(adb_phone, "switch on bluetooth", tmp_path / "run")
    assert records[-1].status == "success", records[-1]  # type: ignore[attr-defined]
    assert shell("settings get global bluetooth_on").strip() == "1"


@pytest.mark.slow
def test_quick_settings_is_a_place_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Auto-rotate is a Quick Settings tile only: the shade is where its words point first."""
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    with SimDevice() as phone:
        phone.shell("settings put system accelerometer_rotation 0")
        records = run_goal(phone, "turn on auto-rotate", tmp_path / "run")
        assert records[-1].status == "success", records[-1]  # type: ignore[attr-defined]
        assert phone.shell("settings get system accelerometer_rotation").strip() == "1"
    plans = " ".join(r.subgoal for r in records if isinstance(r, Planned))
    assert "looking in Quick Settings" in plans and actions(records) <= 60
