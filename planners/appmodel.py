"""The app as a finite-state machine (MAPLE-style): screens are states, actions are transitions.

How the loop uses it, once per step::

    store = AppModelStore(data_dir / "appmodels")       # guiagent passes the root down
    model = store.load(screen.app)                     # empty model on first use
    before = model.locate(screen)                      # known State or a new one; counts a visit
    expected = model.predict(before, action_key(action, screen))   # skip reflection if it holds
    ... execute the action, perceive ``after_screen`` ...
    after = model.locate(after_screen)
    t = model.record(before, action, after, before_screen=screen, after_screen=after_screen,
                     ok=reflection_ok)
    model.check(t, after_screen)                        # post-condition of a known transition
    model.rollback_plan(after) / model.path(a, b)       # recover / navigate, as Actions
    store.save(model)                                  # atomic JSON, per app

A ``State`` is *stable* (a safe place to roll back to) unless overridden by
``State.stable_override``: it shows no dialog and no keyboard, and it is an
entry screen (the first screen the model saw, or one reached by launching the
app) or it was arrived at ``AppModel.stable_visits`` (2) times or more; staying
on a screen is not a new visit. Screens of other apps may be states too (the
app is part of the fingerprint), but each app's model is stored on its own.

A transition is *reliable* unless it failed at least twice and more often than
it succeeded; ``path`` and ``predict`` only use reliable transitions.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grounding.types import Element, Screen
from planners.actions import (
    Action,
    Back,
    Done,
    Fail,
    Home,
    Key,
    LaunchApp,
    Scroll,
    Swipe,
    Wait,
    parse_action,
)
from planners.errors import PlannerError
from planners.fingerprint import (
    Fingerprint,
    FingerprintConfig,
    best_match,
    dialog_visible,
    fingerprint,
    keyboard_visible,
    normalize_text,
    screen_title,
)

FORMAT_VERSION = 1
MAX_VARIANTS = 4        # fingerprints kept per state, to recognise it in its several looks
MAX_EXPECT_TEXTS = 5    # texts kept as a transition's post-condition


class AppModelError(PlannerError):
    """An app-model (or tip store) file cannot be read or written."""


@dataclass
class State:
    """One known screen of an app."""

    id: str
    name: str
    fingerprints: list[Fingerprint]
    visits: int = 0
    dialog: bool = False
    keyboard: bool = False
    entry: bool = False
    stable_override: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "visits": self.visits, "dialog": self.dialog,
                "keyboard": self.keyboard, "entry": self.entry,
                "stable_override": self.stable_override,
                "fingerprints": [fp.to_json() for fp in self.fingerprints]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        fps = [Fingerprint.from_json(fp) for fp in data["fingerprints"]]
        return cls(id=data["id"], name=data["name"], fingerprints=fps, visits=data["visits"],
                   dialog=data["dialog"], keyboard=data["keyboard"], entry=data["entry"],
                   stable_override=data["stable_override"])


@dataclass
class Transition:
    """An action that led from one state to another, with its pre- and post-conditions."""

    src: str
    key: str
    dst: str
    action: dict[str, Any]
    target: str = ""                                           # pre-condition: element present
    expect_texts: list[str] = field(default_factory=list)      # post-condition: texts visible
    expect_checked: dict[str, bool] = field(default_factory=dict)  # post-condition: toggles
    successes: int = 0
    failures: int = 0

    @property
    def reliable(self) -> bool:
        return not (self.failures >= 2 and self.failures > self.successes)

    def to_action(self) -> Action:
        return parse_action(self.action)

    def to_json(self) -> dict[str, Any]:
        return {"src": self.src, "key": self.key, "dst": self.dst, "action": self.action,
                "target": self.target, "expect_texts": self.expect_texts,
                "expect_checked": self.expect_checked, "successes": self.successes,
                "failures": self.failures}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transition:
        return cls(**data)


STATE_WORDS = frozenset({"on", "off", "checked", "unchecked", "enabled", "disabled"})


def _own_name(e: Element) -> str:
    name = (e.text or e.label).strip()
    return "" if e.checked is not None and name.casefold() in STATE_WORDS else name


def element_name(e: Element, screen: Screen | None = None) -> str:
    """What a person calls an element: its text or label; for a switch that only says
    "ON"/"OFF" or has no text, the label on its row (the nearest named element)."""
    name = _own_name(e)
    if name or screen is None:
        return name
    row = [o for o in screen.elements if o is not e and _own_name(o) and o.checked is None
           and e.box.y1 <= o.center.y < e.box.y2]
    nearest = min(row, key=lambda o: abs(o.center.x - e.center.x), default=None)
    return _own_name(nearest) if nearest else ""


def target_element(action: Action, screen: Screen | None) -> Element | None:
    """The element an action points at, by number or by pixel, when the screen is known."""
    if screen is None:
        return None
    element = getattr(action, "element", None)
    if element is not None:
        return screen.by_id(element)
    x, y = getattr(action, "x", None), getattr(action, "y", None)
    if x is None or y is None:
        return None
    hits = [e for e in screen.elements if e.box.x1 <= x < e.box.x2 and e.box.y1 <= y < e.box.y2]
    named = [e for e in hits if (e.text or e.label).strip()]
    return min(named or hits, key=lambda e: e.box.area, default=None)


def target_text(action: Action, screen: Screen | None = None) -> str:
    """What an action acts on, in words: its description, or the named element under it."""
    described = getattr(action, "target", None)
    if described:
        return str(described).strip()
    element = target_element(action, screen)
    return element_name(element, screen) if element else ""


def action_key(action: Action, screen: Screen | None = None) -> str:
    """Semantic key of an action: ``tap:'Network & internet'``, ``key:back``, ``scroll:down``."""
    if isinstance(action, Back | Home):
        return f"key:{action.type}"
    if isinstance(action, Key):
        return f"key:{action.key.lower()}"
    if isinstance(action, LaunchApp):
        return f"launch:{action.app}"
    if isinstance(action, Wait | Done | Fail):
        return action.type
    name = target_text(action, screen)
    where = f"'{name}'" if name else _where(action, screen)
    if isinstance(action, Swipe | Scroll):
        return f"{action.type}:{action.direction}" + (f"@{where}" if where else "")
    return f"{action.type}:{where}"


def _where(action: Action, screen: Screen | None) -> str:
    """A coarse position (tenths of the screen) for actions that name no element."""
    x, y = getattr(action, "x", None), getattr(action, "y", None)
    if x is None or y is None:
        return ""
    if screen is None:
        return f"@({x},{y})"
    g = screen.geometry
    return f"@({10 * x // g.width},{10 * y // g.height})"


def semantic_action(action: Action, screen: Screen | None = None) -> Action:
    """The action with its element number or pixels replaced by the target's name, if known."""
    name = target_text(action, screen)
    if not name or getattr(action, "target", None) or not hasattr(action, "target"):
        return action
    return action.model_copy(update={"target": name, "element": None, "x": None, "y": None})


