"""Replays a task's scripted solution on any Device, finding targets in `uiautomator dump`.

Steps (YAML): ``home``, ``back``, ``enter``, ``{key: NAME, times: N}``, ``{launch: LABEL}``,
``{tap: TEXT}`` or ``{tap: {text|desc|id: ..., cls: ..., fx: 0..1, fy: 0..1}}``,
``{long_press: ...}`` (same forms), ``{type: TEXT}``, ``{scroll: down|up}``,
``{swipe: [X1, Y1, X2, Y2]}``.
A target not on screen is looked for by scrolling down a few times.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from devices.base import Device
from devices.geometry import PixelPoint

MAX_SCROLLS = 6


class StepFailed(Exception):
    """A scripted step could not be carried out (its target never appeared)."""


def run_solution(device: Device, steps: tuple[Any, ...] | list[Any]) -> None:
    for step in steps:
        run_step(device, step)


def run_step(device: Device, step: Any) -> None:
    if isinstance(step, str):
        device.press_key(step)
        return
    if not isinstance(step, dict) or len(step) != 1:
        raise StepFailed(f"a step is a key name or a one-key mapping, got {step!r}")
    verb, arg = next(iter(step.items()))
    if verb == "key":
        name, times = (arg["name"], int(arg.get("times", 1))) if isinstance(arg, dict) else (arg, 1)
        for _ in range(times):
            device.press_key(name)
    elif verb == "launch":
        device.launch_app(arg)
    elif verb == "type":
        device.type_text(str(arg))
    elif verb == "scroll":
        device.scroll(arg)
    elif verb == "swipe":
        x1, y1, x2, y2 = (int(v) for v in arg)
        device.swipe(PixelPoint(x1, y1), PixelPoint(x2, y2))
    elif verb in ("tap", "long_press"):
        point = locate(device, arg if isinstance(arg, dict) else {"text": str(arg)})
        (device.tap if verb == "tap" else device.long_press)(point)
    else:
        raise StepFailed(f"unknown step '{verb}'")


def locate(device: Device, target: dict[str, Any]) -> PixelPoint:
    """Where to touch ``target``; scrolls down to find it when it is off screen."""
    for attempt in range(MAX_SCROLLS + 1):
        point = find(device.ui_tree() or "", target)
        if point is not None:
            return point
        if attempt < MAX_SCROLLS:
            device.scroll("down")
    raise StepFailed(f"nothing on screen matches {target}")


def find(xml: str, target: dict[str, Any]) -> PixelPoint | None:
    """The point inside the first node matching ``target`` (text, desc, id, cls)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return None
    for node in root.iter("node"):
        if _matches(node, target):
            x1, y1, x2, y2 = (int(v) for v in re.findall(r"-?\d+", node.get("bounds", ""))[:4])
            if x2 <= x1 or y2 <= y1:
                continue
            fx, fy = float(target.get("fx", 0.5)), float(target.get("fy", 0.5))
            x = min(x2 - 1, max(x1, round(x1 + (x2 - x1) * fx)))
            y = min(y2 - 1, max(y1, round(y1 + (y2 - y1) * fy)))
            return PixelPoint(x, y)
    return None


def _matches(node: ET.Element, target: dict[str, Any]) -> bool:
    checks = {"text": "text", "desc": "content-desc", "id": "resource-id", "cls": "class"}
    wanted = {attr: target[key] for key, attr in checks.items() if key in target}
    if not wanted:
        raise StepFailed(f"a target needs text, desc, id or cls: {target}")
    return all(node.get(attr) == value for attr, value in wanted.items())
