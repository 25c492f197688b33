"""Goals without a model: what a sentence wants, where to look, and the row that shows it.

"switch the phone to dark theme" wants Dark theme on, in Settings (or Quick Settings);
"turn off the 7:00 AM alarm" wants the switch of the Clock row that says 7:00 AM off;
"connect to CoffeeShop Guest" wants that Wi-Fi row tapped. What each word points at is
data (planners/goals.yaml). A screen's rows are found by layout (elements whose boxes
overlap vertically form one row), so list rows that are data (a contact's name, an
alarm's time or label, a network, a notification's sender) count as much as menu
entries. ``GoalWalk`` visits the places in order (planners.navigate in each app).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from grounding.text import similarity
from grounding.types import Element, Screen, Target
from planners.actions import Action, Swipe
from planners.appmodel import AppModelStore
from planners.grammar import (
    Step,
    StepSyntaxError,
    clauses,
    expand,
    parse_clause,
    parse_steps,
    unknown,
    unmask,
)
from planners.navigate import Navigator, names_for

Locate = Callable[[Screen, str], Target]
QUICK_SETTINGS = "Quick Settings"
DEFAULT_PLACES = ("Settings", QUICK_SETTINGS)   # device settings, when nothing else is named
WORD = re.compile(r"\w+(?:-\w+)*")
TALL = 0.25          # an element taller than this share of the screen is a frame, not a row


@dataclass(frozen=True)
class Table:
    intents: tuple[dict[str, Any], ...]
    places: dict[str, tuple[str, ...]]
    kinds: frozenset[str]
    filler: frozenset[str]
    device: frozenset[str]
    synonyms: dict[str, tuple[str, ...]]
    answers: tuple[dict[str, Any], ...]


@cache
def table() -> Table:
    """planners/goals.yaml, compiled once."""
    raw = yaml.safe_load(resources.files("planners").joinpath("goals.yaml").read_text("utf-8"))
    intents = tuple({**i, "patterns": [re.compile(p, re.I) for p in i["patterns"]]}
                    for i in raw["intents"])
    return Table(intents, {k.casefold(): tuple(v) for k, v in raw["places"].items()},
                 frozenset(k.casefold() for k in raw["kinds"]),
                 frozenset(str(w).casefold() for w in raw["filler"]),
                 frozenset(str(w).casefold() for w in raw["device"]),
                 {k.casefold(): tuple(v) for k, v in raw["synonyms"].items()},
                 tuple({**a, "pattern": re.compile(a["pattern"], re.I)} for a in raw["answers"]))


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


@dataclass(frozen=True)
class Goal:
    """What a sentence wants: ``intent`` (on, off, connect, open) done to the row that
    shows ``phrase``, looked for in ``places`` in order; ``hints`` lead towards it."""

    text: str
    intent: str
    phrase: str
    places: tuple[str, ...]
    hints: str = ""

    @property
    def verb(self) -> str:
        """The offline planner's step verb for this goal."""
        return "toggle" if self.intent in ("on", "off") else "tap"


def read_goal(text: str, intent: str = "") -> Goal | None:
    """The goal a sentence states, or None when it names neither an intent nor a place
    (then it is no goal the planner could search for)."""
    t = table()
    spec = next((i for i in t.intents if intent == i["intent"]
                 or (not intent and any(p.search(text) for p in i["patterns"]))), None)
    phrase = content(text)
    places = places_for(text, spec.get("apps", ()) if spec else ())
    if not phrase or (spec is None and not places):
        return None
    return Goal(text, spec["intent"] if spec else "open", phrase, places or DEFAULT_PLACES,
                " ".join(spec.get("hints", ())) if spec else "")


def content(text: str, device: bool = False) -> str:
    """The words of a sentence that name the thing (as written), without intent, filler
    and kind words: "turn off the 7:00 AM alarm" -> "7:00 AM"; words for the device
    itself go too unless ``device`` ("About phone" is a name)."""
    t = table()
    drop = t.filler | t.kinds | (frozenset() if device else t.device)
    body = re.sub(r"['’]s\b", "", text)
    for kind in sorted(t.kinds, key=len, reverse=True):
        if " " in kind:
            body = re.sub(rf"\b{re.escape(kind)}\b", " ", body, flags=re.I)
    kept = [w for w in re.findall(r"[\w:&+.'-]+", body)
            if w.strip(".'-").casefold() not in drop and w.strip(".'-")]
    return " ".join(w.strip(".'-") for w in kept)


