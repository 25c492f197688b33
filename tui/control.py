"""Thread-safe controls between the terminal UI and a loop running in a worker thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Approval:
    """A question the loop asks the person: approve this action or not."""

    prompt: str
    answer: bool | None = None


class RunControl:
    """Pause, resume, stop, step mode and approvals for one run.

    The loop's thread calls ``checkpoint()`` between records and ``confirm()``
    for risky actions; the UI thread calls the rest. ``ask`` is how the UI is
    told that a question is waiting (it is called from the loop's thread).
    """

    def __init__(self, ask: Callable[[Approval], None], step_mode: bool = False) -> None:
        self._ask = ask
        self._running = threading.Event()
        self._running.set()
        self._stopped = threading.Event()
        self._answered = threading.Event()
        self._pending: Approval | None = None
        self.step_mode = step_mode
        self.taken_over = False

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self.taken_over = False
        self._running.set()

    def take_over(self) -> None:
        """The person drives the device; the loop waits until ``resume``."""
        self.taken_over = True
        self.pause()

    def stop(self) -> None:
        self._stopped.set()
        self._running.set()
        self.answer(False)

    def checkpoint(self) -> bool:
        """Block while paused; False once the run should stop."""
        self._running.wait()
        return not self.stopped

    def confirm(self, prompt: str) -> bool:
        """Ask the person; blocks the loop's thread until answered (a stop answers no)."""
        if self.stopped:
            return False
        approval = Approval(prompt)
        self._pending = approval
        self._answered.clear()
        self._ask(approval)
        self._answered.wait()
        self._pending = None
        return bool(approval.answer)

    def answer(self, ok: bool) -> None:
        if self._pending is not None:
            self._pending.answer = ok
        self._answered.set()
