"""Transitions, prediction, post-conditions, shortest paths and rollback on real Yelp screens."""

from __future__ import annotations

from dataclasses import replace

import pytest

from appmodel.screens import load_screen, with_status_bar
from grounding.types import Screen
from planners.actions import Back, Key, LaunchApp, Tap
from planners.appmodel import AppModel, action_key, semantic_action

APP = "com.yelp.android"
NEARBY, RESULTS = "yelp_2017-08-11_202533", "yelp_2017-08-11_202351"
BUSINESS = "yelp_2017-08-11_202619"
FEED, PROFILE = "yelp_2017-08-11_202441", "yelp_2017-08-11_202417"


@pytest.fixture(scope="module")
def screens() -> dict[str, Screen]:
    return {n: load_screen(n) for n in (NEARBY, RESULTS, BUSINESS, FEED, PROFILE)}


def walk(model: AppModel, screens: dict[str, Screen], steps: list[tuple[str, object, str]]) -> None:
    """Record each (before, action, after) as the loop would."""
    for before, action, after in steps:
        src, dst = model.locate(screens[before]), model.locate(screens[after])
        model.record(src, action, dst, before_screen=screens[before],  # type: ignore[arg-type]
                     after_screen=screens[after])


def yelp_model(screens: dict[str, Screen]) -> AppModel:
    model = AppModel(APP)
    walk(model, screens, [
        (NEARBY, Tap(x=900, y=1430), RESULTS),          # the 'Hair Salons' category, by pixels
        (RESULTS, Tap(x=700, y=800), BUSINESS),         # a result the hierarchy does not name
        (BUSINESS, Back(), RESULTS),
        (RESULTS, Key(key="back"), NEARBY),
        (NEARBY, Tap(element=70), FEED),                # the 'Activity' tab, by element number
        (FEED, Tap(target="Me"), PROFILE),
    ])
    return model


def test_action_keys_name_targets_in_words(screens: dict[str, Screen]) -> None:
    nearby = screens[NEARBY]
    assert action_key(Tap(x=900, y=1430), nearby) == "tap:'Hair Salons'"
    assert action_key(Tap(element=70), nearby) == "tap:'Activity'"
    assert action_key(Back()) == action_key(Key(key="BACK")) == "key:back"
    assert action_key(LaunchApp(app="Yelp")) == "launch:Yelp"
    assert action_key(Tap(x=700, y=800), screens[RESULTS]) == "tap:@(4,3)"
    assert semantic_action(Tap(x=900, y=1430), nearby) == Tap(target="Hair Salons")


def test_predict_follows_recorded_transitions(screens: dict[str, Screen]) -> None:
    model = yelp_model(screens)
    nearby, results = model.match(screens[NEARBY]), model.match(screens[RESULTS])
    assert nearby is not None and results is not None and nearby is not results
    assert model.predict(nearby, "tap:'Hair Salons'") is results
    assert model.predict(nearby, "tap:'Bars'") is None
    assert model.predict(nearby, "tap:'hair salons'") is results
    assert model.predict(results, "key:back") is nearby


def test_check_verifies_post_conditions(screens: dict[str, Screen]) -> None:
    model = yelp_model(screens)
    t = model.transition(model.state(NEARBY_ID := "s1"), "tap:'Hair Salons'")
    assert t is not None and t.src == NEARBY_ID
    assert t.action == {"type": "tap", "target": "Hair Salons"}
    assert "hair salons current location" in t.expect_texts
    later = with_status_bar(screens[RESULTS], "18:02", "40%", notes=2)
    assert model.check(t, later)
    assert not model.check(t, screens[BUSINESS])
    assert model.precondition(t, screens[NEARBY])
    assert not model.precondition(t, screens[RESULTS])


