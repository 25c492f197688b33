"""AndroidDevice against a TinyPhone: escaping, error translation and failure paths."""

from __future__ import annotations

import base64
import socket
import threading
import time

import pytest

from devices import (
    BlankFrame,
    CaptureFailed,
    DeviceNotFound,
    DeviceUnreachable,
    InputMethodMissing,
    InputRefused,
    PixelPoint,
    Unsupported,
)
from devices.android import AndroidDevice, escape_input_text, parse_focus
from devices.sim.adbd import AdbDaemon

from .conftest import AdbServer, free_port
from .tinyphone import TinyPhone

pytestmark = pytest.mark.adb


def typed(phone: TinyPhone) -> str:
    """What `input text` would have typed, decoding %s the way Android does."""
    return "".join(e[1].replace("%s", " ") if e[0] == "text" else "" for e in phone.events)


def test_escape_input_text() -> None:
    assert escape_input_text("a b") == ["a%sb"]
    assert escape_input_text("it's") == ["'it'\"'\"'s'"]
    assert escape_input_text("100%sure") == ["100%", "sure"]


@pytest.mark.parametrize("text", ["hello world", "it's \"quoted\" & $HOME; `x` | y > z",
                                  "  two  spaces ", "50% off*?"])
def test_text_arrives_intact(tiny_device: AndroidDevice, tiny: TinyPhone, text: str) -> None:
    tiny_device.type_text(text)
    assert typed(tiny) == text
    assert all(e[0] == "text" for e in tiny.events)


def test_literal_percent_s_is_split(tiny_device: AndroidDevice, tiny: TinyPhone) -> None:
    tiny_device.type_text("say %s please")
    assert [e[1] for e in tiny.events] == ["say%s%", "s%splease"]


def test_newline_and_tab_become_keys(tiny_device: AndroidDevice, tiny: TinyPhone) -> None:
    tiny_device.type_text("a\tb\nc")
    assert tiny.events == [["text", "a"], ["keyevent", "61"], ["text", "b"],
                           ["keyevent", "66"], ["text", "c"]]


def test_input_commands(tiny_device: AndroidDevice, tiny: TinyPhone) -> None:
    tiny_device.tap(PixelPoint(10, 20))
    tiny_device.swipe(PixelPoint(1, 2), PixelPoint(3, 4), 0.25)
    tiny_device.long_press(PixelPoint(5, 6))
    tiny_device.press_key("back")
    tiny_device.press_key("ctrl+a")
    with pytest.raises(Unsupported, match="unknown key 'hyperspace'"):
        tiny_device.press_key("hyperspace")
    assert tiny.events == [["tap", "10", "20"], ["swipe", "1", "2", "3", "4", "250"],
                           ["swipe", "5", "6", "5", "6", "800"], ["keyevent", "4"],
                           ["keycombination", "113", "29"]]


def test_unicode_needs_adbkeyboard(tiny_device: AndroidDevice, tiny: TinyPhone) -> None:
    with pytest.raises(InputMethodMissing, match="ADBKeyboard"):
        tiny_device.type_text("héllo")
    tiny.packages.append("com.android.adbkeyboard")
    tiny_device.packages(refresh=True)
    with pytest.raises(InputMethodMissing, match="ime set"):
        tiny_device.type_text("héllo")
    tiny.ime = "com.android.adbkeyboard/.AdbIME"
    tiny_device.type_text("héllo 世界")
    msg = tiny.events[-1][tiny.events[-1].index("msg") + 1]
    assert base64.b64decode(msg).decode() == "héllo 世界"


def test_capture_failures_are_loud(tiny_device: AndroidDevice, tiny: TinyPhone) -> None:
    assert tiny_device.screenshot().size == (1080, 2400)
    tiny.black = True
    with pytest.raises(BlankFrame, match="FLAG_SECURE"):
        tiny_device.screenshot()
    tiny.broken_capture = True
    with pytest.raises(CaptureFailed, match="exit 1"):
        tiny_device.screenshot()


def test_ui_tree_retries_while_busy(tiny_daemon: AdbDaemon, adb_server: AdbServer,
                                    tiny: TinyPhone) -> None:
    dev = AndroidDevice(tiny_daemon.serial, adb_server=adb_server.address, dump_delay_s=0.05)
    tiny.busy_dumps = 2
    assert "<hierarchy" in (dev.ui_tree() or "")
    assert tiny.busy_dumps == 0
    tiny.busy_dumps = 10
    assert dev.ui_tree() is None
    assert tiny.busy_dumps == 7


