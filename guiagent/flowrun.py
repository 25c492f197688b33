"""Running regression flows: every step of a flow on one device, with local grounding.

``FlowRunner(device, config).run(flow)`` returns a ``FlowResult``: passed, or failed
at a step (its line, the reason and a screenshot of the screen at that moment).
Infrastructure errors (the device is gone, capture fails) are not failures of the
flow: they leave ``run`` so that the scheduler (guiagent.flowqueue) can retry the
flow once and report it as an error. ``do`` steps run the agent loop of
``guiagent run`` (guiagent.session.build_loop).
"""

from __future__ import annotations

import io
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from devices import Device
from devices.errors import CaptureFailed, DeviceError, DeviceUnreachable, InputRefused, Unsupported
from guiagent.api import ActConfig, Phone, visible
from guiagent.config import Settings
from guiagent.errors import CheckFailed, Refused
from guiagent.flows import Flow, FlowError, Step, substitute
from guiagent.maestro_run import MaestroSteps
from guiagent.naming import RecordLines, plural, step_number
from guiagent.steps import RunResult
from guiagent.testreport import FlowResult, StepShot, thumbnail
from planners.errors import LLMUnavailable

if TYPE_CHECKING:
    from guiagent.safety import Safety

INFRA_ERRORS: tuple[type[Exception], ...] = (DeviceUnreachable, CaptureFailed, LLMUnavailable)
FAILURES: tuple[type[Exception], ...] = (CheckFailed, Refused, InputRefused, Unsupported)
Log = Callable[[str], None]
__all__ = ["FlowConfig", "FlowRunner", "StepFailed", "check_flows", "visible"]


class StepFailed(CheckFailed):
    """A check that did not hold or a target that never appeared: the flow failed."""


@dataclass(frozen=True)
class FlowConfig:
    """How flows run; shared by every worker of a ``guiagent test`` run."""

    settings: Settings = Settings()
    find_timeout: float = 5.0    # tap/type/long_press wait this long for their target
    wait_timeout: float = 10.0   # wait_for's default timeout
    poll_s: float = 0.25
    max_scrolls: int = 8
    assume_yes: bool = False     # do steps: allow risky actions (no one is there to confirm)
    ocr: bool = False
    thumbnails: bool = True      # a small picture of the screen after each step, for --html


def check_flows(flows: list[Flow]) -> None:
    """Errors that only show once values are filled in (unset ${VAR}, bad regex): file:line."""
    for flow in flows:
        for step in _all_steps(flow.steps):
            where = f"{flow.path}:{step.line}"
            try:
                args = substitute(step.args, flow.env)
            except FlowError as exc:
                raise FlowError(f"{where}: {exc}") from exc
            index = args.get("index")
            if index is not None and (not isinstance(index, int) or isinstance(index, bool)
                                      or index < 1):
                raise FlowError(f"{where}: 'index' is a whole number from 1 (1 = the first "
                                "match)")
            if step.kind == "assert_shell" and "matches" in args:
                try:
                    re.compile(str(args["matches"]))
                except re.error as exc:
                    raise FlowError(f"{where}: 'matches' is not a valid regex ({exc})") from exc


def _all_steps(steps: tuple[Step, ...]) -> list[Step]:
    out: list[Step] = []
    for s in steps:
        out.append(s)
        out.extend(_all_steps(s.steps))
    return out


def png_bytes(device: Device) -> bytes | None:
    """The current screen as PNG for a failure report; None when it cannot be captured."""
    try:
        image = device.screenshot()
    except DeviceError:
        return None
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


