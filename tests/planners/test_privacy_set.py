"""The personal-data set of bench/pii_set.jsonl: no positive leaks, look-alikes stay readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planners.privacy import find_pii, mask_text

SET = Path(__file__).resolve().parents[2] / "bench" / "pii_set.jsonl"
CASES = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line]


def leaks(text: str, value: str) -> bool:
    """Some letter or digit of ``value`` lies outside every masked span."""
    start = text.index(value)
    spans = find_pii(text)
    return any(not any(a <= i < b for a, b, _ in spans)
               for i in range(start, start + len(value)) if text[i].isalnum())


def test_the_set_is_big_and_varied() -> None:
    classes = [p["class"] for c in CASES for p in c["pii"]]
    assert len(CASES) >= 200
    assert {k: classes.count(k) >= 15 for k in ("email", "phone", "card", "otp")} == {
        "email": True, "phone": True, "card": True, "otp": True}
    assert sum(1 for c in CASES if "lookalike" in c) >= 100


def test_no_positive_of_the_set_leaks() -> None:
    leaked = [(p["class"], c["text"]) for c in CASES for p in c["pii"]
              if leaks(c["text"], p["value"])]
    assert leaked == []


def test_look_alikes_of_the_set_are_kept() -> None:
    masked = [(c["lookalike"], mask_text(c["text"])[0]) for c in CASES if "lookalike" in c]
    assert [(value, out) for value, out in masked if value not in out] == []


@pytest.mark.parametrize(("text", "masked"), [
    ("Your code is 482913. Do not share it.", "Your code is <OTP_1>. Do not share it."),
    ("G-482913 is your verification code.", "G-<OTP_1> is your verification code."),
    ("Your code: 482913.", "Your code: <OTP_1>."),
    ("Use 482913 to sign in", "Use <OTP_1> to sign in"),
    ("call me at 415-555-2671.", "call me at <PHONE_1>."),
    ("text +1 415 555 2671 the code 302918", "text <PHONE_1> the code <OTP_1>"),
])
def test_the_strings_that_leaked(text: str, masked: str) -> None:
    assert mask_text(text)[0] == masked
