"""A seeded monkey: random taps, swipes, keys and text never break the phone's invariants."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from devices.sim.phone import Phone

KEYS = ["KEYCODE_BACK", "KEYCODE_HOME", "KEYCODE_APP_SWITCH", "KEYCODE_ENTER", "KEYCODE_DEL"]


def random_event(phone: Phone, rng: random.Random) -> None:
    kind = rng.random()
    x, y = rng.randrange(phone.width), rng.randrange(phone.height)
    if kind < 0.55:
        phone.tap(x, y)
    elif kind < 0.7:
        phone.swipe(x, y, rng.randrange(phone.width), rng.randrange(phone.height), 300)
    elif kind < 0.8:
        phone.keyevent(rng.choice(KEYS))
    elif kind < 0.9:
        phone.text(rng.choice(["hello", "42", "Ünïcödé", "a b", "+1 555"]))
    else:
        phone.long_press(x, y)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_input_keeps_the_phone_consistent(seed: int) -> None:
    phone = Phone(seed=seed)
    rng = random.Random(seed)
    packages = set(phone.packages) | {"com.android.systemui"}
    for step in range(300):
        random_event(phone, rng)
        package, activity = phone.foreground()
        assert package in packages and activity
        root = ET.fromstring(phone.dump_hierarchy())
        assert root.tag == "hierarchy"
        if step % 25 == 0:
            assert phone.render().size == (1080, 2400)
    for cmd in ("settings get global wifi_on", "content query --uri content://sms"):
        assert phone.command(cmd.split()).exit_code == 0


def test_the_monkey_command_stays_in_its_package() -> None:
    phone = Phone()
    out = phone.command(["monkey", "-p", "com.android.deskclock", "-s", "7", "200"])
    assert b"Events injected: 200" in out.stdout
    assert phone.foreground()[0] == "com.android.deskclock"
