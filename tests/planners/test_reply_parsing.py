"""Model replies: any text parses to an object or is refused as invalid, in linear time."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from llm_support import PLAN, config_for
from openai_server import OpenAIServer

from planners.agents import build_agents
from planners.errors import BadModelReply
from planners.llm import MAX_REPLY_CHARS, parse_json_reply

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
OBJECTS = st.dictionaries(st.text(max_size=8), JSON, min_size=1, max_size=5)
PROSE = st.text(st.characters(exclude_characters="{}`<"), max_size=60)


@FAST
@given(st.text(max_size=400))
def test_any_text_is_an_object_or_a_value_error(text: str) -> None:
    try:
        assert isinstance(parse_json_reply(text), dict)
    except ValueError:
        pass


@FAST
@given(OBJECTS, PROSE, PROSE, st.sampled_from(["{}", "```json\n{}\n```", "<think>{{</think>{}",
                                               "{} ```", "Sure! {}"]))
def test_an_object_in_prose_fences_or_after_thinking_is_found(
        obj: dict[str, Any], before: str, after: str, frame: str) -> None:
    reply = before + frame.replace("{}", json.dumps(obj)) + after
    assert parse_json_reply(reply) == obj


@pytest.mark.parametrize("reply", ["[" * 100_000, '{"a": ' * 20_000, "{" * 200_000],
                         ids=["lists", "objects", "braces"])
def test_deep_nesting_is_invalid_not_a_crash(reply: str) -> None:
    with pytest.raises(ValueError, match="no JSON object"):
        parse_json_reply(reply)


@pytest.mark.timeout(120)
def test_a_reply_over_the_limit_is_refused_before_parsing() -> None:
    reply = json.dumps({"progress": "x" * MAX_REPLY_CHARS, "next_subgoal": "", "done": False})
    with pytest.raises(ValueError, match=f"more than the {MAX_REPLY_CHARS} allowed"):
        parse_json_reply(reply)
    assert parse_json_reply(json.dumps(PLAN)) == PLAN


@pytest.mark.timeout(120)
def test_a_1_mb_reply_from_the_server_is_an_invalid_reply(server: OpenAIServer) -> None:
    huge = "Sure: " + "a" * (1 << 20) + "@" + json.dumps(PLAN)
    server.replies = [huge, huge]
    planner = build_agents(config_for(server)).planner
    with pytest.raises(BadModelReply, match="allowed"):
        planner.plan("open Wi-Fi", [], [])
    echoed = server.requests[1]["messages"]
    assert [m for m in echoed if m["role"] == "assistant"][0]["content"].endswith(" ...")
    assert len(server.raw_bodies[1]) < 64 * 1024      # the 1 MB is not sent back
