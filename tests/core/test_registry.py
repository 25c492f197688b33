"""Device strings, the driver lookup and its "did you mean"."""

from __future__ import annotations

import pytest

from devices import DeviceSpecError, DisplayUnavailable, list_devices, open_device, split_spec


@pytest.mark.parametrize(("spec", "expected"), [
    ("sim", ("sim", None)),
    ("android", ("android", None)),
    ("android:emulator-5554", ("android", "emulator-5554")),
    ("android:127.0.0.1:5555@10.0.0.7:5037", ("android", "127.0.0.1:5555@10.0.0.7:5037")),
    (" Desktop:2 ", ("desktop", "2")),
    ("desktop:", ("desktop", None)),
])
def test_split_spec(spec: str, expected: tuple[str, str | None]) -> None:
    assert split_spec(spec) == expected


@pytest.mark.parametrize(("spec", "hint"), [
    ("andriod", "Did you mean 'android'?"),
    ("destkop:1", "Did you mean 'desktop'?"),
    ("simm", "Did you mean 'sim'?"),
])
def test_unknown_kind_suggests_the_closest(spec: str, hint: str) -> None:
    with pytest.raises(DeviceSpecError) as err:
        split_spec(spec)
    assert hint in str(err.value) and "\n" not in str(err.value)


def test_unknown_kind_without_a_close_match_lists_the_kinds() -> None:
    with pytest.raises(DeviceSpecError) as err:
        split_spec("toaster")
    assert "Did you mean" not in str(err.value)
    assert "sim, android[:SERIAL[@HOST:PORT]], desktop[:N]" in str(err.value)


def test_open_device_finds_the_driver_lazily() -> None:
    with open_device("sim") as dev:
        assert dev.id == "sim"
        assert dev.screenshot().size == (dev.geometry().width, dev.geometry().height)


def test_desktop_without_a_display_is_a_clear_error() -> None:
    with pytest.raises(DisplayUnavailable, match="Xvfb"):
        open_device("desktop", display_env={"DISPLAY": None})
    with pytest.raises(DeviceSpecError, match="monitor number"):
        open_device("desktop:left", display_env={"DISPLAY": ":0"})


def test_list_devices_skips_what_cannot_look() -> None:
    rows = list_devices(display_env={"DISPLAY": None}, adb_server="127.0.0.1:9")
    assert [r.id for r in rows] == ["sim"]
    assert rows[0].as_dict() == {"id": "sim", "kind": "sim", "state": "available",
                                 "description": rows[0].description}
