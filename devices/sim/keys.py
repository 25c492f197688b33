"""Android key codes by name (``KEYCODE_BACK`` = 4) and the characters some keys type."""

from __future__ import annotations

KEYCODES = {
    "HOME": 3, "BACK": 4, "CALL": 5, "DPAD_UP": 19, "DPAD_DOWN": 20, "DPAD_LEFT": 21,
    "DPAD_RIGHT": 22, "VOLUME_UP": 24, "VOLUME_DOWN": 25, "POWER": 26, "CAMERA": 27,
    "COMMA": 55, "PERIOD": 56, "TAB": 61, "SPACE": 62, "ENTER": 66, "DEL": 67, "MINUS": 69,
    "EQUALS": 70, "SLASH": 76, "AT": 77, "PLUS": 81, "MENU": 82, "SEARCH": 84,
    "ESCAPE": 111, "FORWARD_DEL": 112, "APP_SWITCH": 187, "WAKEUP": 224, "SLEEP": 223,
}
KEYCODES.update({str(d): 7 + d for d in range(10)})
KEYCODES.update({chr(c): 29 + c - ord("A") for c in range(ord("A"), ord("Z") + 1)})
CHARS = {55: ",", 56: ".", 62: " ", 69: "-", 70: "=", 76: "/", 77: "@", 81: "+"}
CHARS.update({7 + d: str(d) for d in range(10)})
CHARS.update({29 + i: chr(ord("a") + i) for i in range(26)})


def keycode(code: int | str) -> int:
    """4, "4", "BACK" or "KEYCODE_BACK" -> 4; ValueError for an unknown name."""
    if isinstance(code, int):
        return code
    name = code.strip().upper()
    if name.isdigit():
        return int(name)
    name = name.removeprefix("KEYCODE_")
    if name not in KEYCODES:
        raise ValueError(f"unknown keycode {code!r}")
    return KEYCODES[name]
