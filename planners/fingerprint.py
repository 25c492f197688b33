"""Screen fingerprints: which known screen is this, robust to clock, battery and notifications.

A ``Fingerprint`` holds the app and activity, a *layout signature* and a
perceptual hash:

- layout signature: a multiset of tokens ``band|kind|where|text``, one per
  element. ``band`` is ``t`` for the toolbar band (centre above ``top_band``
  of the height) and ``m`` for the rest. ``where`` is the box centre and size
  quantised on a coarse grid (fractions of the screen, so resolution does not
  matter): ``col,row,w,h`` in the toolbar, ``col,,w,h`` below it, where
  content scrolls and its row says nothing about which screen it is. The text
  is normalised: lower case, every run of digits masked as ``#`` (clocks,
  counters and percentages look alike). Elements whose centre lies in the
  status-bar band (the top ``status_bar`` fraction) are left out, and so are
  text-less containers.
- perceptual hash: a 64-bit dHash of the screenshot with the status-bar band
  cropped off, when the screen has an image.

Matching rule (``similarity``): a different app, or two known activities that
differ (after normalisation), score 0. Otherwise the score is the Jaccard index
of the weighted token multisets (sum of minimum weights over sum of maximum
weights), where toolbar tokens weigh ``bar_weight`` (3) and the others 1: the
title and toolbar name a screen, list content is data. When both signatures
are empty (a screen perceived without any element) the score is
``1 - hamming / 64`` of the dHashes. Two screens match when the score is at
least ``threshold`` (0.5 by default); equal signatures (same ``digest``) score
1. Among candidates within ``tie_margin`` of the best score, the one with the
nearest dHash wins (``best_match``).

Why 0.5: on 25 real Android screens (shared/data/android-screens) and the
simulated phone's Settings pages, distinct screens of one app score at most
0.33, while the same list scrolled by a sixth of the screen, a feed that
finished loading or a picker showing another folder score 0.45-0.97 (scroll
steps 0.59-0.73). A state keeps its first and latest looks (``AppModel``), so
a list scrolled step by step stays one state.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from PIL import Image

from grounding.types import Element, Screen

HASH_BITS = 64
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIALOG_ANSWERS = frozenset({
    "ok", "cancel", "allow", "don't allow", "don’t allow", "deny", "not now", "yes", "no",
    "later", "rate", "close", "got it", "accept", "decline", "discard", "keep", "retry",
    "while using the app", "only this time", "turn on", "turn off", "no thanks", "remind me later",
})


@dataclass(frozen=True, slots=True)
class FingerprintConfig:
    """Knobs of fingerprinting and matching; defaults suit phones and desktops alike."""

    status_bar: float = 0.04          # top band ignored (clock, battery, notification icons)
    grid: tuple[int, int] = (12, 24)  # columns, rows for quantising box centres and sizes
    top_band: float = 0.15            # toolbar band (title, actions), below the status bar
    bar_weight: int = 3               # weight of toolbar tokens in the score
    threshold: float = 0.5            # minimum similarity for two screens to be the same state
    hash_threshold: int = 10          # max dHash distance for element-less screens
    tie_margin: float = 0.02          # scores this close are decided by the dHash
    max_text: int = 40                # texts are cut to this length before hashing


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What identifies a screen: app, activity, layout tokens and an optional dHash."""

    app: str
    activity: str | None
    tokens: tuple[str, ...]
    dhash: int | None = None
    counts: Counter[str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", Counter(self.tokens))

    @property
    def digest(self) -> str:
        """Short stable hash of app, activity and layout: equal digest = equal signature."""
        raw = "\n".join([self.app, self.activity or "", *sorted(self.tokens)])
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]

    def to_json(self) -> dict[str, object]:
        return {"app": self.app, "activity": self.activity, "tokens": list(self.tokens),
                "dhash": None if self.dhash is None else f"{self.dhash:016x}"}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Fingerprint:
        dhash = data.get("dhash")
        tokens = data.get("tokens") or []
        activity = data.get("activity")
        return cls(app=str(data["app"]), activity=None if activity is None else str(activity),
                   tokens=tuple(str(t) for t in tokens),  # type: ignore[attr-defined]
                   dhash=None if dhash is None else int(str(dhash), 16))


