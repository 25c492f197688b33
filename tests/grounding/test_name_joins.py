"""An icon draws the action of a control whose name joins an action to its object with a
word ("Search for Files", "Go to Line"): the icon the classifier names "search" is found for
it, as for a two-word name ("Close tab"). Real pixels: Thunar's toolbar from the dev set."""

from __future__ import annotations

from pathlib import Path

from devices.geometry import Box
from grounding.locate import _content_words, locate
from grounding.perceive import Perceiver, load_image

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset" / "images"


def test_joining_words_inside_a_name_are_left_out_and_phrasal_verbs_keep_theirs() -> None:
    assert _content_words("Search for Files") == ["Search", "Files"]
    assert _content_words("Go to the Line") == ["Go", "the", "Line"]  # still three words
    assert _content_words("Zoom in") == ["Zoom", "in"]
    assert _content_words("close the window") == ["close", "the", "window"]


def test_thunars_search_for_files_icon_is_found(perceiver: Perceiver) -> None:
    perceiver.reset()
    screen = perceiver.perceive(load_image(DEVSET / "thunar.png"))
    for said in ('tap the "Search for Files" icon', "press search for files"):
        target = locate(screen, said)
        assert target.found and target.point is not None, target.reason
        assert Box(1240, 31, 1277, 66).contains(target.point), (said, target)


def test_thunars_open_parent_button_is_its_up_arrow(perceiver: Perceiver) -> None:
    """What file managers call their go-up button (icons.aliases.yaml)."""
    perceiver.reset()
    screen = perceiver.perceive(load_image(DEVSET / "thunar.png"))
    target = locate(screen, "press open parent")
    assert target.found and target.point is not None, target.reason
    assert Box(78, 31, 115, 66).contains(target.point), target
