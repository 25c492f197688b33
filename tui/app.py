"""`guiagent tui`: pick a device, give a task, watch and steer the agent.

The agent runs in a thread worker; every step record it yields is shown in
the log, the screen view follows the device, risky actions (or every action in
step mode) wait for the person's approval.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

from PIL import Image
from rich.markup import escape
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Label, RichLog, Select, Static

from devices import Device, DeviceInfo, Observation, PixelPoint
from grounding.types import Screen
from guiagent.naming import RecordLines, step_number
from guiagent.steps import Acted, Observed, Planned, RunResult, StepRecord
from tui.control import Approval, RunControl
from tui.describe import approval_details, log_text
from tui.runs_screen import RunsScreen
from tui.screen_view import ElementList, ScreenView, fit

# (task, device, control) -> the loop's stream of step records.
StartRun = Callable[[str, Device, RunControl], Iterator[StepRecord]]
W = TypeVar("W", bound=Widget)
# An observation -> its elements (the TUI lists them beside the picture).
Perceive = Callable[[Observation], Screen]


class SerializedDevice:
    """The device behind one lock: the screen view and the agent's thread both use it."""

    def __init__(self, device: Device) -> None:
        self._device = device
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._device, name)
        if not callable(value):
            return value

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return value(*args, **kwargs)
        return locked


class ApprovalScreen(ModalScreen[bool]):
    """Approve or deny one action."""

    BINDINGS = [Binding("y", "answer(True)", "Approve"), Binding("n", "answer(False)", "Deny"),
                Binding("escape", "answer(False)", "Deny")]

    def __init__(self, prompt: str, details: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.prompt = prompt
        self.details = details or []

    def compose(self) -> ComposeResult:
        with Vertical(id="approval"):
            yield Label("Allow this action?", id="approval-title")
            for name, value in self.details:
                yield Label(f"[b]{name:<7}[/b] {escape(value)}", classes="detail")
            if not self.details:
                yield Label(self.prompt)
            with Horizontal():
                yield Button("Approve (y)", id="approve", variant="success")
                yield Button("Deny (n)", id="deny", variant="error")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "approve")

    def action_answer(self, ok: bool) -> None:
        self.dismiss(ok)


