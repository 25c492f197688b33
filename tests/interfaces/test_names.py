"""The question asked before a risky action names it as the user would (real Safety rules)."""

from __future__ import annotations

from devices.geometry import Box, ScreenGeometry
from grounding.types import Element, Screen, Target
from guiagent.safety import Safety
from planners.actions import Tap


def conversation() -> Screen:
    """A messaging screen as perception reads it: a title, a typed message, a Send button."""
    elements = [Element(1, Box(0, 0, 200, 60), "text", "9:41"),
                Element(2, Box(150, 130, 600, 230), "text", "David Brown"),
                Element(6, Box(40, 2100, 900, 2240), "input", "on my way"),
                Element(7, Box(920, 2100, 1060, 2240), "button", "", "Send SMS")]
    return Screen(elements, ScreenGeometry(1080, 2400))


def test_the_question_names_action_message_and_recipient() -> None:
    asked: list[str] = []
    safety = Safety(confirm=lambda q: asked.append(q) or False)
    screen = conversation()
    send = screen.by_id(7)
    assert send is not None
    check = safety.check(Tap(element=7), screen, Target(True, send.center, send))
    resolved = safety.resolve(check, Tap(element=7))
    assert asked == ['tap "Send SMS" [7]: send message \'on my way\' to David Brown. Do it?']
    assert resolved.verdict == "refuse" and resolved.confirmed is False
    unasked = Safety().resolve(safety.check(Tap(element=7), screen,
                                            Target(True, send.center, send)), Tap(element=7))
    assert unasked.reason == "send message 'on my way' to David Brown (rerun with --yes to allow)"