def _checked_by_name(screen: Screen) -> dict[str, bool]:
    named = ((element_name(e, screen), e.checked) for e in screen.elements if e.checked is not None)
    return {name: checked for name, checked in named if name}


def _visible_texts(screen: Screen) -> set[str]:
    return {normalize_text(t) for e in screen.elements for t in (e.text, e.label) if t.strip()}


def _text_present(text: str, screen: Screen) -> bool:
    wanted = normalize_text(text)
    return any(wanted in seen for seen in _visible_texts(screen))


class AppModel:
    """States and transitions of one app, with matching, prediction and navigation."""

    stable_visits = 2

    def __init__(self, app: str, config: FingerprintConfig | None = None) -> None:
        self.app = app
        self.config = config or FingerprintConfig()
        self.states: dict[str, State] = {}
        self.transitions: list[Transition] = []
        self.current: State | None = None      # the state ``locate`` found last

    # ---- states -------------------------------------------------------------------------

    def match(self, screen: Screen) -> State | None:
        """The known state this screen shows, or None; changes nothing."""
        return self._match(fingerprint(screen, self.config))

    def _match(self, fp: Fingerprint) -> State | None:
        found = best_match(fp, ((s.id, s.fingerprints) for s in self.states.values()),
                           self.config)
        return self.states[found[0]] if found else None

    def locate(self, screen: Screen, *, keyboard: bool | None = None) -> State:
        """The state of this screen, added when new; counts an arrival and learns new looks.

        Locating the state found last again (a step that changed nothing) is no new visit.
        """
        fp = fingerprint(screen, self.config)
        state = self._match(fp)
        if state is None:
            state = State(id=f"s{len(self.states) + 1}", name=screen_title(screen, self.config),
                          fingerprints=[fp], entry=not self.states)
            self.states[state.id] = state
        elif fp.digest not in {known.digest for known in state.fingerprints}:
            state.fingerprints.append(fp)       # keep the first look and the latest others
            del state.fingerprints[1:-(MAX_VARIANTS - 1)]
        if state is not self.current:
            state.visits += 1
        self.current = state
        state.keyboard = keyboard if keyboard is not None else keyboard_visible(screen)
        state.dialog = dialog_visible(screen, self.config)
        return state

    def is_stable(self, state: State) -> bool:
        """Stable: see the module docstring; ``State.stable_override`` wins when set."""
        if state.stable_override is not None:
            return state.stable_override
        if state.dialog or state.keyboard:
            return False
        return state.entry or state.visits >= self.stable_visits

    def state(self, ref: State | str) -> State:
        """A state by object, id or (case-insensitive) name."""
        if isinstance(ref, State):
            return ref
        if ref in self.states:
            return self.states[ref]
        named = [s for s in self.states.values() if s.name.casefold() == ref.casefold()]
        if not named:
            raise KeyError(f"no state {ref!r} in the model of {self.app}")
        return named[0]

    # ---- transitions --------------------------------------------------------------------

    def record(self, src: State, action: Action, dst: State, *, before_screen: Screen | None = None,
               after_screen: Screen | None = None, ok: bool = True) -> Transition:
        """Count one execution of ``action`` from ``src`` that ended in ``dst``."""
        key = action_key(action, before_screen)
        t = self.transition(src, key, dst)
        if t is None:
            stored = semantic_action(action, before_screen).model_dump(exclude_none=True)
            t = Transition(src=src.id, key=key, dst=dst.id, action=stored,
                           target=target_text(action, before_screen))
            self.transitions.append(t)
        if ok:
            t.successes += 1
            self._learn_postconditions(t, before_screen, after_screen)
        else:
            t.failures += 1
        if ok and isinstance(action, LaunchApp):
            dst.entry = True
        return t

    def _learn_postconditions(self, t: Transition, before: Screen | None,
                              after: Screen | None) -> None:
        """Keep the texts that appeared and the toggles that flipped, every time it worked."""
        if after is None:
            return
        seen = _visible_texts(after)
        if t.successes == 1:
            t.expect_texts = _new_texts(before, after)[:MAX_EXPECT_TEXTS]
        else:
            t.expect_texts = [x for x in t.expect_texts if x in seen]
        flipped = {} if before is None else _flipped(before, after)
        if t.successes == 1:
            t.expect_checked = flipped
        else:
            after_checked = _checked_by_name(after)
            t.expect_checked = {k: v for k, v in t.expect_checked.items()
                                if after_checked.get(k) == v}

    def transition(self, src: State | str, key: str, dst: State | str | None = None
                   ) -> Transition | None:
        """The known transition from ``src`` by ``key`` (to ``dst`` when given); keys compare
        without regard to case, so ``tap:'Wi-Fi'`` and ``tap:'wi-fi'`` are one transition."""
        sid = self.state(src).id
        did = None if dst is None else self.state(dst).id
        key = key.casefold()
        found = [t for t in self.transitions if t.src == sid and t.key.casefold() == key
                 and (did is None or t.dst == did)]
        return max(found, key=lambda t: t.successes - t.failures, default=None)

    def outgoing(self, state: State | str) -> Iterator[Transition]:
        sid = self.state(state).id
        return (t for t in self.transitions if t.src == sid and t.reliable)

    def predict(self, state: State | str, key: str) -> State | None:
        """Where ``key`` leads from ``state`` by experience, or None when unknown or unreliable."""
        t = self.transition(state, key)
        if t is None or not t.reliable or t.successes <= t.failures:
            return None
        return self.states[t.dst]

    def precondition(self, t: Transition, screen: Screen) -> bool:
        """The screen is the transition's source and shows its target."""
        state = self.match(screen)
        return (state is not None and state.id == t.src
                and (not t.target or _text_present(t.target, screen)))

    def check(self, t: Transition, screen: Screen) -> bool:
        """The screen satisfies the transition's post-conditions: its state, texts and toggles."""
        state = self.match(screen)
        if state is None or state.id != t.dst:
            return False
        if not all(_text_present(text, screen) for text in t.expect_texts):
            return False
        checked = _checked_by_name(screen)
        return all(checked.get(name) == value for name, value in t.expect_checked.items())

    # ---- navigation ---------------------------------------------------------------------

    def path(self, a: State | str, b: State | str) -> list[Transition]:
        """The shortest chain of reliable transitions from ``a`` to ``b`` (BFS); [] if none."""
        start, goal = self.state(a).id, self.state(b).id
        came: dict[str, Transition | None] = {start: None}
        queue = deque([start])
        while queue:
            sid = queue.popleft()
            if sid == goal:
                return self._unwind(came, goal)
            for t in sorted(self.outgoing(sid), key=lambda t: -t.successes):
                if t.dst not in came:
                    came[t.dst] = t
                    queue.append(t.dst)
        return []

    @staticmethod
    def _unwind(came: dict[str, Transition | None], goal: str) -> list[Transition]:
        steps: list[Transition] = []
        t = came[goal]
        while t is not None:
            steps.append(t)
            t = came[t.src]
        return steps[::-1]

    def reachable(self, a: State | str, b: State | str) -> bool:
        return self.state(a).id == self.state(b).id or bool(self.path(a, b))

    def nearest_stable(self, current: State | str) -> State | None:
        """The closest stable state that ``current`` came from (reverse BFS), or None."""
        start = self.state(current).id
        seen = {start}
        queue = deque([start])
        while queue:
            sid = queue.popleft()
            if sid != start and self.is_stable(self.states[sid]):
                return self.states[sid]
            for t in self.transitions:
                if t.dst == sid and t.src not in seen and t.reliable:
                    seen.add(t.src)
                    queue.append(t.src)
        return None

    def rollback_plan(self, current: State | str, target: State | str | None = None
                      ) -> list[Action]:
        """Actions from ``current`` back to ``target`` (default: the nearest stable state).

        A known forward path wins; else each step of the way we came is undone by a
        known reverse transition or by ``back``; with no knowledge at all, one ``back``.
        """
        goal = self.state(target) if target is not None else self.nearest_stable(current)
        here = self.state(current)
        if goal is None:
            return [Back()]
        if goal.id == here.id:
            return []
        forward = self.path(here, goal)
        if forward:
            return [t.to_action() for t in forward]
        came = self.path(goal, here)
        if not came:
            return [Back()]
        plan: list[Action] = []
        for t in reversed(came):
            undo = next((r for r in self.outgoing(t.dst) if r.dst == t.src), None)
            plan.append(undo.to_action() if undo else Back())
        return plan

    # ---- persistence --------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {"version": FORMAT_VERSION, "app": self.app,
                "states": [s.to_json() for s in self.states.values()],
                "transitions": [t.to_json() for t in self.transitions]}

    @classmethod
    def from_json(cls, data: dict[str, Any], config: FingerprintConfig | None = None) -> AppModel:
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported app-model version {data.get('version')!r}")
        model = cls(data["app"], config)
        for raw in data["states"]:
            state = State.from_json(raw)
            model.states[state.id] = state
        model.transitions = [Transition.from_json(t) for t in data["transitions"]]
        return model


