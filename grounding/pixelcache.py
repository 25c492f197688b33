"""Results remembered by the pixels they were computed from: a crop seen again (the
unchanged part of the last frame, a repeated label) costs no model run."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")


def pixel_key(crop: np.ndarray) -> bytes:
    """A digest of a crop's pixels and shape."""
    digest = hashlib.blake2b(np.ascontiguousarray(crop).data, digest_size=16)
    digest.update(str(crop.shape).encode())
    return digest.digest()


class PixelCache(Generic[T]):
    """At most ``size`` results by ``pixel_key``; the oldest go first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[bytes, T] = OrderedDict()

    def __contains__(self, key: bytes) -> bool:
        return key in self._items

    def __getitem__(self, key: bytes) -> T:
        return self._items[key]

    def __len__(self) -> int:
        return len(self._items)

    def put(self, key: bytes, value: T) -> None:
        self._items[key] = value
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()
