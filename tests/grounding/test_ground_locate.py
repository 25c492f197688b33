"""Locating on the real simulated phone's screens, perceived from its tree and pixels."""

from __future__ import annotations

import pytest

from devices.base import Observation
from devices.geometry import Box
from grounding.a11y import parse_uiautomator
from grounding.locate import locate
from grounding.perceive import Perceiver
from grounding.types import Screen


def node_box(obs: Observation, text: str) -> Box:
    return next(n.box for n in parse_uiautomator(obs.ui_tree or "") if n.name == text)


@pytest.fixture(scope="module")
def settings(tree_only: Perceiver, sim_screens: dict[str, Observation]) -> Screen:
    return tree_only.perceive(sim_screens["settings"])


@pytest.fixture(scope="module")
def network(tree_only: Perceiver, sim_screens: dict[str, Observation]) -> Screen:
    return tree_only.perceive(sim_screens["network"])


def hit(screen: Screen, instruction: str, box: Box) -> None:
    t = locate(screen, instruction)
    assert t.found and t.point is not None, t.reason
    assert box.contains(t.point), f"{instruction!r} -> {t.point} ({t.reason}), wanted {box}"


def test_text_quoted_unquoted_fuzzy(settings: Screen, sim_screens: dict) -> None:
    box = node_box(sim_screens["settings"], "Network & internet")
    hit(settings, 'tap "Network & internet"', box)
    hit(settings, "open network and internet", box)
    hit(settings, "tap Netwrk & internet", box)       # a typo still finds it
    hit(settings, "tap Display", node_box(sim_screens["settings"], "Display"))


def test_icon_by_content_description_and_synonym(network: Screen, sim_screens: dict) -> None:
    box = node_box(sim_screens["network"], "Navigate up")
    hit(network, "tap Navigate up", box)
    hit(network, "press the back arrow", box)


def test_role_and_relation(network: Screen) -> None:
    t = locate(network, "the switch next to Wi-Fi")
    assert t.found and t.element is not None and t.element.kind == "toggle"
    wifi = next(e for e in network.elements if e.text == "Wi-Fi")
    assert abs(t.element.center.y - wifi.center.y) < wifi.box.height
    t = locate(network, "turn on airplane mode")
    airplane = next(e for e in network.elements if e.text == "Airplane mode")
    assert t.element is not None and t.element.kind == "toggle"
    assert abs(t.element.center.y - airplane.center.y) < airplane.box.height


def test_search_box_role(settings: Screen, sim_screens: dict) -> None:
    hit(settings, "tap the search box", node_box(sim_screens["settings"], "Search settings"))


def test_ordinals(settings: Screen, sim_screens: dict) -> None:
    rows = sorted((n.box for n in parse_uiautomator(sim_screens["settings"].ui_tree or "")
                   if n.clickable and n.has_children), key=lambda b: b.y1)
    assert len(rows) >= 4
    hit(settings, "tap the first entry", rows[0])
    hit(settings, "tap the second item", rows[1])
    hit(settings, "tap the 3rd item", rows[2])
    hit(settings, "tap the last item", rows[-1])


def test_position(network: Screen, sim_screens: dict) -> None:
    hit(network, "the button at the top left", node_box(sim_screens["network"], "Navigate up"))


def test_not_found_is_honest(settings: Screen) -> None:
    t = locate(settings, "tap Zebra crossing")
    assert not t.found and t.point is None
    assert "zebra crossing" in t.reason and t.candidates
    assert all(score < 0.6 for _, score in t.candidates)
    assert not locate(settings, "tap the 40th item").found
    assert not locate(settings, "tap").found


def test_blank_tree_node_is_dropped(tree_only: Perceiver, sim_screens: dict) -> None:
    obs = sim_screens["network"]
    ghost = ('<node text="Ghost setting" class="android.widget.TextView" clickable="true" '
             'bounds="[100,2060][900,2160]" /></hierarchy>')  # below the last row
    fake = Observation(image=obs.image, geometry=obs.geometry,
                       ui_tree=(obs.ui_tree or "").replace("</hierarchy>", ghost))
    screen = tree_only.perceive(fake)
    assert "Ghost setting" not in screen.texts()
    assert not locate(screen, 'tap "Ghost setting"').found


def test_a_word_inside_a_read_line_is_pointed_at() -> None:
    from devices.geometry import ScreenGeometry
    from grounding.types import Element

    line = Element(1, Box(0, 0, 310, 20), "text", 'import { Carousel } from "antd";',
                   source="ocr")
    menu = Element(2, Box(0, 40, 120, 60), "text", "Grid 栅格", source="ocr")
    screen = Screen([line, menu], ScreenGeometry(400, 100))
    t = locate(screen, 'click "from"')
    assert t.found and t.point is not None and 190 <= t.point.x <= 240
    t = locate(screen, "tap Grid")
    assert t.found and t.point is not None and t.point.x < 40


def test_unnamed_app_bar_icons_by_convention_and_glyphs() -> None:
    from devices.geometry import ScreenGeometry
    from grounding.fuse import _from_phrase
    from grounding.ocr import TextBox
    from grounding.types import Element

    status = Element(1, Box(20, 10, 60, 50), "icon", source="proposal")     # status bar
    back = Element(2, Box(0, 100, 190, 280), "icon", source="detector")
    title = Element(3, Box(220, 150, 600, 230), "text", "Reviews", source="ocr")
    kebab = _from_phrase(TextBox(Box(1350, 150, 1380, 230), ":", 0.95))
    kebab.id = 4
    screen = Screen([status, back, title, kebab], ScreenGeometry(1440, 2560))
    t = locate(screen, "tap the Navigate up icon")
    assert t.found and t.element is back and "usually" in t.reason
    t = locate(screen, "tap the more options icon")
    assert t.found and t.element is kebab and kebab.kind == "icon" and kebab.label == "more"
    assert not locate(screen, "tap the camera icon").found
