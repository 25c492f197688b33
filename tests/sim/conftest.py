"""Fixtures for the simulated phone: a fresh in-process device per test."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from devices.geometry import PixelPoint
from devices.sim.device import SimDevice


@pytest.fixture()
def sim() -> SimDevice:
    return SimDevice()


def nodes(xml: str) -> list[ET.Element]:
    return list(ET.fromstring(xml).iter("node"))


def center_of(xml: str, label: str) -> PixelPoint:
    """Centre of the first node whose text or content-desc is ``label``."""
    for n in nodes(xml):
        if label in (n.get("text"), n.get("content-desc")):
            x1, y1, x2, y2 = map(int, re.findall(r"\d+", n.get("bounds", "")))
            return PixelPoint((x1 + x2) // 2, (y1 + y2) // 2)
    raise AssertionError(f"{label!r} is not in the dump")


def tap_label(dev: SimDevice, label: str) -> None:
    dev.tap(center_of(dev.ui_tree() or "", label))
