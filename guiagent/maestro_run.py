"""The steps only Maestro flows have, run by guiagent.flowrun.FlowRunner (a mixin).

Selectors keep Maestro's meaning: ``text`` and ``id`` are regular expressions that
match an element's whole text (or hint, or content description) and resource id,
case-insensitively; ``index`` counts matches from 0 in reading order; ``below``,
``above``, ``leftOf`` and ``rightOf`` take the nearest match on that side of another
selector. A tap whose plain text matches nothing is grounded with guiagent's locate
(icons, screens read by OCR); on a screen without an accessibility tree a check of a
plain text also passes when guiagent reads the text there (whole words, OCR slips).
"""

from __future__ import annotations

import io
import re
import shlex
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devices import PixelPoint
from devices.settle import frame_difference
from grounding.types import Element, Screen
from guiagent.api import visible
from guiagent.errors import CheckFailed, NotFound
from guiagent.files import atomic_write_bytes

if TYPE_CHECKING:
    from guiagent.api import Phone
    from guiagent.flows import Step

RELATIONS = ("below", "above", "leftOf", "rightOf")
NO_CHANGE = 0.3   # mean grey-level difference under which a tap changed nothing


def _fullmatch(pattern: str, value: str) -> bool:
    if not value:
        return False
    if value.strip().lower() == pattern.strip().lower():
        return True
    try:
        return re.fullmatch(pattern, value.strip(), re.I | re.S) is not None
    except re.error:
        return False


def matches(e: Element, sel: dict[str, Any]) -> bool:
    """Whether ``e`` has the selector's text (text, hint or description) and id."""
    if "text" in sel and not any(_fullmatch(str(sel["text"]), n) for n in (e.text, e.label)):
        return False
    if "id" in sel:
        rid = e.resource_id
        return _fullmatch(str(sel["id"]), rid) or _fullmatch(str(sel["id"]),
                                                             rid.split(":id/")[-1])
    return True


def _side(e: Element, a: Element, rel: str) -> bool:
    b, o = e.box, a.box
    return {"below": b.y1 >= o.y2 - 4, "above": b.y2 <= o.y1 + 4,
            "leftOf": b.x2 <= o.x1 + 4, "rightOf": b.x1 >= o.x2 - 4}[rel]


def _distance(e: Element, a: Element) -> float:
    return float(abs(e.center.x - a.center.x) + abs(e.center.y - a.center.y))


def _dedupe(found: list[Element]) -> list[Element]:
    """One element per place: a row and the text inside it with the same name count once."""
    kept: list[Element] = []
    for e in sorted(found, key=lambda e: -e.box.area):
        if not any(k.box.contains(e.center) for k in kept):
            kept.append(e)
    return sorted(kept, key=lambda e: (e.box.y1, e.box.x1))


def select(screen: Screen, sel: dict[str, Any]) -> list[Element]:
    """The elements a Maestro selector matches, nearest first when it names a relation."""
    found = _dedupe([e for e in screen.elements if matches(e, sel)])
    for rel in RELATIONS:
        if rel in sel:
            anchors = select(screen, sel[rel])
            if not anchors:
                return []
            a = anchors[0]
            found = sorted((e for e in found if e is not a and _side(e, a, rel)),
                           key=lambda e: _distance(e, a))
    return found


def describe(sel: dict[str, Any]) -> str:
    parts = [f"{k} {v!r}" if not isinstance(v, dict) else f"{k} ({describe(v)})"
             for k, v in sel.items() if k != "optional"]
    return ", ".join(parts)


def _plain(sel: dict[str, Any]) -> bool:
    return "text" in sel and set(sel) <= {"text", "optional"}


