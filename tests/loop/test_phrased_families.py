"""The phrasing families beyond steps and toggles: deleting, messaging, settings with
values, Quick Settings, questions. The grammar tests are quick; the runs use the
simulated phone (one through a real adb server) and check the phone's own state.
Every phrasing of bench/phrased.yaml also runs in tests/loop/test_phrased.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices import Device
from devices.sim.device import SimDevice
from guiagent.config import Settings
from guiagent.session import RunOptions, build_loop
from guiagent.steps import Acted, Decided, RunResult, StepRecord
from planners.grammar import StepSyntaxError, parse_steps


def steps_of(task: str) -> list[tuple[str, str, str]]:
    return [(s.verb, s.target, s.value) for s in parse_steps(task)]


SEND = [("fill", "message field", "see you"), ("tap", "Send", "")]


@pytest.mark.parametrize(("task", "expected"), [
    ("delete Jo March from my contacts", [("launch", "Contacts", ""), ("delete", "Jo March", "")]),
    ("Remove the contact named Jo", [("launch", "Contacts", ""), ("delete", "Jo", "")]),
    ("erase Jo March's number", [("launch", "Contacts", ""), ("delete", "Jo March", "")]),
    ("delete the note titled Trip", [("launch", "Notes", ""), ("delete", "Trip", "")]),
    ("get rid of my Trip note", [("launch", "Notes", ""), ("delete", "Trip", "")]),
    ("remove the alarm set for 6:15 am", [("launch", "Clock", ""), ("delete", "6:15 am", "")]),
    ("DELTE THE RUN ALARM!", [("launch", "Clock", ""), ("delete", "RUN", "")]),
    ("disable the alarm called Run", [("launch", "Clock", ""), ("switch_item", "Run", "off")]),
    ("turn on my 6:15 alarm", [("launch", "Clock", ""), ("switch_item", "6:15", "on")]),
    ("sms 555-0134: see you", [("launch", "Messages", ""), ("chat", "555-0134", ""), *SEND]),
    ("send a message saying see you to the phone number +1 555 0134",
     [("launch", "Messages", ""), ("chat", "+1 555 0134", ""), *SEND]),
    ("message Jo that see you", [("launch", "Messages", ""), ("chat", "Jo", ""), *SEND]),
    ("reply back to Jo March saying see you",
     [("launch", "Messages", ""), ("chat", "Jo March", ""), *SEND]),
    ("reply “see you” to Jo", [("launch", "Messages", ""), ("chat", "Jo", ""), *SEND]),
    ("set the media volume to the max", [("drag", "media volume", "max")]),
    ("put the display brightness at 0%", [("drag", "display brightness", "0%")]),
    ("set sleep to 10 minutes", [("tap", "sleep", ""), ("pick", "10 minutes", "")]),
    ("switch to dark mode", [("toggle", "dark mode", "on")]),
    ("Battery saver mode ON", [("toggle", "Battery saver mode", "on")]),
    ("from quick settings, turn on the flashlight",
     [("swipe", "top", "down"), ("toggle", "flashlight", "on")]),
    ("switch off hotspot using the quick settings tiles",
     [("swipe", "top", "down"), ("toggle", "hotspot", "off")]),
    ("pull down the notification shade then tap Clear all",
     [("swipe", "top", "down"), ("tap", "Clear all", "")]),
    ("using the clock, set an alarm at 5 am",
     [("open", "clock", ""), ("launch", "Clock", ""), ("tap", "Add alarm", ""),
      ("type", "", "5:00"), ("pick", "AM", ""), ("tap", "OK", "")]),
    ("what is (2 + 3) x 4?",
     [("ensure_app", "Calculator", ""), ("tap", "(", ""), ("tap", "2", ""), ("tap", "+", ""),
      ("tap", "3", ""), ("tap", ")", ""), ("tap", "×", ""), ("tap", "4", ""), ("tap", "=", ""),
      ("answer", "", "20")]),
    ("7 times 6", [("ensure_app", "Calculator", ""), ("tap", "7", ""), ("tap", "×", ""),
                   ("tap", "6", ""), ("tap", "=", ""), ("answer", "", "42")]),
    ("subtract 4 from 10", [("ensure_app", "Calculator", ""), ("tap", "1", ""), ("tap", "0", ""),
                            ("tap", "−", ""), ("tap", "4", ""), ("tap", "=", ""),
                            ("answer", "", "6")]),
    ("jot down a note: call the bank", [("launch", "Notes", ""), ("tap", "New note", ""),
                                        ("type", "Note", "call the bank"), ("tap", "Save", "")]),
    ("create a 5:05 pm alarm", [("launch", "Clock", ""), ("tap", "Add alarm", ""),
                                ("type", "", "5:05"), ("pick", "PM", ""), ("tap", "OK", "")]),
    ("let Jo know that see you", [("launch", "Messages", ""), ("chat", "Jo", ""), *SEND]),
    ("send an sms to Jo March: see you",
     [("launch", "Messages", ""), ("chat", "Jo March", ""), *SEND]),
    ("can you enable wifi for me, thanks", [("toggle", "wifi", "on")]),
    ("set Dark theme to enabled", [("toggle", "Dark theme", "on")]),
    ("set alarm 5am", [("launch", "Clock", ""), ("tap", "Add alarm", ""), ("type", "", "5:00"),
                       ("pick", "AM", ""), ("tap", "OK", "")]),
    ("save Jo March's mobile number as 555 0111",
     [("launch", "Contacts", ""), ("tap", "Create contact", ""), ("fill", "first name", "Jo"),
      ("fill", "last name", "March"), ("type", "phone", "555 0111"), ("tap", "Save", "")]),
])
def test_family(task: str, expected: list[tuple[str, str, str]]) -> None:
    assert steps_of(task) == expected


def test_a_contact_number_with_spaces_is_typed_whole() -> None:
    steps = steps_of("add a contact called Jo March with the mobile number 555 0111")
    assert ("type", "phone", "555 0111") in steps


def test_trailing_filler_stays_in_what_a_message_says() -> None:
    assert ("fill", "message field", "wait for me please") in steps_of(
        "text Jo saying wait for me please")


def test_quotes_in_the_rest_of_a_clause_stay_whole() -> None:
    steps = steps_of("use Messages to send 'a, b then c' to Jo")
    assert ("fill", "message field", "a, b then c") in steps


@pytest.mark.parametrize("task", ["delete", "remove the", "reply to Jo", "text 555 0134",
                                  "call Jo"])
def test_half_a_phrase_is_not_read_as_something_else(task: str) -> None:
    with pytest.raises(StepSyntaxError, match="did you mean"):
        parse_steps(task)


def run(device: object, task: str, out: Path, *, yes: bool = True) -> list[StepRecord]:
    opts = RunOptions(planner="offline", out=out, assume_yes=yes, max_steps=30)
    records = list(build_loop(task, device, Settings(), opts).run(task))  # type: ignore[arg-type]
    assert isinstance(records[-1], RunResult)
    return records


@pytest.mark.slow
def test_a_delete_with_no_one_to_ask_is_refused_and_deletes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No --yes and no terminal (pytest's stdin): safety refuses the delete control's tap."""
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    phone = SimDevice()
    with phone:
        records = run(phone, "delete the note called Ideas", tmp_path / "run", yes=False)
        notes = phone.shell("content query --uri content://com.example.notes/notes")
    result = records[-1]
    assert isinstance(result, RunResult) and result.status == "failed"
    assert "refused" in result.reason and "--yes" in result.reason, result.reason
    assert "title=Ideas" in notes
    thoughts = " ".join(r.thought for r in records if isinstance(r, Decided))
    assert "opening 'Ideas' to find its delete control" in thoughts       # said in words


