"""`guiagent explore APP`: a bounded, breadth-first crawl of one app into its app model.

Each screen reached is expanded in turn (breadth first): every control on it, and on
each scroll position of it, is tapped once and the result recorded as a transition of
the app model (planners.appmodel), then the crawl goes back. Known screens are told
by the model's fingerprints. It never taps what the safety rules class as risky
(payment, sending, deleting, installing, passwords, lock-out settings), never types,
leaves dialogs by Back, and taps a toggle it flipped once more to restore it. A crash
("has stopped", "isn't responding") or the app leaving the foreground is reported
with the path that led there. The run folder holds the step records, report.html and
map.html (every screen as a thumbnail, its controls linking to where they lead).
"""

from __future__ import annotations

import html
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devices import Device
from grounding.types import Element, Screen, Target
from guiagent.executor import Executor
from guiagent.files import atomic_write_text
from guiagent.safety import RISKS, Safety
from guiagent.steps import Acted, RunResult
from guiagent.trajectory import Trajectory
from planners.actions import Action, Back, LaunchApp, Scroll, Tap
from planners.appmodel import AppModel, AppModelStore, State, element_name
from planners.fingerprint import dialog_visible, screen_title

Perceive = Callable[..., Screen]
CRASH = re.compile(r"has stopped|isn['’]t responding|keeps stopping", re.I)
THUMB_W = 180
UNTOUCHED = ("input", "slider")   # typing and setting values are no exploring


@dataclass(frozen=True)
class ExploreOptions:
    max_actions: int = 300
    max_depth: int = 4          # screens below the app's first one
    max_scrolls: int = 3        # scroll positions looked at per screen


@dataclass
class Node:
    """A screen the crawl reached: how, and what it shows."""

    state: str
    title: str
    path: list[tuple[int, str]]          # (scrolls, control) from the app's first screen
    texts: list[str] = field(default_factory=list)
    controls: dict[str, str] = field(default_factory=dict)   # control -> where it led
    thumb: str = ""


@dataclass
class Exploration:
    """What a crawl found: screens, crashes, what it would not touch, toggles restored."""

    app: str
    nodes: dict[str, Node] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    actions: int = 0
    run_dir: str = ""

    def summary(self) -> str:
        return (f"explored {self.app}: {len(self.nodes)} screens, {self.actions} actions, "
                f"{len(self.crashes)} crashes, {len(self.skipped)} risky controls left alone, "
                f"{len(self.restored)} toggles restored")


def refuse_all() -> Safety:
    """Safety that refuses every risk class: a crawl asks no one and risks nothing."""
    return Safety(dict.fromkeys(RISKS, "refuse"))  # type: ignore[misc]