def test_focus_geometry_keyboard(tiny_device: AndroidDevice) -> None:
    assert tiny_device.current_app() == ("com.android.settings", "com.android.settings.Settings")
    g = tiny_device.geometry()
    assert (g.width, g.height, g.density, g.rotation) == (1080, 2400, 420, 0)
    assert tiny_device.keyboard_shown() is True


def test_parse_focus_falls_back_to_focused_app() -> None:
    text = ("mCurrentFocus=Window{1 u0 StatusBar}\n"
            "mFocusedApp=ActivityRecord{2 u0 com.example/.Main t3}")
    assert parse_focus(text) == ("com.example", "com.example.Main")
    assert parse_focus("nothing here") == (None, None)


def test_launch_app_by_label_and_unknown(tiny_device: AndroidDevice, tiny: TinyPhone) -> None:
    tiny_device.launch_app("Chrome")
    assert tiny.events[-1][:3] == ["monkey", "-p", "com.android.chrome"]
    with pytest.raises(InputRefused, match="no app 'Tetris'"):
        tiny_device.launch_app("Tetris")


def test_unknown_serial_names_the_known_ones(adb_server: AdbServer,
                                             tiny_daemon: object) -> None:
    with pytest.raises(DeviceNotFound, match=r"no Android device 'ZX1'.*android:127\.0\.0\.1:"):
        AndroidDevice("ZX1", adb_server=adb_server.address)


def test_discover_lists_devices_and_is_quick_without_server(adb_server: AdbServer,
                                                            tiny_daemon: object) -> None:
    ids = [d.id for d in AndroidDevice.discover(adb_server=adb_server.address)]
    assert f"android:{tiny_daemon.serial}" in ids  # type: ignore[attr-defined]
    start = time.monotonic()
    assert AndroidDevice.discover(adb_server=f"127.0.0.1:{free_port()}") == []
    assert time.monotonic() - start < 2


def test_remote_server_that_does_not_answer() -> None:
    with pytest.raises(DeviceUnreachable, match="no adb server answers"):
        AndroidDevice("x", adb_server=f"127.0.0.2:{free_port()}")


def test_address_serial_is_connected_on_demand(adb_server: AdbServer) -> None:
    with AdbDaemon(TinyPhone()) as daemon:
        dev = AndroidDevice(daemon.serial, adb_server=adb_server.address)
        assert dev.shell("echo up").strip() == "up"
    adb_server.adb("disconnect", daemon.serial)


def test_device_that_disappears_raises_unreachable(adb_server: AdbServer) -> None:
    daemon = adb_server.serve(TinyPhone())
    dev = AndroidDevice(daemon.serial, adb_server=adb_server.address)
    dev.tap(PixelPoint(1, 1))
    caught: list[BaseException] = []

    def slow() -> None:
        try:
            dev.shell("sleep 30")
        except DeviceUnreachable as exc:
            caught.append(exc)

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.3)
    daemon.stop()
    t.join(10)
    assert caught, "a command in flight must fail when the device goes"
    start = time.monotonic()
    with pytest.raises(DeviceUnreachable):
        dev.tap(PixelPoint(1, 1))
    assert time.monotonic() - start < 5
    adb_server.adb("disconnect", daemon.serial)


def test_adb_server_that_dies_raises_unreachable(tmp_path) -> None:  # noqa: ANN001
    server = AdbServer(tmp_path)
    server.adb("start-server", timeout=30).check_returncode()
    daemon = server.serve(TinyPhone())
    try:
        dev = AndroidDevice(daemon.serial, adb_server=server.address)
        server.adb("kill-server")
        with pytest.raises(DeviceUnreachable):
            dev.tap(PixelPoint(1, 1))
    finally:
        daemon.stop()
        server.adb("kill-server")
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", server.port)) != 0


def test_input_outside_the_screen_is_refused(tiny_device: AndroidDevice, tiny: TinyPhone) -> None:
    with pytest.raises(InputRefused, match=r"\(2400, 5\) is outside the 2400x2400"):
        tiny_device.tap(PixelPoint(2400, 5))
    tiny_device.screenshot()
    with pytest.raises(InputRefused, match=r"\(1080, 5\) is outside the 1080x2400"):
        tiny_device.swipe(PixelPoint(10, 10), PixelPoint(1080, 5))
    assert tiny.events == []


def test_address_nobody_listens_on(adb_server: AdbServer) -> None:
    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(DeviceNotFound, match=f"no Android device '{address}'.*adb connect said"):
        AndroidDevice(address, adb_server=adb_server.address)
