"""The offline planner: explicit step lists in plain words, run with local grounding.

    open Settings, tap Network & internet, turn on Airplane mode
    type 'hello' into the search box; scroll down until Bluetooth
    go back, press home, wait for Inbox, wait 2 seconds, long press Alice

Steps are split on commas, semicolons, new lines and "then" (never inside
quotes). Each step knows when it is done by looking at the screen where it
can (a toggle's state, a text that appeared) and by the loop's feedback
otherwise. A step that cannot be grounded ends the run with ``fail`` naming
the step and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from grounding.types import Element, Screen, Target
from planners.actions import (
    Action,
    Back,
    Done,
    Fail,
    Home,
    Key,
    LaunchApp,
    Wait,
    parse_action,
)
from planners.policy import (
    Context,
    Decision,
    Feedback,
    Plan,
    ReflectInput,
    Reflection,
    compare_screens,
)

Locate = Callable[[Screen, str], Target]
QUOTE = re.compile(r"(?<![\w])(['\"“‘])(.+?)(['\"”’])(?![\w])")
SPLIT = re.compile(r"\s*(?:[,;\n]|\.\s+|\bthen\b|\band then\b)\s*", re.I)
AND_VERB = re.compile(r"\s+and\s+(?=(?:open|launch|tap|click|press|turn|switch|enable|disable|"
                      r"type|enter|scroll|swipe|go|wait|long)\b)", re.I)
KEY_NAMES = {"back": "back", "home": "home", "enter": "enter", "return": "enter",
             "delete": "delete", "backspace": "delete", "tab": "tab", "escape": "escape",
             "search": "search", "menu": "menu", "recents": "app_switch",
             "app switch": "app_switch", "power": "power", "volume up": "volume_up",
             "volume down": "volume_down", "space": "space"}
PATTERNS: list[tuple[str, re.Pattern[str]]] = [(verb, re.compile(p, re.I)) for verb, p in [
    ("back", r"^(?:go |navigate |press (?:the )?)?back(?: button| key)?$"),
    ("home", r"^(?:go |press (?:the )?)?home(?: button| key| screen)?$"),
    ("key", r"^(?:press|hit) (?:the )?(?P<key>[a-z ]+?)(?: key| button)?$"),
    ("open", r"^(?:open|launch|start) (?:the )?(?P<target>.+?)(?: app)?$"),
    ("toggle", r"^(?:turn|switch|toggle) (?P<state>on|off) (?:the )?(?P<target>.+)$"),
    ("toggle", r"^(?:turn|switch|toggle) (?:the )?(?P<target>.+) (?P<state>on|off)$"),
    ("toggle", r"^(?P<state>enable|disable) (?:the )?(?P<target>.+)$"),
    ("type", r"^(?:type|enter|write|input) (?P<text>\x00\d+\x00)"
             r"(?: (?:in|into|in to|on) (?:the )?(?P<target>.+))?$"),
    ("scroll_until", r"^(?:scroll|swipe)(?: (?P<dir>up|down|left|right))? "
                     r"(?:until|till|to)(?: you see| (?:the )?)?\s*(?P<target>.+)$"),
    ("scroll", r"^(?:scroll|swipe)(?: (?P<dir>up|down|left|right))?$"),
    ("wait", r"^wait (?:for )?(?P<seconds>\d+(?:\.\d+)?) ?(?:s|secs?|seconds?)?$"),
    ("wait_for", r"^wait (?:for|until)(?: the)? (?P<target>.+?)(?: appears| is shown)?$"),
    ("long_press", r"^(?:long[- ]press|press and hold|long tap) (?:on )?(?:the )?(?P<target>.+)$"),
    ("tap", r"^(?:tap|click|press|select|choose|touch|hit) (?:on )?(?:the )?(?P<target>.+)$"),
]]
ONE_SHOT_OK_ON_NO_CHANGE = ("open", "back", "home", "key", "wait", "type")


@dataclass(slots=True)
class Step:
    """One parsed step: ``verb`` is one of the PATTERNS names; ``text`` is what the user wrote."""

    number: int
    text: str
    verb: str
    target: str = ""
    value: str = ""

    def label(self) -> str:
        return f"step {self.number} '{self.text}'"


class StepSyntaxError(ValueError):
    """A step that none of the patterns understands."""


def _mask_quotes(task: str) -> tuple[str, list[str]]:
    quoted: list[str] = []

    def keep(m: re.Match[str]) -> str:
        quoted.append(m.group(2))
        return f"\x00{len(quoted) - 1}\x00"

    return QUOTE.sub(keep, task), quoted


def _unmask(text: str, quoted: list[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda m: quoted[int(m.group(1))], text)


def parse_steps(task: str) -> list[Step]:
    """The task as a list of steps; raises StepSyntaxError naming the step it cannot read."""
    masked, quoted = _mask_quotes(task.strip())
    clauses = [c for part in SPLIT.split(masked) for c in AND_VERB.split(part)]
    clauses = [re.sub(r"^(?:and |please |now )+", "", c.strip(" .!"), flags=re.I) for c in clauses]
    steps: list[Step] = []
    for clause in (c for c in clauses if c):
        steps.append(_parse_one(len(steps) + 1, clause, quoted))
    return steps


def _parse_one(number: int, clause: str, quoted: list[str]) -> Step:
    text = _unmask(clause, quoted)
    for verb, pattern in PATTERNS:
        m = pattern.match(clause)
        if m is None:
            continue
        groups = {k: _unmask(v, quoted).strip() for k, v in m.groupdict().items() if v}
        if verb == "key" and groups["key"].lower() not in KEY_NAMES:
            continue
        value = (groups.get("state") or groups.get("text") or groups.get("dir")
                 or groups.get("seconds") or groups.get("key") or "")
        if verb == "toggle":
            value = "on" if value.lower() in ("on", "enable") else "off"
        return Step(number, text, verb, groups.get("target", "").strip("'\" "), value.lower()
                    if verb != "type" else value)
    raise StepSyntaxError(
        f"step {number} '{text}' is not a step the offline planner knows; write steps like "
        "'open Settings, tap Wi-Fi, turn on Airplane mode, type \"hi\" into Search, "
        "scroll down until Bluetooth, wait for Inbox, go back' (or configure an LLM)")


def act(kind: str, **fields: object) -> Action:
    """An Action from its type name and fields (validated like a model's reply)."""
    return parse_action({"type": kind, **fields})


def toggle_for(screen: Screen, e: Element) -> Element | None:
    """The switch that belongs to ``e``: itself, or the nearest one on the same row."""
    if e.checked is not None:
        return e
    row = [o for o in screen.elements
           if o.checked is not None and o.box.y1 < e.box.y2 and e.box.y1 < o.box.y2]
    return min(row, key=lambda o: abs(o.center.x - e.center.x), default=None)


class OfflinePlanner:
    """A policy that walks a step list; no model, no network."""

    name = "offline"

    def __init__(self, locate: Locate, *, max_scrolls: int = 10, max_waits: int = 10,
                 retries: int = 2) -> None:
        self.locate = locate
        self.max_scrolls, self.max_waits, self.retries = max_scrolls, max_waits, retries
        self.steps: list[Step] | None = None  # parsed on the first plan()
        self.error = ""
        self.index = 0
        self.tries = 0
        self.last: Feedback | None = None
        self.pending: Decision | None = None

    def plan(self, ctx: Context) -> Plan:
        """Settle which step is current (skipping satisfied ones) and what to do for it."""
        if self.steps is None:
            self._parse(ctx.task)
        self.pending = self._next(ctx.screen)
        steps = self.steps or []
        current = steps[self.index].text if self.index < len(steps) else "done"
        return Plan(f"{self.index} of {len(steps)} steps done", current,
                    done=self.index >= len(steps))

    def _parse(self, task: str) -> None:
        try:
            self.steps = parse_steps(task)
        except StepSyntaxError as exc:
            self.steps, self.error = [], str(exc)

    def decide(self, ctx: Context, plan: Plan) -> Decision:
        decision, self.pending = self.pending or self._next(ctx.screen), None
        return decision

    def _next(self, screen: Screen) -> Decision:
        """The next action of the current step; steps already satisfied are skipped."""
        if self.error:
            return Decision(Fail(text=self.error))
        steps = self.steps or []
        while self.index < len(steps):
            step = steps[self.index]
            action = self._advance(step, screen)
            if action is None:
                self.index, self.tries, self.last = self.index + 1, 0, None
                continue
            if not isinstance(action, Fail):
                self.tries += 1
            return Decision(action, thought=f"{step.label()}: {self._why(action)}")
        return Decision(Done(text=f"all {len(steps)} steps done"))

    @staticmethod
    def _why(action: Action) -> str:
        return action.type.replace("_", " ")

    def feedback(self, fb: Feedback) -> None:
        self.last = fb

    def reflect(self, data: ReflectInput) -> Reflection:
        return compare_screens(data.before_elements, data.after_elements)

    def replan(self, reason: str) -> None:
        """Nothing to replan in a fixed step list; the loop guard will stop a stuck step."""

    # -- steps ---------------------------------------------------------------------------

    def _advance(self, step: Step, screen: Screen) -> Action | None:
        """The action to take for ``step`` now, None when it is complete, or Fail."""
        handler = getattr(self, f"_step_{step.verb}", self._one_shot)
        action: Action | None = handler(step, screen)
        return action

    def _result(self) -> str:
        return self.last.result if self.last is not None else ""

    def _one_shot(self, step: Step, screen: Screen) -> Action | None:
        """Steps done by one action: complete once it worked (or changed nothing harmlessly)."""
        if self.tries:
            result = self._result()
            if result == "ok" or (result == "no_change" and step.verb in ONE_SHOT_OK_ON_NO_CHANGE):
                return None
            if result in ("refused", "not_found", "error") or self.tries >= self.retries:
                why = self.last.reason if self.last is not None else "it did not work"
                return Fail(text=f"{step.label()} did not work: {why or result}")
        return self._first_action(step, screen)

    def _first_action(self, step: Step, screen: Screen) -> Action:
        if step.verb == "open":
            return LaunchApp(app=step.target)
        if step.verb in ("back", "home"):
            return Back() if step.verb == "back" else Home()
        if step.verb == "key":
            return Key(key=KEY_NAMES[step.value])
        if step.verb == "wait":
            return Wait(seconds=min(float(step.value), 30.0))
        if step.verb == "scroll":
            return act("scroll", direction=step.value or "down")
        if step.verb == "type" and not step.target:
            return act("type", text=step.value)
        found = self._find(step, screen)
        if isinstance(found, Fail):
            return found
        if step.verb == "type":
            return act("type", text=step.value, element=found.id)
        return act(step.verb if step.verb == "long_press" else "tap", element=found.id)

    def _find(self, step: Step, screen: Screen) -> Element | Fail:
        """Ground the step's target; a Fail that names the step when it is not there."""
        target = self.locate(screen, step.target)
        if target.found and target.element is not None:
            return target.element
        near = ", ".join(repr(e.text or e.label) for e, _ in target.candidates[:3])
        hint = f" (closest: {near})" if near else ""
        why = target.reason or "nothing on the screen matches"
        return Fail(text=f"{step.label()}: cannot find '{step.target}' on the screen: {why}{hint}")

    def _step_toggle(self, step: Step, screen: Screen) -> Action | None:
        found = self._find(step, screen)
        if isinstance(found, Fail):
            return found
        switch = toggle_for(screen, found)
        want = step.value == "on"
        if switch is not None and switch.checked == want:
            return None
        if switch is None and self.tries and self._result() == "ok":
            return None  # no visible state to read: one tap that changed the screen
        if self.tries >= self.retries:
            state = "unknown" if switch is None else ("on" if switch.checked else "off")
            return Fail(text=f"{step.label()}: '{step.target}' is still {state} after "
                             f"{self.tries} taps")
        return act("tap", element=(switch or found).id)

    def _step_scroll_until(self, step: Step, screen: Screen) -> Action | None:
        target = self.locate(screen, step.target)
        if target.found:
            return None
        if self.tries and self._result() == "no_change":
            return Fail(text=f"{step.label()}: reached the end without finding '{step.target}'")
        if self.tries >= self.max_scrolls:
            return Fail(text=f"{step.label()}: '{step.target}' not found after "
                             f"{self.tries} scrolls")
        return act("scroll", direction=step.value or "down")

    def _step_wait_for(self, step: Step, screen: Screen) -> Action | None:
        if self.locate(screen, step.target).found:
            return None
        if self.tries >= self.max_waits:
            return Fail(text=f"{step.label()}: '{step.target}' did not appear in "
                             f"{self.tries} s")
        return Wait(seconds=1.0)