class GuiagentApp(App[None]):
    TITLE = "guiagent"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+r", "run", "Run"),
        Binding("f2", "pause", "Pause/resume"),
        Binding("f3", "stop", "Stop"),
        Binding("f4", "step_mode", "Step mode"),
        Binding("f6", "take_over", "Take over/hand back"),
        Binding("f7", "runs", "Past runs"),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, devices: list[DeviceInfo], open_device: Callable[[str], Device],
                 start_run: StartRun, runs_root: Path, device: str | None = None,
                 refresh_s: float = 1.0, pixels: type[Widget] | None = None,
                 perceive: Perceive | None = None) -> None:
        super().__init__()
        self.perceive = perceive
        self.seen: Screen | None = None      # the elements last read from the screen
        self.names = RecordLines()
        self.decided: dict[str, Any] = {}
        self.grounded: dict[str, Any] | None = None
        self.device_infos = devices
        self.open_device = open_device
        self.start_run = start_run
        self.runs_root = runs_root
        self.initial_device = device or (devices[0].id if devices else None)
        self.refresh_s = refresh_s
        self.pixels = pixels
        self.device: Device | None = None
        self.control: RunControl | None = None
        self.step_mode = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="left") as left:
                left.border_title = "screen"
                yield Select([(d.id, d.id) for d in self.device_infos], id="device",
                             value=self.initial_device or Select.BLANK, prompt="device")
                with Horizontal(id="view"):
                    yield ScreenView(self.pixels, id="screen")
                    yield ElementList(id="elements")
            with Vertical(id="right"):
                yield Input(placeholder="task, e.g. open Settings, tap Network & internet, "
                                        "turn on Airplane mode", id="task")
                yield Static("idle", id="state")
                yield RichLog(id="log", wrap=True, markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.initial_device:
            self._select_device(self.initial_device)
        self.set_interval(self.refresh_s, self._refresh_screen)
        self.query_one("#task", Input).focus()

    # -- devices and the screen view ---------------------------------------------------------

    @on(Select.Changed, "#device")
    def _device_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and (self.device is None or event.value != self.device.id):
            self._select_device(event.value)

    def _select_device(self, device_id: str) -> None:
        if self.control is not None and not self.control.stopped:
            self.notify("stop the run before switching devices", severity="warning")
            return
        if self.device is not None:
            self.device.close()
        try:
            self.device = cast(Device, SerializedDevice(self.open_device(device_id)))
        except Exception as exc:  # shown to the person; the app keeps running
            self.device = None
            self.notify(f"cannot open {device_id}: {exc}", severity="error")
            return
        self.log_line(f"device {device_id}")
        self._refresh_screen()

    def _refresh_screen(self) -> None:
        running = self.control is not None and not self.control.stopped
        if self.device is None or (running and not self.control.taken_over):  # type: ignore[union-attr]
            return
        self._capture()

    @work(thread=True, exclusive=True, group="capture")
    def _capture(self) -> None:
        device = self.device
        if device is None:
            return
        try:
            self._look(device)
        except Exception as exc:
            self.call_from_thread(self.log_line, f"capture failed: {exc}")

    def _look(self, device: Device) -> None:
        """Capture the screen (from a worker thread) and show it with its elements."""
        if self.perceive is None:
            self.call_from_thread(self.show_image, device.screenshot())
            return
        obs = device.observe()
        view = self.main_view(ScreenView)
        if self.seen is not None and view.image is not None and \
                view.image.tobytes() == obs.image.tobytes():
            return          # nothing changed: no need to read it again
        screen = self.perceive(obs)
        self.call_from_thread(self.show_screen, obs.image, screen)

    def main_view(self, kind: type[W], selector: str = "") -> W:
        """A widget of the main screen, also while a dialog or past runs are on top."""
        main = self.screen_stack[0]
        return main.query_one(selector, kind) if selector else main.query_one(kind)

    def show_image(self, image: Image.Image) -> None:
        self.main_view(ScreenView).image = image

    def show_screen(self, image: Image.Image, screen: Screen) -> None:
        self.seen = screen
        self.show_image(image)
        self._show_elements()

    def _show_elements(self, target: int | None = None) -> None:
        lines = [(e.id, e.describe()) for e in self.seen.elements] if self.seen else []
        self.main_view(ElementList).show(lines, target)

    def highlight(self, ground: dict[str, Any] | None) -> None:
        """Frame the target on the screen view and in the element list (None: clear)."""
        box = ground.get("box") if ground else None
        view = self.main_view(ScreenView)
        view.mark = tuple(box) if isinstance(box, list) and len(box) == 4 else None  # type: ignore[assignment]
        self._show_elements(ground.get("element") if ground else None)

    def on_click(self, event: events.Click) -> None:
        """While taken over, a click on the screen view taps the device there."""
        view = self.main_view(ScreenView)
        if (self.control is None or not self.control.taken_over or self.device is None
                or view.image is None or event.widget is not view):
            return
        cols, rows = fit(view.image.size, view.size.width, view.size.height)
        x, y = event.get_content_offset(view) or (event.x, event.y)
        if not (0 <= x < cols and 0 <= y < rows):
            return
        point = PixelPoint(int((x + 0.5) * view.image.width / cols),
                           int((y + 0.5) * view.image.height / rows))
        self.device.tap(point)
        self.log_line(f"you tapped ({point.x}, {point.y})")
        self._capture()

    # -- runs --------------------------------------------------------------------------------

    @on(Input.Submitted, "#task")
    def _submitted(self) -> None:
        self.action_run()

    def action_run(self) -> None:
        task = self.query_one("#task", Input).value.strip()
        if not task:
            self.notify("type a task first", severity="warning")
            return
        if self.device is None:
            self.notify("pick a device first", severity="warning")
            return
        if self.control is not None and not self.control.stopped:
            self.notify("a run is going on; stop it first (F3)", severity="warning")
            return
        self.control = RunControl(self._ask, step_mode=self.step_mode)
        self.names, self.decided, self.grounded = RecordLines(), {}, None
        self.main_view(RichLog, "#log").clear()
        self.log_line(f"task: {task}")
        self._run(task, self.device, self.control)

    @work(thread=True, exclusive=True, group="run")
    def _run(self, task: str, device: Device, control: RunControl) -> None:
        ended = False
        try:
            stream = self.start_run(task, device, control)
            for record in stream:
                ended = ended or isinstance(record, RunResult)
                self.call_from_thread(self.show_record, record)
                if isinstance(record, Observed | Acted):
                    self._look(device)
                control.checkpoint()  # waits while paused or taken over
        except Exception as exc:  # the run ends; the person sees why
            self.call_from_thread(self.log_line, f"error: {exc}")
        finally:
            control.stop()
            if not ended:
                self.call_from_thread(self._set_state, "idle: the run ended without a result")

    def _ask(self, approval: Approval) -> None:
        """Called from the loop's thread: show the question, answer the control."""
        def show() -> None:
            reason = approval.prompt.split(": ", 1)[-1].removesuffix(" Do it?").rstrip(".")
            details = approval_details(self.names.phrase(self.decided),
                                       self.decided.get("action") or {}, self.grounded,
                                       reason, self.seen)
            self.highlight(self.grounded)
            self.push_screen(ApprovalScreen(approval.prompt, details), self._answered)
        self.call_from_thread(show)

    def _answered(self, ok: bool | None) -> None:
        self.highlight(None)
        if self.control is not None:
            self.control.answer(bool(ok))
            self.log_line("approved" if ok else "denied")

    def show_record(self, record: StepRecord) -> None:
        data = record.to_dict()
        if data["kind"] == "decide":
            self.decided, self.grounded = data, None
        elif data["kind"] == "ground":
            self.grounded = data
        for rec, line in self.names.feed(data) + (
                self.names.flush() if isinstance(record, RunResult) else []):
            self.main_view(RichLog, "#log").write(log_text(step_number(rec), rec, line))
        if isinstance(record, Planned):
            self._set_state(f"plan: {record.progress}\nnext: {record.subgoal}")
        state = getattr(record, "state", None)
        if record.kind == "app_model" and state:
            self._set_state(f"app-model state: {state}")
        if isinstance(record, RunResult):
            where = f"\nsaved in {record.run_dir}" if record.run_dir else ""
            self._set_state(f"{record.status}: {record.reason}{where}")

    def _set_state(self, text: str) -> None:
        self.main_view(Static, "#state").update(text)

    def log_line(self, text: str) -> None:
        self.main_view(RichLog, "#log").write(text)

    # -- steering ----------------------------------------------------------------------------

    def action_pause(self) -> None:
        if self.control is None or self.control.stopped:
            return
        if self.control.paused:
            self.control.resume()
            self.log_line("resumed")
        else:
            self.control.pause()
            self.log_line("paused after the current action")

    def action_stop(self) -> None:
        if self.control is not None and not self.control.stopped:
            self.control.stop()
            self.log_line("stopping after the current action")

    def action_step_mode(self) -> None:
        self.step_mode = not self.step_mode
        if self.control is not None:
            self.control.step_mode = self.step_mode
        self.notify(f"step mode {'on: approve every action' if self.step_mode else 'off'}")

    def action_take_over(self) -> None:
        if self.control is None or self.control.stopped:
            self.notify("no run to take over")
            return
        if self.control.taken_over:
            self.control.resume()
            self.log_line("handed back: the agent continues from the current screen")
        else:
            self.control.take_over()
            self.log_line("you have the device: click the screen to tap; F6 hands back")

    def action_runs(self) -> None:
        self.push_screen(RunsScreen(self.runs_root))

    def on_unmount(self) -> None:
        if self.control is not None:
            self.control.stop()
        if self.device is not None:
            self.device.close()

