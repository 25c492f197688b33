"""The Python API: ``guiagent.connect(spec)`` and the ``Phone`` it returns.

    import guiagent
    with guiagent.connect("sim") as phone:
        phone.tap("Settings")
        phone.type("hello", into="Search")
        phone.assert_visible("Airplane mode")

One implementation of "find X and act on it": `guiagent act`, regression flows
(guiagent.flowrun) and the MCP server call these methods. Targets are grounded
the way `guiagent ground` grounds them (perceive, then locate); actions go
through the executor the agent loop uses.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PIL import Image

from devices import Device, PixelPoint, open_device
from devices.base import Direction
from devices.errors import Unsupported
from grounding.locate import resolve
from grounding.query import parse
from grounding.text import normalize, similarity
from grounding.types import Element, Screen, Target
from guiagent.config import Settings, device_options, load_settings
from guiagent.errors import CheckFailed, NotFound, Refused
from guiagent.executor import Executor
from planners.actions import Action, LaunchApp, LongPress, Swipe, Tap, Type

if TYPE_CHECKING:
    from guiagent.loop import Locate, Perceive
    from guiagent.safety import Safety
    from guiagent.steps import RunResult

AimKind = type[Tap] | type[LongPress]   # (the class defines a method named ``type``)
VISIBLE_SCORE = 0.85   # fuzzy match for OCR slips; whole-word containment also counts


@dataclass(frozen=True)
class ActConfig:
    """How long targets and texts are waited for, and how grounding reads the screen."""

    find_timeout: float = 5.0    # tap/type/long_press wait this long for their target
    wait_timeout: float = 10.0   # wait_for's default timeout
    poll_s: float = 0.25
    max_scrolls: int = 8
    ocr: bool = False


def visible(screen: Screen, text: str) -> bool:
    """Whether ``text`` is on the screen: whole words of an element's text or label, or a
    close fuzzy match (OCR slips) with exactly the same digits (a code, a time, a price)."""
    want, digits = normalize(text), re.sub(r"\D", "", text)
    for e in screen.elements:
        for name in (e.text, e.label):
            if not name:
                continue
            if f" {want} " in f" {normalize(name)} ":
                return True
            if similarity(text, name) >= VISIBLE_SCORE and re.sub(r"\D", "", name) == digits:
                return True
    return False


def elements_at(screen: Screen, point: PixelPoint) -> list[Element]:
    """The elements whose box holds ``point``, without whole-screen containers."""
    big = screen.geometry.width * screen.geometry.height / 4
    return [e for e in screen.elements if e.box.contains(point) and e.box.area < big]


class Phone:
    """One open device, driven by target descriptions ("Wi-Fi", "the search box")."""

    def __init__(self, device: Device, settings: Settings | None = None,
                 config: ActConfig = ActConfig(), *, perceive: Perceive | None = None,
                 locate: Locate | None = None, safety: Safety | None = None) -> None:
        from guiagent.session import grounding_parts

        self.device, self.config = device, config
        self.settings = settings or Settings()
        if perceive is None or locate is None:
            perceive, locate = grounding_parts(config.ocr, self.settings)
        self.perceive, self.locate, self.safety = perceive, locate, safety
        self.executor = Executor(device, secrets=self.settings.secrets)
        self.screen: Screen | None = None   # the last perceived screen (element numbers)
        self.has_tree = False                # whether it came with an accessibility tree

    # -- looking ----------------------------------------------------------------------------

    def look(self) -> Screen:
        """Capture and perceive the screen now."""
        obs = self.device.observe()
        self.has_tree = bool(obs.ui_tree)
        self.screen = self.perceive(obs)
        return self.screen

    def elements(self) -> list[Element]:
        """The perceived screen's elements, numbered as `guiagent perceive` numbers them."""
        return self.look().elements

    def screenshot(self) -> Image.Image:
        """The screen as an RGB image."""
        return self.device.screenshot()

    def poll(self, check: Callable[[Screen], bool], timeout: float) -> Screen | None:
        """Perceive until ``check`` holds (the screen) or ``timeout`` passes (None)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.look()
            if check(screen):
                return screen
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.config.poll_s)

    def find(self, target: str, *, index: int | None = None, role: str = "",
             timeout: float | None = None) -> Target:
        """Where ``target`` is (the ``index``-th match, preferring ``role``), waiting up to
        ``timeout`` (find_timeout) for it; raises NotFound with the closest candidates."""
        wait = self.config.find_timeout if timeout is None else timeout
        query = parse(target)
        if index:
            query = replace(query, ordinal=int(index))
        if role and not query.role:
            query = replace(query, role=role)
        plain = not index and not role
        found: list[Target] = []

        def hit(screen: Screen) -> bool:
            found.append(self.locate(screen, target) if plain else resolve(screen, query))
            return found[-1].found and found[-1].point is not None

        if self.poll(hit, wait) is None:
            raise NotFound(f"{target!r} is not on the screen after {wait:g} s "
                           f"({found[-1].reason})", found[-1].candidates)
        return found[-1]

    def ground(self, description: str) -> Target:
        """Where ``description`` is on the screen now, without waiting or acting."""
        return self.find(description, timeout=0)

    # -- acting -----------------------------------------------------------------------------

    def tap(self, target: str | None = None, *, index: int | None = None,
            element: int | None = None, x: int | None = None, y: int | None = None,
            timeout: float | None = None) -> PixelPoint:
        """Tap a described target, an element number of the last screen, or pixel x, y."""
        point = self._aim(Tap, target, index, element, x, y, timeout)
        self.device.tap(point)
        return point

    def long_press(self, target: str | None = None, *, index: int | None = None,
                   element: int | None = None, x: int | None = None, y: int | None = None,
                   timeout: float | None = None) -> PixelPoint:
        """Press and hold a target (same ways to name it as ``tap``)."""
        point = self._aim(LongPress, target, index, element, x, y, timeout)
        self.device.long_press(point)
        return point

    def swipe(self, direction: Direction, *, start: str | None = None) -> None:
        """A finger swipe towards ``direction`` from ``start`` (a target) or the centre."""
        point = self.find(start).point if start else None
        self.executor.execute(Swipe(direction=direction), point)

    def drag(self, x1: int, y1: int, x2: int, y2: int, duration_s: float = 0.3) -> None:
        """A swipe between two pixel points."""
        self.device.swipe(PixelPoint(x1, y1), PixelPoint(x2, y2), duration_s)

    def scroll(self, direction: Direction = "down", until: str | None = None,
               max_scrolls: int | None = None) -> int:
        """Scroll once, or until ``until`` is visible (the number of scrolls it took)."""
        if until is None:
            self.device.scroll(direction)
            return 1
        limit = self.config.max_scrolls if max_scrolls is None else max_scrolls
        for n in range(limit + 1):
            if visible(self.look(), until):
                return n
            if n < limit:
                self.device.scroll(direction)
        raise NotFound(f"{until!r} did not appear after {limit} scrolls {direction}")

    def type(self, text: str, into: str | None = None) -> None:
        """Type ``text``, first tapping the field ``into`` names ("Hour" is the Hour field)."""
        point = None
        if into:
            found = self.find(into, role="field")
            self._check(Type(text=text, target=into), found)
            point = found.point
        self.executor.execute(Type(text=text), point)

    def key(self, name: str) -> None:
        """Press a key: back, home, enter, delete, tab, ... or a hotkey such as ctrl+c."""
        self.device.press_key(name)

    def back(self) -> None:
        """Press Back (alt+left on a desktop)."""
        self.device.press_key("back")

    def home(self) -> None:
        """Go to the home screen (show the desktop on a desktop)."""
        self.device.press_key("home")

    def launch(self, app: str, clear_state: bool = False) -> None:
        """Start an app by label or package; ``clear_state`` wipes its data first (pm clear)."""
        self._check(LaunchApp(app=app), None)
        if clear_state:
            self.clear_state(app)
        self.device.launch_app(app)

    def clear_state(self, app: str) -> None:
        """Wipe an app's data (`pm clear`): Android devices and the simulated phone."""
        package = self.package(app)
        out = self.shell(f"pm clear {package}")
        if "Success" not in out:
            raise CheckFailed(f"pm clear {package} said: {out.strip()[:200]}")

    def package(self, app: str) -> str:
        """The package name of an app label ("Settings") where the device can tell."""
        resolve_app = getattr(self.device, "resolve_app", None)
        if resolve_app is not None:
            return str(resolve_app(app))
        if "." in app:
            return app
        raise Unsupported(f"{self.device.id} needs the package name, not {app!r}")

    def shell(self, command: str) -> str:
        """Run a shell command on the device (Android and the simulated phone): its output."""
        shell = getattr(self.device, "shell", None)
        if shell is None:
            raise Unsupported(f"{self.device.id} has no shell; use an Android device or the "
                              "simulated phone")
        return str(shell(command))

    # -- checking ---------------------------------------------------------------------------

    def wait_for(self, text: str, timeout: float | None = None, gone: bool = False) -> None:
        """Wait until ``text`` is visible (or, with ``gone``, no longer visible)."""
        wait = self.config.wait_timeout if timeout is None else timeout
        if self.poll(lambda s: visible(s, text) != gone, wait) is None:
            state = "did not go away" if gone else "did not appear"
            raise CheckFailed(f"{text!r} {state} within {wait:g} s")

    def assert_visible(self, text: str) -> None:
        """Raise CheckFailed (with what the screen shows) unless ``text`` is on the screen."""
        screen = self.look()
        if not visible(screen, text):
            texts = ", ".join(repr(t) for t in screen.texts()[:12])
            raise CheckFailed(f"{text!r} is not on the screen (it shows {texts})")

    def assert_not_visible(self, text: str) -> None:
        """Raise CheckFailed if ``text`` is on the screen."""
        if visible(self.look(), text):
            raise CheckFailed(f"{text!r} is on the screen")

    # -- the agent --------------------------------------------------------------------------

    def run(self, task: str, max_steps: int | None = None, max_seconds: float | None = None,
            assume_yes: bool = False) -> RunResult:
        """Do ``task`` with the agent loop of `guiagent run`; the result record of the run."""
        from guiagent.session import RunOptions, build_loop
        from guiagent.steps import RunResult

        options = RunOptions(max_steps=max_steps, max_seconds=max_seconds,
                             assume_yes=assume_yes, ocr=self.config.ocr)
        loop = build_loop(task, self.device, self.settings, options)
        result = None
        for rec in loop.run(task):
            if isinstance(rec, RunResult):
                result = rec
        assert result is not None, "the loop always ends with a RunResult"
        return result

    # -- aiming and safety ------------------------------------------------------------------

    def _aim(self, kind: AimKind, target: str | None, index: int | None,
             element: int | None, x: int | None, y: int | None,
             timeout: float | None) -> PixelPoint:
        """The point of one of the three ways to name a target, checked by the safety rules."""
        ways = (target is not None, element is not None, x is not None or y is not None)
        if sum(ways) != 1 or (x is None) != (y is None):
            raise TypeError(f"{kind.__name__.lower()} takes a target, an element or x and y")
        if target is not None:
            found = self.find(target, index=index, timeout=timeout)
            self._check(kind(target=target), found)
            assert found.point is not None
            return self._under(kind, found.point)
        if element is not None:
            return self._element(kind, element)
        if self.safety is not None:
            self.look()
        return self._under(kind, PixelPoint(int(x or 0), int(y or 0)))

    def _element(self, kind: AimKind, number: int) -> PixelPoint:
        screen = self.screen or self.look()
        e = screen.by_id(number)
        if e is None:
            raise NotFound(f"no element [{number}] on the last screen (it has "
                           f"{len(screen.elements)}); list the elements again")
        self._check(kind(element=number), Target(True, e.center, e))
        return self._under(kind, e.center)

    def _under(self, kind: AimKind, point: PixelPoint) -> PixelPoint:
        """Check every element the point lies on too: a menu drawn over the target is what a
        tap there hits (the tree does not say which is on top)."""
        if self.safety is not None and self.screen is not None:
            for e in elements_at(self.screen, point):
                self._check(kind(x=point.x, y=point.y), Target(True, point, e))
        return point

    def _check(self, action: Action, target: Target | None) -> None:
        """Raise Refused when the safety rules (if any) refuse ``action``."""
        if self.safety is None:
            return
        screen = self.screen or self.look()
        check = self.safety.resolve(self.safety.check(action, screen, target), action)
        if check.verdict == "refuse":
            raise Refused(f"refused by the safety rules ({check.risk}): {check.reason}")

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Release the device (its connections); the Phone is unusable afterwards."""
        self.device.close()

    def __enter__(self) -> Phone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(spec: str | None = None, *, adb_server: str | None = None,
            config: ActConfig = ActConfig(), safety: Safety | None = None,
            **settings: Any) -> Phone:
    """Open a device by its -d spec (sim, android[:SERIAL[@HOST:PORT]], desktop[:N]).

    Settings merge as for the CLI (config file < environment < these keyword
    arguments); no spec and no configured device means the simulated phone.
    """
    merged = load_settings({"device": spec, "adb_server": adb_server, **settings})
    device = open_device(merged.device or "sim", **device_options(merged))
    return Phone(device, merged, config, safety=safety)
