"""The Python API (guiagent.connect) on the simulated phone: the README snippet as written."""

from __future__ import annotations

import subprocess
import sys

import pytest

import guiagent
from guiagent.api import ActConfig, Phone
from guiagent.errors import CheckFailed, NotFound, Refused
from guiagent.safety import Safety

QUICK = ActConfig(find_timeout=0.5, wait_timeout=0.5, poll_s=0.05)


def test_the_readme_snippet_runs_as_written() -> None:
    with guiagent.connect("sim") as phone:
        phone.tap("Settings")
        phone.tap("Network & internet")
        phone.tap("Airplane mode")
        phone.type("hello", into="Search")
        phone.wait_for("Airplane mode", timeout=5)
        phone.assert_visible("Airplane mode")
        elements = phone.elements()
        assert phone.shell("settings get global airplane_mode_on").strip() == "1"
        result = phone.run("turn on airplane mode", max_steps=10)
        assert result.status == "success", result.reason
        assert any(e.text == "hello" for e in elements)      # typed into the search field
        assert any(e.text == "Airplane mode" for e in elements)


def test_a_missing_target_names_the_closest_candidates() -> None:
    with guiagent.connect("sim", config=QUICK) as phone:
        with pytest.raises(NotFound, match="Nonexistent.*closest") as caught:
            phone.tap("Nonexistent")
        assert caught.value.candidates, "the error carries the closest elements"
        with pytest.raises(CheckFailed, match="'Bluetooth' is not on the screen"):
            phone.assert_visible("Bluetooth")
        with pytest.raises(CheckFailed, match="did not appear within"):
            phone.wait_for("Bluetooth", timeout=0.2)


def test_elements_numbers_pixels_scroll_and_launch() -> None:
    with guiagent.connect("sim", config=QUICK) as phone:
        phone.launch("Settings")
        assert phone.scroll("down", until="About phone") >= 1
        phone.assert_not_visible("Network & internet")
        about = next(e for e in phone.elements() if e.text == "About phone")
        phone.tap(element=about.id)
        phone.wait_for("Model", timeout=3)
        phone.back()
        phone.tap(x=about.center.x, y=about.center.y)
        phone.wait_for("Model", timeout=3)
        g = phone.device.geometry()
        assert phone.screenshot().size == (g.width, g.height)


def test_safety_rules_refuse_a_risky_tap() -> None:
    with guiagent.connect("sim", config=QUICK, safety=Safety()) as phone:
        phone.launch("Contacts")
        phone.tap("Alice Johnson")
        phone.tap("More options")
        with pytest.raises(Refused, match="delete"):
            phone.tap("Delete")
        with pytest.raises(Refused, match="delete"):
            phone.tap("Edit contact")          # the open menu's Delete lies over it
        phone.assert_visible("Delete")         # nothing was tapped
        phone.back()                           # the menu closes
        phone.tap("Edit contact")
        phone.wait_for("Save", timeout=3)           # the editor


def test_import_guiagent_stays_light() -> None:
    code = "import sys, guiagent; print('guiagent.api' in sys.modules, 'grounding' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "False"]
    assert guiagent.Phone is Phone


@pytest.mark.slow
def test_act_grounds_targets_through_the_api() -> None:
    from .conftest import cli

    done = cli("act", "-d", "sim", "tap", "Settings")
    assert done.returncode == 0 and done.stdout.startswith("ok tap Settings (at "), done.stderr
    missing = cli("act", "-d", "sim", "tap", "Bluetooth")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "'Bluetooth' is not on the screen" in missing.stderr and "closest" in \
        missing.stderr
    scrolled = cli("act", "-d", "sim", "scroll", "down", "--until", "Calculator")
    assert scrolled.returncode == 0 and "after 0 scrolls" in scrolled.stdout, scrolled.stderr
