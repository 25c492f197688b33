"""Typed step records: what the agent loop yields, one per phase of a step.

The CLI, the TUI, the trajectory writer, reports and regression runs all
consume the same stream. Every record turns into one JSON object with
``to_dict()`` (``kind`` names the record); images never go into JSON, only
the names of the PNG files the trajectory writer saved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

from planners.actions import Action

Status = Literal["success", "failed", "stopped"]
Verdict = Literal["allow", "confirm", "refuse"]
Outcome = Literal["ok", "wrong_page", "no_change"]


def action_dict(action: Action | None) -> dict[str, Any] | None:
    """An Action as plain JSON data, without unset fields."""
    return None if action is None else action.model_dump(exclude_none=True)


@dataclass(slots=True)
class StepRecord:
    """Base of every record: ``step`` counts actions (0 before the first one)."""

    kind: ClassVar[str] = "record"
    step: int

    def to_dict(self) -> dict[str, Any]:
        data = {"kind": self.kind, **asdict(self)}
        for name, value in data.items():
            if hasattr(value, "model_dump"):
                data[name] = value.model_dump(exclude_none=True)
        return data

    def line(self) -> str:
        """One human line for progress output."""
        return f"{self.kind}"


@dataclass(slots=True)
class Observed(StepRecord):
    """The screen was captured and perceived."""

    kind: ClassVar[str] = "observe"
    app: str | None = None
    activity: str | None = None
    elements: int = 0
    image: str | None = None
    warnings: list[str] = field(default_factory=list)
    capture_s: float = 0.0      # waiting for the screen to settle and capturing it
    perceive_s: float = 0.0     # perception and the app model's placing of the screen

    def line(self) -> str:
        where = self.app or "screen"
        return f"observe {where}: {self.elements} elements"


@dataclass(slots=True)
class Planned(StepRecord):
    kind: ClassVar[str] = "plan"
    progress: str = ""
    subgoal: str = ""

    def line(self) -> str:
        return f"plan: {self.subgoal or self.progress}"


@dataclass(slots=True)
class Decided(StepRecord):
    kind: ClassVar[str] = "decide"
    action: Action | None = None
    thought: str = ""
    note: str = ""

    def line(self) -> str:
        return f"decide: {describe_action(self.action)}"


@dataclass(slots=True)
class Grounded(StepRecord):
    """Where the action's target was found (or why it was not)."""

    kind: ClassVar[str] = "ground"
    target: str = ""
    found: bool = False
    x: int | None = None
    y: int | None = None
    element: int | None = None
    label: str = ""
    score: float = 0.0
    reason: str = ""
    box: list[int] | None = None     # the element's [x1, y1, x2, y2], when one was chosen

    def line(self) -> str:
        if not self.found:
            return f"ground {self.target}: not found ({self.reason})"
        return f"ground {self.target} -> ({self.x}, {self.y})"


@dataclass(slots=True)
class SafetyChecked(StepRecord):
    kind: ClassVar[str] = "safety"
    verdict: Verdict = "allow"
    risk: str | None = None
    reason: str = ""
    confirmed: bool | None = None

    def line(self) -> str:
        extra = "" if self.confirmed is None else (" (confirmed)" if self.confirmed
                                                   else " (declined)")
        return f"safety: {self.verdict}{extra} {self.reason}".rstrip()


@dataclass(slots=True)
class Acted(StepRecord):
    """The action went to the device (or would have, in a dry run)."""

    kind: ClassVar[str] = "act"
    action: Action | None = None
    x: int | None = None
    y: int | None = None
    dry_run: bool = False
    before: str | None = None
    after: str | None = None
    seconds: float = 0.0
    expect: list[str] = field(default_factory=list)
    tokens: int = 0                  # the run's model tokens so far (reports count per step)
    elapsed: float = 0.0             # seconds since the run started, once the action was sent

    def line(self) -> str:
        prefix = "would do" if self.dry_run else "act"
        return f"{prefix}: {describe_action(self.action)}"


@dataclass(slots=True)
class Reflected(StepRecord):
    kind: ClassVar[str] = "reflect"
    outcome: Outcome = "ok"
    reason: str = ""
    by: str = "model"

    def line(self) -> str:
        return f"reflect: {self.outcome} {self.reason}".rstrip()


@dataclass(slots=True)
class ModelUpdated(StepRecord):
    """The app model placed the new screen and checked the transition's prediction."""

    kind: ClassVar[str] = "app_model"
    state: str | None = None
    predicted: str | None = None
    matched: bool = False
    new_state: bool = False

    def line(self) -> str:
        return f"app model: state {self.state} ({'as predicted' if self.matched else 'new'})"


@dataclass(slots=True)
class RolledBack(StepRecord):
    kind: ClassVar[str] = "rollback"
    to_state: str | None = None
    actions: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"rollback: {', '.join(self.actions) or 'nothing to undo'}"


@dataclass(slots=True)
class Warned(StepRecord):
    """A loop detector, an injected screen text or a retry: shown to the model and the user."""

    kind: ClassVar[str] = "warning"
    source: str = ""
    message: str = ""

    def line(self) -> str:
        return f"warning ({self.source}): {self.message}"


@dataclass(slots=True)
class RunResult(StepRecord):
    """The last record of every run."""

    kind: ClassVar[str] = "result"
    status: Status = "failed"
    reason: str = ""
    answer: str | None = None
    steps: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    run_dir: str | None = None
    error: str | None = None

    def line(self) -> str:
        steps = f"{self.steps} step{'' if self.steps == 1 else 's'}"
        return f"{self.status}: {self.reason} ({steps}, {self.seconds:.1f} s)"


def describe_action(action: Action | None) -> str:
    """``tap 'Wi-Fi'``, ``type 'hello' into element 4``, ``back``."""
    if action is None:
        return "nothing"
    name = action.type
    where = action.describe_target() if hasattr(action, "describe_target") else ""
    text = getattr(action, "text", None)
    if name == "type":
        return f"type {text!r}" + (f" into {where}" if where else "")
    extra = {"launch_app": getattr(action, "app", ""), "key": getattr(action, "key", ""),
             "scroll": getattr(action, "direction", ""), "swipe": getattr(action, "direction", ""),
             "wait": f"{getattr(action, 'seconds', '')} s", "done": text or "",
             "fail": text or ""}.get(name, "")
    return " ".join(p for p in (name, str(extra), where) if p)


RECORD_TYPES: dict[str, type[StepRecord]] = {
    cls.kind: cls for cls in (Observed, Planned, Decided, Grounded, SafetyChecked, Acted,
                              Reflected, ModelUpdated, RolledBack, Warned, RunResult)
}
