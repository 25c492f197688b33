"""The three agents of the LLM loop (after Mobile-Agent-v2): planning, decision, reflection.

Agents never touch a device: they turn plain data (task, element lists, images)
into validated replies. Prompts are package data rendered strictly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from grounding.types import Screen
from planners.actions import Action
from planners.llm import LLMClient, LLMConfig, Message
from planners.memory import Memory, render_list
from planners.schemas import (
    DecisionReply,
    DecisionWire,
    PlanReply,
    ReflectionReply,
    decision_from_wire,
)
from planners.templates import render_prompt
from planners.usage import PriceTable, Usage

MAX_HISTORY = 20


def _history(history: list[str]) -> str:
    """The last MAX_HISTORY entries as numbered lines, saying how many were left out."""
    shown = history[-MAX_HISTORY:]
    first = len(history) - len(shown)
    lines = ([f"({first} earlier steps not shown)"] if first else []) + [
        f"{first + i + 1}. {entry}" for i, entry in enumerate(shown)]
    return "\n".join(lines) if lines else "(nothing done yet)"


class PlanningAgent:
    """Text only, cheap: where the task stands and the next subgoal."""

    def __init__(self, llm: LLMClient) -> None:
        self.llm = llm

    def plan(self, task: str, history: list[str], memory: list[str]) -> PlanReply:
        user = render_prompt("plan_user", task=task, history=_history(history),
                             memory=render_list(memory))
        messages = [{"role": "system", "content": render_prompt("plan_system")},
                    {"role": "user", "content": user}]
        reply = self.llm.structured("planner", "plan", messages, PlanReply.model_validate)
        unmask = self.llm.masker.unmask
        return reply.model_copy(update={"progress": unmask(reply.progress, strict=False),
                                        "next_subgoal": unmask(reply.next_subgoal, strict=False)})


@dataclass
class DecisionContext:
    """Everything the decision agent sees for one step; ``screen`` lets it mask the image."""

    task: str
    progress: str
    subgoal: str
    elements: str
    som_image: Image.Image | None
    memory: list[str] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)
    last_outcomes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    screen: Screen | None = None


class DecisionAgent:
    """Chooses one action per step from the screen, the subgoal and what is remembered.

    The returned action is in the screenshot's own pixels (x/y are scaled back from the
    downscaled image the model saw) and carries real values for personal-data
    placeholders; ``{{secret:NAME}}`` stays for the executor (planners.privacy).
    """

    def __init__(self, llm: LLMClient) -> None:
        self.llm = llm

    def decide(self, ctx: DecisionContext) -> DecisionReply:
        parts: list[Message] = []
        scale, note = 1.0, "No screenshot this step: rely on the element list."
        if ctx.som_image is not None:
            image = _masked(self.llm, ctx.som_image, ctx.screen)
            part, scale = self.llm.image_part(image)
            parts.append(part)
            note = (f"The screenshot (numbered boxes mark the elements) is "
                    f"{round(image.width * scale)}x{round(image.height * scale)} pixels.")
        user = render_prompt(
            "decision_user", task=ctx.task, progress=ctx.progress or "(just started)",
            subgoal=ctx.subgoal or "(none yet)", elements=ctx.elements or "(no elements found)",
            memory=render_list(ctx.memory), tips=render_list(ctx.tips),
            last_outcomes=render_list(ctx.last_outcomes), warnings=render_list(ctx.warnings),
            image_note=note)
        messages: list[Message] = [
            {"role": "system", "content": render_prompt("decision_system")},
            {"role": "user", "content": [{"type": "text", "text": user}, *parts]}]
        return self.llm.structured("decision", "decision", messages,
                                   lambda data: self._convert(data, scale))

    def _convert(self, data: dict[str, Any], scale: float) -> DecisionReply:
        reply = decision_from_wire(DecisionWire.model_validate(data))
        masker = self.llm.masker
        return DecisionReply(thought=masker.unmask(reply.thought, strict=False),
                             action=_local_action(reply.action, scale, masker.unmask),
                             note=masker.unmask(reply.note, strict=False) if reply.note else None)


def _local_action(action: Action, scale: float, unmask: Callable[[str], str]) -> Action:
    """Pixels back to the screenshot's scale, placeholders back to values."""
    update: dict[str, Any] = {name: unmask(getattr(action, name))
                              for name in ("target", "text", "app")
                              if isinstance(getattr(action, name, None), str)}
    x, y = getattr(action, "x", None), getattr(action, "y", None)
    if scale != 1.0 and x is not None and y is not None:
        update |= {"x": round(x / scale), "y": round(y / scale)}
    return action.model_copy(update=update) if update else action


def _masked(llm: LLMClient, image: Image.Image, screen: Screen | None) -> Image.Image:
    if screen is None or not llm.masker.classes:
        return image
    return llm.masker.image(image, screen)


class ReflectionAgent:
    """Judges one action from the screens before and after it: ok, wrong page, no change."""

    def __init__(self, llm: LLMClient) -> None:
        self.llm = llm

    def reflect(self, task: str, subgoal: str, action: str, before: Image.Image,
                after: Image.Image, before_elements: str, after_elements: str, *,
                before_screen: Screen | None = None,
                after_screen: Screen | None = None) -> ReflectionReply:
        user = render_prompt("reflection_user", task=task, subgoal=subgoal or "(none)",
                             action=action, before_elements=before_elements or "(none)",
                             after_elements=after_elements or "(none)")
        images = [self.llm.image_part(_masked(self.llm, img, scr))[0]
                  for img, scr in ((before, before_screen), (after, after_screen))]
        messages: list[Message] = [
            {"role": "system", "content": render_prompt("reflection_system")},
            {"role": "user", "content": [{"type": "text", "text": user}, *images]}]
        reply = self.llm.structured("reflection", "reflection", messages,
                                    ReflectionReply.model_validate)
        return reply.model_copy(update={"reason": self.llm.masker.unmask(reply.reason,
                                                                         strict=False)})


@dataclass
class Agents:
    """The agents of one run, their shared client (usage, masking) and the memory unit."""

    planner: PlanningAgent
    decision: DecisionAgent
    reflection: ReflectionAgent
    llm: LLMClient
    memory: Memory


def build_agents(config: LLMConfig, usage: Usage | None = None) -> Agents:
    """One client shared by the three agents, so usage and placeholders are per run."""
    llm = LLMClient(config, usage or Usage(PriceTable(config.prices)))
    return Agents(PlanningAgent(llm), DecisionAgent(llm), ReflectionAgent(llm), llm, Memory())