def _new_texts(before: Screen | None, after: Screen) -> list[str]:
    """Texts that appeared, in reading order: words only, no counters or clocks."""
    old = _visible_texts(before) if before else set()
    texts = [normalize_text(t) for e in after.elements for t in (e.text, e.label)]
    fresh = [t for t in texts if len(t) >= 3 and "#" not in t and any(c.isalpha() for c in t)
             and t not in old]
    return list(dict.fromkeys(fresh))


def _flipped(before: Screen, after: Screen) -> dict[str, bool]:
    old, new = _checked_by_name(before), _checked_by_name(after)
    return {name: value for name, value in new.items() if name in old and old[name] != value}


# ---- storage ------------------------------------------------------------------------------


def write_json_atomic(path: Path, data: object) -> None:
    """Stream JSON to a temporary file beside ``path``, fsync, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any:
    """Parse a JSON file; a broken one is an AppModelError that names the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AppModelError(f"{path}: cannot read ({exc}); delete the file to start afresh"
                            ) from exc


def _file_name(app: str) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in app).strip(".")
    return f"{safe or '_'}.json"


class AppModelStore:
    """App models on disk, one JSON file per app under ``root``."""

    def __init__(self, root: Path, config: FingerprintConfig | None = None) -> None:
        self.root = Path(root)
        self.config = config

    def path_for(self, app: str) -> Path:
        return self.root / _file_name(app)

    def load(self, app: str) -> AppModel:
        """The saved model of ``app``, or an empty one when there is none."""
        path = self.path_for(app)
        if not path.exists():
            return AppModel(app, self.config)
        try:
            return AppModel.from_json(read_json(path), self.config)
        except (KeyError, TypeError, ValueError) as exc:
            raise AppModelError(f"{path}: not an app model ({exc}); delete the file to start "
                                "afresh") from exc

    def save(self, model: AppModel) -> Path:
        path = self.path_for(model.app)
        try:
            write_json_atomic(path, model.to_json())
        except OSError as exc:
            raise AppModelError(f"cannot write {path}: {exc}") from exc
        return path

    def apps(self) -> list[str]:
        """The apps that have a saved model, sorted; an unreadable file is listed by its name
        (loading it then raises the error that says what to do)."""
        if not self.root.is_dir():
            return []
        names = []
        for path in self.root.glob("*.json"):
            if path.name.startswith("."):
                continue                        # a temporary file left by a crash
            try:
                data = read_json(path)
            except AppModelError:
                data = None
            app = data.get("app") if isinstance(data, dict) else None
            names.append(app if isinstance(app, str) else path.stem)
        return sorted(names)
