"""Every shipped task: its check fails after setup and passes after its scripted solution."""

from __future__ import annotations

import pytest

from devices.sim.device import SimDevice
from devices.sim.tasks import Task, TaskError, load_tasks
from devices.sim.tasks.runner import StepFailed, run_solution

TASKS = load_tasks()


def test_the_suite_is_large_and_mixed() -> None:
    assert len(TASKS) >= 30
    kinds = {t.kind for t in TASKS}
    assert kinds == {"steps", "goal"}
    assert len({t.app for t in TASKS}) >= 6


@pytest.mark.parametrize("task", TASKS, ids=[t.id for t in TASKS])
def test_task_check_fails_before_and_passes_after(task: Task) -> None:
    dev = SimDevice()
    task.setup(dev.shell)
    assert not task.check(dev.shell)
    run_solution(dev, task.solution)
    assert task.check(dev.shell), task.explain(dev.shell)


def test_setup_refuses_a_check_that_already_passes() -> None:
    dev = SimDevice()
    task = next(t for t in TASKS if t.id == "airplane_on_steps")
    lying = Task(task.id, task.instruction, task.app, task.kind,
                 ("settings put global airplane_mode_on 1",), task.expects)
    with pytest.raises(TaskError, match="already passes"):
        lying.setup(dev.shell)


def test_a_wrong_solution_does_not_pass() -> None:
    dev = SimDevice()
    task = next(t for t in TASKS if t.id == "text_alice_late_goal")
    task.setup(dev.shell)
    run_solution(dev, [{"tap": "Messages"}, {"tap": "Bob Smith"}, {"tap": "Text message"},
                       {"type": "I'm running late"}, {"tap": {"desc": "Send SMS"}}])
    assert not task.check(dev.shell)


def test_a_missing_target_fails_loudly() -> None:
    with pytest.raises(StepFailed, match="Teleporter"):
        run_solution(SimDevice(), [{"tap": "Teleporter"}])


def test_bad_task_files_are_refused() -> None:
    with pytest.raises(TaskError, match="list"):
        load_tasks("id: x")
    with pytest.raises(TaskError, match="bad task"):
        load_tasks("- {id: x, instruction: y}")
