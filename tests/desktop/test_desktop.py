"""The desktop driver against a real Xvfb and a real Tk window (testapp.tcl)."""

from __future__ import annotations

import shutil
import string
import subprocess
import threading
from collections.abc import Iterator

import pytest
from conftest import TkApp, XServer

from devices import InputRefused, Observation, PixelPoint, Unsupported
from devices.desktop import DesktopDevice, open_xlib, x_target
from devices.desktop_clipboard import ClipboardOwner

pytestmark = pytest.mark.xvfb


@pytest.fixture
def desk(xenv: dict[str, str | None]) -> Iterator[DesktopDevice]:
    device = DesktopDevice.from_spec(None, display_env=xenv)
    yield device
    device.close()


def px(point: tuple[int, int]) -> PixelPoint:
    return PixelPoint(*point)


def test_capture_has_the_screen_size_and_shows_the_app(desk: DesktopDevice, tkapp: TkApp) -> None:
    image = desk.screenshot()
    assert (image.mode, image.size) == ("RGB", (1280, 800))
    g = desk.geometry()
    assert (g.width, g.height, g.scale, g.origin.x, g.origin.y) == (1280, 800, 1.0, 0, 0)
    x, y, w, h = tkapp.widgets["canvas"]   # the magenta canvas, where Tk says it is
    for inside in ((x, y), (x + w - 1, y + h - 1), tkapp.center("canvas")):
        assert image.getpixel(inside) == (255, 0, 255)
    assert image.getpixel((x - 2, y - 2)) != (255, 0, 255)


def test_tap_presses_the_button_and_the_app_is_named(desk: DesktopDevice, tkapp: TkApp) -> None:
    desk.tap(px(tkapp.center("press")))
    tkapp.wait_prefix("clicked")
    assert desk.current_app()[1] == "guiagent test"


def test_tap_lands_on_the_exact_pixel(desk: DesktopDevice, tkapp: TkApp) -> None:
    x, y, _, _ = tkapp.widgets["canvas"]
    desk.tap(PixelPoint(x + 17, y + 29))
    assert tkapp.wait_prefix("canvas ") == f"canvas {x + 17} {y + 29}"


def test_drag_and_long_press(desk: DesktopDevice, tkapp: TkApp) -> None:
    x, y, _, _ = tkapp.widgets["canvas"]
    desk.swipe(PixelPoint(x + 10, y + 10), PixelPoint(x + 200, y + 100), duration_s=0.1)
    assert tkapp.wait_prefix("canvas ") == f"canvas {x + 10} {y + 10}"
    assert tkapp.wait_prefix("release ") == f"release {x + 200} {y + 100}"
    desk.long_press(PixelPoint(x + 50, y + 60), duration_s=0.2)
    assert tkapp.wait_prefix("canvas ") == f"canvas {x + 50} {y + 60}"
    assert tkapp.wait_prefix("release ") == f"release {x + 50} {y + 60}"


@pytest.mark.parametrize("text", [
    string.ascii_letters + string.digits + " !\"#$%&'()*+,-./:;=>?@[\\]^_`{|}~",  # typed
    "a < b",                   # '<' goes through the clipboard (pyautogui's keymap shifts it)
    "héllo ✓ 日本 — ok",       # Unicode: pasted
])
def test_type_text_arrives_exactly(desk: DesktopDevice, tkapp: TkApp, text: str) -> None:
    desk.tap(px(tkapp.center("entry")))
    desk.type_text(text)
    desk.press_key("enter")
    assert tkapp.wait_prefix("entry ") == f"entry {text}"


def test_paste_without_a_text_field_is_refused(desk: DesktopDevice, xvfb: XServer) -> None:
    desk.paste_timeout_s = 0.3
    with pytest.raises(InputRefused, match="no window took the pasted text"):
        desk.type_text("ü")


def test_hotkeys_and_named_keys(desk: DesktopDevice, tkapp: TkApp) -> None:
    desk.tap(px(tkapp.center("entry")))
    desk.press_key("ctrl+k")
    assert tkapp.wait_prefix("hotkey") == "hotkey ctrl+k"
    desk.press_key("escape")
    assert tkapp.wait_prefix("key ") == "key escape"
    desk.press_key("Control+K")
    assert tkapp.wait_prefix("hotkey") == "hotkey ctrl+k"
    with pytest.raises(Unsupported, match="no key named nosuchkey"):
        desk.press_key("ctrl+nosuchkey")


def test_scroll_turns_the_wheel_both_ways(desk: DesktopDevice, tkapp: TkApp) -> None:
    at = px(tkapp.center("text"))
    desk.scroll("down", at=at, amount=0.3)
    first = float(tkapp.wait_prefix("scrolled").split()[1])
    assert first > 0
    desk.scroll("up", at=at, amount=1.0)
    assert tkapp.wait_for(lambda line: line == "scrolled 0.0")


def test_points_off_the_screen_are_refused(desk: DesktopDevice) -> None:
    with pytest.raises(InputRefused, match="outside the 1280x800 screen"):
        desk.tap(PixelPoint(1280, 10))


def test_discover_lists_the_display(xenv: dict[str, str | None]) -> None:
    ids = [d.id for d in DesktopDevice.discover(display_env=xenv)]
    assert ids == ["desktop", "desktop:1"]
    assert DesktopDevice.discover(display_env={"DISPLAY": None}) == []


def test_observe_from_a_worker_thread(desk: DesktopDevice, tkapp: TkApp) -> None:
    """The TUI runs the agent in a worker thread: capture there gets its own X connection."""
    results: list[Observation] = []
    worker = threading.Thread(target=lambda: results.append(desk.observe()))
    worker.start()
    worker.join(timeout=30)
    obs = results[0]
    assert obs.image.size == (1280, 800) and obs.settled is True
    assert (obs.app, obs.activity, obs.ui_tree) == ("Testapp.tcl", "guiagent test", None)
    assert obs.geometry == desk.geometry()


def test_clipboard_owner_answers_other_x_clients(xvfb: XServer,
                                                 xenv: dict[str, str | None]) -> None:
    """xclip, a separate X client, reads the text and the target list from our owner."""
    if not shutil.which("xclip"):
        pytest.skip("xclip is not installed")
    owner = ClipboardOwner(open_xlib(x_target(xenv)), "héllo ✓ 日本")
    try:
        def read(*target: str) -> str:
            done = subprocess.run(["xclip", "-o", "-selection", "clipboard", *target],
                                  env=xvfb.env(), capture_output=True, timeout=10, check=True)
            return done.stdout.decode("utf-8")
        assert read() == "héllo ✓ 日本"
        assert {"UTF8_STRING", "STRING", "TARGETS"} <= set(read("-t", "TARGETS").split())
        assert not owner.served.is_set()        # not armed: a clipboard manager's copy
        owner.arm()
        assert read() == "héllo ✓ 日本" and owner.served.is_set()
    finally:
        owner.close()
