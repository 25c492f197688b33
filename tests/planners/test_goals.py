"""Goals without a model: reading a goal, the places its words point at, and the row of a
real screen of the simulated phone that says it (planners.goals)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices.geometry import PixelPoint
from devices.sim.device import SimDevice
from grounding.types import Screen
from guiagent.session import grounding_parts
from planners.goals import (
    QUICK_SETTINGS,
    GoalWalk,
    find_row,
    parse_task,
    read_goal,
    table,
)
from planners.grammar import StepSyntaxError

PERCEIVE, _ = grounding_parts()


@pytest.mark.parametrize(("text", "intent", "phrase", "first_place"), [
    ("switch the phone to dark theme", "on", "dark theme", "Settings"),
    ("make the phone vibrate when it rings", "on", "vibrate rings", "Settings"),
    ("turn off the 7:00 AM alarm", "off", "7:00 AM", "Clock"),
    ("connect to CoffeeShop Guest", "connect", "CoffeeShop Guest", "Settings"),
    ("show me the notification from Alice", "open", "Alice", QUICK_SETTINGS),
    ("open Bob Smith's contact", "open", "Bob Smith", "Contacts"),
    ("I don't want the Gym alarm any more", "off", "Gym", "Clock"),
])
def test_a_goal_is_an_intent_the_things_words_and_places(text: str, intent: str, phrase: str,
                                                        first_place: str) -> None:
    goal = read_goal(text)
    assert goal is not None
    assert (goal.intent, goal.phrase, goal.places[0]) == (intent, phrase, first_place)


def test_a_sentence_with_no_intent_and_no_place_is_no_goal() -> None:
    assert read_goal("do the thing with my stuff") is None
    with pytest.raises(StepSyntaxError, match="not a step the offline planner knows"):
        parse_task("do the thing with my stuff")
    with pytest.raises(StepSyntaxError, match="'frobnicate the widget'"):
        parse_task("open Clock, frobnicate the widget")


def test_a_clause_no_form_reads_becomes_a_goal_step_beside_the_others() -> None:
    steps = [(s.number, s.verb, s.target, s.value)
             for s in parse_task("open Settings, make the phone vibrate when it rings")]
    assert steps == [(1, "open", "Settings", ""), (2, "toggle", "vibrate rings", "on")]
    assert [(s.verb, s.target) for s in parse_task("connect to CoffeeShop Guest")] == [
        ("tap", "CoffeeShop Guest")]


@pytest.mark.parametrize("task", ["join HomeNet with password hunter22",
                                  "connect to the HomeNet network. The password is hunter22"])
def test_a_password_given_with_the_goal_answers_the_screen_it_opens(task: str) -> None:
    assert [(s.verb, s.target, s.value) for s in parse_task(task)] == [
        ("tap", "HomeNet", ""), ("fill", "Password", "hunter22"), ("tap", "Connect", "")]
    with pytest.raises(StepSyntaxError, match="step 1 'the password is hunter22'"):
        parse_task("the password is hunter22")       # no goal before it: nothing asks


def test_every_place_of_the_table_is_an_app_of_the_phone_or_quick_settings() -> None:
    places = {p for where in table().places.values() for p in where}
    phone = SimDevice()
    with phone:
        for place in places - {QUICK_SETTINGS}:
            assert phone.resolve_app(place), place


@pytest.fixture(scope="module")
def screens() -> Iterator[dict[str, Screen]]:
    """Real screens of the phone: the alarms, the contacts, the shade with a notification."""
    out = {}
    phone = SimDevice()
    with phone:
        phone.shell("content insert --uri content://sms/inbox --bind address:s:'+1 555-0101' "
                    "--bind body:s:'Call me back' --bind read:i:0")
        for app in ("Clock", "Contacts", "Settings"):
            phone.launch_app(app)
            out[app] = PERCEIVE(phone.observe())
        phone.press_key("home")
        phone.swipe(PixelPoint(540, 8), PixelPoint(540, 1500))
        out["shade"] = PERCEIVE(phone.observe())
    yield out


def test_the_switch_of_the_alarm_row_that_says_the_time_or_the_label(
        screens: dict[str, Screen]) -> None:
    clock = screens["Clock"]
    by_time = find_row(clock, "7:00 AM alarm", "toggle")
    by_label = find_row(clock, "the Work alarm", "toggle")
    assert by_time is not None and by_time.checked is True and by_time.label == "7:00 AM"
    assert by_label is by_time
    other = find_row(clock, "8:30", "toggle")
    assert other is not None and other.label == "8:30 AM"
    assert find_row(clock, "6:45 alarm", "toggle") is None


def test_a_data_row_is_tapped_by_its_clickable_part(screens: dict[str, Screen]) -> None:
    bob = find_row(screens["Contacts"], "Bob Smith", "tap")
    assert bob is not None and bob.clickable and bob.label == "Bob Smith"
    note = find_row(screens["shade"], "Alice", "tap")
    assert note is not None and "Alice Johnson" in note.label
    assert find_row(screens["Contacts"], "Zelda Fitzgerald", "tap") is None


def test_a_row_with_a_switch_is_no_row_to_tap_or_type_into(screens: dict[str, Screen]) -> None:
    assert find_row(screens["Clock"], "Work", "tap") is None      # only its switch and delete
    assert find_row(screens["Contacts"], "Bob Smith", "fill") is None


def test_a_walk_looks_in_each_place_in_turn_then_says_where_it_looked(
        screens: dict[str, Screen]) -> None:
    goal = read_goal("show me the notification from Zelda")
    assert goal is not None
    walk = GoalWalk(goal, budget=3)
    first = walk.next(screens["Settings"])
    assert first.type == "swipe" and "Quick Settings" in walk.note   # type: ignore[union-attr]
    assert walk.next(screens["shade"]).type == "launch_app"         # type: ignore[union-attr]
    walk.spent = walk.budget
    why = walk.next(screens["Contacts"])
    assert isinstance(why, str)
    assert "'Zelda'" in why and "Quick Settings or Messages" in why and "model" in why


def test_a_name_with_the_devices_word_needs_it_too(screens: dict[str, Screen]) -> None:
    """"About phone" is no row of Settings' first screen, though Battery's summary says
    "about 3:25 pm"; the goal sentence "make the phone vibrate" drops "phone"."""
    assert find_row(screens["Settings"], "about phone", "tap") is None
    goal = read_goal("make the phone vibrate")
    assert goal is not None and goal.phrase == "vibrate"
