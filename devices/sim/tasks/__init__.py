"""A suite of phone tasks with programmatic success checks, in the spirit of AndroidWorld.

Each task has an instruction, setup shell commands that put the phone in a known state,
a check made only of shell queries a real device answers (``settings get``, ``content
query``, ``dumpsys window``, ``uiautomator dump``), and a scripted correct solution.
``shell`` is any ``Callable[[str], str]``: ``SimDevice.shell`` and ``AndroidDevice.shell``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

Shell = Callable[[str], str]
SUITE = "suite.yaml"


class TaskError(Exception):
    """A task file is malformed, or a task's setup left its check already passing."""


@dataclass(frozen=True, slots=True)
class Expect:
    """One shell query and what its output must show."""

    cmd: str
    equals: str | None = None
    contains: str | None = None
    absent: str | None = None
    matches: str | None = None
    at_least: float | None = None
    at_most: float | None = None

    def holds(self, output: str) -> bool:
        out = output.strip()
        tests = [
            self.equals is None or out == self.equals,
            self.contains is None or self.contains in out,
            self.absent is None or self.absent not in out,
            self.matches is None or re.search(self.matches, out) is not None,
            self.at_least is None or (_number(out) is not None
                                      and (_number(out) or 0) >= self.at_least),
            self.at_most is None or (_number(out) is not None
                                     and (_number(out) or 0) <= self.at_most),
        ]
        return all(tests)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Task:
    """One task: run ``setup``, let an agent act on ``instruction``, then ``check``."""

    id: str
    instruction: str
    app: str
    kind: str                       # "steps" (explicit step list) or "goal"
    setup_cmds: tuple[str, ...]
    expects: tuple[Expect, ...]
    solution: tuple[Any, ...] = field(default=())

    def setup(self, shell: Shell) -> None:
        """Put the phone in the task's start state; TaskError if the check already passes."""
        for cmd in self.setup_cmds:
            shell(cmd)
        if self.check(shell):
            raise TaskError(f"task {self.id}: its success check already passes after setup")

    def check(self, shell: Shell) -> bool:
        """True when every expectation holds on the phone now."""
        return all(e.holds(shell(e.cmd)) for e in self.expects)

    def explain(self, shell: Shell) -> list[str]:
        """The expectations that do not hold, with what the phone answered."""
        failed = []
        for e in self.expects:
            out = shell(e.cmd)
            if not e.holds(out):
                failed.append(f"{e.cmd!r} gave {out.strip()[:200]!r}")
        return failed


COMMON_SETUP = ("input keyevent KEYCODE_HOME",)


def _texts(expect: dict[str, Any]) -> dict[str, Any]:
    """YAML reads ``contains: 482913`` as a number; expectations compare text."""
    keys = ("cmd", "equals", "contains", "absent", "matches")
    return {k: str(v) if k in keys and v is not None else v for k, v in expect.items()}


def _task(raw: dict[str, Any]) -> Task:
    try:
        expects = tuple(Expect(**_texts(e)) for e in raw["check"])
        return Task(id=raw["id"], instruction=raw["instruction"], app=raw.get("app", ""),
                    kind=raw.get("kind", "goal"),
                    setup_cmds=COMMON_SETUP + tuple(raw.get("setup", ())),
                    expects=expects, solution=tuple(raw.get("solution", ())))
    except (KeyError, TypeError) as exc:
        raise TaskError(f"bad task {raw.get('id', '?')}: {exc}") from exc


def load_tasks(text: str | None = None) -> list[Task]:
    """The shipped suite (or tasks from YAML ``text``), in file order."""
    if text is None:
        text = resources.files(__package__).joinpath(SUITE).read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaskError(f"task file is not valid YAML: {exc}") from exc
    if not isinstance(raw, list):
        raise TaskError("a task file is a YAML list of tasks")
    tasks = [_task(r) for r in raw]
    ids = [t.id for t in tasks]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise TaskError(f"duplicate task ids: {', '.join(sorted(dupes))}")
    return tasks


def get_task(task_id: str) -> Task:
    for t in load_tasks():
        if t.id == task_id:
            return t
    raise TaskError(f"no task '{task_id}'")
