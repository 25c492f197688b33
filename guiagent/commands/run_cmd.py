"""`guiagent run "task"` and `guiagent replay RUN`: the agent on a device, with progress lines."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import click

from guiagent.commands.device_cmds import ADB_OPTION, DEVICE_OPTION
from guiagent.config import Settings
from guiagent.devlock import device_lock
from guiagent.errors import (
    EXIT_DEVICE,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_STOPPED,
    EXIT_USAGE,
    UsageError,
)
from guiagent.steps import RunResult, StepRecord

EXIT_FOR_STATUS = {"success": EXIT_OK, "failed": EXIT_FAILED, "stopped": EXIT_STOPPED}


def exit_code(result: RunResult) -> int:
    special = {"device": EXIT_DEVICE, "usage": EXIT_USAGE}
    return special.get(result.error or "", EXIT_FOR_STATUS[result.status])


def result_json(result: RunResult) -> str:
    keys = ("status", "reason", "answer", "steps", "run_dir", "tokens", "cost_usd", "seconds")
    return json.dumps({k: v for k, v in result.to_dict().items() if k in keys})


def ask(question: str) -> bool:
    """The CLI's confirmation: a y/N prompt on the terminal."""
    return click.confirm(f"guiagent: {question}", default=False, err=True)


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


class StopOnInterrupt:
    """First Ctrl+C: stop after the current action. Second: interrupt at once. SIGTERM
    (a supervisor, `kill`, a CI timeout) interrupts at once too: the run record is finished."""

    def __init__(self, stop: object) -> None:
        self.stop = stop
        self.pressed = False

    def __enter__(self) -> StopOnInterrupt:
        self.previous = signal.signal(signal.SIGINT, self._handle)
        self.previous_term = signal.signal(signal.SIGTERM, self._terminate)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self.previous)
        signal.signal(signal.SIGTERM, self.previous_term)

    def _terminate(self, signum: int, frame: FrameType | None) -> None:
        self.stop()  # type: ignore[operator]
        raise KeyboardInterrupt("terminated (SIGTERM)")

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.pressed:
            raise KeyboardInterrupt
        self.pressed = True
        click.echo("guiagent: stopping after this action (Ctrl+C again to stop now)", err=True)
        self.stop()  # type: ignore[operator]


def drive(records: Iterator[StepRecord], stop: object, quiet: bool = False,
          tokens: Callable[[], int] | None = None) -> RunResult:
    """Consume a run's records, showing live progress on stderr; return the result."""
    from guiagent.progress import RunProgress

    show = RunProgress(tokens=tokens)
    result: RunResult | None = None
    with StopOnInterrupt(stop):
        for rec in records:
            if not quiet:
                show(rec)
            if isinstance(rec, RunResult):
                result = rec
    assert result is not None, "the loop always ends with a RunResult"
    return result


def offline_syntax_error(task: str, settings: Settings, planner: str) -> str:
    """Why the offline planner cannot read ``task`` (empty when it can, or a model plans)."""
    from guiagent.session import choose_planner
    from planners.goals import parse_task
    from planners.grammar import StepSyntaxError

    if choose_planner(settings, planner) != "offline":  # type: ignore[arg-type]
        return ""
    try:
        parse_task(task)        # steps, or a goal the planner searches the app models for
    except StepSyntaxError as exc:
        return str(exc)
    return ""


def finish(result: RunResult, as_json: bool) -> int:
    if as_json:
        click.echo(result_json(result))
    return exit_code(result)


@click.command()
@click.argument("task")
@DEVICE_OPTION
@ADB_OPTION
@click.option("--planner", type=click.Choice(["auto", "llm", "offline"]), default="auto",
              show_default=True, help="auto: the LLM loop when a model is configured, "
                                      "else the offline step-list planner.")
@click.option("--model", default=None, help="Model name (overrides GUIAGENT_MODEL / config).")
@click.option("--base-url", default=None, help="OpenAI-compatible server, e.g. "
                                                "http://localhost:11434/v1.")
@click.option("--max-steps", type=click.IntRange(min=1), default=None,
              help="Stop after this many actions (default 30).")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None,
              help="Stop once the model calls used this many tokens.")
@click.option("--max-cost", type=click.FloatRange(min=0), default=None, metavar="USD",
              help="Stop once the model calls cost this much.")
@click.option("--max-seconds", type=click.FloatRange(min=1), default=None,
              help="Stop after this much wall time.")
