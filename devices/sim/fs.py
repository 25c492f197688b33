"""An in-memory filesystem for the simulated phone: what sync push/pull and the shell see."""

from __future__ import annotations

import posixpath
import stat as stat_mod
import threading
import time
from dataclasses import dataclass

FILE_MODE = stat_mod.S_IFREG | 0o644
DIR_MODE = stat_mod.S_IFDIR | 0o755


class FSError(OSError):
    """A filesystem operation failed; ``strerror`` reads like Android's toybox messages."""


@dataclass(slots=True)
class FileStat:
    """What ``stat`` reports for one path."""

    mode: int
    size: int
    mtime: int

    @property
    def is_dir(self) -> bool:
        return stat_mod.S_ISDIR(self.mode)


@dataclass(slots=True)
class _Node:
    mode: int
    mtime: int
    data: bytes = b""


def normpath(path: str) -> str:
    """Absolute, normalized path; relative paths are taken from ``/``."""
    return posixpath.normpath("/" + path.lstrip("/")) if path else "/"


class VirtualFS:
    """Files and directories kept in a dict, safe to use from several threads."""

    def __init__(self, dirs: tuple[str, ...] = ("/sdcard", "/data/local/tmp")) -> None:
        self._nodes: dict[str, _Node] = {"/": _Node(DIR_MODE, _now())}
        self._lock = threading.RLock()
        for d in dirs:
            self.mkdir(d, parents=True)

    def exists(self, path: str) -> bool:
        return normpath(path) in self._nodes

    def stat(self, path: str) -> FileStat:
        node = self._get(path)
        return FileStat(node.mode, len(node.data), node.mtime)

    def read(self, path: str) -> bytes:
        node = self._get(path)
        if stat_mod.S_ISDIR(node.mode):
            raise FSError(21, f"{path}: Is a directory")
        return node.data

    def write(self, path: str, data: bytes, mode: int = 0o644, mtime: int | None = None) -> None:
        """Create or replace a file; its parent directory must exist."""
        p = normpath(path)
        with self._lock:
            self._require_dir(posixpath.dirname(p), path)
            old = self._nodes.get(p)
            if old is not None and stat_mod.S_ISDIR(old.mode):
                raise FSError(21, f"{path}: Is a directory")
            perm = stat_mod.S_IMODE(mode) or 0o644
            self._nodes[p] = _Node(stat_mod.S_IFREG | perm, mtime or _now(), bytes(data))

    def append(self, path: str, data: bytes) -> None:
        with self._lock:
            old = self.read(path) if self.exists(path) else b""
            self.write(path, old + data)

    def mkdir(self, path: str, parents: bool = False) -> None:
        p = normpath(path)
        with self._lock:
            if p in self._nodes:
                if parents and self.stat(p).is_dir:
                    return
                raise FSError(17, f"{path}: File exists")
            parent = posixpath.dirname(p)
            if parents and parent not in self._nodes:
                self.mkdir(parent, parents=True)
            self._require_dir(parent, path)
            self._nodes[p] = _Node(DIR_MODE, _now())

    def listdir(self, path: str) -> list[str]:
        """Names directly inside a directory, sorted."""
        p = normpath(path)
        with self._lock:
            self._require_dir(p, path)
            prefix = p.rstrip("/") + "/"
            return sorted(k[len(prefix):] for k in self._nodes
                          if k.startswith(prefix) and k != p and "/" not in k[len(prefix):])

    def remove(self, path: str) -> None:
        """Remove a file or an empty directory."""
        p = normpath(path)
        with self._lock:
            node = self._get(path)
            if stat_mod.S_ISDIR(node.mode) and self.listdir(p):
                raise FSError(39, f"{path}: Directory not empty")
            if p == "/":
                raise FSError(16, f"{path}: Device or resource busy")
            del self._nodes[p]

    def _get(self, path: str) -> _Node:
        node = self._nodes.get(normpath(path))
        if node is None:
            raise FSError(2, f"{path}: No such file or directory")
        return node

    def _require_dir(self, p: str, shown: str) -> None:
        node = self._nodes.get(p)
        if node is None:
            raise FSError(2, f"{shown}: No such file or directory")
        if not stat_mod.S_ISDIR(node.mode):
            raise FSError(20, f"{shown}: Not a directory")


def _now() -> int:
    return int(time.time())
