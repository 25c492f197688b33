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

# Every pattern here reads untrusted text (screens, tasks, model replies) and runs in linear
# time: each starts only at a token boundary and its repeats are bounded or unambiguous.
EMAIL = re.compile(r"(?<![\w.%+'-])[\w%+-][\w.%+'-]{0,63}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}"
                   r"\.[^\W\d_]{2,63}(?![\w-])")
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
PHONE = re.compile(r"(?<![\w.,/#$€£¥₹+*-])\+?\(?\d[\d().-]*(?:[ \u00a0]\(?\d[\d().-]*)*")
OTP_CODE = re.compile(r"(?<!\d)(?<!\d[ -])(?:\d{3}[ -]\d{3}|\d{4}[ -]\d{4}|\d{4,8})(?![ -]?\d)")
OTP_LETTERS = re.compile(r"(?<![\w-])[A-Z0-9]{6,8}(?![\w-])")
OTP_ALONE = re.compile(r'(?:^|(?<="))[ \t]*(\d{3}[ -]\d{3}|\d{6,8})[ \t]*(?=$|")')
# Words that say a number on the same line is a one-time code, in the languages codes come in.
OTP_WORDS = re.compile(
    r"code|c[oó]dig|codice|kod|koodi|код|κωδικ|קוד|رمز|验证|校验码|动态码|驗證|コード|認証|"
    r"인증|\botp\b|passcode|passwor|contraseña|mot de passe|пароль|\bpin\b|verif|one[- ]?time|"
    r"\b[2m]fa\b|sign[- ]?in|log[- ]?in|\btoken|\bmã\b|xác minh|รหัส",
    re.IGNORECASE)
NOT_OTP = re.compile(r"(?:zip|postal|post|area|country|error|promo|promotional|discount|coupon|"
                     r"source|dress|bar|qr|status|exit|referral|tracking|product|sort|dialing|"
                     r"country calling)\W{0,3}$", re.IGNORECASE)
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
        start, number = m.start(), m.group().rstrip("-.( \u00a0")
        if number.count("(") < number.count(")"):
            number = number.rstrip(")")
        end = start + len(number)
        if _number_goes_on(text, end) or not is_phone(number):
            continue
        yield start, end


def _number_goes_on(text: str, end: int) -> bool:
    """The match is part of a longer token: a unit, a time, a decimal, a fraction, a percent."""
    after = text[end:end + 2]
    if not after:
        return False
    return after[0].isalnum() or after[0] in "%_" or (
        after[0] in ".,:/" and len(after) > 1 and after[1].isdigit())


def is_phone(number: str) -> bool:
    """Phone-number shape: 7-15 digits grouped like a number, not a date, version, IP or amount."""
    groups = [g for g in re.split(r"\D+", number) if g]
    digits = sum(map(len, groups))
    marked = number.startswith("+") or "(" in number
    if not 7 <= digits <= 15 or len(groups[-1]) == 1:
        return False
    if len(groups) == 1:
        return marked or digits >= 10
    if "." in number and (digits < 9 or min(map(len, groups)) < 2 or
                          (len(groups) == 4 and max(map(len, groups)) <= 3)):
        return False
    return marked or not (_date_like(groups) or _thousands(number, groups))


def _date_like(groups: list[str]) -> bool:
    sizes = [len(g) for g in groups]
    if sizes == [4, 4]:
        return all(g[:2] in ("19", "20") for g in groups)
    return len(sizes) == 3 and (sizes[0] == 4 and max(sizes[1:]) <= 2
                                or sizes[2] == 4 and max(sizes[:2]) <= 2)


def _thousands(number: str, groups: list[str]) -> bool:
    """``1 234 567``: an amount with space separators (a phone's first group starts with 0)."""
    return (not number.startswith("0") and len(groups[0]) <= 3
            and all(len(g) == 3 for g in groups[1:]) and not re.search(r"[^\d \u00a0]", number))


def _otps(text: str) -> Iterable[tuple[int, int]]:
    """Codes on a line that says it holds a code, or a code-shaped number standing alone."""
    offset = 0
    for line in text.splitlines(keepends=True):
        if _says_code(line):
            yield from ((offset + a, offset + b) for a, b in _codes(line))
        else:
            yield from ((offset + a, offset + b) for a, b in
                        (m.span(1) for m in OTP_ALONE.finditer(line)))
        offset += len(line)


def _says_code(line: str) -> bool:
    """The line has a word for a code that is not a zip, area, error or promo code."""
    return any(not NOT_OTP.search(line[max(0, m.start() - 24):m.start()])
               for m in OTP_WORDS.finditer(line))


def _codes(line: str) -> Iterable[tuple[int, int]]:
    for m in OTP_CODE.finditer(line):
        before = line[max(0, m.start() - 2):m.start()]
        if _number_goes_on(line, m.end()) or before[-1:] in ("#", "$", "€", "£", "¥") or (
                len(before) == 2 and before[1] in ".,:/" and before[0].isdigit()):
            continue
        yield m.span()
    for m in OTP_LETTERS.finditer(line):
        code = m.group()
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            yield m.span()


def find_pii(text: str, classes: Iterable[str] = PII_CLASSES) -> list[tuple[int, int, str]]:
    """Non-overlapping ``(start, end, class)`` spans, in text order."""
    finders = {"email": lambda t: (m.span() for m in EMAIL.finditer(t)), "card": _cards,
               "otp": _otps, "phone": _phones}
    spans: list[tuple[int, int, str]] = []
    claimed = bytearray(len(text))     # one flag per character: linear, however many spans
    for kind in ("email", "card", "otp", "phone"):  # priority: earlier classes claim first
        if kind not in classes:
            continue
        for start, end in finders[kind](text):
            if not any(claimed[start:end]):
                claimed[start:end] = b"\x01" * (end - start)
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
