"""Instruction parsing and fuzzy text similarity (pure functions, no models)."""

from __future__ import annotations

from grounding.query import parse
from grounding.text import normalize, similarity


def test_quoted_text_keeps_case_and_drops_the_verb() -> None:
    q = parse('Tap "Sign in"')
    assert (q.text, q.quoted, q.role) == ("Sign in", True, "")
    assert parse("click 'OK'").text == "OK"
    assert parse("点击「设置」").text == "设置"


def test_roles_ordinals_positions() -> None:
    q = parse("tap the second contact")
    assert (q.ordinal, q.text) == (2, "contact")
    q = parse("the button at the bottom right")
    assert (q.role, q.position, q.text) == ("button", (1.0, 1.0), "")
    q = parse("type hello into the search box")
    assert (q.role, q.text) == ("search box", "search")
    assert parse("tap the last item").ordinal == -1


def test_relations_parse_an_anchor() -> None:
    q = parse("the switch next to Wi-Fi")
    assert q.role == "switch" and q.relation == "near"
    assert q.anchor is not None and q.anchor.text == "wi fi"
    q = parse("tap the icon to the left of 'Help'")
    assert q.relation == "left" and q.anchor is not None and q.anchor.text == "Help"


def test_toggle_verbs_are_remembered() -> None:
    assert parse("turn on airplane mode").toggle
    assert parse("Enable Bluetooth").toggle
    assert not parse("tap Bluetooth").toggle


def test_chinese_roles_ordinals_corners() -> None:
    q = parse("左下角暂停按钮")
    assert (q.text, q.role, q.position) == ("暂停", "button", (0.0, 1.0))
    assert parse("任务列表中的第二项名称").ordinal == 2


def test_similarity_ranks_clean_partial_matches_higher() -> None:
    assert similarity("wifi", "Wi-Fi") == 1.0
    assert similarity("Settings", "settings") == 1.0
    assert similarity("Grid", "Grid 栅格") > similarity("Grid", "Gridlock")
    assert similarity("antd", 'import { Carousel } from "antd";') > similarity("antd",
                                                                               "Ant Design")
    assert similarity("zebra", "Display") < 0.5
    assert normalize("Ｗｉ－Ｆｉ!") == "wi fi"


def test_head_noun_is_the_role_and_quotes_hide_relations() -> None:
    q = parse("tap the Image icon")
    assert (q.role, q.text) == ("icon", "image")
    q = parse('tap "Sign Up for Yelp"')
    assert (q.text, q.relation) == ("Sign Up for Yelp", "")
    q = parse('tap "Hair Salons below"')
    assert q.relation == "" and q.text == "Hair Salons below"
    assert parse("tap the First to Tip icon", ordinals=False).text == "first tip"
