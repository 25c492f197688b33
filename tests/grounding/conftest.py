"""Fixtures for perception and locating: the simulated phone, shared dev data, one Perceiver."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.base import Observation
from devices.geometry import PixelPoint
from grounding.perceive import PerceiveConfig, Perceiver

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
WEB = DATA / "web-pages"
ANDROID = DATA / "android-screens"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"dev data {path} is not on this machine")
    return path


@pytest.fixture(scope="session")
def web_pages() -> Path:
    """shared/data/web-pages (real screenshots with element boxes)."""
    return need(WEB)


@pytest.fixture(scope="session")
def android_screens() -> Path:
    """shared/data/android-screens/droidbot (real screenshots with view hierarchies)."""
    return need(ANDROID / "droidbot")


@pytest.fixture(scope="session")
def perceiver() -> Perceiver:
    """Full perception (OCR + tree + blobs), models loaded once for the session."""
    return Perceiver()


@pytest.fixture(scope="session")
def tree_only() -> Perceiver:
    """Perception from the accessibility tree and pixel checks only: fast, no OCR."""
    return Perceiver(PerceiveConfig(use_ocr=False, proposals=False, use_detector=False))


def _sim_screens() -> dict[str, Observation]:
    from devices.sim.device import SimDevice
    from grounding.a11y import parse_uiautomator

    dev = SimDevice()
    screens = {"launcher": dev.observe()}
    dev.launch_app("settings")
    screens["settings"] = dev.observe()
    row = next(n for n in parse_uiautomator(screens["settings"].ui_tree or "")
               if n.text == "Network & internet")
    dev.tap(PixelPoint(row.box.center.x, row.box.center.y))
    screens["network"] = dev.observe()
    return screens


@pytest.fixture(scope="session")
def sim_screens() -> dict[str, Observation]:
    """Real frames of the simulated phone: launcher, Settings, Network & internet."""
    return _sim_screens()
