"""The three agents end to end over HTTP: prompts, images, privacy, action validation."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from llm_support import PLAN, REFLECTION, config_for, decision
from openai_server import OpenAIServer
from PIL import Image

from devices.geometry import Box, ScreenGeometry
from grounding.types import Element, Screen
from planners.actions import Done, Tap, Type
from planners.agents import DecisionContext, build_agents
from planners.errors import BadModelReply
from planners.schemas import wire_schema

EMAIL, PHONE, CARD = "alice.doe@example.org", "+1 (555) 123-4567", "4111 1111 1111 1111"
ELEMENTS = (f'[1] text "Contact {EMAIL}"\n[2] text "Call {PHONE}"\n'
            f'[3] text "Card {CARD}"\n[4] button "Send"')


def screen_with_pii() -> Screen:
    boxes = [Box(0, 0, 400, 100), Box(0, 100, 400, 200), Box(0, 200, 400, 300),
             Box(0, 300, 400, 400)]
    texts = [f"Contact {EMAIL}", f"Call {PHONE}", f"Card {CARD}", "Send"]
    elements = [Element(i + 1, box, "text", text) for i, (box, text) in enumerate(zip(boxes, texts,
                                                                                      strict=True))]
    return Screen(elements, ScreenGeometry(400, 800))


def context(**overrides: Any) -> DecisionContext:
    values: dict[str, Any] = {
        "task": f"Send the card number to {EMAIL}", "progress": "Mail is open",
        "subgoal": "fill the form", "elements": ELEMENTS,
        "som_image": Image.new("RGB", (400, 800), "white"), "memory": [f"phone is {PHONE}"],
        "tips": ["the Send button is at the top"], "last_outcomes": ["tap Mail: ok"],
        "warnings": [], "screen": screen_with_pii()}
    return DecisionContext(**(values | overrides))


def sent_images(body: dict[str, Any]) -> list[Image.Image]:
    urls = [p["image_url"]["url"] for m in body["messages"] if isinstance(m["content"], list)
            for p in m["content"] if p["type"] == "image_url"]
    return [Image.open(io.BytesIO(base64.b64decode(u.split(",", 1)[1]))) for u in urls]


def user_text(body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    return content if isinstance(content, str) else content[0]["text"]


def test_planner_sees_placeholders_and_answers_locally_in_values(server: OpenAIServer) -> None:
    server.replies = [{"progress": "mail to <EMAIL_1> drafted", "next_subgoal": "send it",
                       "done": False}]
    reply = build_agents(config_for(server)).planner.plan(f"mail {EMAIL}", [], [])
    assert EMAIL not in server.raw_bodies[0].decode()
    assert reply.progress == f"mail to {EMAIL} drafted"


def test_planner_sends_task_history_and_memory(server: OpenAIServer) -> None:
    server.replies = [PLAN]
    agents = build_agents(config_for(server))
    reply = agents.planner.plan("turn on Wi-Fi", ["tap Settings: ok"], ["Wi-Fi is under Network"])
    assert reply.next_subgoal == "open Wi-Fi"
    body = server.requests[0]
    assert body["response_format"]["json_schema"]["name"] == "guiagent_plan"
    text = user_text(body)
    assert "turn on Wi-Fi" in text and "1. tap Settings: ok" in text
    assert "- Wi-Fi is under Network" in text


def test_decision_request_and_typed_action(server: OpenAIServer) -> None:
    server.replies = [decision({"type": "tap", "element": 4}, note="the form is filled")]
    reply = build_agents(config_for(server)).decision.decide(context())
    assert reply.action == Tap(element=4)
    assert reply.note == "the form is filled"
    body = server.requests[0]
    assert body["response_format"]["json_schema"]["name"] == "guiagent_decision"
    assert body["response_format"]["json_schema"]["schema"] == wire_schema("decision")
    assert "data, not instructions" in body["messages"][0]["content"]
    assert "[4] button \"Send\"" in user_text(body)
    assert "- the Send button is at the top" in user_text(body)


def test_screenshot_is_a_downscaled_data_url_and_pixels_come_back(server: OpenAIServer) -> None:
    server.replies = [decision({"type": "tap", "x": 100, "y": 50})]
    agents = build_agents(config_for(server, image_max_side=400, image_format="jpeg"))
    image = Image.new("RGB", (800, 1600), "white")
    reply = agents.decision.decide(context(som_image=image, screen=None))
    url = server.requests[0]["messages"][1]["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    assert sent_images(server.requests[0])[0].size == (200, 400)
    assert "200x400 pixels" in user_text(server.requests[0])
    assert reply.action == Tap(x=400, y=200)  # in the screenshot's own pixels


def test_no_personal_data_leaves_the_machine(server: OpenAIServer) -> None:
    server.replies = [decision({"type": "type", "text": "<CARD_1>", "target": "<EMAIL_1>"})]
    agents = build_agents(config_for(server))
    reply = agents.decision.decide(context())
    raw = b"".join(server.raw_bodies).decode()
    for secret in (EMAIL, PHONE, CARD, "5551234567", "4111111111111111"):
        assert secret not in raw
    assert "<EMAIL_1>" in raw and "<PHONE_1>" in raw and "<CARD_1>" in raw
    assert reply.action == Type(text=CARD, target=EMAIL)  # real values, locally


def test_personal_data_boxes_are_filled_in_the_image(server: OpenAIServer) -> None:
    server.replies = [decision({"type": "back"})]
    build_agents(config_for(server)).decision.decide(context())
    image = sent_images(server.requests[0])[0].convert("RGB")
    assert image.getpixel((200, 50)) == image.getpixel((200, 250)) == (128, 128, 128)
    assert image.getpixel((200, 350)) == (255, 255, 255)  # "Send" is not personal


def test_invalid_action_is_retried_with_the_validation_error(server: OpenAIServer) -> None:
    server.replies = [decision({"type": "tap"}), decision({"type": "done", "text": "sent"})]
    reply = build_agents(config_for(server)).decision.decide(context())
    assert reply.action == Done(text="sent")
    assert "needs a target" in user_text(server.requests[1])


def test_unknown_placeholder_is_an_invalid_reply(server: OpenAIServer) -> None:
    server.replies = [decision({"type": "type", "text": "<EMAIL_9>"})] * 2
    with pytest.raises(BadModelReply, match="EMAIL_9"):
        build_agents(config_for(server)).decision.decide(context())


def test_empty_foreign_fields_are_tolerated_but_not_filled_ones(server: OpenAIServer) -> None:
    server.replies = [decision({"type": "back", "text": ""}),
                      decision({"type": "back", "app": "Mail"}), decision({"type": "back"})]
    agents = build_agents(config_for(server))
    assert agents.decision.decide(context(screen=None, som_image=None)).action.type == "back"
    assert agents.decision.decide(context(screen=None, som_image=None)).action.type == "back"
    assert "app" in user_text(server.requests[2])  # the filled foreign field was refused
    assert "No screenshot" in user_text(server.requests[0])


def test_reflection_sends_both_screens(server: OpenAIServer) -> None:
    server.replies = [REFLECTION]
    agents = build_agents(config_for(server))
    before = Image.new("RGB", (400, 800), "white")
    reply = agents.reflection.reflect("turn on Wi-Fi", "open Wi-Fi", "tap element 3", before,
                                      before.copy(), '[3] text "Wi-Fi"', '[1] toggle "Wi-Fi"',
                                      before_screen=screen_with_pii())
    assert reply.outcome == "ok"
    body = server.requests[0]
    assert body["response_format"]["json_schema"]["name"] == "guiagent_reflection"
    images = sent_images(body)
    assert len(images) == 2
    assert images[0].convert("RGB").getpixel((5, 5)) == (128, 128, 128)
    assert images[1].convert("RGB").getpixel((5, 5)) == (255, 255, 255)
    assert "tap element 3" in user_text(body)


def test_reflection_outcome_is_validated(server: OpenAIServer) -> None:
    server.replies = [{"outcome": "great", "reason": "?"}, {"outcome": "no_change", "reason": "-"}]
    agents = build_agents(config_for(server))
    image = Image.new("RGB", (40, 80))
    assert agents.reflection.reflect("t", "s", "a", image, image, "", "").outcome == "no_change"
    assert "outcome" in user_text(server.requests[1])
