"""Loop detectors, and the app-model interface the loop uses.

A run is looping when it repeats the same action on the same screen three
times, when the screen stays unchanged three times in a row, or when a
sequence of (screen, action) pairs repeats. The guard escalates while the
loop lasts: 1 nudge, 2 replan, 3 stop.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from grounding.types import Screen
from planners.actions import Action, Wait
from planners.policy import screen_signature

REPEAT = 3
MAX_PERIOD = 3
STUCK_RESULTS = ("no_change", "not_found", "refused")


def action_key(action: Action) -> str:
    """A stable key for an action, e.g. ``tap|{"target":"Wi-Fi"}``."""
    return f"{action.type}|{action.model_dump_json(exclude_none=True, exclude={'type'})}"


def screen_key(screen: Screen) -> str:
    data = repr(screen_signature(screen.elements)).encode()
    return hashlib.blake2b(data, digest_size=8).hexdigest()


class StateTracker(Protocol):
    """What the loop needs of the app models (guiagent/app_tracker.py implements it)."""

    def locate(self, screen: Screen) -> str: ...

    def known(self, state: str) -> bool: ...

    def predict(self, state: str, action: Action, screen: Screen) -> str | None: ...

    def verify(self, before: str, action: Action, before_screen: Screen, after: str,
               after_screen: Screen) -> bool: ...

    def learn(self, before: str, action: Action, after: str, before_screen: Screen,
              after_screen: Screen, ok: bool) -> None: ...

    def rollback(self, state: str) -> tuple[str | None, list[Action]]: ...

    def save(self) -> None: ...


class LoopGuard:
    """Counts how long a loop has lasted; ``update`` returns (level 0..3, reason)."""

    def __init__(self, repeat: int = REPEAT) -> None:
        self.repeat = repeat
        self.keys: list[str] = []
        self.unchanged = 0
        self.level = 0

    def update(self, screen: Screen, action: Action, result: str) -> tuple[int, str]:
        """Feed one (screen before, action, its result); say whether the run loops."""
        if isinstance(action, Wait):
            return 0, ""  # waiting for something is bounded by the budget, not a loop
        self.keys.append(f"{screen_key(screen)}:{action_key(action)}")
        self.unchanged = self.unchanged + 1 if result in STUCK_RESULTS else 0
        reason = self._reason()
        self.level = self.level + 1 if reason else 0
        return min(self.level, 3), reason

    def _reason(self) -> str:
        k = self.keys
        if len(k) >= self.repeat and len(set(k[-self.repeat:])) == 1:
            return f"the same action on the same screen {self.repeat} times"
        if self.unchanged >= self.repeat:
            return f"the screen did not change {self.unchanged} times in a row"
        for p in range(2, MAX_PERIOD + 1):
            if len(k) >= 2 * p and k[-p:] == k[-2 * p:-p] and len(set(k[-p:])) > 1:
                return f"a sequence of {p} actions repeats"
        return ""
