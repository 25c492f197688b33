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


@contextlib.contextmanager
def device_lock(device: Any, task: str, wait_s: float = WAIT_S,
                root: Path | None = None) -> Iterator[None]:
    """Hold ``device``'s lock while the block runs; DeviceBusy after ``wait_s`` seconds."""
    name = lock_name(device)
    if name is None:
        yield
        return
    path = (root or data_dir() / "locks") / f"{name}.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise RecordNotWritten(f"cannot create the device lock {path}: "
                               f"{exc.strerror or exc}") from exc
    try:
        _acquire(fd, path, str(getattr(device, "id", device)), wait_s)
        _write_holder(fd, task)
        yield
    finally:
        os.close(fd)   # closing the descriptor releases the lock


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
