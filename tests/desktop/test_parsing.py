"""The desktop driver's parsing of device strings, monitors and key names (no X server)."""

from __future__ import annotations

import pytest

from devices import DeviceNotFound, DeviceSpecError, DisplayUnavailable, Unsupported
from devices.desktop import (
    XTarget,
    answers_quickly,
    monitor_index,
    pick_monitor,
    split_key,
    x_target,
)

MONITORS = [
    {"left": 0, "top": 0, "width": 2304, "height": 800},
    {"left": 0, "top": 0, "width": 1280, "height": 800, "is_primary": False},
    {"left": 1280, "top": 0, "width": 1024, "height": 768, "is_primary": True},
]


@pytest.mark.parametrize(("key", "names"), [
    ("enter", ["enter"]),
    ("ctrl+c", ["ctrl", "c"]),
    ("Control+Shift+T", ["ctrl", "shift", "t"]),
    ("K", ["K"]),
    ("ctrl++", ["ctrl", "+"]),
    ("+", ["+"]),
    ("back", ["alt", "left"]),
    ("home", ["win", "d"]),
    ("home_key", ["home"]),
    ("delete", ["backspace"]),
    ("cmd+space", ["win", "space"]),
])
def test_split_key(key: str, names: list[str]) -> None:
    assert split_key(key) == names


def test_unreadable_key() -> None:
    with pytest.raises(Unsupported, match="cannot read key"):
        split_key("ctrl+")


def test_monitor_index() -> None:
    assert (monitor_index(None), monitor_index(""), monitor_index("0"), monitor_index("2")) == (
        None, None, 0, 2)
    with pytest.raises(DeviceSpecError, match="give a monitor number"):
        monitor_index("left")


def test_pick_monitor_prefers_the_primary() -> None:
    assert pick_monitor(MONITORS, None) is MONITORS[2]
    assert pick_monitor(MONITORS[:2], None) is MONITORS[1]
    assert pick_monitor(MONITORS, 0) is MONITORS[0]
    with pytest.raises(DeviceNotFound, match="monitors 1..2"):
        pick_monitor(MONITORS, 3)


def test_x_target_from_the_callers_environment() -> None:
    assert x_target({"DISPLAY": ":5", "XAUTHORITY": "/x"}) == XTarget(":5", "/x")
    assert x_target({"DISPLAY": ":5", "WAYLAND_DISPLAY": "wayland-0"}) == XTarget(":5")
    with pytest.raises(DisplayUnavailable, match="Wayland session"):
        x_target({"DISPLAY": "", "XDG_SESSION_TYPE": "wayland"})
    with pytest.raises(DisplayUnavailable, match="Xvfb :99"):
        x_target({})
    with pytest.raises(DisplayUnavailable, match="display_env="):
        x_target(None)


def test_unreachable_tcp_display_is_not_waited_for() -> None:
    import socket

    with socket.socket() as listener:        # a port that surely refuses: bound, not listening
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        assert not answers_quickly(XTarget(f"127.0.0.1:{port - 6000}"), timeout_s=0.5)
    assert answers_quickly(XTarget(":7")) and answers_quickly(XTarget("unix:7"))
