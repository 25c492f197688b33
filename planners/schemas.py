"""The reply contract of the three agents: pydantic models and the JSON schemas the model sees.

The decision's wire format is a *flat* action object (a ``type`` enum plus nullable
optional fields) rather than the discriminated union of planners.actions: OpenAI's
strict json_schema mode and the grammar engines of vLLM / llama.cpp handle one flat
object reliably, ``oneOf`` unions poorly. The flat object is then validated into
an ``Action``, so the model gets the union's errors on a retry.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from planners import actions
from planners.actions import Action, parse_action

Direction = Literal["up", "down", "left", "right"]
ActionType = Literal["tap", "long_press", "swipe", "scroll", "type", "key", "back", "home",
                     "launch_app", "wait", "done", "fail"]


class PlanReply(BaseModel):
    """What the planning agent answers: where the task stands and what to do next."""

    model_config = ConfigDict(extra="ignore")

    progress: str = Field(description="What has been achieved so far, in one or two sentences")
    next_subgoal: str = Field(description="The next small goal, doable in a few actions")
    done: bool = Field(description="True when the whole task is complete")


class ReflectionReply(BaseModel):
    """What the reflection agent answers about the last action."""

    model_config = ConfigDict(extra="ignore")

    outcome: Literal["ok", "wrong_page", "no_change"] = Field(
        description="ok: the action did what was intended; wrong_page: it led somewhere "
                    "unintended; no_change: the screen did not change as needed")
    reason: str = Field(description="One sentence: what changed and why it is (not) right")


class WireAction(BaseModel):
    """The action as the model writes it: one flat object, unused fields null."""

    model_config = ConfigDict(extra="forbid")

    type: ActionType
    target: str | None = Field(None, description="What to act on, in words (used when no "
                                                 "element number fits)")
    element: int | None = Field(None, description="Number of an element in the element list")
    x: int | None = Field(None, description="Pixel x in the screenshot (last resort)")
    y: int | None = Field(None, description="Pixel y in the screenshot (last resort)")
    text: str | None = Field(None, description="type: the text to type; done: the answer; "
                                               "fail: why")
    direction: Direction | None = Field(None, description="swipe / scroll direction")
    app: str | None = Field(None, description="launch_app: the app's label or package")
    key: str | None = Field(None, description="key: back, home, enter, delete, tab, escape, "
                                              "app_switch or a hotkey such as ctrl+c")
    seconds: float | None = Field(None, description="wait: seconds to wait")

    def to_action(self) -> Action:
        """Validate into the typed Action; fields the type does not take must be null or empty."""
        data = self.model_dump(exclude_none=True)
        accepted = _ACCEPTED[self.type]
        return parse_action({k: v for k, v in data.items() if k in accepted or v != ""})


_ACCEPTED: dict[str, set[str]] = {
    cls.model_fields["type"].default: set(cls.model_fields)
    for cls in (actions.Tap, actions.LongPress, actions.Swipe, actions.Scroll, actions.Type,
                actions.Key, actions.Back, actions.Home, actions.LaunchApp, actions.Wait,
                actions.Done, actions.Fail)
}


class DecisionWire(BaseModel):
    """The decision as the model writes it."""

    model_config = ConfigDict(extra="ignore")

    thought: str = Field(description="Brief reasoning: what is on screen and why this action")
    action: WireAction
    note: str | None = Field(None, description="A fact worth remembering for later steps "
                                               "(e.g. a value read from the screen), else null")


class DecisionReply(BaseModel):
    """The decision after validation: the action is a typed planners.actions.Action."""

    thought: str
    action: Action
    note: str | None = None


def decision_from_wire(wire: DecisionWire) -> DecisionReply:
    """Turn the flat wire decision into a typed one (raises pydantic.ValidationError)."""
    return DecisionReply(thought=wire.thought, action=wire.action.to_action(), note=wire.note)


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "plan": PlanReply, "decision": DecisionWire, "reflection": ReflectionReply,
}


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema made strict-mode safe: refs inlined, every property
    required (optional ones nullable), no extra properties, no titles or defaults."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})
    return _strictify(raw, defs)


def _strictify(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_strictify(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _strictify(copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]]), defs)
    out = {k: _strictify(v, defs) for k, v in node.items() if k not in ("title", "default")}
    if out.get("type") == "object" and "properties" in out:
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def wire_schema(name: str) -> dict[str, Any]:
    """The strict JSON schema of one reply kind: ``plan``, ``decision`` or ``reflection``."""
    return strict_schema(SCHEMA_MODELS[name])
