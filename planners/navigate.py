"""Goals without a model: find the screen that shows X, from the app models or by looking.

"turn on bluetooth" on the home screen: the offline planner asks ``Navigator`` for the
next action until X is on the screen. It first looks in the app models for a screen
that showed X and walks the shortest known path there; when no model knows X it
explores the most likely app (Settings for device settings, or the app the goal
names), best first: the rows whose words are closest to X, each looked at and left
again, within a budget. What it saw is learnt by the loop's app models, so the next
run of the goal walks the known path. Quick Settings in the shade is a place too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from grounding.text import similarity
from grounding.types import Element, Screen, Target
from planners.actions import Action, Back, LaunchApp, Scroll, Swipe, Tap
from planners.appmodel import AppModelStore
from planners.fingerprint import dialog_visible, normalize_text, screen_title

Locate = Callable[[Screen, str], Target]
STOP = frozenset({"the", "a", "an", "my", "for", "of", "to", "on", "off", "in", "and", "with",
                  "about", "until", "is", "settings", "mode"})
ARTICLES = frozenset({"the", "a", "an", "my"})
SETTINGS = "Settings"
MAX_SCROLLS = 3      # per screen, while exploring
MAX_DEPTH = 3        # screens below the app's first one
# The window's own controls, not places of the app.
CHROME = re.compile(r"navigate up|back|more options|search\b.*|close|cancel|menu", re.I)
# Exploring for a goal never opens these (the loop's safety would ask anyway).
RISKY = re.compile(r"\b(delete|remove|erase|clear|reset|uninstall|install|pay|buy|send|"
                   r"force stop|password|screen lock|sign out|log out)\b", re.I)


@cache
def aliases() -> dict[str, list[str]]:
    """Names people use -> what apps call them (planners/steps.yaml ``aliases``)."""
    raw = yaml.safe_load(resources.files("planners").joinpath("steps.yaml").read_text("utf-8"))
    return {k.casefold(): list(v) for k, v in (raw.get("aliases") or {}).items()}


def names_for(target: str) -> list[str]:
    """The target as written, then the names apps use for it."""
    key = re.sub(r"[^\w& ]+", " ", target.casefold()).strip()
    return [target, *aliases().get(key, []), *aliases().get(key.replace(" ", ""), [])]


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[\w]+", text.casefold()) if w not in STOP]


def relatedness(target: str, text: str) -> float:
    """Share of the target's words (in its best name) that ``text`` contains; close
    spellings and shared stems count."""
    have = words(text)
    best = 0.0
    for name in names_for(target):
        want = words(name)
        if want and have:
            hit = sum(any(w == h or (w[:5] == h[:5] and len(w) > 4) or similarity(w, h) >= 0.8
                          for h in have) for w in want)
            best = max(best, hit / len(want))
    return best


def covers(target: str, text: str) -> bool:
    """Whether ``text`` names the target: each of its words (but articles) is there."""
    have = re.findall(r"\w+", text.casefold())
    for name in names_for(target):
        want = [w for w in re.findall(r"\w+", name.casefold()) if w not in ARTICLES]
        if want and all(any(w == h or similarity(w, h) >= 0.8 for h in have) for w in want):
            return True
    return False


def cut_off(screen: Screen) -> bool:
    """Whether the content reaches the bottom edge (there may be more below)."""
    bottom = max((e.box.y2 for e in screen.elements), default=0)
    return bottom >= 0.9 * screen.geometry.height


def rows(screen: Screen) -> list[tuple[Element, str]]:
    """Clickable elements with all the text inside them (a row's title and summary)."""
    out = []
    for e in screen.elements:
        if e.clickable is not True or e.kind in ("input", "slider") \
                or CHROME.fullmatch(e.text or e.label):
            continue
        inside = [o for o in screen.elements
                  if o.box.x1 >= e.box.x1 - 2 and o.box.x2 <= e.box.x2 + 2
                  and o.box.y1 >= e.box.y1 - 2 and o.box.y2 <= e.box.y2 + 2]
        if e.checked is not None or any(o.checked is not None for o in inside):
            continue                     # a switch changes a setting: looking changes nothing
        text = " ".join(dict.fromkeys(t for t in [e.text or e.label,
                                                   *(o.text or o.label for o in inside)] if t))
        if text.strip():
            out.append((e, text))
    return out


@dataclass
class Navigator:
    """Where a goal's target is, and the next action that brings it on the screen."""

    target: str
    store: AppModelStore | None = None
    locate: Locate | None = None        # to scroll to a known path's next target
    budget: int = 24
    app: str = SETTINGS
    spent: int = 0
    note: str = ""                      # where it is heading and why, in words
    known: list[Action] | None = None   # the path from the app models, when one knows X
    tried: dict[str, set[str]] = field(default_factory=dict)
    scrolled: dict[str, int] = field(default_factory=dict)
    phase: dict[str, str] = field(default_factory=dict)   # per screen: down, up, sweep
    left: str = ""                      # the screen the last tap left
    package: str = ""                   # the explored app's package, once seen
    seen: tuple[str, ...] = ()          # the texts of the last screen, to tell an end of list
    depth: int = 0
    launched: bool = False
    shade: bool = False                 # True: Quick Settings is looked at (or not) by the caller
    hints: str = ""                     # words of rows that lead towards the target
    names: tuple[str, ...] = ()         # other names of the target (its words alone)

    def next(self, screen: Screen) -> Action | str:
        """The next action, or why the target cannot be reached (a string)."""
        if self.spent >= self.budget:
            return (f"'{self.target}' not found within the exploring budget of {self.budget} "
                    "actions (explore_budget)")
        if self.known is None:
            self.known = self._from_models()
        action = self._walk(screen) if self.known else self._explore(screen)
        if isinstance(action, str):
            return action
        self.spent += 1
        return action

    def _walk(self, screen: Screen) -> Action:
        """The known path's next action; scroll first when its target is further down."""
        assert self.known is not None
        nxt = self.known[0]
        name = getattr(nxt, "target", None)
        here = screen_title(screen)
        if (name and self.locate is not None and not self.locate(screen, name).found
                and self.scrolled.get(here, 0) < MAX_SCROLLS):
            self.scrolled[here] = self.scrolled.get(here, 0) + 1
            return Scroll(direction="down")
        self.known.pop(0)
        if not self.known:        # at the end of the way: look around there before exploring
            self.launched, self.scrolled = True, {}
        return nxt

    def _from_models(self) -> list[Action]:
        """Launch + the shortest known path to a screen that showed the target."""
        if self.store is None:
            return []
        for app in self.store.apps():
            model = self.store.load(app)
            goal = next((s for s in model.states.values() if any(
                _shows(fp.tokens, n) for fp in s.fingerprints for n in self._names())),
                None)
            entries = [s for s in model.states.values() if s.entry]
            for entry in entries:
                path = model.path(entry, goal) if goal is not None else []
                label = _label_of(model, entry.id) or app
                if self.shade and not _is_app(self.app, label, app):
                    continue          # a goal's places are searched one app at a time
                if goal is not None and (path or entry.id == goal.id):
                    self.note = (f"heading for '{goal.name}', where the app model saw "
                                 f"'{self.target}' ({len(path) + 1} known actions)")
                    return [LaunchApp(app=label), *(t.to_action() for t in path)]
        return []

    def _explore(self, screen: Screen) -> Action | str:
        """Best first through the likely app: related rows, further down, the other rows,
        back; then Quick Settings in the shade."""
        if not self.launched:
            self.launched = True
            self.note = (f"no app model knows '{self.target}': exploring {self.app}, "
                         "most related entries first")
            return LaunchApp(app=self.app)
        if not self.package:
            self.package = screen.app or ""
        if screen.app != self.package and self.spent < self.budget - 1:   # it left the app
            self.depth, self.left = 0, ""
            self.note = f"back into {self.app} to look for '{self.target}'"
            return LaunchApp(app=self.app)
        here = screen_title(screen)
        if self.left == here:          # the last tap went nowhere
            self.depth -= 1
        self.left = ""
        if dialog_visible(screen):
            return Back()
        tried = self.tried.setdefault(here, set())
        ranked = sorted(((self._related(text), i, e, text)
                         for i, (e, text) in enumerate(rows(screen))
                         if text not in tried and not RISKY.search(text)),
                        key=lambda r: (-r[0], r[1]))
        texts = tuple(e.text for e in screen.elements)
        at_end, self.seen = texts == self.seen, texts
        if ranked and ranked[0][0] > 0 and self.depth < MAX_DEPTH:
            return self._enter(here, ranked[0][2], ranked[0][3], "related words")
        phase = self.phase.setdefault(here, "down" if cut_off(screen) else "sweep")
        moved = self.scrolled.get(here, 0)   # down a long list for related entries, back up,
        # then the other entries in order (on the app's first screen only)
        if phase == "down" and moved < MAX_SCROLLS and not at_end:
            return self._scroll(here, "down", f"further down '{here}'")
        if phase == "down" and moved:
            self.phase[here], self.seen = "up", ()
            return self._scroll(here, "up", f"back up '{here}', to look at every entry")
        if phase == "up" and not at_end and moved < 2 * MAX_SCROLLS + 1:
            return self._scroll(here, "up", f"back up '{here}'")
        self.phase[here] = "sweep"
        if ranked and self.depth == 0:
            return self._enter(here, ranked[0][2], ranked[0][3], "not looked at yet")
        if moved < 3 * MAX_SCROLLS + 1 and not at_end and cut_off(screen):
            return self._scroll(here, "down", f"further down '{here}'")
        if self.depth > 0:
            self.depth -= 1
            self.note = f"'{self.target}' is not under '{here}': going back"
            return Back()
        return self._shade(screen)

    def _related(self, text: str) -> float:
        """How much a row's text promises the target: its words, then the hints' words."""
        hinted = relatedness(self.hints, text) / 2 if self.hints else 0.0
        return max(hinted, *(relatedness(n, text) for n in (self.target, *self.names)))

    def _names(self) -> list[str]:
        return [n for name in (self.target, *self.names) for n in names_for(name)]

    def _scroll(self, here: str, direction: str, where: str) -> Action:
        self.scrolled[here] = self.scrolled.get(here, 0) + 1
        self.note = f"looking for '{self.target}' {where}"
        return Scroll(direction=direction)  # type: ignore[arg-type]

    def _enter(self, here: str, e: Element, text: str, why: str) -> Action:
        self.tried[here].add(text)
        self.depth += 1
        self.left = here
        self.note = f"looking for '{self.target}' under '{text[:60]}' ({why})"
        return Tap(element=e.id)

    def _shade(self, screen: Screen) -> Action | str:
        if self.shade:
            return (f"cannot find '{self.target}' in {self.app} or in Quick Settings; "
                    "write the way as steps, or configure a model (it would help here)")
        self.shade = True
        self.note = f"'{self.target}' is not in {self.app}: looking in Quick Settings"
        g = screen.geometry
        return Swipe(direction="down", x=g.width // 2, y=8)


def _shows(tokens: tuple[str, ...], name: str) -> bool:
    """Whether a screen showed ``name``: one of its texts, or a text that holds each of
    its words ("Delete 7:00 AM alarm" shows "7:00 AM"; digits are masked on both sides)."""
    want = normalize_text(name)
    parts = want.split()
    texts = [t.rsplit("|", 1)[-1] for t in tokens]
    return any(t == want or (len(parts) > 1 and all(p in t.split() for p in parts))
               for t in texts)


def _is_app(name: str, label: str, package: str) -> bool:
    """Whether a model (launched as ``label``, of ``package``) is the app called ``name``:
    "Messages" is com.google.android.apps.messaging."""
    want = name.casefold()
    return label.casefold() == want or all(w[:5] in package.casefold() for w in want.split())


def _label_of(model: object, entry: str) -> str:
    """The name to launch a model's app by: the launch action that reached its entry."""
    for t in getattr(model, "transitions", []):
        if t.action.get("type") == "launch_app" and t.dst == entry:
            return str(t.action["app"])
    return ""
