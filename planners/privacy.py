"""Personal data stays on this machine: masked in texts and images sent to a remote model.

Emails, phone numbers, card numbers (Luhn-checked) and one-time codes become
placeholders such as ``<EMAIL_1>``; the same value keeps the same placeholder for a
whole run, and ``Masker.unmask`` turns the model's placeholders back into values
locally. Secrets are never on screen for the model: it writes ``{{secret:NAME}}``
and ``resolve_secrets`` fills the value in right before typing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from grounding.types import Screen
from planners.errors import SecretMissing

PII_CLASSES = ("email", "phone", "card", "otp")

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
PHONE = re.compile(r"(?<![\w.+:/-])(?:\+\d{1,3}[ -]?)?(?:\(\d{1,4}\)[ -]?)?"
                   r"\d{2,6}(?:[ -]\d{2,6}){1,4}(?![\w.:/-])"
                   r"|(?<![\w.+:/-])\+?\d{8,15}(?![\w.:/-])")
OTP_IN_CONTEXT = re.compile(r"(?<![\w.,:-])(?:\d{3}[ -]\d{3}|\d{4,8})(?![\w.,:-])")
OTP_ALONE = re.compile(r'(?:^|(?<="))\s*(\d{3}[ -]\d{3}|\d{6,8})\s*(?=$|")', re.MULTILINE)
OTP_WORDS = re.compile(r"\b(?:codes?|otp|passcode|pin|verification|one[- ]time|2fa)\b",
                       re.IGNORECASE)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}-\d{2}-\d{4}")
PLACEHOLDER = re.compile(r"<(EMAIL|PHONE|CARD|OTP)_(\d+)>")
SECRET = re.compile(r"\{\{\s*secret:([A-Za-z0-9_.-]+)\s*\}\}")


@dataclass(frozen=True)
class PrivacyConfig:
    """Which classes of personal data to mask; ``local_only``: refuse any non-loopback server."""

    classes: frozenset[str] = frozenset(PII_CLASSES)
    local_only: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.classes) - set(PII_CLASSES)
        if unknown:
            raise ValueError(f"unknown personal data classes {sorted(unknown)}; "
                             f"choose from {', '.join(PII_CLASSES)}")


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _cards(text: str) -> Iterable[tuple[int, int]]:
    for m in CARD.finditer(text):
        if luhn_ok(_digits(m.group())):
            yield m.span()


def _phones(text: str) -> Iterable[tuple[int, int]]:
    for m in PHONE.finditer(text):
        if 7 <= len(_digits(m.group())) <= 15 and not DATE.search(m.group()):
            yield m.span()


def _otps(text: str) -> Iterable[tuple[int, int]]:
    """Codes on a line that mentions a code, or a 6-8 digit number standing alone."""
    offset = 0
    for line in text.splitlines(keepends=True):
        if OTP_WORDS.search(line):
            yield from ((offset + a, offset + b) for a, b in
                        (m.span() for m in OTP_IN_CONTEXT.finditer(line)))
        else:
            yield from ((offset + a, offset + b) for a, b in
                        (m.span(1) for m in OTP_ALONE.finditer(line)))
        offset += len(line)


def find_pii(text: str, classes: Iterable[str] = PII_CLASSES) -> list[tuple[int, int, str]]:
    """Non-overlapping ``(start, end, class)`` spans, in text order."""
    finders = {"email": lambda t: (m.span() for m in EMAIL.finditer(t)), "card": _cards,
               "otp": _otps, "phone": _phones}
    spans: list[tuple[int, int, str]] = []
    for kind in ("email", "card", "otp", "phone"):  # priority: earlier classes claim first
        if kind not in classes:
            continue
        for start, end in finders[kind](text):
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, kind))
    return sorted(spans)


class Masker:
    """Masks texts and images with placeholders that stay stable for a whole run."""

    def __init__(self, classes: Iterable[str] = PII_CLASSES) -> None:
        self.classes = frozenset(classes)
        self._by_value: dict[str, str] = {}
        self.mapping: dict[str, str] = {}  # placeholder -> value

    def _placeholder(self, kind: str, value: str) -> str:
        if value not in self._by_value:
            count = sum(1 for p in self.mapping if p.startswith(f"<{kind.upper()}_")) + 1
            self._by_value[value] = f"<{kind.upper()}_{count}>"
            self.mapping[self._by_value[value]] = value
        return self._by_value[value]

    def text(self, text: str) -> str:
        """The text with every personal value replaced by its placeholder."""
        out, last = [], 0
        for start, end, kind in find_pii(text, self.classes):
            out += [text[last:start], self._placeholder(kind, text[start:end])]
            last = end
        return "".join(out) + text[last:]

    def unmask(self, text: str, *, strict: bool = True) -> str:
        """Placeholders back to values; one never issued is a ValueError (kept if not strict)."""
        def value(m: re.Match[str]) -> str:
            if m.group() not in self.mapping and strict:
                raise ValueError(f"{m.group()} is not a placeholder shown to you")
            return self.mapping.get(m.group(), m.group())
        return PLACEHOLDER.sub(value, text)

    def image(self, image: Image.Image, screen: Screen) -> Image.Image:
        """A copy with the box of every element that shows personal data filled."""
        out = image.convert("RGB")
        sx = image.width / screen.geometry.width
        sy = image.height / screen.geometry.height
        draw = ImageDraw.Draw(out)
        for el in screen.elements:
            if find_pii(el.text, self.classes) or find_pii(el.label, self.classes):
                b = el.box
                draw.rectangle((b.x1 * sx, b.y1 * sy, b.x2 * sx - 1, b.y2 * sy - 1),
                               fill=(128, 128, 128))
        return out


def mask_text(text: str, classes: Iterable[str] = PII_CLASSES) -> tuple[str, dict[str, str]]:
    """``(masked text, {placeholder: value})`` for one text."""
    masker = Masker(classes)
    return masker.text(text), masker.mapping


def mask_image(image: Image.Image, screen: Screen,
               classes: Iterable[str] = PII_CLASSES) -> Image.Image:
    """A copy of ``image`` (the screenshot of ``screen``, any scale) with personal data filled."""
    return Masker(classes).image(image, screen)


def resolve_secrets(text: str, secrets: dict[str, str]) -> str:
    """Replace ``{{secret:NAME}}`` with the user's value, right before typing."""
    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        found = secrets.get(name, secrets.get(name.upper()))
        if found is None:
            raise SecretMissing(f"the task needs secret '{name}': set GUIAGENT_SECRET_"
                                f"{name.upper()} in the environment")
        return found
    return SECRET.sub(value, text)


def is_loopback(base_url: str | None) -> bool:
    """True when the server is on this machine (localhost, 127.0.0.0/8, ::1)."""
    host = urlsplit(base_url or "https://api.openai.com/v1").hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
