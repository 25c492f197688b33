"""The simulated phone through Debian's real adb server and AndroidDevice: tasks run alike."""

from __future__ import annotations

import time

import pytest
from android.conftest import adb_server, sim_daemon  # noqa: F401 - fixtures reused

from devices.android import AndroidDevice
from devices.errors import BlankFrame
from devices.sim.adbd import AdbDaemon
from devices.sim.tasks import Task, load_tasks
from devices.sim.tasks.runner import run_solution

pytestmark = pytest.mark.adb


@pytest.fixture()
def device(adb_server, sim_daemon: AdbDaemon) -> AndroidDevice:  # noqa: ANN001, F811
    return AndroidDevice(sim_daemon.serial, adb_server=adb_server.address)


TASKS = load_tasks()


@pytest.mark.parametrize("task", TASKS, ids=[t.id for t in TASKS])
def test_task_through_adb(device: AndroidDevice, task: Task) -> None:
    """Every task on one phone in a row: each setup must undo what the last task left."""
    task.setup(device.shell)
    assert not task.check(device.shell)
    run_solution(device, task.solution)
    assert task.check(device.shell), task.explain(device.shell)


def test_adb_sees_the_same_screen_and_tree(device: AndroidDevice, sim_daemon: AdbDaemon) -> None:  # noqa: F811
    device.shell("am force-stop com.android.settings")
    device.launch_app("Settings")
    time.sleep(0.4)   # past the transition, so both captures show the settled frame
    assert device.current_app() == ("com.android.settings", "com.android.settings.Settings")
    phone = sim_daemon.phone
    assert device.ui_tree() == phone.dump_hierarchy()  # type: ignore[attr-defined]
    shot = device.screenshot()
    assert shot.size == (1080, 2400)
    assert shot.tobytes() == phone.render().tobytes()  # type: ignore[attr-defined]


def test_screen_off_is_a_blank_frame_error(device: AndroidDevice) -> None:
    device.press_key("power")
    try:
        with pytest.raises(BlankFrame):
            device.screenshot()
    finally:
        device.shell("input keyevent KEYCODE_WAKEUP")
    assert device.screenshot().getbbox() is not None
