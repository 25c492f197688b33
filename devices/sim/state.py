"""What the simulated phone remembers: settings and each app's data, seeded and resettable."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SETTINGS_DEFAULTS: dict[str, dict[str, str]] = {
    "global": {"airplane_mode_on": "0", "wifi_on": "1", "bluetooth_on": "0",
               "mobile_data": "1", "auto_time": "1", "zen_mode": "0", "device_name": "Pixel 7"},
    "system": {"screen_brightness": "102", "screen_brightness_mode": "0",
               "screen_off_timeout": "60000", "font_scale": "1.0", "accelerometer_rotation": "0",
               "volume_ring": "5", "vibrate_when_ringing": "0"},
    "secure": {"ui_night_mode": "1", "location_mode": "3", "android_id": "8f2d51c7a1b0e3d4",
               "default_input_method": "com.google.android.inputmethod.latin/"
                                       "com.android.inputmethod.latin.LatinIME"},
}

# Networks in range: SSID -> password ("" for an open network).
WIFI_NETWORKS = {"AndroidWifi": "", "HomeNet": "hunter22", "CoffeeShop Guest": "",
                 "Neighbor-5G": "x9!kd02"}

CORE_CONTACTS = [
    ("Alice Johnson", "+1 555-0101"), ("Bob Smith", "+1 555-0102"),
    ("Carol Williams", "+1 555-0103"), ("David Brown", "+1 555-0104"),
    ("Emma Davis", "+1 555-0105"), ("Frank Miller", "+1 555-0106"),
]
EXTRA_FIRST = ["Grace", "Henry", "Isabel", "Jack", "Karen", "Liam", "Mia", "Noah", "Olivia",
               "Paul", "Quinn", "Rosa", "Sam", "Tina", "Victor", "Wendy", "Yusuf", "Zoe"]
EXTRA_LAST = ["Anderson", "Clark", "Garcia", "Harris", "Lewis", "Martin", "Moore", "Nguyen",
              "Patel", "Robinson", "Taylor", "Thomas", "Walker", "White", "Young"]

BASE_TIME_MS = 1_763_718_060_000   # Fri 2025-11-21 09:41 UTC: the phone's "now" at boot


@dataclass(slots=True)
class Contact:
    id: int
    name: str
    number: str
    email: str = ""


@dataclass(slots=True)
class Message:
    id: int
    address: str          # the other party's number
    body: str
    type: int             # 1 inbox (received), 2 sent
    date: int             # ms since the epoch
    read: int = 1


@dataclass(slots=True)
class Alarm:
    id: int
    hour: int
    minutes: int
    enabled: bool = True
    label: str = ""


@dataclass(slots=True)
class Note:
    id: int
    title: str
    body: str = ""


@dataclass(slots=True)
class PhoneState:
    """Everything apps read and write; ``seed`` varies the extras, never the core data."""

    seed: int = 0
    settings: dict[str, dict[str, str]] = field(default_factory=dict)
    contacts: list[Contact] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    calculator: str = ""
    wifi_ssid: str = "AndroidWifi"          # the network Wi-Fi joins when it is on
    wifi_saved: set[str] = field(default_factory=lambda: {"AndroidWifi"})
    dismissed: set[int] = field(default_factory=set)      # notifications swiped away
    next_id: int = 100

    @classmethod
    def seeded(cls, seed: int = 0) -> PhoneState:
        state = cls(seed=seed)
        state.settings = {ns: dict(v) for ns, v in SETTINGS_DEFAULTS.items()}
        for package in PACKAGE_DATA:
            state.reset(package)
        return state

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def reset(self, package: str) -> bool:
        """Back to the seeded data of one app (``pm clear``); False if it keeps no data."""
        fill = PACKAGE_DATA.get(package)
        if fill is None:
            return False
        fill(self, random.Random(f"{self.seed}:{fill.__name__}"))  # one rng per data set
        return True

    # --- settings -----------------------------------------------------------------

    def get(self, namespace: str, key: str) -> str | None:
        return self.settings.get(namespace, {}).get(key)

    def put(self, namespace: str, key: str, value: str) -> None:
        self.settings.setdefault(namespace, {})[key] = value

    def flag(self, namespace: str, key: str) -> bool:
        return self.get(namespace, key) == "1"

    def set_flag(self, namespace: str, key: str, on: bool) -> None:
        self.put(namespace, key, "1" if on else "0")

    def set_airplane(self, on: bool) -> None:
        """Airplane mode turns the radios off and Wi-Fi back on as it was, like Android."""
        self.set_flag("global", "airplane_mode_on", on)
        if on:
            self.put("global", "wifi_before_airplane", self.get("global", "wifi_on") or "0")
            self.set_flag("global", "wifi_on", False)
            self.set_flag("global", "bluetooth_on", False)
        else:
            self.put("global", "wifi_on", self.get("global", "wifi_before_airplane") or "1")

    # --- lookups ------------------------------------------------------------------

    def contact_for(self, number: str) -> Contact | None:
        digits = _digits(number)
        return next((c for c in self.contacts if _digits(c.number) == digits and digits), None)

    def display_name(self, number: str) -> str:
        c = self.contact_for(number)
        return c.name if c else number

    def threads(self) -> list[tuple[str, Message]]:
        """(address, latest message) per conversation, newest first."""
        latest: dict[str, Message] = {}
        for m in self.messages:
            key = _digits(m.address)
            if key not in latest or m.date >= latest[key].date:
                latest[key] = m
        ordered = sorted(latest.values(), key=lambda m: m.date, reverse=True)
        return [(m.address, m) for m in ordered]

    def notifications(self) -> list[Message]:
        """Unread received texts not dismissed: the newest per sender, newest first."""
        unread = [m for m in self.messages if m.type == 1 and not m.read
                  and m.id not in self.dismissed]
        latest: dict[str, Message] = {}
        for m in sorted(unread, key=lambda m: m.date):
            latest[_digits(m.address)] = m
        return sorted(latest.values(), key=lambda m: m.date, reverse=True)

    def mark_read(self, address: str) -> None:
        for m in self.conversation(address):
            m.read = 1

    def conversation(self, address: str) -> list[Message]:
        digits = _digits(address)
        return sorted((m for m in self.messages if _digits(m.address) == digits),
                      key=lambda m: m.date)


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())[-10:]


def _fill_contacts(state: PhoneState, rng: random.Random) -> None:
    people = list(CORE_CONTACTS)
    for first in rng.sample(EXTRA_FIRST, 10):
        number = f"+1 555-{rng.randint(200, 999):04d}"
        people.append((f"{first} {rng.choice(EXTRA_LAST)}", number))
    state.contacts = [Contact(i + 1, name, number, _email(name))
                      for i, (name, number) in enumerate(people)]


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.com"


def _fill_messages(state: PhoneState, rng: random.Random) -> None:
    t = BASE_TIME_MS - 6 * 3600_000
    script = [("+1 555-0102", "Are we still on for lunch tomorrow?", 1),
              ("+1 555-0102", "Yes, 12:30 at the usual place", 2),
              ("+1 555-0103", "Can you send me the slides?", 1),
              ("+1 555-0104", "Happy birthday!", 2),
              ("+1 555-0199", "Your verification code is 482913", 1)]
    rng.shuffle(script[2:])
    state.messages = [Message(i + 1, a, body, kind, t + i * 1_800_000)
                      for i, (a, body, kind) in enumerate(script)]


def _fill_alarms(state: PhoneState, rng: random.Random) -> None:
    state.alarms = [Alarm(1, 7, 0, True, "Work"), Alarm(2, 8, 30, False, ""),
                    Alarm(3, 9, 15, False, "Gym")]


def _fill_notes(state: PhoneState, rng: random.Random) -> None:
    notes = [("Shopping list", "Milk\nEggs\nBread"), ("Ideas", "Learn to play guitar"),
             ("Packing", "Passport, charger, sunglasses")]
    state.notes = [Note(i + 1, t, b) for i, (t, b) in enumerate(notes)]


def _fill_calculator(state: PhoneState, rng: random.Random) -> None:
    state.calculator = ""


PACKAGE_DATA = {
    "com.android.contacts": _fill_contacts,
    "com.android.providers.contacts": _fill_contacts,
    "com.google.android.apps.messaging": _fill_messages,
    "com.android.providers.telephony": _fill_messages,
    "com.android.deskclock": _fill_alarms,
    "com.example.notes": _fill_notes,
    "com.android.calculator2": _fill_calculator,
}
