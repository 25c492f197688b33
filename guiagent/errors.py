"""Every error of every layer, and who must act on it.

Each layer owns its errors so that imports only go down; this module gathers
them and maps them to exit codes. Split by who must act:

    the user (exit 4: bad input or config, one clear line)
        UsageError, ConfigError
        devices.DeviceSpecError, DeviceNotFound, DisplayUnavailable, InputMethodMissing
        grounding.ImageError, ModelMissing, GrounderConfigError
        planners.LLMConfigError
    the run (exit 3: the device or the model server cannot be reached; exit 2: stopped)
        devices.DeviceUnreachable, CaptureFailed (BlankFrame), InputRefused, Unsupported
        planners.LLMUnavailable (the model server is unreachable, or answers errors or
        something that is not a chat completion)
        BudgetExceeded, Interrupted                                   (exit 2)
        DeviceBusy (another guiagent run holds the device)            (exit 3)
        RecordNotWritten (a full disk: the run stops, it is not done unrecorded)  (exit 1)
    the test (exit 1: the screen is not what the script expected)
        CheckFailed, NotFound (with the closest candidates), Refused (safety rules)
    the model (retried with the error as an observation; exit 1 if it persists)
        planners.BadModelReply, grounding.RemoteGrounderError
"""

from __future__ import annotations

from typing import Any

from devices.errors import (
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
from grounding.errors import (
    GrounderConfigError,
    GroundingError,
    ImageError,
    ModelMissing,
    RemoteGrounderError,
)
from planners.errors import BadModelReply, LLMConfigError, LLMUnavailable, PlannerError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_STOPPED = 2
EXIT_DEVICE = 3
EXIT_USAGE = 4


class GuiagentError(Exception):
    """Base of the errors raised by the guiagent layer itself."""


class UsageError(GuiagentError):
    """The command line or an input file is wrong."""


class ConfigError(GuiagentError):
    """The configuration file or environment holds a bad value."""


class BudgetExceeded(GuiagentError):
    """A run spent its step, token, cost or time budget."""


class Interrupted(GuiagentError):
    """The user stopped the run."""


class CheckFailed(GuiagentError):
    """A check that did not hold (a text not visible, a shell output): the test failed."""


class NotFound(CheckFailed):
    """A target that is not on the screen; ``candidates`` are the closest (element, score)."""

    def __init__(self, message: str, candidates: list[tuple[Any, float]] | None = None) -> None:
        super().__init__(message)
        self.candidates = list(candidates or [])


class RecordNotWritten(GuiagentError):
    """A run's record cannot be written (a full disk, an unwritable folder): the run stops."""


class DeviceBusy(GuiagentError):
    """Another guiagent run holds the device (its pid, task and start are in the message)."""


class Refused(GuiagentError):
    """The safety rules refused a risky action (send, delete, pay, ...)."""


USER_ERRORS: tuple[type[Exception], ...] = (
    UsageError, ConfigError, DeviceSpecError, DeviceNotFound, DisplayUnavailable,
    InputMethodMissing, ImageError, ModelMissing, GrounderConfigError, LLMConfigError,
)
DEVICE_ERRORS: tuple[type[Exception], ...] = (
    DeviceUnreachable, CaptureFailed, InputRefused, Unsupported, LLMUnavailable, DeviceBusy,
)
STOP_ERRORS: tuple[type[BaseException], ...] = (BudgetExceeded, Interrupted, KeyboardInterrupt)
MODEL_ERRORS: tuple[type[Exception], ...] = (BadModelReply, RemoteGrounderError)
KNOWN_ERRORS: tuple[type[Exception], ...] = (GuiagentError, DeviceError, GroundingError,
                                             PlannerError)


def exit_code_for(exc: BaseException) -> int:
    """The process exit code for an error that ends a command."""
    if isinstance(exc, USER_ERRORS):
        return EXIT_USAGE
    if isinstance(exc, STOP_ERRORS):
        return EXIT_STOPPED
    if isinstance(exc, DEVICE_ERRORS):
        return EXIT_DEVICE
    return EXIT_FAILED


__all__ = [
    "EXIT_DEVICE", "EXIT_FAILED", "EXIT_OK", "EXIT_STOPPED", "EXIT_USAGE", "BadModelReply",
    "BudgetExceeded", "CheckFailed", "ConfigError", "GuiagentError", "Interrupted",
    "KNOWN_ERRORS", "NotFound", "Refused", "UsageError", "exit_code_for", "DeviceBusy",
    "RecordNotWritten",
]