class MaestroSteps:
    """``_do_m_*`` step handlers; FlowRunner provides phone, env, _run_step and _shell."""

    phone: Phone
    env: dict[str, str]
    copied: str = ""
    _run_step: Callable[[Step], None]
    _shell: Callable[[str], str]

    # -- finding ----------------------------------------------------------------------------

    def _present(self, screen: Screen, sel: dict[str, Any]) -> bool:
        """Whether the selector matches; without an accessibility tree a plain text also
        counts when guiagent reads it on the screen (OCR slips, whole words)."""
        if select(screen, sel):
            return True
        return not self.phone.has_tree and _plain(sel) and visible(screen, str(sel["text"]))

    def _m_point(self, sel: dict[str, Any], timeout: float | None = None,
                 ground: bool = True) -> PixelPoint | None:
        """Where the selector is, waiting for it; None for an optional one that never came."""
        if "point" in sel:
            return self._m_xy(str(sel["point"]))
        wait = self.phone.config.find_timeout if timeout is None else timeout
        hit: list[PixelPoint] = []
        plain = _plain(sel)

        def check(screen: Screen) -> bool:
            found = select(screen, sel)
            index = int(sel.get("index", 0))
            if len(found) > index:
                hit.append(found[index].center)
            elif ground and plain:
                target = self.phone.locate(screen, str(sel["text"]))
                if target.found and target.point is not None:
                    hit.append(target.point)
            return bool(hit)

        if self.phone.poll(check, wait) is None:
            if sel.get("optional"):
                return None
            raise NotFound(f"no element matches {describe(sel)} after {wait:g} s"
                           + self._closest(sel))
        return hit[-1]

    def _closest(self, sel: dict[str, Any]) -> str:
        if "text" not in sel or self.phone.screen is None:
            return ""
        reason = self.phone.locate(self.phone.screen, str(sel["text"])).reason
        return f" ({reason})" if reason else ""

    def _m_xy(self, spec: str) -> PixelPoint:
        """``50%,80%`` or ``540,1200`` -> pixels of this screen."""
        g = self.phone.device.geometry()
        parts = [p.strip() for p in spec.split(",")]
        if len(parts) != 2:
            raise CheckFailed(f"point {spec!r} is not X,Y or X%,Y%")
        sizes = (g.width, g.height)
        values = [round(float(p[:-1]) / 100 * (size - 1)) if p.endswith("%") else int(p)
                  for p, size in zip(parts, sizes, strict=True)]
        return PixelPoint(values[0], values[1])

    # -- steps ------------------------------------------------------------------------------

    def _do_m_launch(self, args: dict[str, Any], step: Step) -> str:
        app = str(args["app"])
        if args.get("clear_state"):
            self.phone.clear_state(app)
        elif args.get("stop") and getattr(self.phone.device, "shell", None) is not None:
            self._shell(f"am force-stop {shlex.quote(self.phone.package(app))}")
        self.phone.launch(app)
        return ""

    def _do_m_tap(self, args: dict[str, Any], step: Step) -> str:
        point = self._m_point(args["sel"])
        if point is None:
            return "optional, not there"
        before = self.phone.screenshot() if args.get("retry") else None
        self._m_press(args["how"], point)
        if before is not None:
            after = self.phone.device.observe(with_tree=False).image
            if frame_difference(before, after) < NO_CHANGE:
                self._m_press(args["how"], point)
                return f"at {point.x},{point.y}, tapped again (no change)"
        return f"at {point.x},{point.y}"

    def _m_press(self, how: str, point: PixelPoint) -> None:
        if how == "long_press":
            self.phone.device.long_press(point)
            return
        self.phone.device.tap(point)
        if how == "double_tap":
            self.phone.device.tap(point)

    def _do_m_assert(self, args: dict[str, Any], step: Step) -> str:
        sel, shown = args["sel"], bool(args["visible"])
        wait = self.phone.config.find_timeout
        if self.phone.poll(lambda s: self._present(s, sel) == shown, wait) is None:
            if sel.get("optional"):
                return "optional, did not hold"
            if shown:
                shows = self.phone.screen.texts()[:12] if self.phone.screen else []
                texts = ", ".join(repr(t) for t in shows)
                raise CheckFailed(f"no element matches {describe(sel)} (the screen shows "
                                  f"{texts})")
            raise CheckFailed(f"{describe(sel)} is still on the screen after {wait:g} s")
        return ""

    def _do_m_wait(self, args: dict[str, Any], step: Step) -> str:
        sel, shown, wait = args["sel"], bool(args["visible"]), float(args["timeout"])
        if self.phone.poll(lambda s: self._present(s, sel) == shown, wait) is None:
            state = "did not appear" if shown else "did not go away"
            raise CheckFailed(f"{describe(sel)} {state} within {wait:g} s")
        return ""

    def _do_m_scroll_until(self, args: dict[str, Any], step: Step) -> str:
        deadline = time.monotonic() + float(args["timeout"])
        scrolls = 0
        while not self._present(self.phone.look(), args["sel"]):
            if time.monotonic() > deadline:
                raise NotFound(f"{describe(args['sel'])} did not appear after {scrolls} scrolls")
            self.phone.device.scroll(args["direction"])
            scrolls += 1
        return f"after {scrolls} scrolls"

    def _do_m_swipe(self, args: dict[str, Any], step: Step) -> str:
        if "sel" in args:
            start = self._m_point(args["sel"])
            assert start is not None
            from planners.actions import Swipe

            self.phone.executor.execute(Swipe(direction=args["direction"]), start)
            return ""
        a, b = self._m_xy(args["start"]), self._m_xy(args["end"])
        self.phone.device.swipe(a, b, float(args.get("duration", 0.4)))
        return ""

    def _do_m_erase(self, args: dict[str, Any], step: Step) -> str:
        for _ in range(int(args["count"])):
            self.phone.key("delete")
        return ""

    def _do_m_hide_keyboard(self, args: dict[str, Any], step: Step) -> str:
        if self.phone.device.keyboard_shown():
            self.phone.back()
        return ""

    def _do_m_settle(self, args: dict[str, Any], step: Step) -> str:
        self.phone.device.observe(with_tree=False)
        return ""

    def _do_m_flow(self, args: dict[str, Any], step: Step) -> str:
        when = args.get("when") or {}
        if when.get("platform", "android") != "android":
            return "skipped (another platform)"
        screen = self.phone.look() if {"visible", "notVisible"} & set(when) else None
        if screen is not None and (
                ("visible" in when and not self._present(screen, when["visible"]))
                or ("notVisible" in when and self._present(screen, when["notVisible"]))):
            return "skipped (condition not met)"
        saved = dict(self.env)
        self.env.update(args.get("env") or {})
        try:
            for sub in step.steps:
                self._run_step(sub)
        finally:
            self.env.clear()
            self.env.update(saved)
        return ""

    def _do_m_repeat(self, args: dict[str, Any], step: Step) -> str:
        cond = args.get("while") or {}
        for n in range(int(args["times"])):
            if cond:
                screen = self.phone.look()
                if ("visible" in cond and not self._present(screen, cond["visible"])) or (
                        "notVisible" in cond and self._present(screen, cond["notVisible"])):
                    return f"{n} times"
            for sub in step.steps:
                self._run_step(sub)
        return f"{args['times']} times"

    def _do_m_screenshot(self, args: dict[str, Any], step: Step) -> str:
        path = Path(str(args["path"]))
        path = path if path.suffix.lower() == ".png" else path.with_name(path.name + ".png")
        buf = io.BytesIO()
        self.phone.screenshot().save(buf, format="PNG")
        atomic_write_bytes(path, buf.getvalue())
        return str(path)

    def _do_m_open_link(self, args: dict[str, Any], step: Step) -> str:
        self._shell(f"am start -a android.intent.action.VIEW -d {shlex.quote(args['url'])}")
        return ""

    def _do_m_clear_state(self, args: dict[str, Any], step: Step) -> str:
        self.phone.clear_state(str(args["app"]))
        return ""

    def _do_m_stop_app(self, args: dict[str, Any], step: Step) -> str:
        self._shell(f"am force-stop {shlex.quote(self.phone.package(str(args['app'])))}")
        return ""

    def _do_m_copy_text(self, args: dict[str, Any], step: Step) -> str:
        self._m_point(args["sel"], ground=False)
        found = select(self.phone.screen or self.phone.look(), args["sel"])
        index = int(args["sel"].get("index", 0))
        self.copied = (found[index].text or found[index].label) if len(found) > index else ""
        return repr(self.copied)

    def _do_m_paste_text(self, args: dict[str, Any], step: Step) -> str:
        if not self.copied:
            raise CheckFailed("pasteText: nothing was copied (copyTextFrom comes first)")
        self.phone.type(self.copied)
        return ""

    def _do_m_airplane(self, args: dict[str, Any], step: Step) -> str:
        mode = str(args["mode"])
        if mode == "toggle":
            now = self._shell("cmd connectivity airplane-mode").strip()
            mode = "disable" if now == "enabled" else "enable"
        out = self._shell(f"cmd connectivity airplane-mode {mode}")
        if out.strip():
            raise CheckFailed(f"airplane mode: the device said {out.strip()[:200]!r}")
        return f"{mode}d"
