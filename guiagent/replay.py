"""Verified replay: redo stored semantic steps, checking each step's post-condition.

A step names its target in words (never raw pixels) and lists the texts the
screen showed after it. The replay policy proposes the steps in order; the
moment the screen diverges (a target is missing, a post-condition fails, an
action changes nothing) control goes to the fallback policy (the agents),
or, without one, the run fails naming the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from guiagent.errors import UsageError
from guiagent.naming import plural
from guiagent.runs import RunRecordError, read_meta, read_records, summarize
from guiagent.steps import describe_action
from planners.actions import Done, Fail, parse_action
from planners.appmodel import action_key
from planners.policy import (
    Context,
    Decision,
    Feedback,
    Plan,
    Policy,
    ReflectInput,
    Reflection,
    compare_screens,
)
from planners.tips import RunStep, StoredRun

DIVERGED = ("not_found", "refused", "error", "wrong_page", "no_change")


@dataclass(slots=True)
class Recorded:
    task: str
    steps: list[RunStep]


def _semantic(action: dict[str, Any], ground: dict[str, Any] | None) -> dict[str, Any]:
    """Element numbers and pixels become the grounded element's name, when it had one."""
    label = (ground or {}).get("label") or ""
    if not label or "target" in action or not ({"element", "x"} & action.keys()):
        return action
    kept = {k: v for k, v in action.items() if k not in ("element", "x", "y")}
    return {**kept, "target": label}


def _action_of(rec: dict[str, Any]) -> dict[str, Any]:
    """The act record's action, checked: a damaged one is an error naming the step."""
    action = rec.get("action")
    try:
        parse_action(action)
    except ValidationError as exc:
        raise RunRecordError(f"step {rec.get('step', '?')}: the recorded action is not one "
                             "guiagent knows; the record file is damaged") from exc
    assert isinstance(action, dict)
    return action


def recorded_steps(records: list[dict[str, Any]]) -> list[RunStep]:
    """The actions of a recorded run that worked, as semantic steps with post-conditions."""
    steps: list[RunStep] = []
    ground: dict[str, Any] | None = None
    pending: RunStep | None = None
    for rec in records:
        kind = rec.get("kind")
        if kind == "ground":
            ground = rec
        elif kind == "act" and not rec.get("dry_run"):
            action = _semantic(_action_of(rec), ground)
            pending = RunStep(action, action_key(parse_action(action)),
                              expect_texts=[str(t) for t in rec.get("expect") or []])
            ground = None
        elif kind == "reflect" and pending is not None:
            if rec.get("outcome") == "ok":
                steps.append(pending)
            pending = None
    return steps


def load_recorded(run_dir: Path, force: bool = False) -> Recorded:
    """A run folder as a task and its replayable steps.

    Only a run that succeeded is replayed as a whole: a failed, stopped or incomplete run
    (or one whose record file is cut short) is refused with the reason, unless ``force``,
    which replays the steps of it that worked.
    """
    summary = summarize(run_dir)
    meta, records = read_meta(run_dir), read_records(run_dir)
    steps = recorded_steps(records)
    if summary.status != "success" and not force:
        raise UsageError(f"{run_dir.name} did not succeed ({summary.status}: {summary.reason}); "
                         f"--force replays the {plural(len(steps), 'step')} of it that worked")
    if not steps:
        raise UsageError(f"{run_dir.name} has no step that worked to replay")
    return Recorded(str(meta.get("task", "")), steps)


def text_visible(text: str, texts: list[str]) -> bool:
    wanted = text.casefold().strip()
    return any(wanted in t.casefold() for t in texts)


class ReplayPolicy:
    """Proposes stored steps in order; hands over to ``fallback`` where the screen diverges."""

    name = "replay"

    def __init__(self, recorded: Recorded | StoredRun, fallback: Policy | None = None) -> None:
        self.task = recorded.task
        self.steps = list(recorded.steps)
        self.fallback = fallback
        self.index = 0
        self.diverged = ""

    def plan(self, ctx: Context) -> Plan:
        if self.diverged and self.fallback is not None:
            return self.fallback.plan(ctx)
        return Plan(f"{self.index} of {len(self.steps)} recorded steps replayed",
                    self._subgoal())

    def _subgoal(self) -> str:
        if self.index >= len(self.steps):
            return "done"
        action = self.steps[self.index].to_action()
        return f"replay step {self.index + 1}: {describe_action(action)}"

    def decide(self, ctx: Context, plan: Plan) -> Decision:
        if not self.diverged:
            self._check_post(ctx)
        if self.diverged:
            return self._hand_over(ctx, plan)
        if self.index >= len(self.steps):
            return Decision(Done(text=f"replayed all {plural(len(self.steps), 'step')}"))
        return Decision(self.steps[self.index].to_action(), thought=plan.subgoal)

    def _check_post(self, ctx: Context) -> None:
        """The previous step's post-condition: the texts it made appear are on screen."""
        if self.index == 0:
            return
        step = self.steps[self.index - 1]
        texts = ctx.screen.texts()
        missing = [t for t in step.expect_texts if not text_visible(t, texts)]
        if missing:
            self.diverged = (f"after replay step {self.index} the screen should show "
                             f"{', '.join(repr(m) for m in missing)}")

    def _hand_over(self, ctx: Context, plan: Plan) -> Decision:
        if self.fallback is None:
            return Decision(Fail(text=f"the screen diverged from the recording: {self.diverged}"))
        decision = self.fallback.decide(ctx, plan)
        decision.thought = f"(diverged: {self.diverged}) {decision.thought}"
        return decision

    def feedback(self, fb: Feedback) -> None:
        if self.diverged:
            if self.fallback is not None:
                self.fallback.feedback(fb)
            return
        if fb.result in DIVERGED:
            step = describe_action(fb.action)
            self.diverged = f"replay step {self.index + 1} ({step}): {fb.result} {fb.reason}"
            return
        self.index += 1

    def reflect(self, data: ReflectInput) -> Reflection:
        if self.diverged and self.fallback is not None:
            return self.fallback.reflect(data)
        return compare_screens(data.before_elements, data.after_elements)

    def replan(self, reason: str) -> None:
        if self.fallback is not None:
            self.fallback.replan(reason)