@pytest.mark.slow
def test_a_value_the_screen_does_not_offer_fails_instead_of_a_near_miss(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    phone = SimDevice()
    with phone:
        phone.shell("settings put system screen_off_timeout 60000")
        records = run(phone, "open settings, display, set screen timeout to 45 seconds",
                      tmp_path / "run")
        timeout = phone.shell("settings get system screen_off_timeout").strip()
    result = records[-1]
    assert isinstance(result, RunResult) and result.status == "failed"
    assert "no option '45 seconds'" in result.reason, result.reason
    assert timeout == "60000"


@pytest.mark.slow
@pytest.mark.adb
def test_delete_and_text_a_number_through_a_real_adb_server(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, adb_phone: Device) -> None:
    monkeypatch.setenv("GUIAGENT_DATA_DIR", str(tmp_path / "data"))
    shell = adb_phone.shell  # type: ignore[attr-defined]
    deleted = run(adb_phone, "remove Frank Miller from my contacts", tmp_path / "r1")
    sent = run(adb_phone, "text 555 0134 back at six", tmp_path / "r2")
    contacts = shell("content query --uri content://contacts/phones")
    sms = shell("content query --uri content://sms/sent --projection address:body")
    assert deleted[-1].status == "success", deleted[-1]  # type: ignore[attr-defined]
    assert "Frank Miller" not in contacts and "Emma Davis" in contacts
    assert sent[-1].status == "success", sent[-1]  # type: ignore[attr-defined]
    assert "address=555 0134, body=back at six" in sms
    assert sum(isinstance(r, Acted) for r in deleted + sent) <= 20