def test_toggle_post_condition(screens: dict[str, Screen]) -> None:
    feed = screens[FEED]
    marked = replace(feed, elements=[replace(e, checked=True) if e.label == "Bookmark" else e
                                     for e in feed.elements])
    model = AppModel(APP)
    src, dst = model.locate(feed), model.locate(marked)
    assert src is dst
    t = model.record(src, Tap(element=48), dst, before_screen=feed, after_screen=marked)
    assert t.key == "tap:'Bookmark'" and t.expect_checked == {"Bookmark": True}
    assert model.check(t, marked)
    assert not model.check(t, feed)


def test_shortest_path_is_found_by_bfs(screens: dict[str, Screen]) -> None:
    model = yelp_model(screens)
    ids = {n: model.locate(screens[n]).id for n in screens}
    route = model.path(ids[BUSINESS], ids[PROFILE])
    assert [t.key for t in route] == ["key:back", "key:back", "tap:'Activity'", "tap:'Me'"]
    walk(model, screens, [(BUSINESS, Tap(target="Me"), PROFILE)])
    assert [t.key for t in model.path(ids[BUSINESS], ids[PROFILE])] == ["tap:'Me'"]
    assert model.path(ids[PROFILE], ids[NEARBY]) == []
    assert model.path(ids[FEED], ids[FEED]) == []


def test_unreliable_transitions_are_avoided(screens: dict[str, Screen]) -> None:
    model = yelp_model(screens)
    nearby, feed = model.match(screens[NEARBY]), model.match(screens[FEED])
    assert nearby is not None and feed is not None
    for _ in range(2):
        model.record(nearby, Tap(element=70), feed, before_screen=screens[NEARBY], ok=False)
    assert model.predict(nearby, "tap:'Activity'") is None
    assert model.path(nearby, feed) == []


def test_rollback_uses_known_reverse_transitions_or_back(screens: dict[str, Screen]) -> None:
    model = AppModel(APP)
    walk(model, screens, [(NEARBY, Tap(x=900, y=1430), RESULTS),
                          (RESULTS, Tap(x=700, y=800), BUSINESS)])
    nearby, business = model.match(screens[NEARBY]), model.match(screens[BUSINESS])
    assert nearby is not None and business is not None
    assert model.is_stable(nearby) and not model.is_stable(business)
    assert model.nearest_stable(business) is nearby
    assert model.rollback_plan(business) == [Back(), Back()]
    walk(model, screens, [(RESULTS, Tap(target="Navigate up"), NEARBY)])
    assert model.rollback_plan(business, nearby) == [Back(), Tap(target="Navigate up")]
    walk(model, screens, [(BUSINESS, Tap(target="Nearby"), NEARBY)])
    assert model.rollback_plan(business, nearby) == [Tap(target="Nearby")]
    assert model.rollback_plan(nearby, nearby) == []


def test_rollback_without_knowledge_is_one_back(screens: dict[str, Screen]) -> None:
    model = AppModel(APP)
    lone = model.locate(screens[BUSINESS])
    assert model.rollback_plan(lone) == [Back()]


def test_stability_rules_and_override(screens: dict[str, Screen]) -> None:
    model = AppModel(APP)
    first = model.locate(screens[NEARBY])
    second = model.locate(screens[RESULTS])
    assert model.is_stable(first) and first.entry
    assert not model.is_stable(second)
    model.locate(screens[RESULTS])
    assert second.visits == 1 and not model.is_stable(second)   # staying is no new visit
    model.locate(screens[NEARBY])
    model.locate(screens[RESULTS])
    assert second.visits == 2 and model.is_stable(second)       # coming back is
    second.stable_override = False
    assert not model.is_stable(second)
    dialog = model.locate(load_screen("album_2017-08-11_155634"))
    assert dialog.dialog and not model.is_stable(dialog)


def test_launch_marks_entry_screens(screens: dict[str, Screen]) -> None:
    model = AppModel(APP)
    model.locate(screens[NEARBY])
    src, dst = model.locate(screens[NEARBY]), model.locate(screens[FEED])
    assert not dst.entry
    model.record(src, LaunchApp(app="Yelp"), dst)
    assert dst.entry and model.is_stable(dst)
