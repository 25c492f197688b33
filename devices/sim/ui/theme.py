"""Screen metrics and Material-like colour palettes (light and dark theme)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, DENSITY = 1080, 2400, 420
STATUS_H = 96          # status bar
NAV_H = 132            # three-button navigation bar
APPBAR_H = 176         # top app bar
ITEM_H = 196           # two-line list item
ROW_H = 168            # one-line list item
KEYBOARD_H = 760       # on-screen keyboard
CONTENT_TOP = STATUS_H
CONTENT_BOTTOM = HEIGHT - NAV_H

ICONS = {
    "search": 0xE8B6, "arrow_back": 0xE5C4, "more_vert": 0xE5D4, "add": 0xE145,
    "delete": 0xE872, "share": 0xE80D, "send": 0xE163, "settings": 0xE8B8, "wifi": 0xE63E,
    "wifi_off": 0xE648, "airplane": 0xE195, "bluetooth": 0xE1A7, "brightness": 0xE1AC,
    "battery_full": 0xE1A4, "signal": 0xE1C8, "person": 0xE7FD, "message": 0xE0C9,
    "alarm": 0xE855, "calculate": 0xEA5F, "note": 0xE06F, "phone": 0xE0CD, "camera": 0xE3B0,
    "public": 0xE80B, "home": 0xE88A, "apps": 0xE5C3, "edit": 0xE3C9, "close": 0xE5CD,
    "check": 0xE5CA, "backspace": 0xE14A, "display": 0xE30C, "volume": 0xE050, "info": 0xE88E,
    "dark_mode": 0xE51C, "keyboard": 0xE312, "mic": 0xE029, "call": 0xE0B0, "email": 0xE0BE,
    "chevron_right": 0xE5CC, "notes": 0xE26C, "photo": 0xE410, "contacts": 0xE0BA,
    "sms": 0xE625, "photos": 0xE413, "clock": 0xE192, "timer": 0xE425, "lock": 0xE897,
    "storage": 0xE1DB, "shift": 0xE5D8, "language": 0xE894, "network": 0xE1BA,
    "notifications": 0xE7F4, "location": 0xE55F, "security": 0xE32A, "battery": 0xE1A4,
    "apps_list": 0xE5C3, "keyboard_return": 0xE31B, "emoji": 0xE7F2, "mic_none": 0xE31D,
    "tethering": 0xE1E2, "vpn_key": 0xE0DA, "dns": 0xE875, "data_usage": 0xE1AF,
    "palette": 0xE40A, "accessibility": 0xE84E, "account": 0xE853, "vibration": 0xE62D,
    "dnd": 0xE612, "devices": 0xE1B1, "smartphone": 0xE32C, "system_update": 0xE62A,
    "rotate": 0xE1C1, "edit_note": 0xE3C9,
}


@dataclass(frozen=True, slots=True)
class Palette:
    """Colours of one theme, named after Material roles."""

    bg: str
    surface: str
    surface_variant: str
    on_bg: str
    on_variant: str
    primary: str
    on_primary: str
    primary_container: str
    divider: str
    scrim: str
    bar: str
    bar_fg: str
    keyboard: str
    key: str
    key_special: str
    switch_off: str
    bubble_out: str
    bubble_in: str


LIGHT = Palette(
    bg="#FEFBFF", surface="#F3F1F8", surface_variant="#E1E2EC", on_bg="#1B1B1F",
    on_variant="#44474F", primary="#0B57D0", on_primary="#FFFFFF", primary_container="#D3E3FD",
    divider="#DADCE3", scrim="#00000066", bar="#FEFBFF", bar_fg="#1B1B1F", keyboard="#E8EAED",
    key="#FFFFFF", key_special="#C6CAD1", switch_off="#E1E2EC", bubble_out="#D3E3FD",
    bubble_in="#EFF1F6",
)

DARK = Palette(
    bg="#1B1B1F", surface="#26272C", surface_variant="#44474F", on_bg="#E3E2E6",
    on_variant="#C4C6D0", primary="#A8C7FA", on_primary="#062E6F", primary_container="#0842A0",
    divider="#3A3B40", scrim="#00000099", bar="#1B1B1F", bar_fg="#E3E2E6", keyboard="#202124",
    key="#3C4043", key_special="#2D2F33", switch_off="#44474F", bubble_out="#0842A0",
    bubble_in="#303136",
)

# Launcher icon background colours, one per app.
APP_COLORS = {
    "Settings": "#5F6368", "Contacts": "#1A73E8", "Messages": "#1E8E3E", "Clock": "#3C4043",
    "Calculator": "#E8710A", "Notes": "#F9AB00", "Phone": "#188038", "Chrome": "#4285F4",
    "Camera": "#80868B", "Photos": "#D93025",
}


def palette(dark: bool) -> Palette:
    return DARK if dark else LIGHT