def places_for(text: str, default: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """The places a sentence's words point at, most likely first (then ``default``)."""
    low = " ".join(words(text))
    hits = sorted((m.start(), k) for k in table().places
                  for m in [re.search(rf"\b{re.escape(k)}\b", low)] if m)
    out = [p for _, k in hits for p in table().places[k]]
    return tuple(dict.fromkeys([*out, *default]))


# ---- rows --------------------------------------------------------------------------------


def rows(screen: Screen) -> list[list[Element]]:
    """The screen's elements in rows: boxes that overlap vertically (a card, a list row
    with its title, summary and switch); frames taller than a quarter screen left out."""
    tall = TALL * screen.geometry.height
    els = sorted((e for e in screen.elements if e.box.height < tall), key=lambda e: e.box.y1)
    out: list[list[Element]] = []
    bottom = -1
    for e in els:
        if out and e.box.y1 < bottom:
            out[-1].append(e)
            bottom = max(bottom, e.box.y2)
        else:
            out.append([e])
            bottom = e.box.y2
    return out


def coverage(want: list[str], text: str) -> float:
    """Share of ``want`` that ``text`` says (or a synonym, a close spelling, a shared stem)."""
    have = words(text)
    if not want or not have:
        return 0.0
    syn = table().synonyms
    hit = sum(any(_same(f, h) for f in (w, *syn.get(w, ())) for h in have) for w in want)
    return hit / len(want)


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    return (len(a) > 4 and a[:5] == b[:5]) or (len(a) > 3 and similarity(a, b) >= 0.8)


def row_text(row: list[Element]) -> str:
    return " ".join(dict.fromkeys(t for e in row for t in (e.text, e.label) if t.strip()))


def find_row(screen: Screen, target: str, verb: str) -> Element | None:
    """The element to act on for ``verb`` in the row that says all of ``target``'s words
    (its names too): the row's switch for a toggle, its clickable part for a tap."""
    best: tuple[float, int, Element] | None = None
    for name in names_for(target):
        want = words(content(name, device=True) or name)
        for row in rows(screen):
            score = coverage(want, row_text(row))
            e = _actionable(row, verb)
            if score >= 1.0 and e is not None and (best is None or len(row) < best[1]):
                best = (score, len(row), e)
        if best is not None:
            return best[2]
    return None


def _actionable(row: list[Element], verb: str) -> Element | None:
    if verb == "toggle":
        return next((e for e in row if e.checked is not None), None)
    if verb not in ("tap", "long_press", "open"):
        return None
    tappable = [e for e in row if e.clickable is True and e.kind not in ("input", "slider")]
    named = [e for e in tappable if not re.match(r"(?i)delete|remove", e.text or e.label)
             and e.checked is None]
    return max(named, key=lambda e: e.box.area, default=None)


# ---- where to look -----------------------------------------------------------------------


@dataclass
class GoalWalk:
    """The places of a goal in turn: an app (its model's known path, else exploring it,
    planners.navigate) or Quick Settings (the shade); ``next`` gives the next action."""

    goal: Goal
    store: AppModelStore | None = None
    locate: Locate | None = None
    budget: int = 24
    spent: int = 0
    note: str = ""
    places: list[str] = field(default_factory=list)
    nav: Navigator | None = None
    looked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.places = list(self.goal.places)

    def next(self, screen: Screen) -> Action | str:
        """The next action towards the goal's row, or why it cannot be reached."""
        while self.nav is not None or self.places:
            if self.spent >= self.budget:
                break
            if self.nav is None:
                place = self.places.pop(0)
                self.looked.append(place)
                if place == QUICK_SETTINGS:
                    return self._shade(screen)
                words = content(self.goal.phrase, device=True)
                self.nav = Navigator(self.goal.phrase, self.store, self.locate,
                                     self.budget - self.spent, app=place, shade=True,
                                     hints=self.goal.hints, names=(words,) if words else ())
            action = self.nav.next(screen)
            self.note = self.nav.note
            if isinstance(action, str):
                self.nav = None
                continue
            self.spent += 1
            return action
        return self._failed()

    def _shade(self, screen: Screen) -> Action:
        self.spent += 1
        self.note = f"looking in Quick Settings (the shade) for '{self.goal.phrase}'"
        g = screen.geometry
        return Swipe(direction="down", x=g.width // 2, y=8)

    def _failed(self) -> str:
        where = " or ".join(self.looked) or "any app"
        spent = (f" (the exploring budget of {self.budget} actions is spent: explore_budget)"
                 if self.spent >= self.budget else "")
        said = content(self.goal.phrase) or self.goal.phrase
        return (f"cannot find a row that says '{said}' in {where}{spent}; write "
                "the way as steps, or configure a model (it would help here)")


# ---- a task that no step form reads ------------------------------------------------------


def parse_task(task: str) -> list[Step]:
    """The task's steps (planners.grammar); a clause no form reads, or one read only as a
    bare name though it says what to do ("use night mode"), becomes a goal step when it
    states a goal (``read_goal``); else the clause's syntax error stands."""
    try:
        steps = parse_steps(task)
        if not any(_bare(s, s.text) and acting(s.text) for s in steps):
            return steps
    except StepSyntaxError:
        pass
    parts, quoted = clauses(task)
    steps = []
    for number, clause in enumerate(parts, start=1):
        text = unmask(clause, quoted)
        try:
            found = parse_clause(number, clause, quoted)
        except StepSyntaxError:
            found = []
        if found and not (len(found) == 1 and _bare(found[0], text) and acting(text)):
            steps += found
            continue
        steps += goal_steps(number, text, steps)
    return [sub for step in steps for sub in expand(step)]


def goal_steps(number: int, text: str, before: list[Step]) -> list[Step]:
    """A clause as a goal step, or as the answer to what the goal before it opens (a
    network's password); StepSyntaxError naming the clause when it is neither."""
    said, then = text.strip(" .!?"), []
    for answer in table().answers:
        m = answer["pattern"].search(said)
        if m:
            said = said[:m.start()]
            then = [Step(number, text, "fill", answer["field"], m.group("text")),
                    Step(number, text, "tap", answer["then"])]
            break
    goal = read_goal(said) if said else None
    if goal is not None:
        return [Step(number, text, goal.verb, goal.phrase,
                     goal.intent if goal.verb == "toggle" else ""), *then]
    if then and not said and before:
        return then
    raise StepSyntaxError(unknown(number, text))


def _bare(step: Step, text: str) -> bool:
    """A step read from a bare name: "open" of the whole clause."""
    return step.verb == "open" and step.target.casefold() == text.strip(" .!?").casefold()


def stated_intent(text: str) -> str:
    """The intent a sentence states in words (on, off, connect, open), or ""."""
    spec = next((i for i in table().intents if any(p.search(text) for p in i["patterns"])),
                None)
    return str(spec["intent"]) if spec is not None else ""


def acting(text: str) -> bool:
    """Whether a sentence says to change something (on, off, connect), not only to see it."""
    return stated_intent(text) in ("on", "off", "connect")
