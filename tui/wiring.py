"""Build the TUI from the user's settings: the same loop wiring as `guiagent run`."""

from __future__ import annotations

from collections.abc import Iterator

from devices import Device, list_devices, open_device
from grounding.types import Screen, Target
from guiagent.config import Settings, data_dir, device_options, load_settings
from guiagent.safety import Check, Safety
from guiagent.session import RunOptions, build_loop, grounding_parts
from guiagent.steps import StepRecord
from planners.actions import Action
from tui.app import GuiagentApp
from tui.control import RunControl
from tui.screen_view import graphics_widget


class StepModeSafety(Safety):
    """The run's own safety rules, plus: in step mode every action waits for approval."""

    def __init__(self, base: Safety, control: RunControl) -> None:
        super().__init__(base.policy, confirm=control.confirm, assume_yes=base.assume_yes)
        self.base = base
        self.control = control

    def check(self, action: Action, screen: Screen, target: Target | None, task: str = "") -> Check:
        check = self.base.check(action, screen, target, task)
        if self.control.step_mode and check.verdict == "allow":
            return Check("confirm", None, "step mode", what=check.what)
        return check


def make_start_run(settings: Settings, options: RunOptions | None = None):  # noqa: ANN201
    """(task, device, control) -> records, with approvals and step mode going to the TUI."""
    options = options or RunOptions()

    def start(task: str, device: Device, control: RunControl) -> Iterator[StepRecord]:
        loop = build_loop(task, device, settings, options, confirm=control.confirm)
        loop.safety = StepModeSafety(loop.safety, control)
        stream = loop.run(task)
        for record in stream:
            yield record
            if control.stopped:
                loop.stop()
    return start


def build_app(device: str | None, adb_server: str | None,
              graphics: str = "auto") -> GuiagentApp:
    settings = load_settings({"device": device, "adb_server": adb_server})
    options = device_options(settings)
    return GuiagentApp(
        devices=list_devices(**options),
        open_device=lambda spec: open_device(spec, **options),
        start_run=make_start_run(settings),
        runs_root=data_dir() / "runs",
        device=settings.device or "sim",
        pixels=graphics_widget(graphics),
        perceive=grounding_parts(False, settings)[0],
    )
