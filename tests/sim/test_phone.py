"""The simulated phone in process: screens, input, shell answers, state."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from devices.errors import DeviceSpecError, InputRefused
from devices.geometry import PixelPoint
from devices.registry import open_device
from devices.sim.device import SimDevice
from devices.sim.phone import Phone

from .conftest import center_of, nodes, tap_label

HOME_LABELS = ["Settings", "Contacts", "Messages", "Clock", "Calculator", "Notes"]


def focus(dev: SimDevice) -> str:
    return next(ln for ln in dev.shell("dumpsys window").splitlines() if "mCurrentFocus" in ln)


def test_home_screen_lists_the_apps(sim: SimDevice) -> None:
    texts = {n.get("text") for n in nodes(sim.ui_tree() or "")}
    assert set(HOME_LABELS) <= texts
    assert sim.current_app()[0] == "com.android.launcher3"


@pytest.mark.parametrize(("label", "package"), [
    ("Settings", "com.android.settings/com.android.settings.Settings"),
    ("Contacts", "com.android.contacts/"), ("Messages", "com.google.android.apps.messaging/"),
    ("Clock", "com.android.deskclock/"), ("Calculator", "com.android.calculator2/"),
    ("Notes", "com.example.notes/"),
])
def test_tapping_an_icon_opens_its_app(sim: SimDevice, label: str, package: str) -> None:
    tap_label(sim, label)
    assert package in focus(sim)


def test_settings_toggle_changes_settings_get(sim: SimDevice) -> None:
    assert sim.shell("settings get global airplane_mode_on").strip() == "0"
    tap_label(sim, "Settings")
    tap_label(sim, "Network & internet")
    tap_label(sim, "Airplane mode")
    assert sim.shell("settings get global airplane_mode_on").strip() == "1"
    assert sim.shell("settings get global wifi_on").strip() == "0"
    switch = [n for n in nodes(sim.ui_tree() or "") if n.get("class") == "android.widget.Switch"]
    assert [n.get("checked") for n in switch] == ["false", "true"]


def test_settings_put_shows_on_screen(sim: SimDevice) -> None:
    sim.shell("settings put global wifi_on 0")
    sim.shell("am start -n com.android.settings/.Settings\\$NetworkDashboardActivity")
    assert 'text="Off"' in (sim.ui_tree() or "")


def test_input_text_lands_in_the_focused_field(sim: SimDevice) -> None:
    tap_label(sim, "Contacts")
    assert "mInputShown=false" in sim.shell("dumpsys input_method")
    tap_label(sim, "Search contacts")
    assert "mInputShown=true" in sim.shell("dumpsys input_method")
    sim.shell("input text Bob%sSmi")
    texts = [n.get("text") for n in nodes(sim.ui_tree() or "")]
    assert "Bob Smi" in texts
    assert "Bob Smith" in texts and "Alice Johnson" not in texts


def test_unicode_text_in_process(sim: SimDevice) -> None:
    tap_label(sim, "Notes")
    tap_label(sim, "New note")
    sim.type_text("Café 東京")
    assert 'text="Café 東京"' in (sim.ui_tree() or "")


def test_keyboard_keys_type_by_tapping(sim: SimDevice) -> None:
    tap_label(sim, "Contacts")
    tap_label(sim, "Search contacts")
    image = sim.screenshot()
    assert image.size == (1080, 2400)
    # Keys are not in the app's dump (the IME is another window): use the layout.
    from devices.sim.ui import keyboard
    from devices.sim.ui.theme import CONTENT_BOTTOM, LIGHT

    kb = keyboard.build(LIGHT, CONTENT_BOTTOM, False, False, lambda v: None)
    keys = {n.text: n for n in kb.walk() if n.text}
    for ch in "bob":
        x1, y1, x2, y2 = keys[ch].bounds
        sim.tap(PixelPoint((x1 + x2) // 2, (y1 + y2) // 2))
    assert "bob" in [n.get("text") for n in nodes(sim.ui_tree() or "")]


def test_back_and_home(sim: SimDevice) -> None:
    tap_label(sim, "Settings")
    tap_label(sim, "Display")
    assert ".SubSettings" in focus(sim)
    sim.press_key("back")
    assert "com.android.settings.Settings}" in focus(sim)
    sim.press_key("home")
    assert "launcher3" in focus(sim)
    tap_label(sim, "Settings")
    assert "com.android.settings.Settings}" in focus(sim)


def test_back_first_hides_the_keyboard(sim: SimDevice) -> None:
    tap_label(sim, "Contacts")
    tap_label(sim, "Search contacts")
    sim.press_key("back")
    assert sim.keyboard_shown() is False
    assert "com.android.contacts" in focus(sim)


def test_recents_switches_back_to_the_previous_app(sim: SimDevice) -> None:
    tap_label(sim, "Clock")
    sim.press_key("home")
    tap_label(sim, "Calculator")
    sim.press_key("app_switch")
    sim.press_key("app_switch")
    assert "com.android.deskclock" in focus(sim)


def test_long_lists_scroll(sim: SimDevice) -> None:
    tap_label(sim, "Settings")
    assert "About phone" not in (sim.ui_tree() or "")
    for _ in range(3):
        sim.scroll("down")
    assert 'text="About phone"' in (sim.ui_tree() or "")


def test_app_drawer_opens_with_a_swipe_up(sim: SimDevice) -> None:
    sim.swipe(PixelPoint(540, 1600), PixelPoint(540, 600))
    assert "apps_list_view" in (sim.ui_tree() or "")
    tap_label(sim, "Chrome")
    assert "com.android.chrome" in focus(sim)


def test_dump_bounds_match_what_a_tap_hits(sim: SimDevice) -> None:
    tap_label(sim, "Clock")
    before = sim.shell("content query --uri content://com.android.deskclock/alarms "
                       "--where \"hour=8\" --projection enabled")
    sim.tap(center_of(sim.ui_tree() or "", "8:30 AM"))
    after = sim.shell("content query --uri content://com.android.deskclock/alarms "
                      "--where \"hour=8\" --projection enabled")
    assert (before.strip(), after.strip()) == ("Row: 0 enabled=0", "Row: 0 enabled=1")


def test_screencap_is_a_png_that_changes_after_navigation(sim: SimDevice) -> None:
    phone = sim.phone
    png = phone.command(["screencap", "-p"]).stdout
    home = Image.open(io.BytesIO(png))
    assert home.size == (1080, 2400) and home.mode in ("RGB", "RGBA")
    tap_label(sim, "Settings")
    assert sim.screenshot().tobytes() != home.convert("RGB").tobytes()


def test_navigation_animates_for_a_moment() -> None:
    now = [100.0]
    phone = Phone(clock=lambda: now[0])
    dev = SimDevice(phone)
    home = dev.screenshot()
    tap_label(dev, "Settings")
    mid = dev.screenshot()
    now[0] += 0.5
    settled = dev.screenshot()
    assert mid.tobytes() not in (home.tobytes(), settled.tobytes())
    now[0] += 0.5
    assert dev.screenshot().tobytes() == settled.tobytes()


def test_shell_answers_like_android(sim: SimDevice) -> None:
    assert sim.shell("wm size") == "Physical size: 1080x2400\n"
    assert sim.shell("wm density") == "Physical density: 420\n"
    assert "orientation=0" in sim.shell("dumpsys display")
    assert sim.shell("getprop ro.product.model") == "Pixel 7\n"
    assert "package:com.example.notes" in sim.shell("pm list packages")
    assert sim.shell("uiautomator dump") == "UI hierchary dumped to: /sdcard/window_dump.xml\n"
    assert sim.shell("cat /sdcard/window_dump.xml").startswith("<?xml")
    assert "not found" in sim.shell("frobnicate")
    assert "does not exist" in sim.shell("am start -n com.android.settings/.Nope")


def test_monkey_and_force_stop(sim: SimDevice) -> None:
    assert "Events injected: 1" in sim.shell(
        "monkey -p com.android.deskclock -c android.intent.category.LAUNCHER 1")
    assert "com.android.deskclock/com.android.deskclock.DeskClock" in focus(sim)
    sim.shell("am force-stop com.android.deskclock")
    assert "launcher3" in focus(sim)


def test_sent_messages_and_pm_clear(sim: SimDevice) -> None:
    tap_label(sim, "Messages")
    tap_label(sim, "Bob Smith")
    tap_label(sim, "Text message")
    sim.type_text("On my way")
    tap_label(sim, "Send SMS")
    sent = sim.shell("content query --uri content://sms/sent --projection address:body")
    assert "Row: 0 address=+1 555-0102, body=On my way" in sent
    assert sim.shell("pm clear com.google.android.apps.messaging") == "Success\n"
    assert "On my way" not in sim.shell("content query --uri content://sms/sent")


def test_dark_theme_changes_the_frame(sim: SimDevice) -> None:
    tap_label(sim, "Settings")
    light = sim.screenshot().convert("L").getpixel((540, 1400))
    sim.shell("settings put secure ui_night_mode 2")
    dark = sim.screenshot().convert("L").getpixel((540, 1400))
    assert isinstance(light, int) and isinstance(dark, int)
    assert dark < light // 2


def test_seeds_vary_extras_not_the_core() -> None:
    a, b = SimDevice(seed=1), SimDevice(seed=2)
    query = "content query --uri content://contacts/phones --projection name"
    assert "Alice Johnson" in a.shell(query) and "Alice Johnson" in b.shell(query)
    assert a.shell(query) != b.shell(query)


def test_open_device_spec() -> None:
    assert open_device("sim:7").id == "sim:7"
    with pytest.raises(DeviceSpecError):
        open_device("sim:seven")


def test_launch_app_by_label_and_unknown_app(sim: SimDevice) -> None:
    sim.launch_app("Calculator")
    assert sim.current_app() == ("com.android.calculator2", "com.android.calculator2.Calculator")
    with pytest.raises(InputRefused, match="no app 'Spotify'"):
        sim.launch_app("Spotify")


def test_quick_settings_shade(sim: SimDevice) -> None:
    tap_label(sim, "Clock")
    sim.swipe(PixelPoint(540, 30), PixelPoint(540, 1200))
    assert "mCurrentFocus=Window{" in focus(sim) and "NotificationShade" in focus(sim)
    assert sim.current_app()[0] == "com.android.deskclock"    # mFocusedApp stays the app
    tap_label(sim, "Dark theme")
    assert sim.shell("settings get secure ui_night_mode").strip() == "2"
    sim.press_key("back")
    assert "com.android.deskclock" in focus(sim)


def test_observe_waits_out_the_transition(sim: SimDevice) -> None:
    tap_label(sim, "Settings")
    sim.screenshot()
    tap_label(sim, "Display")
    obs = sim.observe()
    assert obs.settled and obs.app == "com.android.settings"
    assert obs.image.tobytes() == sim.screenshot().tobytes()


def test_long_press_on_an_icon_offers_app_info(sim: SimDevice) -> None:
    sim.long_press(center_of(sim.ui_tree() or "", "Notes"))
    tap_label(sim, "App info")
    assert "InstalledAppDetails" in focus(sim)
    tree = sim.ui_tree() or ""
    assert 'text="Notes"' in tree and 'text="Force stop"' in tree


def test_am_start_of_a_running_app_brings_its_task_back(sim: SimDevice) -> None:
    out = sim.shell("am start -n com.android.settings/.Settings")
    assert out == "Starting: Intent { cmp=com.android.settings/.Settings }\n"
    tap_label(sim, "Display")
    sim.press_key("home")
    out = sim.shell("am start -n com.android.settings/.Settings")
    assert "its current task has been brought to the front" in out
    assert ".SubSettings" in focus(sim)


def test_back_on_a_root_activity_keeps_the_task(sim: SimDevice) -> None:
    tap_label(sim, "Contacts")
    sim.scroll("down")
    assert 'text="Alice Johnson"' not in (sim.ui_tree() or "")
    sim.press_key("back")           # root activity: home, the task stays as it was
    assert "launcher3" in focus(sim)
    tap_label(sim, "Contacts")
    assert 'text="Alice Johnson"' not in (sim.ui_tree() or "")
    sim.shell("am force-stop com.android.contacts")
    tap_label(sim, "Contacts")
    assert 'text="Alice Johnson"' in (sim.ui_tree() or "")


def test_power_key_turns_the_screen_off_and_on(sim: SimDevice) -> None:
    sim.press_key("power")
    assert sim.screenshot().getbbox() is None
    assert "mWakefulness=Asleep" in sim.shell("dumpsys power")
    tap_label(sim, "Settings")                       # the dump still lists it; taps do nothing
    assert "launcher3" in focus(sim)
    sim.shell("input keyevent KEYCODE_WAKEUP")
    assert sim.screenshot().getbbox() is not None


def test_messages_search_finds_a_conversation_by_its_text(sim: SimDevice) -> None:
    tap_label(sim, "Messages")
    tap_label(sim, "Search conversations")
    sim.type_text("slides")
    names = [n.get("text") for n in nodes(sim.ui_tree() or "")]
    assert "Carol Williams" in names and "Bob Smith" not in names
    sim.press_key("back")
    sim.press_key("back")
    assert "Bob Smith" in [n.get("text") for n in nodes(sim.ui_tree() or "")]


@pytest.mark.parametrize(("typed", "saved"), [("5550123", "555-0123"),
                                              ("6505550123", "(650) 555-0123"),
                                              ("+44 20 7946 0958", "+44 20 7946 0958")])
def test_new_contact_numbers_are_formatted(sim: SimDevice, typed: str, saved: str) -> None:
    tap_label(sim, "Contacts")
    tap_label(sim, "Create new contact")
    tap_label(sim, "First name")
    sim.type_text("Zoe")
    tap_label(sim, "Phone")
    sim.type_text(typed)
    tap_label(sim, "Save")
    rows = sim.shell("content query --uri content://contacts/phones --where \"name='Zoe'\"")
    assert f"number={saved}," in rows


def test_number_fields_bring_up_the_digit_keypad(sim: SimDevice) -> None:
    from devices.sim.ui import keyboard
    from devices.sim.ui.theme import CONTENT_BOTTOM, LIGHT

    pad = keyboard.build_numeric(LIGHT, CONTENT_BOTTOM, lambda v: None)
    keys = {(n.text or n.desc): n.bounds for n in pad.walk() if n.clickable}

    def press(key: str) -> None:
        x1, y1, x2, y2 = keys[key]
        sim.tap(PixelPoint((x1 + x2) // 2, (y1 + y2) // 2))

    tap_label(sim, "Clock")
    tap_label(sim, "Add alarm")
    for key in ("7", "Enter", "1", "5"):
        press(key)
    tap_label(sim, "OK")
    alarms = sim.shell("content query --uri content://com.android.deskclock/alarms "
                       "--where \"hour=7 AND minutes=15\" --projection enabled")
    assert alarms == "Row: 0 enabled=1\n"


def test_joining_a_secured_network_needs_its_password(sim: SimDevice) -> None:
    sim.shell("am start -n com.android.settings/.Settings\\$InternetActivity")
    tap_label(sim, "HomeNet")
    sim.type_text("wrong")
    tree = sim.ui_tree() or ""
    assert 'password="true"' in tree and 'text="•••••"' in tree
    tap_label(sim, "Connect")
    assert 'connected to "AndroidWifi"' in sim.shell("cmd wifi status")
    tap_label(sim, "HomeNet")
    sim.type_text("hunter22")
    tap_label(sim, "Connect")
    assert 'connected to "HomeNet"' in sim.shell("cmd wifi status")
    sim.shell("svc wifi disable")
    assert sim.shell("cmd wifi status") == "Wifi is disabled\n"


def test_a_new_text_posts_a_notification_that_opens_it(sim: SimDevice) -> None:
    sim.shell("content insert --uri content://sms/inbox --bind address:s:'+1 555-0103' "
              "--bind body:s:'Running 5 min late' --bind read:i:0")
    assert "android.text=String (Running 5 min late)" in sim.shell("dumpsys notification")
    status = [n for n in sim.phone.layers() if n.rid.endswith("status_bar")][0]
    assert "Messages notification" in [n.desc for n in status.walk()]
    sim.swipe(PixelPoint(540, 30), PixelPoint(540, 1400))
    tap_label(sim, "Carol Williams")
    assert "ConversationActivity" in focus(sim)
    assert "Running 5 min late" not in sim.shell("dumpsys notification")
    assert "read=1" in sim.shell("content query --uri content://sms/inbox "
                                 "--where \"body='Running 5 min late'\" --projection read")


def test_notes_are_files_in_shared_storage(sim: SimDevice) -> None:
    assert sim.shell("ls /sdcard/Documents/Notes").splitlines() == [
        "Ideas.txt", "Packing.txt", "Shopping list.txt"]
    assert sim.shell("cat '/sdcard/Documents/Notes/Shopping list.txt'") == "Milk\nEggs\nBread"
    sim.shell("content delete --uri content://com.example.notes/notes --where \"title='Ideas'\"")
    assert "Ideas.txt" not in sim.shell("ls /sdcard/Documents/Notes")


def test_power_and_volume_down_save_a_screenshot(sim: SimDevice) -> None:
    assert sim.shell("input keycombination KEYCODE_POWER KEYCODE_VOLUME_DOWN") == ""
    names = sim.shell("ls /sdcard/Pictures/Screenshots").split()
    assert len(names) == 1 and re.fullmatch(r"Screenshot_20251121-094\d{3}\.png", names[0])
    png = sim.phone.fs.read("/sdcard/Pictures/Screenshots/" + names[0])
    assert Image.open(io.BytesIO(png)).size == (1080, 2400)


def test_sms_intent_opens_a_prefilled_conversation(sim: SimDevice) -> None:
    out = sim.shell("am start -a android.intent.action.SENDTO -d sms:+15550104 "
                    "--es sms_body 'See you soon'")
    assert out.startswith("Starting: Intent { act=android.intent.action.SENDTO")
    assert "ConversationActivity" in focus(sim)
    tree = sim.ui_tree() or ""
    assert 'text="David Brown"' in tree and 'text="See you soon"' in tree
    tap_label(sim, "Send SMS")
    assert "body=See you soon" in sim.shell("content query --uri content://sms/sent")


def test_newlines_in_typed_text_press_enter(sim: SimDevice) -> None:
    tap_label(sim, "Contacts")
    tap_label(sim, "Create new contact")
    tap_label(sim, "First name")
    sim.type_text("Zoe\nQuinn\n5550123")          # Enter moves to the next field
    texts = [n.get("text") for n in nodes(sim.ui_tree() or "")]
    assert [t for t in texts if t in ("Zoe", "Quinn", "5550123")] == ["Zoe", "Quinn", "5550123"]
    sim.press_key("home")
    tap_label(sim, "Notes")
    tap_label(sim, "New note")
    sim.type_text("Trip")
    tap_label(sim, "Note")
    sim.type_text("Day one\nDay two")
    assert 'text="Day one&#10;Day two"' in (sim.ui_tree() or "")


def test_settings_search_finds_a_setting_on_its_page(sim: SimDevice) -> None:
    tap_label(sim, "Settings")
    tap_label(sim, "Search settings")
    sim.type_text("dark")
    tap_label(sim, "Dark theme")
    assert 'text="Display"' in (sim.ui_tree() or "")
    tap_label(sim, "Dark theme")
    assert sim.shell("settings get secure ui_night_mode") == "2\n"