class Explorer:
    """Drives one device through one app; ``run`` returns the Exploration."""

    def __init__(self, device: Device, app: str, perceive: Perceive, store: AppModelStore,
                 trajectory: Trajectory | None = None,
                 options: ExploreOptions = ExploreOptions()) -> None:
        self.device, self.app, self.perceive = device, app, perceive
        self.store, self.trajectory, self.options = store, trajectory, options
        self.executor = Executor(device)
        self.safety = refuse_all()
        self.result = Exploration(app)
        self.model: AppModel | None = None
        self.package = ""
        self.screen: Screen | None = None
        self.started = time.monotonic()

    # -- the crawl -----------------------------------------------------------------------

    def run(self) -> Exploration:
        """Breadth first from the app's first screen until every screen is expanded or the
        action budget is spent; the model is saved whatever happens."""
        screen = self.restart()
        self.model = self.store.load(self.package)
        root = self.node(screen, [])
        queue = deque([root])
        try:
            while queue and self.budget_left():
                queue.extend(self.expand(queue.popleft()))
        finally:
            self.store.save(self.model)
        return self.result

    def budget_left(self) -> bool:
        return self.result.actions < self.options.max_actions

    def expand(self, node: Node) -> list[Node]:
        """Tap every control of ``node`` once (at each scroll position); new screens out."""
        found: list[Node] = []
        for scrolls in range(self.options.max_scrolls + 1):
            screen = self.reach(node, scrolls)
            if screen is None:
                break
            for name in [n for n in self.controls(screen) if n not in node.controls]:
                if not self.budget_left():
                    return found
                screen = self.reach(node, scrolls)
                if screen is not None and self.element(screen, name) is None:
                    self.screen = None                 # somewhere else after all: go again
                    screen = self.reach(node, scrolls)
                if screen is None:
                    break
                found += self.try_control(node, scrolls, screen, name)
            if not self.scrolls_further(node, scrolls):
                break
        return found

    def try_control(self, node: Node, scrolls: int, screen: Screen, name: str) -> list[Node]:
        """Tap one control and see where it leads; back to ``node`` afterwards."""
        e = self.element(screen, name)
        if e is None:
            node.controls[name] = "not found again"
            return []
        target = Target(True, e.center, e, 1.0)
        check = self.safety.check(Tap(element=e.id), screen, target)
        if check.verdict != "allow":
            node.controls[name] = f"left alone ({check.risk})"
            self.result.skipped.append(f"{node.title} > {name} ({check.risk})")
            return []
        after = self.act(Tap(target=name), e)
        way = [*(c for _, c in node.path), name]
        return self.outcome(node, scrolls, screen, after, name, way)

    def outcome(self, node: Node, scrolls: int, before: Screen, after: Screen, name: str,
                way: list[str]) -> list[Node]:
        """Record what the tap did: crash, left, dialog, same screen or a screen."""
        assert self.model is not None
        texts = " ".join(e.text for e in after.elements)
        if CRASH.search(texts):
            node.controls[name] = "crash"
            self.result.crashes.append(f"{' > '.join(way)}: {CRASH.search(texts).group(0)}")  # type: ignore[union-attr]
            self.screen = None
            return []
        if after.app != self.package:
            node.controls[name] = f"left the app ({after.app})"
            self.result.left.append(f"{' > '.join(way)} -> {after.app}")
            self.screen = None
            return []
        src = self.model.locate(before)
        dst = self.model.locate(after)
        self.model.record(src, Tap(target=name), dst, before_screen=before, after_screen=after)
        restored = self.restore(before, after, name, way)
        if restored:            # a switch: the page may change with it, but it is no place
            node.controls[name] = restored
            self.screen = None
            return []
        if dst.id == src.id:
            node.controls[name] = "same screen"
            return []
        key = self.key(dst, after)
        known = key in self.result.nodes
        new = None if known else self.node(after, [*node.path, (scrolls, name)], dst)
        node.controls[name] = key
        back = self.act(Back())
        if self.key(self.model.locate(back), back) == node.state:
            self.where = (node.state, scrolls)   # a list keeps its place when one comes back
        else:
            self.screen = None                   # not back where it was: reach it again
        depth_ok = len(node.path) + 1 <= self.options.max_depth
        return [new] if new is not None and depth_ok and not dialog_visible(after) else []

    def restore(self, before: Screen, after: Screen, name: str, way: list[str]) -> str:
        """A control that flipped a switch is tapped again, so the app is left as it was."""
        flipped = [e for e in after.elements if e.checked is not None
                   and element_name(e, after) == name]
        was = next((e for e in before.elements if e.checked is not None
                    and element_name(e, before) == name), None)
        if flipped and was is not None and flipped[0].checked != was.checked:
            again = self.act(Tap(target=name), flipped[0])
            self.result.restored.append(" > ".join(way))
            return "toggle (restored)" if any(
                e.checked == was.checked for e in again.elements
                if element_name(e, again) == name) else "toggle (NOT restored)"
        return ""

    # -- moving about --------------------------------------------------------------------

    def restart(self) -> Screen:
        """The app from its first screen: stopped (where the device can) and launched."""
        shell = getattr(self.device, "shell", None)
        if self.package and shell is not None:
            shell(f"am force-stop {self.package}")
        screen = self.act(LaunchApp(app=self.app))
        if not self.package:
            self.package = screen.app or self.app
        return screen

    def reach(self, node: Node, scrolls: int) -> Screen | None:
        """Be on ``node`` scrolled ``scrolls`` times; None when the way there is lost."""
        at = self.screen
        if at is not None and self.where == (node.state, scrolls):
            return at
        screen = self.restart()
        for k, control in node.path:
            screen = self.scroll(screen, k)
            e = self.element(screen, control)
            if e is None or not self.budget_left():
                return None
            screen = self.act(Tap(target=control), e)
        screen = self.scroll(screen, scrolls)
        self.where = (node.state, scrolls)
        return screen

    def scroll(self, screen: Screen, times: int) -> Screen:
        for _ in range(times):
            screen = self.act(Scroll(direction="down"))
        return screen

    def scrolls_further(self, node: Node, scrolls: int) -> bool:
        """Scroll once more; False at the end of the list (nothing changed)."""
        screen = self.reach(node, scrolls)
        if screen is None or not self.budget_left():
            return False
        before = [e.text for e in screen.elements]
        after = self.act(Scroll(direction="down"))
        self.where = (node.state, scrolls + 1)
        self.note_texts(node, after)
        return [e.text for e in after.elements] != before

    def act(self, action: Action, e: Element | None = None) -> Screen:
        """One action on the device, recorded; the screen after it."""
        before = self.screen
        point = e.center if e is not None else None
        self.executor.execute(action, point)
        self.result.actions += 1
        self.where = ("", -1)
        self.screen = self.perceive(self.device.observe())
        if self.trajectory is not None:
            shot = (self.trajectory.save_image(self.result.actions - 1, before.image)
                    if before is not None and before.image is not None else None)
            self.trajectory.record(Acted(step=self.result.actions, action=action,
                                         x=point.x if point else None,
                                         y=point.y if point else None, before=shot,
                                         elapsed=time.monotonic() - self.started))
        return self.screen

    where: tuple[str, int] = ("", -1)

    # -- screens -------------------------------------------------------------------------

    def node(self, screen: Screen, path: list[tuple[int, str]],
             state: State | None = None) -> Node:
        """A new screen of the map, with its thumbnail."""
        assert self.model is not None
        state = state or self.model.locate(screen)
        n = Node(self.key(state, screen), screen_title(screen), path)
        self.note_texts(n, screen)
        if self.trajectory is not None and screen.image is not None:
            thumb = screen.image.copy()
            thumb.thumbnail((THUMB_W, THUMB_W * 3))
            n.thumb = f"map/{n.state}.png"
            (self.trajectory.dir / "map").mkdir(exist_ok=True)
            thumb.save(self.trajectory.dir / n.thumb)
        self.result.nodes[n.state] = n
        self.where = (n.state, 0)
        return n

    def key(self, state: State, screen: Screen) -> str:
        """A screen of the map: its model state, told apart by title where pages look alike
        (two settings pages with the same rows are still two places)."""
        title = screen_title(screen)
        first = self.result.nodes.get(state.id)
        if first is None or first.title == title:
            return state.id
        return f"{state.id}-{re.sub(r'[^a-z0-9]+', '-', title.casefold()).strip('-')[:30]}"

    @staticmethod
    def note_texts(node: Node, screen: Screen) -> None:
        for e in screen.elements:
            if e.text.strip() and e.text not in node.texts:
                node.texts.append(e.text)

    def controls(self, screen: Screen) -> list[str]:
        """The names of the screen's controls: clickable, named, not a field or a slider."""
        names = [element_name(e, screen) for e in screen.elements
                 if e.clickable is True and e.kind not in UNTOUCHED]
        return list(dict.fromkeys(n for n in names if n))

    @staticmethod
    def element(screen: Screen, name: str) -> Element | None:
        hits = [e for e in screen.elements if e.clickable is True and e.kind not in UNTOUCHED
                and element_name(e, screen) == name]
        return hits[0] if hits else None


