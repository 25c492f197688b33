"""The desktop's accessibility tree read from a real GTK application over a real AT-SPI
bus, the pointer parked out of the way of tooltips, and doctor's report on the bus."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator

import pytest

from devices.desktop import DesktopDevice
from devices.desktop_pointer import tooltip_shown
from grounding.a11y import parse_uiautomator
from tests.desktop_apps.conftest import Session

pytestmark = [pytest.mark.slow, pytest.mark.xvfb]


@pytest.fixture(scope="module")
def calculator(desktop: Session) -> Iterator[subprocess.Popen[bytes]]:
    app = desktop.start("galculator", window="galculator")
    yield app
    desktop.stop(app)


def open_desktop(desktop: Session, **options: object) -> DesktopDevice:
    return DesktopDevice.from_spec(None, display_env=dict(desktop.env), **options)


def test_tree_names_the_keys_where_they_are_drawn(desktop: Session, calculator: object) -> None:
    with open_desktop(desktop) as dev:
        dev.screenshot()
        nodes = {n.text: n for n in parse_uiautomator(dev.ui_tree() or "")}
        assert {"7", "8", "9", "=", "File"} <= set(nodes)
        assert nodes["7"].kind == "button" and nodes["File"].kind == "button"
        for key in ("7", "8"):          # tapped where the tree says, looked at as the loop does
            dev.tap(nodes[key].box.center)
            dev.observe()
        dev.press_key("ctrl+c")
    deadline = time.monotonic() + 3
    while desktop.clipboard().strip() != "78" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert desktop.clipboard().strip() == "78"
    desktop.run("xdotool", "key", "Escape")


def test_no_bus_or_tree_disabled_means_pixels(desktop: Session, calculator: object) -> None:
    with open_desktop(desktop, accessibility=False) as dev:
        assert dev.observe().ui_tree is None
    with DesktopDevice.from_spec(None, display_env=dead_bus(desktop)) as dev:
        assert dev.observe().ui_tree is None
        assert "cannot connect to D-Bus" in (dev.tree.last_error or "")


def dead_bus(desktop: Session) -> dict[str, str]:
    """The session's environment with an accessibility bus address nothing listens on."""
    return dict(desktop.env, AT_SPI_BUS_ADDRESS=f"unix:path={desktop.tmp}/no-such-bus")


def test_observe_parks_the_pointer_and_waits_out_the_tooltip(desktop: Session,
                                                             calculator: object) -> None:
    with open_desktop(desktop) as dev:
        dev.screenshot()
        seven = next(n for n in parse_uiautomator(dev.ui_tree() or "") if n.text == "7")
        x, y = seven.box.center.x, seven.box.center.y
        desktop.run("xdotool", "mousemove", str(x), str(y))
        deadline = time.monotonic() + 5
        while not tooltip_shown(dev._xlib) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tooltip_shown(dev._xlib), "hovering a key shows its tooltip"
        obs = dev.observe()
        assert obs.settled and not tooltip_shown(dev._xlib)
        where = desktop.run("xdotool", "getmouselocation", "--shell")
        px = int(re.search(r"X=(\d+)", where).group(1))  # type: ignore[union-attr]
        window = re.findall(r"bounds=\"\[(\d+),", obs.ui_tree or "")
        assert px > max(int(v) for v in window), "parked right of the calculator's window"


def test_perceive_live_desktop_fuses_the_tree(desktop: Session, calculator: object) -> None:
    done = desktop.guiagent("perceive", "-d", "desktop", "--json")
    assert done.returncode == 0, done.stderr
    elements = {e["text"]: e for e in __import__("json").loads(done.stdout)}
    assert elements["7"]["source"] in ("a11y", "fused")
    assert elements["7"]["kind"] == "button"


def test_doctor_reports_the_bus(desktop: Session, calculator: object) -> None:
    done = desktop.guiagent("doctor")
    assert re.search(r"ok   a11y     AT-SPI bus .*galculator", done.stdout), done.stdout
    done = subprocess.run(["guiagent", "doctor"], env=dead_bus(desktop), capture_output=True,
                          text=True, timeout=60)
    assert "FIX  a11y     cannot connect to D-Bus" in done.stdout
    assert "at-spi2-core" in done.stdout
