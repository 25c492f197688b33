"""Personal data detection, stable placeholders, image masking, secrets, loopback."""

from __future__ import annotations

import pytest
from PIL import Image

from devices.geometry import Box, ScreenGeometry
from grounding.types import Element, Screen
from planners.errors import SecretMissing
from planners.privacy import (
    Masker,
    PrivacyConfig,
    find_pii,
    is_loopback,
    luhn_ok,
    mask_image,
    mask_text,
    resolve_secrets,
)


@pytest.mark.parametrize(("text", "masked"), [
    ("Mail bob.smith@example.com now", "Mail <EMAIL_1> now"),
    ("Call +1 (555) 123-4567", "Call <PHONE_1>"),
    ("Call 07700 900123 or +14155550123", "Call <PHONE_1> or <PHONE_2>"),
    ("Card 4111 1111 1111 1111 exp 12/27", "Card <CARD_1> exp 12/27"),
    ("Card 5500-0000-0000-0004", "Card <CARD_1>"),
    ("Your verification code is 482913", "Your verification code is <OTP_1>"),
    ('[7] text "482 913"', '[7] text "<OTP_1>"'),
    ("PIN 1234", "PIN <OTP_1>"),
])
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask_text(text)[0] == masked


@pytest.mark.parametrize("text", [
    "Android version 14.0.1", "2026-11-21 10:30", "192.168.1.10", "Battery 85%",
    "Card 4111 1111 1111 1112", "Storage 1 234 567 bytes", "[3] text \"Build 2048\"",
    "Wi-Fi", "[12] button \"OK\"",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_text(text) == (text, {})


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("79927398713")
    assert not luhn_ok("4111111111111112")


def test_classes_can_be_chosen() -> None:
    text = "a@b.io, +44 7700 900123"
    assert [kind for _, _, kind in find_pii(text, ["phone"])] == ["phone"]
    assert Masker(["email"]).text(text) == "<EMAIL_1>, +44 7700 900123"
    with pytest.raises(ValueError, match="unknown personal data classes"):
        PrivacyConfig(classes=frozenset({"ssn"}))


def test_placeholders_are_stable_for_a_run_and_unmask() -> None:
    masker = Masker()
    assert masker.text("from a@b.io") == "from <EMAIL_1>"
    assert masker.text("to c@d.io, cc a@b.io") == "to <EMAIL_2>, cc <EMAIL_1>"
    assert masker.unmask("write <EMAIL_2>") == "write c@d.io"
    with pytest.raises(ValueError, match="<PHONE_1> is not a placeholder"):
        masker.unmask("<PHONE_1>")
    assert masker.unmask("<PHONE_1>", strict=False) == "<PHONE_1>"


def test_image_boxes_of_personal_elements_are_filled_at_any_scale() -> None:
    screen = Screen([Element(1, Box(10, 10, 110, 50), "text", "me@home.net"),
                     Element(2, Box(10, 60, 110, 100), "button", "OK")],
                    ScreenGeometry(200, 200))
    half = mask_image(Image.new("RGB", (100, 100), "white"), screen)
    assert half.getpixel((30, 15)) == (128, 128, 128)
    assert half.getpixel((30, 40)) == (255, 255, 255)
    assert mask_image(Image.new("RGB", (200, 200), "white"), screen, ["phone"]).getpixel(
        (50, 30)) == (255, 255, 255)


def test_secrets_are_resolved_locally() -> None:
    assert resolve_secrets("pw: {{secret:WIFI_PW}}!", {"WIFI_PW": "hunter2"}) == "pw: hunter2!"
    assert resolve_secrets("no secrets", {}) == "no secrets"
    with pytest.raises(SecretMissing, match="GUIAGENT_SECRET_PIN"):
        resolve_secrets("{{secret:pin}}", {})


@pytest.mark.parametrize(("url", "local"), [
    ("http://127.0.0.1:8000/v1", True), ("http://localhost:11434/v1", True),
    ("http://[::1]:8000/v1", True), ("http://127.1.2.3/v1", True), (None, False),
    ("https://api.openai.com/v1", False), ("http://192.168.1.20:8000/v1", False),
    ("http://localhost.evil.com/v1", False),
])
def test_loopback(url: str | None, local: bool) -> None:
    assert is_loopback(url) is local