def write_map(result: Exploration, folder: Path) -> Path:
    """map.html: a card per screen (thumbnail, title, controls linking to their screen)."""
    cards = []
    for n in result.nodes.values():
        links = "".join(
            f"<li>{html.escape(c)} → " + (f"<a href='#{d}'>{html.escape(result.nodes[d].title)}"
                                          "</a>" if d in result.nodes else html.escape(d))
            + "</li>" for c, d in n.controls.items())
        way = " › ".join(c for _, c in n.path) or "(first screen)"
        img = f"<img src='{n.thumb}' alt=''>" if n.thumb else ""
        cards.append(f"<section id='{n.state}'>{img}<h2>{html.escape(n.title)}</h2>"
                     f"<p class='way'>{html.escape(way)}</p><ul>{links}</ul></section>")
    lists = "".join(f"<h3>{title}</h3><ul>{''.join(f'<li>{html.escape(x)}</li>' for x in xs)}"
                    "</ul>" for title, xs in (("Crashes", result.crashes),
                                              ("Left the app", result.left),
                                              ("Left alone (risky)", result.skipped),
                                              ("Toggles restored", result.restored)) if xs)
    page = (f"<!doctype html><meta charset='utf-8'><title>{html.escape(result.app)} map</title>"
            "<style>body{font-family:sans-serif}main{display:flex;flex-wrap:wrap;gap:12px}"
            "section{border:1px solid #ccc;padding:8px;width:320px}img{float:right;"
            f"width:{THUMB_W // 2}px;margin-left:8px}}.way{{color:#666}}</style>"
            f"<h1>{html.escape(result.summary())}</h1>{lists}<main>{''.join(cards)}</main>")
    path = folder / "map.html"
    atomic_write_text(path, page)
    return path


def explore(device: Device, app: str, perceive: Perceive, store: AppModelStore,
            out: Path | None = None, options: ExploreOptions = ExploreOptions()) -> Exploration:
    """Crawl ``app``; the run folder gets the records, report.html and map.html."""
    trajectory = Trajectory.create(f"explore {app}", out, planner="explore", device=device.id)
    explorer = Explorer(device, app, perceive, store, trajectory, options)
    started = time.monotonic()
    status, reason = "success", ""
    try:
        result = explorer.run()
    finally:
        result = explorer.result
        result.run_dir = str(trajectory.dir)
        reason = result.summary()
        write_map(result, trajectory.dir)
        trajectory.finish(RunResult(step=result.actions, status=status, reason=reason,  # type: ignore[arg-type]
                                    steps=result.actions,
                                    seconds=time.monotonic() - started,
                                    run_dir=str(trajectory.dir)))
    return result
