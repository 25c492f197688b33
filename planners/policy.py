"""The policy protocol: what the agent loop asks of a planner, offline or LLM.

The loop observes, grounds, checks safety and acts; a policy only reads
screens and answers with plans, actions and judgements. Both the offline
planner (planners/offline.py) and the LLM agents sit behind this protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from PIL import Image

from grounding.types import Element, Screen
from planners.actions import Action

Outcome = Literal["ok", "wrong_page", "no_change"]
Result = Literal["ok", "wrong_page", "no_change", "not_found", "refused", "error"]


@dataclass(slots=True)
class Context:
    """Everything a policy may look at before choosing the next action."""

    task: str
    screen: Screen
    step: int
    history: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    last_outcomes: list[str] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)
    state: str | None = None


@dataclass(slots=True)
class Plan:
    progress: str = ""
    subgoal: str = ""              # the next subgoal, with why the planner heads there
    done: bool = False
    step: str = ""                 # the user's step it serves, as written (offline planner)


@dataclass(slots=True)
class Decision:
    action: Action
    thought: str = ""
    note: str = ""


@dataclass(slots=True)
class Feedback:
    """What became of the last action, told back to the policy."""

    action: Action
    result: Result
    reason: str = ""
    screen: Screen | None = None


@dataclass(slots=True)
class ReflectInput:
    task: str
    subgoal: str
    action: Action
    before: Image.Image | None
    after: Image.Image | None
    before_elements: list[Element]
    after_elements: list[Element]
    before_screen: Screen | None = None
    after_screen: Screen | None = None


@dataclass(slots=True)
class Reflection:
    outcome: Outcome
    reason: str = ""


class Policy(Protocol):
    """A planner the loop can drive; ``name`` appears in run records."""

    name: str

    def plan(self, ctx: Context) -> Plan: ...

    def decide(self, ctx: Context, plan: Plan) -> Decision: ...

    def reflect(self, data: ReflectInput) -> Reflection: ...

    def feedback(self, fb: Feedback) -> None: ...

    def replan(self, reason: str) -> None: ...


def screen_signature(elements: list[Element]) -> tuple[tuple[str, str, bool | None], ...]:
    """What a person would notice on a screen: texts, kinds and toggle states, in order."""
    return tuple((e.kind, e.text or e.label, e.checked) for e in elements)


def compare_screens(before: list[Element], after: list[Element]) -> Reflection:
    """The model-free judgement: an unchanged element list is ``no_change``, else ``ok``."""
    if screen_signature(before) == screen_signature(after):
        return Reflection("no_change", "the screen did not change")
    return Reflection("ok", "the screen changed")
