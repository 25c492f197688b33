"""Screen capture and input: Android (adbutils), desktop (mss + pyautogui), the simulated phone.

This package imports nothing else of the project.
"""

from devices.base import KEYS, Device, Observation
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
from devices.registry import DeviceInfo, list_devices, open_device, split_spec
from devices.settle import SettleConfig, wait_for_settle

__all__ = [
    "KEYS", "BlankFrame", "Box", "CaptureFailed", "Device", "DeviceError", "DeviceInfo",
    "DeviceNotFound", "DeviceSpecError", "DeviceUnreachable", "DisplayUnavailable",
    "InputMethodMissing", "InputRefused", "LogicalPoint", "NormPoint", "Observation",
    "PixelPoint", "ScreenGeometry", "SettleConfig", "Unsupported", "list_devices",
    "open_device", "split_spec", "wait_for_settle",
]