def normalize_text(text: str, max_len: int = 40) -> str:
    """Lower case, NFKC, digits masked, whitespace collapsed: ``'10:42 PM'`` -> ``'#:# pm'``."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _DIGITS.sub("#", text)
    return _SPACE.sub(" ", text).strip(" \t\n.,;:!?·•|")[:max_len]


def status_bar_px(screen: Screen, config: FingerprintConfig) -> int:
    return round(screen.geometry.height * config.status_bar)


def content_elements(screen: Screen, config: FingerprintConfig) -> list[Element]:
    """The elements that count for identity: below the status bar, not empty containers."""
    top = status_bar_px(screen, config)
    return [e for e in screen.elements if e.center.y >= top
            and not (e.kind == "container" and not (e.text or e.label))]


def element_token(e: Element, screen: Screen, config: FingerprintConfig) -> str:
    """``band|kind|col,row,w,h|text`` for one element (see the module docstring)."""
    cols, rows = config.grid
    w, h = screen.geometry.width, screen.geometry.height
    c = e.center
    band = "t" if c.y < h * config.top_band else "m"
    row = "" if band == "m" else c.y * rows // h       # content scrolls: its row is no identity
    size = f"{round(e.box.width * cols / w)},{round(e.box.height * rows / h)}"
    where = f"{c.x * cols // w},{row},{size}"
    text = normalize_text(e.text or e.label, config.max_text)
    return f"{band}|{e.kind}|{where}|{text}"


def dhash(image: Image.Image, crop_top: int = 0) -> int:
    """64-bit difference hash of an image (rows of 9 grey levels, compare neighbours)."""
    if crop_top and crop_top < image.height:
        image = image.crop((0, crop_top, image.width, image.height))
    small = image.convert("L").resize((9, 8), Image.Resampling.BILINEAR)
    px = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (px[row * 9 + col] > px[row * 9 + col + 1])
    return bits


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def fingerprint(screen: Screen, config: FingerprintConfig | None = None) -> Fingerprint:
    """The fingerprint of a perceived screen."""
    config = config or FingerprintConfig()
    tokens = tuple(sorted(element_token(e, screen, config)
                          for e in content_elements(screen, config)))
    image_hash = None
    if screen.image is not None:
        image_hash = dhash(screen.image, status_bar_px(screen, config))
    activity = normalize_text(screen.activity, 200) if screen.activity else None
    return Fingerprint(app=screen.app or "", activity=activity, tokens=tokens, dhash=image_hash)


def similarity(a: Fingerprint, b: Fingerprint, config: FingerprintConfig | None = None) -> float:
    """Score in 0..1 that two fingerprints show the same screen (rule in the module docstring)."""
    config = config or FingerprintConfig()
    if a.app != b.app or (a.activity and b.activity and a.activity != b.activity):
        return 0.0
    if not a.tokens and not b.tokens:
        if a.dhash is None or b.dhash is None:
            return 1.0 if a.dhash == b.dhash else 0.0
        return 1.0 - hamming(a.dhash, b.dhash) / HASH_BITS
    inter = union = 0
    for token in a.counts.keys() | b.counts.keys():
        weight = 1 if token.startswith("m|") else config.bar_weight
        inter += weight * min(a.counts[token], b.counts[token])
        union += weight * max(a.counts[token], b.counts[token])
    return inter / union


def matches(a: Fingerprint, b: Fingerprint, config: FingerprintConfig | None = None) -> bool:
    """Whether two fingerprints are the same state under ``config`` (see the module docstring)."""
    config = config or FingerprintConfig()
    if not a.tokens and not b.tokens and a.dhash is not None and b.dhash is not None:
        return hamming(a.dhash, b.dhash) <= config.hash_threshold
    return similarity(a, b, config) >= config.threshold


def best_match(fp: Fingerprint, candidates: Iterable[tuple[str, Sequence[Fingerprint]]],
               config: FingerprintConfig | None = None) -> tuple[str, float] | None:
    """The id of the candidate whose fingerprints match ``fp`` best, with its score, or None."""
    config = config or FingerprintConfig()
    scored = []
    for cid, fps in candidates:
        good = [(similarity(fp, other, config), other) for other in fps
                if matches(fp, other, config)]
        if good:
            score, other = max(good, key=lambda s: s[0])
            scored.append((score, _distance(fp, other), cid))
    if not scored:
        return None
    top = max(s[0] for s in scored)
    close = [s for s in scored if s[0] >= top - config.tie_margin]
    score, _, cid = min(close, key=lambda s: (s[1], -s[0]))
    return cid, score


def _distance(a: Fingerprint, b: Fingerprint) -> int:
    if a.dhash is None or b.dhash is None:
        return HASH_BITS
    return hamming(a.dhash, b.dhash)


def screen_title(screen: Screen, config: FingerprintConfig | None = None) -> str:
    """A title-ish name: the first text in the toolbar band, else the tallest in the top quarter."""
    config = config or FingerprintConfig()
    h = screen.geometry.height
    texts = [e for e in content_elements(screen, config)
             if e.text.strip() and e.center.y < h // 4 and e.kind not in ("input", "button")]
    bar = [e for e in texts if e.center.y < h * config.top_band]
    if bar:
        return min(bar, key=lambda e: (e.box.y1, e.box.x1)).text.strip()[:60]
    if texts:
        return max(texts, key=lambda e: (e.box.height, -e.box.y1)).text.strip()[:60]
    if screen.activity:
        return screen.activity.rsplit(".", 1)[-1].rsplit("/", 1)[-1][:60]
    return screen.app or "screen"


def keyboard_visible(screen: Screen) -> bool:
    """True when a soft keyboard's letter keys show up in the bottom half of the screen."""
    half = screen.geometry.height // 2
    keys = {e.text.strip().lower() for e in screen.elements
            if e.center.y > half and len(e.text.strip()) == 1}
    return sum(1 for row in _KEYBOARD_ROWS for ch in row if ch in keys) >= 15


def dialog_visible(screen: Screen, config: FingerprintConfig | None = None) -> bool:
    """True when the content sits in a floating window away from the screen edges, or two
    dialog answers ("Allow" / "Don't allow", "Cancel" / "OK") sit side by side mid-screen."""
    config = config or FingerprintConfig()
    elements = content_elements(screen, config)
    if not elements:
        return False
    return _answer_pair(elements, screen.geometry.height) or _floating(elements, screen)


def _answer_pair(elements: list[Element], height: int) -> bool:
    answers = [e for e in elements if normalize_text(e.text or e.label) in DIALOG_ANSWERS
               and 0.2 * height < e.center.y < 0.9 * height]
    return any(abs(a.center.y - b.center.y) < 0.03 * height and a.id != b.id
               for i, a in enumerate(answers) for b in answers[i + 1:])


def _floating(elements: list[Element], screen: Screen) -> bool:
    g = screen.geometry
    x1 = min(e.box.x1 for e in elements)
    x2 = max(e.box.x2 for e in elements)
    y1 = min(e.box.y1 for e in elements)
    y2 = max(e.box.y2 for e in elements)
    narrow = (x2 - x1) < 0.92 * g.width and x1 > 0.02 * g.width and x2 < 0.98 * g.width
    short = (y2 - y1) < 0.75 * g.height
    return narrow and short
