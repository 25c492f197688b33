"""One guiagent run per device: a lock file per device, held for the run's lifetime.

Two runs driving one phone or one X display fight over it and both fail for
misleading reasons. ``device_lock`` takes an ``fcntl`` lock on
``<data dir>/locks/<device>.lock`` (the kernel releases it when the process ends, so a
crash leaves no stale lock); a second run waits up to ``wait_s``, then stops naming the
holder (pid, task, since when). The simulated phone is per process and needs no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guiagent.config import data_dir
from guiagent.errors import DeviceBusy, RecordNotWritten

WAIT_S = 10.0


def lock_name(device: Any) -> str | None:
    """The lock a device needs: one per X display (monitors share a mouse), one per phone;
    None for the simulated phone (each process has its own)."""
    device_id = str(getattr(device, "id", device))
    if device_id.split(":", 1)[0] == "sim":
        return None
    display = getattr(getattr(device, "target", None), "display", None)
    name = f"desktop{display}" if display else device_id
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


class DeviceLock:
    """A device's lock, held from ``acquire()`` to ``release()`` (a flow worker's lifetime)."""

    def __init__(self, device: Any, task: str, wait_s: float = WAIT_S,
                 root: Path | None = None) -> None:
        self.device_id = str(getattr(device, "id", device))
        name = lock_name(device)
        self.path = (root or data_dir() / "locks") / f"{name}.lock" if name else None
        self.task, self.wait_s = task, wait_s
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock (waiting up to ``wait_s``); DeviceBusy names the holder."""
        if self.path is None or self._fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise RecordNotWritten(f"cannot create the device lock {self.path}: "
                                   f"{exc.strerror or exc}") from exc
        try:
            _acquire(fd, self.path, self.device_id, self.wait_s)
            _write_holder(fd, self.task)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)   # closing the descriptor releases the lock
            self._fd = None


@contextlib.contextmanager
def device_lock(device: Any, task: str, wait_s: float = WAIT_S,
                root: Path | None = None) -> Iterator[None]:
    """Hold ``device``'s lock while the block runs; DeviceBusy after ``wait_s`` seconds."""
    lock = DeviceLock(device, task, wait_s, root)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _acquire(fd: int, path: Path, device_id: str, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise DeviceBusy(f"{device_id} is in use by another guiagent run "
                                 f"({_holder(path)}); wait for it to end or use another "
                                 "device") from None
            time.sleep(0.2)


def _write_holder(fd: int, task: str) -> None:
    info = {"pid": os.getpid(), "task": task, "since": time.strftime("%Y-%m-%d %H:%M:%S")}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"pid {info['pid']}, task {info['task']!r}, since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"
