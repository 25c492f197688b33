"""The LLM client against a real OpenAI-protocol HTTP server, through the real openai client."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from llm_support import PLAN, config_for
from openai_server import HTTPError, OpenAIServer

from planners.agents import build_agents
from planners.errors import BadModelReply, LLMConfigError, LLMUnavailable
from planners.llm import LLMClient, LLMConfig, parse_json_reply
from planners.privacy import PrivacyConfig
from planners.schemas import PlanReply, wire_schema

PLAN_MESSAGES = [{"role": "system", "content": "You plan. Reply in JSON."},
                 {"role": "user", "content": "Task: open Wi-Fi"}]


def ask_plan(client: LLMClient) -> PlanReply:
    return client.structured("planner", "plan", PLAN_MESSAGES, PlanReply.model_validate)


def test_asks_for_strict_json_schema_by_name(server: OpenAIServer) -> None:
    server.replies = [PLAN]
    reply = ask_plan(LLMClient(config_for(server)))
    assert reply == PlanReply(**PLAN)
    fmt = server.requests[0]["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"] == {"name": "guiagent_plan", "schema": wire_schema("plan"),
                                  "strict": True}
    assert server.requests[0]["model"] == "gpt-4o-mini"


def reject_format(*rejected: str, status: int = 400) -> Any:
    """A server reply that answers ``status`` to the given response_format types."""
    def reply(body: dict[str, Any]) -> Any:
        kind = body.get("response_format", {}).get("type")
        if kind in rejected:
            return HTTPError(status, f"response_format type '{kind}' is not supported")
        return "Sure, here it is:\n```json\n" + json.dumps(PLAN) + "\n```"
    return reply


@pytest.mark.parametrize("status", [400, 422])
def test_falls_back_to_json_mode_and_remembers_it(server: OpenAIServer, status: int) -> None:
    server.default = reject_format("json_schema", status=status)
    client = LLMClient(config_for(server))
    assert ask_plan(client).next_subgoal == "open Wi-Fi"
    assert ask_plan(client).next_subgoal == "open Wi-Fi"
    kinds = [r.get("response_format", {}).get("type") for r in server.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert client.mode == "json_object"
    hint = server.requests[1]["messages"][1]["content"]
    assert "JSON schema" in hint and "next_subgoal" in hint


def test_falls_back_to_prompt_only_with_tolerant_parsing(server: OpenAIServer) -> None:
    server.default = reject_format("json_schema", "json_object")
    client = LLMClient(config_for(server))
    assert ask_plan(client).progress == "Settings is open"
    assert "response_format" not in server.requests[-1]
    assert client.mode == "prompt"


def test_a_400_about_something_else_is_not_a_fallback(server: OpenAIServer) -> None:
    server.replies = [HTTPError(400, "messages: too many tokens")]
    with pytest.raises(LLMUnavailable, match="too many tokens"):
        ask_plan(LLMClient(config_for(server)))
    assert len(server.requests) == 1


@pytest.mark.parametrize("content", [
    json.dumps(PLAN),
    "```json\n" + json.dumps(PLAN) + "\n```",
    "I think this is right.\n```\n" + json.dumps(PLAN) + "\n```\nDone.",
    "Here you go: " + json.dumps(PLAN) + " -- hope it helps {not json}",
    "<think>maybe {\"progress\": 1}</think>\n" + json.dumps(PLAN),
])
def test_tolerant_parsing(content: str) -> None:
    assert parse_json_reply(content) == PLAN


@pytest.mark.parametrize("content", ["", "no json at all", "[1, 2]", "{broken"])
def test_parsing_something_without_an_object_fails(content: str) -> None:
    with pytest.raises(ValueError, match="no JSON object"):
        parse_json_reply(content)


def test_invalid_reply_is_retried_once_with_the_error(server: OpenAIServer) -> None:
    server.replies = [{"progress": "x", "done": "perhaps"}, PLAN]
    assert ask_plan(LLMClient(config_for(server))) == PlanReply(**PLAN)
    retry = server.requests[1]["messages"]
    assert retry[-2] == {"role": "assistant", "content": json.dumps({"progress": "x",
                                                                     "done": "perhaps"})}
    assert "could not be used" in retry[-1]["content"]
    assert "next_subgoal" in retry[-1]["content"]  # the validation error names the field


def test_second_invalid_reply_raises_bad_model_reply(server: OpenAIServer) -> None:
    server.replies = ["not json", "still not json"]
    with pytest.raises(BadModelReply, match="plan reply was invalid twice"):
        ask_plan(LLMClient(config_for(server)))
    assert len(server.requests) == 2


def test_server_errors_become_llm_unavailable(server: OpenAIServer) -> None:
    server.replies = [HTTPError(503, "overloaded")]
    with pytest.raises(LLMUnavailable, match="503"):
        ask_plan(LLMClient(config_for(server)))


def test_unreachable_server_becomes_llm_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, timeout=5.0)
    with pytest.raises(LLMUnavailable, match="cannot reach"):
        ask_plan(LLMClient(config))


def test_auth_error_says_how_to_set_the_key(server: OpenAIServer) -> None:
    server.replies = [HTTPError(401, "invalid api key")]
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        ask_plan(LLMClient(config_for(server)))


def test_unknown_model_says_how_to_choose_one(server: OpenAIServer) -> None:
    server.replies = [HTTPError(404, "model not found")]
    with pytest.raises(LLMConfigError, match="no model 'gpt-4o-mini'.*GUIAGENT_MODEL"):
        ask_plan(LLMClient(config_for(server)))


def test_nothing_configured_is_a_config_error() -> None:
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY.*OPENAI_BASE_URL"):
        LLMClient(LLMConfig())


@pytest.mark.parametrize("base_url", [None, "https://api.openai.com/v1",
                                      "http://10.0.0.5:8000/v1", "http://gpu-box.lan/v1"])
def test_local_only_refuses_remote_servers(base_url: str | None) -> None:
    config = LLMConfig(api_key="k", base_url=base_url, privacy=PrivacyConfig(local_only=True))
    with pytest.raises(LLMConfigError, match="local_only"):
        LLMClient(config)


def test_local_only_allows_loopback(server: OpenAIServer) -> None:
    server.replies = [PLAN]
    client = LLMClient(config_for(server, privacy=PrivacyConfig(local_only=True)))
    assert ask_plan(client).done is False


def test_usage_and_cost_per_role(server: OpenAIServer) -> None:
    server.usage = (1000, 200)
    server.replies = [PLAN, PLAN]
    agents = build_agents(config_for(server, planner_model="gpt-4o", reflection_model="local-q"))
    agents.planner.plan("open Wi-Fi", [], [])
    agents.llm.structured("reflection", "plan", PLAN_MESSAGES, PlanReply.model_validate)
    roles = agents.llm.usage.roles
    assert [r["model"] for r in server.requests] == ["gpt-4o", "local-q"]
    assert (roles["planner"].input_tokens, roles["planner"].output_tokens) == (1000, 200)
    assert roles["planner"].cost == pytest.approx((1000 * 2.50 + 200 * 10.00) / 1e6)
    assert roles["reflection"].unpriced == {"local-q"}
    total = agents.llm.usage.total
    assert (total.calls, total.tokens) == (2, 2400)
    assert "2 calls, 2,400 tokens" in agents.llm.usage.summary()


def test_price_override_from_config(server: OpenAIServer) -> None:
    server.usage = (1_000_000, 1_000_000)
    server.replies = [PLAN]
    agents = build_agents(config_for(server, model="my-model", prices={"my-model": [1, 3]}))
    agents.planner.plan("t", [], [])
    assert agents.llm.usage.total.cost == pytest.approx(4.0)
