"""Seeded perturbations for recovery testing: dialogs, popups, slow starts, lost taps, layouts."""

from __future__ import annotations

import pytest

from devices.sim.device import SimDevice
from devices.sim.perturb import Perturbations
from devices.sim.phone import Phone

from .conftest import nodes, tap_label


def texts(dev: SimDevice) -> list[str]:
    return [n.get("text") or "" for n in nodes(dev.ui_tree() or "")]


def test_off_by_default() -> None:
    assert not Perturbations().any


def test_permission_dialog_blocks_until_answered() -> None:
    dev = SimDevice(perturbations=Perturbations(permission_dialog=1.0))
    tap_label(dev, "Contacts")
    tree = dev.ui_tree() or ""
    assert 'package="com.google.android.permissioncontroller"' in tree
    assert "Allow Contacts to send you notifications?" in texts(dev)
    dev.press_key("back")                      # not cancelable
    assert "Allow" in texts(dev)
    tap_label(dev, "Allow")
    assert "Search contacts" in texts(dev)
    dev.press_key("home")
    tap_label(dev, "Contacts")                 # only on first start
    assert "Search contacts" in texts(dev)


def test_rate_popup_can_be_dismissed() -> None:
    dev = SimDevice(perturbations=Perturbations(rate_popup=1.0))
    tap_label(dev, "Notes")
    assert "Enjoying Notes?" in texts(dev)
    dev.press_key("back")
    assert "Shopping list" in texts(dev)


def test_slow_loading_shows_a_spinner_then_the_app() -> None:
    now = [0.0]
    dev = SimDevice(Phone(perturbations=Perturbations(slow_loading=2.0), clock=lambda: now[0]))
    tap_label(dev, "Clock")
    assert "android.widget.ProgressBar" in (dev.ui_tree() or "")
    assert "ERROR: could not get idle state." in dev.shell("uiautomator dump")
    first = dev.screenshot()
    now[0] += 0.1
    assert dev.screenshot().tobytes() != first.tobytes()      # the spinner turns
    now[0] += 2.0
    assert "Add alarm" in (dev.ui_tree() or "")


def test_ignored_taps_change_nothing() -> None:
    dev = SimDevice(perturbations=Perturbations(ignored_tap_rate=1.0))
    tap_label(dev, "Settings")
    assert dev.current_app()[0] == "com.android.launcher3"


def test_some_taps_are_lost_reproducibly() -> None:
    def outcomes(seed: int) -> list[bool]:
        dev = SimDevice(seed=seed, perturbations=Perturbations(ignored_tap_rate=0.5))
        got = []
        for _ in range(8):
            tap_label(dev, "Settings")
            got.append(dev.current_app()[0] == "com.android.settings")
            dev.press_key("home")
        return got

    assert outcomes(3) == outcomes(3)
    assert True in outcomes(3) and False in outcomes(3)


def test_layout_variant_reorders_home_and_settings() -> None:
    stock, variant = SimDevice(), SimDevice(perturbations=Perturbations(layout_variant=1))
    labels = ["Settings", "Contacts", "Messages", "Clock", "Calculator", "Notes"]

    def order(dev: SimDevice) -> list[str]:
        return [t for t in texts(dev) if t in labels]

    assert order(stock) == labels
    assert sorted(order(variant)) == sorted(labels) and order(variant) != labels
    tap_label(variant, "Settings")
    rows = [t for t in texts(variant) if t in ("Display", "Network & internet")]
    assert rows[0] == "Display"


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError, match="probability"):
        Perturbations(rate_popup=2.0)
    with pytest.raises(ValueError, match="layout_variant"):
        Perturbations(layout_variant=5)