@click.option("--yes", "assume_yes", is_flag=True, help="Allow risky actions without asking.")
@click.option("--dry-run", is_flag=True, help="Decide and record, but send nothing to the device.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the result on stdout.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for this run's record (default: a new one under the data dir).")
@click.option("--ocr", is_flag=True, help="Read every screen with OCR, even where the "
                                          "accessibility tree has the texts (slower).")
@click.option("--grounder", type=click.Choice(["local", "vlm"]), default=None,
              help="local: the built-in models (default); vlm: a remote grounding model.")
@click.option("--coord-mode", type=click.Choice(["norm1", "norm1000", "smart_resize", "pixels"]),
              default=None, help="The remote grounding model's coordinate space, when its "
                                 "name does not tell.")
@click.option("--no-tree", is_flag=True, help="Pixels only: read no accessibility tree on the "
                                              "desktop (desktop_tree = false in config.toml).")
def run(task: str, device: str | None, adb_server: str | None, planner: str, model: str | None,
        base_url: str | None, max_steps: int | None, max_tokens: int | None,
        max_cost: float | None, max_seconds: float | None, assume_yes: bool, dry_run: bool,
        as_json: bool, out: Path | None, ocr: bool, grounder: str | None,
        coord_mode: str | None, no_tree: bool) -> int:
    """Do a task on a device: "open Settings, turn on Airplane mode" or, with a model, any task."""
    from devices import open_device
    from guiagent.config import device_options, load_settings
    from guiagent.session import RunOptions, build_loop

    if not task.strip():
        raise UsageError('the task is empty: say what to do, e.g. guiagent run "open Settings"')
    settings = load_settings({"device": device, "adb_server": adb_server, "model": model,
                              "base_url": base_url, "max_cost": max_cost, "grounder": grounder,
                              "coord_mode": coord_mode,
                              "desktop_tree": False if no_tree else None})
    options = RunOptions(planner=planner, dry_run=dry_run, assume_yes=assume_yes,  # type: ignore[arg-type]
                         out=out, max_steps=max_steps, max_tokens=max_tokens,
                         max_seconds=max_seconds, ocr=ocr)
    unreadable = offline_syntax_error(task, settings, planner)
    if unreadable:   # before the device is touched
        click.echo(f"guiagent: {unreadable}", err=True)
        return finish(RunResult(step=0, status="failed", reason=unreadable), as_json)
    dev_options = device_options(settings)
    with open_device(settings.device or "sim", **dev_options) as dev, \
            device_lock(dev, task, settings.device_wait):
        loop = build_loop(task, dev, settings, options, confirm=ask if interactive() else None)
        result = drive(loop.run(task), loop.stop,
                       tokens=lambda: loop.budget.usage.total.tokens)
    return finish(result, as_json)


@click.command()
@click.argument("run_name", metavar="RUN")
@DEVICE_OPTION
@ADB_OPTION
@click.option("--yes", "assume_yes", is_flag=True, help="Allow risky actions without asking.")
@click.option("--dry-run", is_flag=True, help="Check and record, but send nothing to the device.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the result on stdout.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the replay's own record.")
@click.option("--force", is_flag=True,
              help="Replay the steps that worked of a run that failed, stopped or was cut short.")
def replay(run_name: str, device: str | None, adb_server: str | None, assume_yes: bool,
           dry_run: bool, as_json: bool, out: Path | None, force: bool) -> int:
    """Replay a recorded run step by step, checking each step's result on the screen.

    RUN is a run folder, an id or unique prefix from `guiagent runs list`, or "last".
    """
    from devices import open_device
    from guiagent.config import device_options, load_settings
    from guiagent.replay import ReplayPolicy, load_recorded
    from guiagent.runs import find_run
    from guiagent.session import RunOptions, build_loop
    from guiagent.trajectory import runs_root
    from planners.policy import Policy

    settings = load_settings({"device": device, "adb_server": adb_server})
    recorded = load_recorded(find_run(runs_root(), run_name), force=force)
    options = RunOptions(dry_run=dry_run, assume_yes=assume_yes, out=out,
                         max_steps=len(recorded.steps) * 3 + 5)
    dev_options = device_options(settings)

    def behind_replay(planner: Policy) -> Policy:
        """With a model configured, the agents take over where the screen diverges."""
        return ReplayPolicy(recorded, fallback=planner if planner.name == "llm" else None)

    with open_device(settings.device or "sim", **dev_options) as dev, \
            device_lock(dev, recorded.task, settings.device_wait):
        loop = build_loop(recorded.task, dev, settings, options,
                          confirm=ask if interactive() else None, wrap=behind_replay)
        result = drive(loop.run(recorded.task), loop.stop)
    return finish(result, as_json)
