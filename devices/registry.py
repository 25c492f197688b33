"""Device strings -> driver classes, imported lazily, with a "did you mean" error.

    sim                      the built-in simulated phone, in process
    android                  the one attached Android device
    android:SERIAL           an Android device by serial (``127.0.0.1:5555`` too)
    android:SERIAL@HOST:PORT a device behind the adb server on HOST:PORT
    desktop / desktop:N      this machine's display, monitor N (0 = all monitors)
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from typing import Any, Protocol

from devices.base import Device
from devices.errors import DeviceError, DeviceSpecError

DRIVERS: dict[str, str] = {
    "sim": "devices.sim.device:SimDevice",
    "android": "devices.android:AndroidDevice",
    "desktop": "devices.desktop:DesktopDevice",
}


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One row of ``guiagent devices``: ``id`` is the string ``-d`` accepts."""

    id: str
    kind: str
    state: str = "available"
    description: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind, "state": self.state,
                "description": self.description}


class DriverClass(Protocol):
    @classmethod
    def from_spec(cls, arg: str | None, **options: Any) -> Device: ...

    @classmethod
    def discover(cls, **options: Any) -> list[DeviceInfo]: ...


def split_spec(spec: str) -> tuple[str, str | None]:
    """``android:emulator-5554`` -> ("android", "emulator-5554"); unknown kinds get a suggestion."""
    kind, _, arg = spec.strip().partition(":")
    kind = kind.lower()
    if kind not in DRIVERS:
        close = difflib.get_close_matches(kind, DRIVERS, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise DeviceSpecError(
            f"unknown device '{spec}'.{hint} Use one of: sim, android[:SERIAL[@HOST:PORT]], "
            "desktop[:N] (see `guiagent devices`)."
        )
    return kind, (arg or None)


def driver_class(kind: str) -> DriverClass:
    module_name, _, attr = DRIVERS[kind].partition(":")
    module = importlib.import_module(module_name)
    cls: DriverClass = getattr(module, attr)
    return cls


def open_device(spec: str, **options: Any) -> Device:
    """Open the device that ``spec`` names; options flow to the driver's constructor."""
    kind, arg = split_spec(spec)
    return driver_class(kind).from_spec(arg, **options)


def list_devices(**options: Any) -> list[DeviceInfo]:
    """Every device that could be opened now; a kind that cannot look is skipped quietly."""
    found: list[DeviceInfo] = []
    for kind in DRIVERS:
        try:
            found.extend(driver_class(kind).discover(**options))
        except (DeviceError, ImportError):
            continue
    return found
