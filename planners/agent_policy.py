"""The LLM agents (planning, decision, reflection, memory) behind the loop's Policy protocol."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from grounding.types import Element, Screen
from planners.actions import Action, Done
from planners.agents import Agents, DecisionContext
from planners.policy import Context, Decision, Feedback, Plan, ReflectInput, Reflection

SetOfMark = Callable[[Screen], tuple[str, Image.Image | None]]


def element_lines(elements: list[Element]) -> str:
    return "\n".join(e.describe() for e in elements)


def plain_marks(screen: Screen) -> tuple[str, Image.Image | None]:
    """The element list and the bare screenshot (when no set-of-mark renderer is given)."""
    return element_lines(screen.elements), screen.image


def action_text(action: Action) -> str:
    return action.model_dump_json(exclude_none=True)


class AgentPolicy:
    """Plans every step, decides with the set-of-mark screen, reflects when the loop asks."""

    name = "llm"

    def __init__(self, agents: Agents, marks: SetOfMark = plain_marks) -> None:
        self.agents = agents
        self.marks = marks
        self._notes: list[str] = []

    def plan(self, ctx: Context) -> Plan:
        history = ctx.history + self._notes
        self._notes = []
        reply = self.agents.planner.plan(ctx.task, history, self.agents.memory.notes)
        return Plan(reply.progress, reply.next_subgoal, reply.done)

    def decide(self, ctx: Context, plan: Plan) -> Decision:
        if plan.done:
            return Decision(Done(text=plan.progress), thought="the planner says the task is done")
        elements, image = self.marks(ctx.screen)
        reply = self.agents.decision.decide(DecisionContext(
            ctx.task, plan.progress, plan.subgoal, elements, image, self.agents.memory.notes,
            ctx.tips, ctx.last_outcomes, ctx.warnings, ctx.screen))
        self.agents.memory.add(reply.note)
        return Decision(reply.action, reply.thought, reply.note or "")

    def reflect(self, data: ReflectInput) -> Reflection:
        if data.before is None or data.after is None:
            return Reflection("ok", "no screenshots to compare")
        reply = self.agents.reflection.reflect(
            data.task, data.subgoal, action_text(data.action), data.before, data.after,
            element_lines(data.before_elements), element_lines(data.after_elements),
            before_screen=data.before_screen, after_screen=data.after_screen)
        return Reflection(reply.outcome, reply.reason)

    def feedback(self, fb: Feedback) -> None:
        """The loop keeps the history; nothing else to remember here."""

    def replan(self, reason: str) -> None:
        self._notes.append(f"STUCK: {reason}. Make a different plan than before.")
