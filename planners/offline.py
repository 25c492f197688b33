"""The offline planner: explicit step lists in plain words, run with local grounding.

    open Settings, tap Network & internet, turn on Airplane mode
    type 'hello' into the search box; scroll down until Bluetooth
    enter first name Oscar, last name Wilde; search for David; send "On my way"
    go back, press home, wait for Inbox, wait 2 seconds, long press Alice
    compute 250 + 175; drag the brightness slider all the way down

How a task is split into steps and what each may say is data: planners/steps.yaml,
read by planners.grammar; a sentence no form reads ("switch the phone to dark theme")
is a goal when planners.goals (planners/goals.yaml) can say what it wants and where.
Each step knows when it is done by looking at the
screen where it can (a toggle's state, a text that appeared) and by the
loop's feedback otherwise. A target that is not on the screen is looked for
by scrolling down; a goal's target that is nowhere on the screen ("turn on
bluetooth" from the home screen, "the 7:00 AM alarm") is found by planners.goals
in the places its words point at (planners.navigate in each app). A step that
still cannot be grounded ends the run with ``fail`` naming the step and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from devices.geometry import Box
from grounding.text import similarity
from grounding.types import Element, Screen, Target
from planners import menus
from planners.actions import Action, Done, Fail, parse_action
from planners.appmodel import AppModelStore
from planners.goals import (
    DEFAULT_PLACES,
    Goal,
    GoalWalk,
    find_row,
    parse_task,
    places_for,
    read_goal,
    stated_intent,
)
from planners.grammar import KEY_NAMES, Step, StepSyntaxError
from planners.itemsteps import ChatWalk, DeleteWalk
from planners.navigate import covers, names_for
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
DONE_ON_NO_CHANGE = ("back", "home", "key", "hotkey", "wait", "swipe", "drag", "pick")
FIND_FIRST = ("tap", "long_press", "toggle", "fill", "drag", "pick")
QUALIFIER = re.compile(r"\s+(?:in|on|under|inside|within|at|from) (?:the )?(?=[A-Z\w])", re.I)
# Pop-ups that stand between a step and its target are declined, never accepted.
DISMISS = ("Not now", "No thanks", "Maybe later", "Later", "Skip", "Dismiss", "Got it",
           "Don't allow", "Don’t allow", "Deny", "Never", "Close")
MAX_DISMISSALS = 5
# A calculator's operator key shows nothing until the next digit: no change is no failure.
OPERATOR_KEY = re.compile(r"[^\w\s]{1,3}")


def act(kind: str, **fields: object) -> Action:
    """An Action from its type name and fields (validated like a model's reply)."""
    return parse_action({"type": kind, **fields})


def toggle_for(screen: Screen, e: Element, reach: float = 0.0) -> Element | None:
    """The switch that belongs to ``e``: itself, or the nearest one on the same row (or
    within ``reach`` of the screen's height: an alarm card's label under its switch)."""
    if e.checked is not None:
        return e
    tol = reach * screen.geometry.height
    row = [o for o in screen.elements
           if o.checked is not None and o.box.y1 < e.box.y2 + tol and e.box.y1 - tol < o.box.y2]
    return min(row, key=lambda o: abs(o.center.x - e.center.x), default=None)


def slider_for(screen: Screen, e: Element) -> Element | None:
    """The slider that belongs to ``e``: itself, else the nearest one on its row or just
    below it (a "Brightness level" title above its bar)."""
    if e.kind == "slider":
        return e
    tol = 0.08 * screen.geometry.height
    near = [o for o in screen.elements if o.kind == "slider"
            and o.box.y1 < e.box.y2 + tol and e.box.y1 - tol / 4 < o.box.y2]
    return min(near, key=lambda o: abs(o.center.y - e.center.y), default=None)


def interruption(screen: Screen) -> Element | None:
    """The button that dismisses a pop-up (rate me, a permission request) without consent."""
    for word in DISMISS:
        hit = exact_element(screen, word) or exact_element(screen, word.capitalize())
        if hit is not None:
            return hit
    return None


def exact_element(screen: Screen, text: str) -> Element | None:
    """The element whose text or label is exactly ``text`` (keys such as '+' and '=')."""
    hits = [e for e in screen.elements if text in (e.text.strip(), e.label.strip())]
    return min(hits, key=lambda e: (e.clickable is not True, e.box.area), default=None)


class OfflinePlanner:
    """A policy that walks a step list; no model, no network."""

    name = "offline"

    def __init__(self, locate: Locate, *, max_scrolls: int = 6, max_waits: int = 10,
                 retries: int = 3, store: AppModelStore | None = None,
                 explore_budget: int = 24) -> None:
        self.locate = locate
        self.store, self.explore_budget = store, explore_budget
        self.nav: tuple[int, GoalWalk] | None = None    # the goal step being navigated
        self.answer = ""                                 # what the task asked, when it asked
        self.max_scrolls, self.max_waits, self.retries = max_scrolls, max_waits, retries
        self.steps: list[Step] | None = None  # parsed on the first plan()
        self.error = ""
        self.index = 0
        self.acted = 0          # actions issued for the current step (scrolls to find excluded)
        self.scrolls = 0        # scrolls made to find the current step's target
        self.searching = False  # the last action was a scroll (or wait) to find the target
        self.waited = False     # waited once for the current step's target to appear
        self.dismissed = 0      # pop-ups dismissed during this run
        self.field: Box | None = None   # the text field the last type action aimed at
        self.touched = ""                # the name of the element the step acted on
        self.last: Feedback | None = None
        self.pending: Decision | None = None
        self.menu: tuple[int, menus.MenuWalk] | None = None   # the menu step under way
        self.walk: tuple[int, DeleteWalk | ChatWalk] | None = None   # delete / chat under way

    def plan(self, ctx: Context) -> Plan:
        """Settle which step is current (skipping satisfied ones) and what to do for it."""
        if self.steps is None:
            self._parse(ctx.task)
        self.pending = self._next(ctx.screen)
        steps = self.steps or []
        current = steps[self.index].text if self.index < len(steps) else "done"
        if self.nav is not None and self.nav[0] == self.index and self.nav[1].note:
            current = f"{current}: {self.nav[1].note}"
        total = len({s.number for s in steps})
        done = len({s.number for s in steps[: self.index]}
                   - {s.number for s in steps[self.index:]})
        step = steps[self.index].text if self.index < len(steps) else ""
        return Plan(f"{done} of {total} step{'' if total == 1 else 's'} done", current,
                    done=self.index >= len(steps), step=step)

    def _parse(self, task: str) -> None:
        try:
            self.steps = parse_task(task)
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
                self.index, self.acted, self.scrolls, self.last = self.index + 1, 0, 0, None
                self.waited, self.touched = False, ""
                continue
            why = self.nav[1].note if self.nav is not None and self.nav[0] == self.index else ""
            if self.walk is not None and self.walk[0] == self.index:
                why = self.walk[1].note or why      # deleting an item, opening a chat
            return Decision(action, thought=f"{step.label()}: {action.type.replace('_', ' ')}"
                                            + (f" ({why})" if why else ""))
        total = len({s.number for s in steps})
        return Decision(Done(text=self.answer or (
            f"all {total} steps done" if total != 1 else "the step is done")))

    def feedback(self, fb: Feedback) -> None:
        self.last = fb

    def reflect(self, data: ReflectInput) -> Reflection:
        return compare_screens(data.before_elements, data.after_elements)

    def replan(self, reason: str) -> None:
        """Nothing to replan in a fixed step list; the loop guard will stop a stuck step."""

    # -- steps ---------------------------------------------------------------------------

    def _result(self) -> str:
        return self.last.result if self.last is not None else ""

    def _issue(self, action: Action, scroll: bool = False) -> Action:
        """Count an action for the current step (scrolls to find a target apart)."""
        self.searching = scroll
        if scroll:
            self.scrolls += 1
        else:
            self.acted += 1
        return action

    def _advance(self, step: Step, screen: Screen) -> Action | None:
        """The action to take for ``step`` now, None when it is complete, or Fail."""
        waited = self.last is not None and self.last.action.type == "wait"
        if self.searching and self._result() == "no_change" and not waited:
            self.searching = False
            return Fail(text=f"{step.label()}: cannot find '{step.target}': scrolled to the "
                             f"end of the screen{self._closest(screen, step.target)}")
        handler = getattr(self, f"_step_{step.verb}", None)
        if handler is not None:
            action: Action | None = handler(step, screen)
            return action
        return self._one_shot(step, screen)

    def _one_shot(self, step: Step, screen: Screen) -> Action | None:
        """Steps done by one action: complete once it worked (or changed nothing harmlessly)."""
        if self.acted and not self.searching:
            result = self._result()
            launched = self.last is not None and self.last.action.type == "launch_app"
            if result == "ok" and not self._typed_elsewhere(step, screen):
                return None
            if result == "no_change" and (step.verb in DONE_ON_NO_CHANGE or launched
                                          or OPERATOR_KEY.fullmatch(self.touched)):
                return None
            if result == "ok":
                field = re.sub(r"\s+(?:field|box)$", "", step.target)
                return Fail(text=f"{step.label()}: typed {step.value!r}, but the "
                                 f"'{field}' field does not show it (was it focused?)")
            if result == "refused" and self.last is not None:
                return Fail(text=self.last.reason)   # safety's words: what and how to allow
            if result in ("not_found", "error") or self.acted >= self.retries:
                why = self.last.reason if self.last is not None else ""
                on = f" (it acted on '{self.touched}')" if self.touched else ""
                return Fail(text=f"{step.label()} did not work: {why or result}{on}")
        if step.verb in FIND_FIRST or (step.verb == "type" and step.target):
            found = self._find(step, screen)
            if not isinstance(found, Element):
                return found
            return self._issue(self._targeted(step, found, screen))
        return self._issue(self._untargeted(step))

    def _untargeted(self, step: Step) -> Action:
        if step.verb in ("open", "launch", "ensure_app"):
            return act("launch_app", app=step.target)
        if step.verb in ("back", "home"):
            return act(step.verb)
        if step.verb == "key":
            return act("key", key=KEY_NAMES[step.value])
        if step.verb == "hotkey":
            return act("key", key=step.value)
        if step.verb == "wait":
            return act("wait", seconds=min(float(step.value), 30.0))
        if step.verb in ("scroll", "swipe"):
            return act(step.verb, direction=step.value or "down")
        return act("type", text=step.value)

    def _targeted(self, step: Step, e: Element, screen: Screen) -> Action:
        self.touched = e.text or e.label
        if step.verb in ("type", "fill"):
            self.field = e.box
            return act("type", text=step.value, element=e.id)
        if step.verb == "drag":
            low = (step.value in ("down", "left") or "min" in step.value or "low" in step.value
                   or step.value.replace(" ", "") == "0%")
            bar = slider_for(screen, e) or e
            return act("tap", x=bar.box.x1 + 1 if low else bar.box.x2 - 2, y=bar.center.y)
        return act(step.verb if step.verb == "long_press" else "tap", element=e.id)

    def _find(self, step: Step, screen: Screen) -> Element | Action:
        """Ground the step's target, scrolling down to look for it; Fail naming the step."""
        if step.verb in ("fill", "type"):     # a dialog's field, by the label beside it
            field = menus.labelled_field(screen, step.target)
            if isinstance(field, Element):
                return field
            if field is not None:
                return self._issue(act("type", text=step.value, x=field.x, y=field.y))
        if step.exact:
            exact = exact_element(screen, step.target)
            target = Target(exact is not None, exact.center if exact else None, exact,
                            reason="no element reads exactly that")
        else:
            target = self._locate_plain(screen, step.target)
        # a row that says all the target's words (a contact, an alarm) beats a part of them
        row = find_row(screen, step.target, step.verb) if not step.exact else None
        e = target.element
        if target.found and e is not None and not self._not_a_switch(step, screen, target) \
                and (row is None or covers(step.target, e.text or e.label)):
            if self.nav is not None and self.nav[0] == self.index:
                self.nav[1].note = f"'{step.target}' is on this screen"
            return e
        if row is not None:
            if self.nav is not None and self.nav[0] == self.index:
                self.nav[1].note = f"a row that says '{step.target}' is on this screen"
            return row
        if self._navigating(step, screen):
            return self._navigate(step, screen)
        dismiss = interruption(screen)
        if dismiss is not None and self.dismissed < MAX_DISMISSALS:
            self.dismissed += 1
            return self._issue(act("tap", element=dismiss.id), scroll=True)
        if not self.waited:          # a screen still loading looks like a missing target
            self.waited = True
            return self._issue(act("wait", seconds=1.0), scroll=True)
        if self.scrolls <= self.max_scrolls and not step.exact:
            return self._issue(act("scroll", direction="down"), scroll=True)
        why = target.reason or "nothing on the screen matches"
        return Fail(text=f"{step.label()}: cannot find '{step.target}' on the screen: {why}"
                         f"{self._closest(screen, step.target, target)}")

    def _closest(self, screen: Screen, what: str, target: Target | None = None) -> str:
        """`` (closest: 'Wi-Fi', 'Wi-Fi calling')``: the best near misses on the screen."""
        target = target or self._locate_plain(screen, what)
        names = dict.fromkeys(e.text or e.label for e, _ in target.candidates)
        near = ", ".join(repr(n) for n in list(names)[:3])
        return f" (closest: {near})" if near else ""

    def _not_a_switch(self, step: Step, screen: Screen, target: Target) -> bool:
        """A goal's target found as a near miss ("Phone" for "about phone") or, for a toggle,
        as a text with no switch beside it ("Wi-Fi" in a summary): navigation goes on."""
        e = target.element
        if e is None or self.acted or not self._navigating(step, screen, loaded=True):
            return False
        head = QUALIFIER.split(step.target, maxsplit=1)[0] or step.target
        if step.verb == "drag":     # "display brightness": a slider named by its last word
            noun = head.split(" ")[-1]
            return slider_for(screen, e) is None or not covers(noun, e.text or e.label)
        weak = not covers(head, e.text or e.label)
        return weak or (step.verb == "toggle" and toggle_for(screen, e) is None)

    def _navigating(self, step: Step, screen: Screen, loaded: bool = False) -> bool:
        """Navigate to a goal's target: a first step, or any step on the home screen."""
        if self.nav is not None and self.nav[0] == self.index:
            return True
        home = "launcher" in (screen.app or "")
        if step.verb not in ("tap", "toggle", "drag") or step.exact or not (
                self.waited or loaded or home):
            return False
        return step.number == 1 or home

    def _navigate(self, step: Step, screen: Screen) -> Action:
        """The navigator's next action towards the target (planners.navigate)."""
        if self.nav is None or self.nav[0] != self.index:
            said = read_goal(step.text)       # where the sentence points: its places, hints
            goal = Goal(step.text, step.value, step.target,
                        said.places if said else DEFAULT_PLACES, said.hints if said else "")
            self.nav = (self.index, GoalWalk(goal, self.store, self.locate, self.explore_budget))
        action = self.nav[1].next(screen)
        if isinstance(action, str):
            return Fail(text=f"{step.label()}: {action}")
        self.searching = False
        return action

    def _locate_plain(self, screen: Screen, what: str) -> Target:
        """Locate ``what`` (or a name apps use for it: "dark mode" is "Dark theme");
        "Airplane mode in Quick Settings" also as "Airplane mode", but "message from David"
        never as "message" (David is no place: that message is a row of data)."""
        target = self.locate(screen, what)
        for alias in names_for(what)[1:]:
            if target.found:
                break
            target = self.locate(screen, alias)
        head, *tail = QUALIFIER.split(what, maxsplit=1)
        if target.found or head == what or not head:
            return target
        if tail and not places_for(tail[0]) and not self.locate(screen, tail[0]).found:
            return target
        plain = self.locate(screen, head)
        return plain if plain.found else target

    def _step_menu(self, step: Step, screen: Screen) -> Action | None:
        """Open the menu (and submenus) a step names, then pick its item (planners.menus)."""
        if self.menu is None or self.menu[0] != self.index:
            self.menu = (self.index, menus.MenuWalk(menus.menu_levels(step.value, step.target)))
        walk = self.menu[1]
        if self.acted and self._result() in ("refused", "not_found", "error"):
            why = self.last.reason if self.last is not None else ""
            return Fail(text=f"{step.label()} did not work: {why}")
        if self._result() == "no_change" and self.last is not None and walk.clicked \
                and self.last.action.type == "tap":
            if self.acted >= self.retries + len(walk.levels):
                return Fail(text=f"{step.label()}: clicking '{walk.clicked[-1].text}' "
                                 "changed nothing")
            walk.clicked.pop()   # a lost click (a menu opened a moment ago): click it again
        nxt = walk.next(screen, self.locate)
        if nxt == "wait":
            return self._issue(act("wait", seconds=0.5), scroll=True)
        if isinstance(nxt, str):
            return Fail(text=f"{step.label()}: {nxt}")
        if nxt is None:
            return None
        walk.clicked.append(nxt)
        self.touched = nxt.text or nxt.label
        return self._issue(act("tap", element=nxt.id))

    def _step_delete(self, step: Step, screen: Screen) -> Action | None:
        """Find the item, then its own delete control and the question's answer."""
        walk = self._walk_for(step, DeleteWalk)
        assert isinstance(walk, DeleteWalk)
        if walk.phase == "find":
            found = self._find(step, screen)
            return found if not isinstance(found, Element) else self._walked(
                step, walk.found(screen, found))
        return self._walked(step, walk.next(screen))

    def _step_chat(self, step: Step, screen: Screen) -> Action | None:
        """Open the conversation with a name or number, starting one when there is none."""
        walk = self._walk_for(step, ChatWalk)
        return self._walked(step, walk.next(screen))

    def _walk_for(self, step: Step, kind: type[DeleteWalk | ChatWalk]) -> DeleteWalk | ChatWalk:
        if self.walk is None or self.walk[0] != self.index:
            self.walk = (self.index, kind(step.target))
        return self.walk[1]

    def _walked(self, step: Step, nxt: Element | Action | str | None) -> Action | None:
        """A walk's answer as the step's action; a refused or failed tap ends the step."""
        if self.acted and self._result() in ("refused", "not_found", "error"):
            why = self.last.reason if self.last is not None else ""
            return Fail(text=why if self._result() == "refused"
                        else f"{step.label()} did not work: {why or self._result()}")
        if isinstance(nxt, str):
            return Fail(text=f"{step.label()}: {nxt}")
        if isinstance(nxt, Element):
            self.touched = nxt.text or nxt.label
            return self._issue(act("tap", element=nxt.id))
        return None if nxt is None else self._issue(nxt)

    def _step_open(self, step: Step, screen: Screen) -> Action | None:
        """Tap the app (or item) when it is on the screen, else launch the app by name."""
        if not self.acted:
            t = self.locate(screen, step.target)
            e = t.element       # "my conversation with Carol" is no Messages icon: launch
            if t.found and e is not None and covers(step.target, e.text or e.label):
                return self._issue(act("tap", element=e.id))
        last = self.last
        if last is not None and last.action.type == "launch_app" and last.result == "error":
            # not an app: an item of the current app, perhaps behind a pop-up or below
            assert self.steps is not None
            intent = stated_intent(step.text)     # "use night mode": switch it on
            self.steps[self.index] = replace(step, verb="toggle", value=intent) \
                if intent in ("on", "off") else replace(step, verb="tap")
            self.acted, self.last = 0, None
            return self._advance(self.steps[self.index], screen)
        return self._one_shot(step, screen)

    def _typed_elsewhere(self, step: Step, screen: Screen) -> bool:
        """After typing into a field: True when that field does not show the text."""
        if step.verb not in ("type", "fill") or self.field is None or not step.value:
            return False
        box, self.field = self.field, None
        fields = [e for e in screen.elements if e.kind == "input" and e.box.iou(box) > 0.5]
        shown = " ".join(e.text for e in fields)
        hidden = bool(shown) and set(shown) <= set("•●*· ")   # a password field
        # OCR may drop a letter of what was typed ("notes.xt"): close enough is shown.
        seen = step.value in shown or similarity(step.value, shown) >= 0.8
        return bool(fields) and not hidden and not seen

    def _step_pick(self, step: Step, screen: Screen) -> Action | None:
        """Choose an option; one that does not say the value is no choice ("set X to Y"
        where Y is nothing the screen offers fails instead of tapping a near miss)."""
        if self.acted and not self.searching:
            return self._one_shot(step, screen)
        found = self._find(step, screen)
        if not isinstance(found, Element):
            return found
        if not covers(step.target, found.text or found.label):
            return Fail(text=f"{step.label()}: there is no option '{step.target}' here"
                             f"{self._closest(screen, step.target)}")
        return self._issue(self._targeted(step, found, screen))

    def _step_launch(self, step: Step, screen: Screen) -> Action | None:
        """Start the app, even when it is open (a phrase's steps start from its first screen)."""
        return self._one_shot(step, screen)

    def _step_ensure_app(self, step: Step, screen: Screen) -> Action | None:
        """Start the app only when its screen is not showing."""
        if not self.acted and step.target.casefold() in (screen.app or "").casefold():
            return None
        return self._one_shot(step, screen)

    def _step_answer(self, step: Step, screen: Screen) -> Action | None:
        """The result the screen shows becomes the run's answer; a different one fails."""
        shown = [e.text.strip() for e in screen.elements
                 if e.text.strip().replace(",", "") == step.value]
        if shown:
            self.answer = shown[0]
            return None
        if not self.acted:
            return self._issue(act("wait", seconds=0.5))
        numbers = [e.text for e in screen.elements if re.fullmatch(r"[\d.,−-]+", e.text.strip())]
        return Fail(text=f"{step.label()}: the screen shows {numbers[-1:] or 'no result'}, "
                         f"not {step.value}")

    def _step_save(self, step: Step, screen: Screen) -> Action | None:
        """Tap a visible Save button once (an edit that is not saved is lost)."""
        if self.acted:
            return self._one_shot(step, screen)
        t = self.locate(screen, step.target)
        return self._issue(act("tap", element=t.element.id)) if t.found and t.element else None

    def _step_swipe(self, step: Step, screen: Screen) -> Action | None:
        """A swipe from an edge (the notification shade) starts at that edge."""
        if not step.target or self.acted:
            return self._one_shot(step, screen)
        g = screen.geometry
        x, y = {"top": (g.width // 2, 8), "bottom": (g.width // 2, g.height - 8),
                "left": (8, g.height // 2), "right": (g.width - 8, g.height // 2)}[step.target]
        return self._issue(act("swipe", direction=step.value, x=x, y=y))

    def _step_tap_end(self, step: Step, screen: Screen) -> Action | None:
        """Put the cursor at the end of the largest text field (a note's body)."""
        if self.acted:
            return self._one_shot(step, screen)
        fields = [e for e in screen.elements if e.kind == "input"]
        if not fields:
            return Fail(text=f"{step.label()}: there is no text field on the screen")
        body = max(fields, key=lambda e: e.box.area)
        return self._issue(act("tap", x=body.box.x2 - 4, y=body.box.y2 - 4))

    def _step_type(self, step: Step, screen: Screen) -> Action | None:
        """Typing a time such as 9:45 goes into the Hour and Minute fields when there are such."""
        clock = re.fullmatch(r"(\d{1,2}):(\d{2})", step.value)
        if clock and not self.acted and not step.target:
            hour = self.locate(screen, "Hour field")
            minute = self.locate(screen, "Minute field")
            if hour.found and minute.found:
                assert self.steps is not None
                self.steps[self.index:self.index + 1] = [
                    replace(step, verb="fill", target="Hour field", value=clock.group(1)),
                    replace(step, verb="fill", target="Minute field", value=clock.group(2))]
                return self._advance(self.steps[self.index], screen)
        return self._one_shot(step, screen)

    def _step_switch_item(self, step: Step, screen: Screen) -> Action | None:
        """An item's own switch (an alarm): the one on its card, a little above or below."""
        return self._step_toggle(step, screen, reach=0.06)

    def _step_toggle(self, step: Step, screen: Screen, reach: float = 0.0) -> Action | None:
        found = self._find(step, screen)
        if not isinstance(found, Element):
            return found
        switch = toggle_for(screen, found, reach)
        want = step.value == "on"
        if switch is not None and switch.checked == want:
            return None
        if switch is None and self.acted and self._result() == "ok":
            return None  # no visible state to read: one tap that changed the screen
        if self.acted >= self.retries:
            state = "unknown" if switch is None else ("on" if switch.checked else "off")
            return Fail(text=f"{step.label()}: '{step.target}' is still {state} after "
                             f"{self.acted} taps")
        return self._issue(act("tap", element=(switch or found).id))

    def _step_scroll_until(self, step: Step, screen: Screen) -> Action | None:
        if self.locate(screen, step.target).found:
            return None
        if self.acted and self._result() == "no_change":
            return Fail(text=f"{step.label()}: reached the end without finding '{step.target}'")
        if self.acted >= self.max_scrolls:
            return Fail(text=f"{step.label()}: '{step.target}' not found after "
                             f"{self.acted} scrolls")
        return self._issue(act("scroll", direction=step.value or "down"))

    def _step_wait_for(self, step: Step, screen: Screen) -> Action | None:
        if self.locate(screen, step.target).found:
            return None
        if self.acted >= self.max_waits:
            return Fail(text=f"{step.label()}: '{step.target}' did not appear in "
                             f"{self.acted} s")
        return self._issue(act("wait", seconds=1.0))
