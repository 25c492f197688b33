"""Fingerprints on real Android screens: stable across status-bar noise, distinct across screens."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import pytest

from appmodel.screens import droidbot_names, load_screen, with_status_bar
from devices.geometry import Box
from grounding.types import Screen
from planners.appmodel import AppModel
from planners.fingerprint import (
    FingerprintConfig,
    dialog_visible,
    fingerprint,
    matches,
    normalize_text,
    screen_title,
    similarity,
)

NAMES = droidbot_names()


@pytest.fixture(scope="module")
def screens() -> dict[str, Screen]:
    return {name: load_screen(name) for name in NAMES}


def test_normalize_text_masks_clocks_and_counts() -> None:
    assert normalize_text("10:42 PM") == normalize_text("9:05 pm") == "#:# pm"
    assert normalize_text("Battery 87%") == normalize_text("battery  15%")
    assert normalize_text("Wi-Fi") != normalize_text("Bluetooth")


@pytest.mark.parametrize("name", NAMES)
def test_status_bar_changes_keep_the_state(name: str, screens: dict[str, Screen]) -> None:
    morning = with_status_bar(screens[name], "8:59", "93%")
    evening = with_status_bar(screens[name], "23:14", "12%", notes=3)
    assert morning.image is not None and evening.image is not None
    assert morning.image.tobytes() != evening.image.tobytes()
    assert fingerprint(morning).digest == fingerprint(evening).digest
    model = AppModel(screens[name].app or "")
    first, second = model.locate(morning), model.locate(evening)
    assert first is second and len(model.states) == 1


def test_different_activities_are_different_states(screens: dict[str, Screen]) -> None:
    fps = {n: fingerprint(s) for n, s in screens.items()}
    for a, b in combinations(NAMES, 2):
        if screens[a].activity != screens[b].activity:
            assert not matches(fps[a], fps[b]), (a, b)


def test_layout_alone_tells_screens_apart(screens: dict[str, Screen]) -> None:
    """Without activity names (OCR-only perception), the layout still separates screens."""
    bare = {n: fingerprint(replace(s, activity=None)) for n, s in screens.items()}
    distinct = [(a, b) for a, b in combinations(NAMES, 2)
                if screens[a].activity != screens[b].activity]
    assert len(distinct) > 200
    worst = max(similarity(bare[a], bare[b]) for a, b in distinct)
    assert worst < FingerprintConfig().threshold - 0.1


def test_a_model_of_a_whole_app_keeps_screens_apart(screens: dict[str, Screen]) -> None:
    yelp = [n for n in NAMES if n.startswith("yelp")]
    model = AppModel("com.yelp.android")
    located = {n: model.locate(screens[n]) for n in yelp}
    activities = {screens[n].activity for n in yelp}
    assert len(model.states) >= len(activities)
    for a, b in combinations(yelp, 2):
        if screens[a].activity != screens[b].activity:
            assert located[a] is not located[b]


def test_small_layout_shifts_keep_the_state(screens: dict[str, Screen]) -> None:
    screen = screens["yelp_2017-08-11_202619"]
    shifted = replace(screen, elements=[
        replace(e, box=Box(e.box.x1 + 6, e.box.y1 + 9, e.box.x2 + 6, e.box.y2 + 9))
        for e in screen.elements])
    assert matches(fingerprint(screen), fingerprint(shifted))


def test_content_change_under_the_same_toolbar_is_the_same_screen(
        screens: dict[str, Screen]) -> None:
    """The album's main screen before and after picking a photo: same title bar, same state."""
    before, after = screens["album_2017-08-11_155427"], screens["album_2017-08-11_155513"]
    model = AppModel("com.yanzhenjie.album.sample")
    assert model.locate(before) is model.locate(after)


def test_element_less_screens_fall_back_to_the_image_hash(screens: dict[str, Screen]) -> None:
    a = replace(with_status_bar(screens["yelp_2017-08-11_202619"], "1:00", "50%"), elements=[])
    b = replace(with_status_bar(screens["yelp_2017-08-11_202619"], "2:00", "49%"), elements=[])
    other = replace(screens["yelp_2017-08-11_202533"], elements=[], activity=a.activity)
    assert matches(fingerprint(a), fingerprint(b))
    assert not matches(fingerprint(a), fingerprint(other))


def test_threshold_is_configurable(screens: dict[str, Screen]) -> None:
    before, after = screens["album_2017-08-11_155427"], screens["album_2017-08-11_155513"]
    strict = FingerprintConfig(threshold=0.95)
    assert not matches(fingerprint(before, strict), fingerprint(after, strict), strict)


def test_titles_and_dialogs(screens: dict[str, Screen]) -> None:
    assert screen_title(screens["yelp_2017-08-11_202619"]) == "Hair by G & E"
    assert screen_title(screens["album_2017-08-11_155427"]) == "Album"
    dialogs = {n for n, s in screens.items() if dialog_visible(s)}
    # the three dialog screens the data set's README names, and no other
    assert dialogs == {"album_2017-08-11_155624", "album_2017-08-11_155634",
                       "paypal_2016-07-15_221448"}