class FlowRunner(MaestroSteps):
    """Runs flows on one open device; ``log`` gets one line per step."""

    def __init__(self, device: Device, config: FlowConfig, log: Log = lambda line: None,
                 name: str | None = None, safety: Safety | None = None) -> None:
        from guiagent.session import grounding_parts

        self.device, self.config, self.log = device, config, log
        self.name = name or device.id
        perceive, locate = grounding_parts(config.ocr)
        act = ActConfig(config.find_timeout, config.wait_timeout, config.poll_s,
                        config.max_scrolls, config.ocr)
        self.phone = Phone(device, config.settings, act, perceive=perceive, locate=locate,
                           safety=safety)   # the MCP server's rules; scripted flows: none
        self.env: dict[str, str] = {}
        self.current: Step | None = None
        self.lines: list[str] = []
        self.shots: list[StepShot] = []     # each step as run, for the HTML report
        self.started = ""
        self.agent_run: str | None = None   # the run folder of the last do: step

    def run(self, flow: Flow, attempt: int = 1) -> FlowResult:
        """Run every step; a failing step ends the flow. Infrastructure errors propagate."""
        self.env, self.lines, self.current = dict(flow.env), [], None
        self.shots, self.started = [], time.strftime("%Y-%m-%dT%H:%M:%S%z")
        t0 = time.monotonic()
        try:
            if flow.snapshot:
                self._note(self._snapshot(flow.snapshot))
            for step in flow.steps:
                self._run_step(step)
        except FAILURES as exc:
            return self._result(flow, attempt, t0, "failed", str(exc), png_bytes(self.device))
        return self._result(flow, attempt, t0, "passed", "")

    def _result(self, flow: Flow, attempt: int, t0: float, status: str, message: str,
                shot: bytes | None = None) -> FlowResult:
        step = self.current
        return FlowResult(flow.name, str(flow.path), self.name, status,  # type: ignore[arg-type]
                          round(time.monotonic() - t0, 3), message,
                          step.describe() if step and status != "passed" else "",
                          step.line if step and status != "passed" else None, shot, attempt,
                          list(self.lines), self.started, list(self.shots))

    def _note(self, line: str) -> None:
        self.lines.append(line)
        self.log(line)

    def _run_step(self, step: Step) -> None:
        self.current = step
        args = substitute(step.args, self.env)
        what = replace(step, args=args).describe()
        t0 = time.monotonic()
        self.agent_run = None
        try:
            detail = getattr(self, "_do_" + step.kind)(args, step)
        except FAILURES as exc:
            self._note(f"line {step.line}: {what} FAILED: {exc}")
            self._shot(step, what, "failed", time.monotonic() - t0, str(exc))
            raise
        spent = time.monotonic() - t0
        self._note(f"line {step.line}: {what} ok{f' ({detail})' if detail else ''} {spent:.1f} s")
        self._shot(step, what, "passed", spent, detail)

    def _shot(self, step: Step, what: str, status: str, spent: float, detail: str) -> None:
        """The step for the HTML report, with a thumbnail of the screen after it."""
        if step.kind == "retry":
            return     # its own steps have their tiles
        image = None
        if self.config.thumbnails:
            try:
                image = thumbnail(self.device.observe(with_tree=False).image)   # settled
            except DeviceError:
                image = None
        self.shots.append(StepShot(step.line, what, status, round(spent, 3),  # type: ignore[arg-type]
                                   detail, image, self.agent_run))

    def _shell(self, command: str) -> str:
        try:
            return self.phone.shell(command)
        except Unsupported as exc:
            raise StepFailed(f"{exc}; this step needs an Android device or the simulated "
                             "phone") from exc

    # -- steps: each returns a short detail for the progress line ---------------------------

    def _do_launch(self, args: dict[str, Any], step: Step) -> str:
        self.phone.launch(str(args["app"]), clear_state=bool(args.get("clear_state")))
        return "state cleared" if args.get("clear_state") else ""

    def _do_tap(self, args: dict[str, Any], step: Step) -> str:
        point = self.phone.tap(str(args["target"]), index=args.get("index"))
        return f"at {point.x},{point.y}"

    def _do_long_press(self, args: dict[str, Any], step: Step) -> str:
        point = self.phone.long_press(str(args["target"]))
        return f"at {point.x},{point.y}"

    def _do_type(self, args: dict[str, Any], step: Step) -> str:
        self.phone.type(str(args["text"]), into=args.get("into") or None)
        return ""

    def _do_swipe(self, args: dict[str, Any], step: Step) -> str:
        self.phone.swipe(args["direction"], start=args.get("from") or None)
        return ""

    def _do_scroll(self, args: dict[str, Any], step: Step) -> str:
        until = args.get("until")
        n = self.phone.scroll(args.get("direction", "down"), until=str(until) if until else None)
        return f"after {n} scrolls" if until else ""

    def _do_key(self, args: dict[str, Any], step: Step) -> str:
        self.phone.key(str(args["key"]))
        return ""

    def _do_back(self, args: dict[str, Any], step: Step) -> str:
        self.phone.back()
        return ""

    def _do_home(self, args: dict[str, Any], step: Step) -> str:
        self.phone.home()
        return ""

    def _do_wait(self, args: dict[str, Any], step: Step) -> str:
        time.sleep(float(args["seconds"]))
        return ""

    def _do_wait_for(self, args: dict[str, Any], step: Step) -> str:
        shown = "visible" in args
        text = str(args["visible" if shown else "not_visible"])
        self.phone.wait_for(text, args.get("timeout"), gone=not shown)
        return ""

    def _do_assert_visible(self, args: dict[str, Any], step: Step) -> str:
        self.phone.assert_visible(str(args["target"]))
        return ""

    def _do_assert_not_visible(self, args: dict[str, Any], step: Step) -> str:
        self.phone.assert_not_visible(str(args["target"]))
        return ""

    def _do_assert_shell(self, args: dict[str, Any], step: Step) -> str:
        out = self._shell(str(args["command"])).strip()
        checks = [("equals", lambda v: out == v.strip()), ("contains", lambda v: v in out),
                  ("matches", lambda v: re.search(v, out) is not None)]
        for key, holds in checks:
            if key in args and not holds(str(args[key])):
                raise StepFailed(f"`{args['command']}` printed {out[:200]!r}; expected it to "
                                 f"{key.rstrip('s')} {str(args[key])!r}")
        return ""

    def _do_do(self, args: dict[str, Any], step: Step) -> str:
        from guiagent.session import RunOptions, build_loop

        task = str(args["task"])
        options = RunOptions(max_steps=args.get("max_steps"), assume_yes=self.config.assume_yes,
                             app_models=False, ocr=self.config.ocr)
        loop = build_loop(task, self.device, self.config.settings, options)
        result: RunResult | None = None
        names = RecordLines()
        for rec in loop.run(task):
            for data, line in names.feed(rec.to_dict()):
                if data["kind"] == "act":
                    self.log(f"  agent [{step_number(data)}] {line}")
                elif data["kind"] == "result":
                    self.log(f"  agent {line}")
            if isinstance(rec, RunResult):
                result = rec
        assert result is not None, "the loop always ends with a RunResult"
        self.agent_run = result.run_dir
        if result.error == "device":
            raise DeviceUnreachable(f"the agent lost the device: {result.reason}")
        if result.status != "success":
            raise StepFailed(f"the agent {result.status}: {result.reason}"
                             + (f" (run: {result.run_dir})" if result.run_dir else ""))
        return f"{plural(result.steps, 'action')}, run {result.run_dir}"

    def _do_retry(self, args: dict[str, Any], step: Step) -> str:
        times = max(1, int(args["times"]))
        for attempt in range(1, times + 1):
            try:
                for sub in step.steps:
                    self._run_step(sub)
                return f"try {attempt} of {times}"
            except CheckFailed as exc:
                last = exc
                self._note(f"line {step.line}: try {attempt} of {times} failed")
        raise StepFailed(f"still failing after {times} tries: {last}")

    def _snapshot(self, name: str) -> str:
        """`adb emu avd snapshot load NAME` on an emulator; other devices skip it, saying so."""
        serial = getattr(self.device, "serial", "")
        if not str(serial).startswith("emulator-"):
            return (f"snapshot {name!r}: skipped, {self.device.id} is not an Android emulator "
                    "(only emulators have snapshots)")
        host, port = getattr(self.device, "host", "127.0.0.1"), getattr(self.device, "port", 5037)
        cmd = ["adb", "-H", str(host), "-P", str(port), "-s", str(serial), "emu", "avd",
               "snapshot", "load", name]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeviceUnreachable(f"{serial}: loading snapshot {name!r} failed: {exc}") from exc
        if done.returncode != 0 or "KO" in done.stdout:
            raise StepFailed(f"{serial}: snapshot {name!r} did not load: "
                             f"{(done.stdout + done.stderr).strip()[:200]}")
        return f"snapshot {name!r} loaded on {serial}"
