"""AndroidDevice on the real simulated phone, through Debian's adb server and adbutils."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from devices import PixelPoint
from devices.android import ADB_KEYBOARD_IME, AndroidDevice

pytestmark = pytest.mark.adb


def node(tree: str | None, **attrs: str) -> ET.Element:
    """The first node of a uiautomator dump whose attributes match."""
    assert tree is not None
    for n in ET.fromstring(tree).iter("node"):
        if all(n.get(k) == v for k, v in attrs.items()):
            return n
    raise AssertionError(f"no node with {attrs}")


def center(n: ET.Element) -> PixelPoint:
    x1, y1, x2, y2 = (int(v) for v in n.get("bounds", "").replace("][", ",").strip("[]").split(","))
    return PixelPoint((x1 + x2) // 2, (y1 + y2) // 2)


SEARCH_BOX = {"resource-id": "com.android.launcher3:id/search_box_input"}


def open_search(dev: AndroidDevice) -> None:
    """Home's search bar opens the app drawer; a tap on its field brings the keyboard."""
    dev.tap(center(node(dev.ui_tree(), **{"content-desc": "Search"})))
    dev.tap(center(node(dev.ui_tree(), **SEARCH_BOX)))


def search_text(dev: AndroidDevice) -> str | None:
    field = node(dev.ui_tree(), **SEARCH_BOX)
    return field.get("text")


def test_capture_is_the_phone_screen(sim_device: AndroidDevice) -> None:
    image = sim_device.screenshot()
    assert image.size == (1080, 2400) and image.getbbox() is not None
    g = sim_device.geometry()
    assert (g.width, g.height, g.density, g.rotation) == (1080, 2400, 420, 0)
    assert sim_device.current_app()[0] == "com.android.launcher3"


def test_tap_opens_search_and_text_lands_intact(sim_device: AndroidDevice) -> None:
    assert sim_device.keyboard_shown() is False
    open_search(sim_device)
    assert sim_device.keyboard_shown() is True
    text = "it's \"quoted\" & a b;c $x"
    sim_device.type_text(text)
    assert search_text(sim_device) == text
    sim_device.press_key("back")
    assert sim_device.keyboard_shown() is False


def test_unicode_through_adbkeyboard(sim_device: AndroidDevice) -> None:
    previous = sim_device.shell("settings get secure default_input_method").strip()
    sim_device.shell(f"ime enable {ADB_KEYBOARD_IME}; ime set {ADB_KEYBOARD_IME}")
    try:
        open_search(sim_device)
        sim_device.type_text("café 東京")
        assert search_text(sim_device) == "café 東京"
    finally:
        sim_device.shell(f"ime set {previous}")


def test_push_pull_round_trip(sim_device: AndroidDevice, tmp_path) -> None:  # noqa: ANN001
    payload = bytes(range(256)) * 1000
    src = tmp_path / "a.bin"
    src.write_bytes(payload)
    assert sim_device.push(src, "/sdcard/Download/a.bin") == len(payload)
    assert sim_device.pull("/sdcard/Download/a.bin", tmp_path / "b.bin") == payload
    assert (tmp_path / "b.bin").read_bytes() == payload
    assert sim_device.run("ls /sdcard/Download").stdout.split() == [b"a.bin"]
    assert sim_device.run("cat /sdcard/none").exit_code == 1


def test_two_devices_by_serial(sim_device: AndroidDevice, tiny_device: AndroidDevice) -> None:
    assert sim_device.serial != tiny_device.serial
    assert sim_device.current_app()[0] == "com.android.launcher3"
    assert tiny_device.current_app()[0] == "com.android.settings"


def test_observe_gathers_everything(sim_device: AndroidDevice) -> None:
    obs = sim_device.observe(with_tree=True)
    assert obs.image.size == (obs.geometry.width, obs.geometry.height) == (1080, 2400)
    assert obs.app == "com.android.launcher3" and obs.keyboard_shown is False
    assert obs.ui_tree is not None and "content-desc=\"Search\"" in obs.ui_tree


@pytest.mark.parametrize(("app", "package"), [
    ("Settings", "com.android.settings"), ("calculator", "com.android.calculator2"),
    ("Notes", "com.example.notes"), ("com.android.deskclock", "com.android.deskclock")])
def test_launch_app_by_label_or_package(sim_device: AndroidDevice, app: str,
                                        package: str) -> None:
    sim_device.launch_app(app)
    assert sim_device.current_app()[0] == package
