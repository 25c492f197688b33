"""Screen capture and input: Android (adbutils), desktop (mss + pyautogui), the simulated phone.

This package imports nothing else of the project. Its errors and geometry load with it; the
device contract, the registry and settling (numpy, Pillow) load on first use, so that a
command that only needs the errors (every command, through guiagent.errors) starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from devices.errors import (
    BlankFrame,
    CaptureFailed,
    DeviceError,
    DeviceNotFound,
    DeviceSpecError,
    DeviceUnreachable,
    DisplayUnavailable,
    InputMethodMissing,
    InputRefused,
    Unsupported,
)
from devices.geometry import Box, LogicalPoint, NormPoint, PixelPoint, ScreenGeometry

if TYPE_CHECKING:
    from devices.base import KEYS, Device, Observation
    from devices.registry import DeviceInfo, list_devices, open_device, split_spec
    from devices.settle import SettleConfig, wait_for_settle

_LAZY = {"KEYS": "devices.base", "Device": "devices.base", "Observation": "devices.base",
         "DeviceInfo": "devices.registry", "list_devices": "devices.registry",
         "open_device": "devices.registry", "split_spec": "devices.registry",
         "SettleConfig": "devices.settle", "wait_for_settle": "devices.settle"}

__all__ = [
    "KEYS", "BlankFrame", "Box", "CaptureFailed", "Device", "DeviceError", "DeviceInfo",
    "DeviceNotFound", "DeviceSpecError", "DeviceUnreachable", "DisplayUnavailable",
    "InputMethodMissing", "InputRefused", "LogicalPoint", "NormPoint", "Observation",
    "PixelPoint", "ScreenGeometry", "SettleConfig", "Unsupported", "list_devices",
    "open_device", "split_spec", "wait_for_settle",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'devices' has no attribute {name!r}")
