"""Errors of the device layer.

Every foreign error (adbutils, mss, pyautogui, Xlib, sockets) that leaves a
driver is translated into one of these, raised ``from`` the original.

DeviceError
├── DeviceNotFound        the named device does not exist (user must act)
├── DeviceSpecError       the device string is malformed (user must act)
├── DisplayUnavailable    no usable display: none, or Wayland (user must act)
├── InputMethodMissing    Unicode text needs an IME that is not installed (user must act)
├── DeviceUnreachable     a device that was there is gone or never answered (run stops)
├── CaptureFailed         a screenshot could not be taken (run stops)
│   └── BlankFrame        the frame is all black: FLAG_SECURE or a dead display
├── InputRefused          the device refused an input command
└── Unsupported           the platform has no such operation
"""

from __future__ import annotations


class DeviceError(Exception):
    """Base of every error raised by the device layer."""


class DeviceNotFound(DeviceError):
    """No device answers to the requested id."""


class DeviceSpecError(DeviceError):
    """A device string that cannot be parsed or names an unknown kind."""


class DisplayUnavailable(DeviceError):
    """There is no display the desktop driver can use."""


class InputMethodMissing(DeviceError):
    """Unicode text needs an input method that the device does not have."""


class DeviceUnreachable(DeviceError):
    """The device was lost or stopped answering."""


class CaptureFailed(DeviceError):
    """A screenshot could not be taken."""


class BlankFrame(CaptureFailed):
    """The captured frame is entirely black (secure window or display off)."""


class InputRefused(DeviceError):
    """The device refused or failed an input command."""


class Unsupported(DeviceError):
    """The operation does not exist on this kind of device."""
