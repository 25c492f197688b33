"""Stored runs (shortcuts) and tips: matching task texts, slots, persistence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appmodel.screens import load_screen
from planners.actions import Back, Tap, Type
from planners.appmodel import AppModelError
from planners.tips import RunStep, TipStore, task_template

YELP = "com.yelp.android"


def test_task_template_turns_numbers_quotes_and_addresses_into_slots() -> None:
    assert task_template("Set an alarm for 7:30!") == ("set an alarm for {}", ["7:30"])
    assert task_template('Search "Hair Salons" near 15213') == ("search {} near {}",
                                                                  ["Hair Salons", "15213"])
    assert task_template("Mail bob@example.com")[1] == ["bob@example.com"]
    assert task_template("  Turn ON   Wi-Fi. ")[0] == "turn on wi fi"


def steps_from_real_screens() -> list[RunStep]:
    nearby = load_screen("yelp_2017-08-11_202533")
    results = load_screen("yelp_2017-08-11_202351")
    overlay = load_screen("yelp_2017-08-11_202521")
    return [RunStep.from_action(Tap(x=900, y=1430), nearby, results),
            RunStep.from_action(Type(element=11, text="Hair Salons"), overlay, results),
            RunStep.from_action(Back(), results, nearby)]


def test_steps_are_semantic_not_pixels() -> None:
    tap, typed, back = steps_from_real_screens()
    assert tap.action == {"type": "tap", "target": "Hair Salons"}
    assert tap.key == "tap:'Hair Salons'" and tap.app == YELP
    assert "Hair Salons Current Location" in tap.expect_texts and tap.fingerprint
    assert typed.action == {"type": "type", "target": "Hair Salons", "text": "Hair Salons"}
    assert back.to_action() == Back()


def test_saved_run_is_found_exactly_and_rebound(tmp_path: Path) -> None:
    store = TipStore(tmp_path)
    steps = steps_from_real_screens()
    store.save_run('Search "Hair Salons" nearby', steps)
    exact = store.find('search "Hair Salons" nearby')
    assert exact is not None and exact.exact and exact.app == YELP
    assert [s.to_action() for s in exact.steps] == [s.to_action() for s in steps]
    other = store.find("Search 'Coffee & Tea' nearby")
    assert other is not None and other.exact
    assert other.steps[0].to_action() == Tap(target="Coffee & Tea")
    assert other.steps[1].action["text"] == "Coffee & Tea"


def test_close_matches_and_misses(tmp_path: Path) -> None:
    store = TipStore(tmp_path)
    store.save_run("open the hair salons category in nearby and show the results",
                   steps_from_real_screens())
    close = store.find("please open the hair salons category in nearby and show the results")
    assert close is not None and 0.85 <= close.score < 1.0
    assert store.find("open bookmarks") is None
    assert store.find("open the hair salons category in nearby and show the results",
                      app="com.android.settings") is None
    assert store.find("open the 3 hair salons category in nearby and show the results") is None


def test_runs_persist_and_count_uses(tmp_path: Path) -> None:
    TipStore(tmp_path).save_run("show nearby bars", steps_from_real_screens())
    store = TipStore(tmp_path)
    run = store.find("Show nearby bars")
    assert run is not None and run.uses == 0
    store.mark_used(run)
    again = TipStore(tmp_path).find("show nearby bars")
    assert again is not None and again.uses == 1
    store.save_run("show nearby bars", steps_from_real_screens()[:1])
    latest = store.find("show nearby bars")
    assert latest is not None and len(latest.steps) == 1 and latest.uses == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.json"]


def test_tips_per_app_ranked_by_task_words(tmp_path: Path) -> None:
    store = TipStore(tmp_path)
    settings = "com.android.settings"
    assert store.add_tip(settings, "Airplane mode is under Network & internet")
    assert store.add_tip(settings, "Brightness is under Display")
    assert not store.add_tip(settings, "airplane mode is under network & internet.")
    assert store.add_tip("", "Scroll down when an item is not visible")
    assert store.add_tip(YELP, "Categories are on the Nearby tab")
    tips = TipStore(tmp_path).tips_for("turn on airplane mode", settings)
    assert tips[0] == "Airplane mode is under Network & internet"
    assert set(tips) == {"Airplane mode is under Network & internet",
                         "Brightness is under Display", "Scroll down when an item is not visible"}
    assert TipStore(tmp_path).tips_for("anything", "org.unknown") == [
        "Scroll down when an item is not visible"]


def test_broken_store_files_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "tips.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(AppModelError, match="expected a JSON object"):
        TipStore(tmp_path).tips_for("x", "y")
    (tmp_path / "runs.json").write_text(json.dumps({"k": {"task": "x"}}), encoding="utf-8")
    with pytest.raises(AppModelError, match="not a run store"):
        TipStore(tmp_path).find("x")
