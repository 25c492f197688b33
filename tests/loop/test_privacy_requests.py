"""No personal value reaches the model: texts on the phone and in the task, through the real loop.

The simulated phone shows messages holding one-time codes, phone numbers, e-mails and card
numbers (strings from bench/pii_set.jsonl); the LLM loop runs against a real OpenAI-protocol
server, and every request body it received is searched for each value, and every screenshot
it received is checked for grey boxes where those texts are.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from openai_server import OpenAIServer
from PIL import Image

from devices.sim.device import SimDevice
from guiagent.safety import Safety
from guiagent.session import set_of_marks
from planners.agent_policy import AgentPolicy
from planners.agents import build_agents
from planners.llm import LLMConfig
from planners.privacy import find_pii
from planners.usage import PriceTable, Usage
from tests.loop.conftest import Script, decide, plan, run_loop

IMAGE_DATA = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+")  # searched apart
SET = Path(__file__).resolve().parents[2] / "bench" / "pii_set.jsonl"
ON_SCREEN = [  # (sender, message): the strings and others from the set
    ("+1 555-0171", "Your code is 482913. Do not share it."),
    ("+1 555-0172", "G-551093 is your verification code."),
    ("+1 555-0173", "Your code: 660412."),
    ("+1 555-0174", "Use 774120 to sign in"),
    ("+1 555-0175", "call me at 415-555-2671."),
    ("+1 555-0176", "Ваш код подтверждения: 402918"),
    ("+1 555-0177", "Hi, it's Jane (jane.doe@example.com, +44 7700 900123)"),
    ("+1 555-0178", "Card 4111 1111 1111 1111"),
]
TASK = ("text +1 415 555 2671 the code 302918, then mail o'brien@example.ie "
        "about order #58213 of 12:30")


def values_of(texts: list[str]) -> list[str]:
    """The personal values the set lists for these texts (and the senders' numbers)."""
    cases = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines()]
    by_text = {c["text"]: [p["value"] for p in c["pii"]] for c in cases}
    found = [v for t in texts for v in by_text.get(t, [])]
    assert len(found) >= 6, "the texts on screen come from the set"
    return found


def sent_images(body: dict[str, Any]) -> list[Image.Image]:
    urls = [p["image_url"]["url"] for m in body["messages"] if isinstance(m["content"], list)
            for p in m["content"] if p.get("type") == "image_url"]
    return [Image.open(io.BytesIO(base64.b64decode(u.split(",", 1)[1]))).convert("RGB")
            for u in urls]


def grey_share(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    """Share of the box's inner part that is the mask's grey."""
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * 0.2, (y2 - y1) * 0.2
    inner = image.crop((round(x1 + dx), round(y1 + dy), round(x2 - dx), round(y2 - dy)))
    pixels = np.asarray(inner, dtype=np.int16).reshape(-1, 3)
    return float((np.abs(pixels - 128).max(axis=1) <= 6).mean()) if len(pixels) else 0.0


def test_no_personal_value_in_any_request_body(phone: SimDevice, perceive,
                                               server: OpenAIServer) -> None:
    for sender, body in ON_SCREEN:
        phone.shell("content insert --uri content://sms/inbox "
                    f"--bind 'address:s:{sender}' --bind \"body:s:{body}\"")
    phone.launch_app("Messages")
    screen = perceive(phone.observe())
    shown = [e for e in screen.elements if any(e.text == b for _, b in ON_SCREEN)]
    assert len(shown) >= 6, "the messages are on the screen the model sees"
    server.default = Script(plan=[plan("look around"), plan("done", done=True)],
                            decision=[decide(type="scroll", direction="down"),
                                      decide(type="done", text="read")])
    config = LLMConfig(model="test-model", api_key="test", base_url=server.base_url,
                       prices={"test-model": [0, 0]})
    usage = Usage(PriceTable(config.prices))
    policy = AgentPolicy(build_agents(config, usage), marks=set_of_marks)
    records = run_loop(phone, policy, perceive, TASK, usage=usage, safety=Safety())
    assert records[-1].status == "success"
    secrets = values_of([b for _, b in ON_SCREEN]) + [s for s, _ in ON_SCREEN] + [
        "+1 415 555 2671", "415 555", "2671", "302918", "o'brien@example.ie", "brien"]
    bodies = [IMAGE_DATA.sub("<image>", raw.decode()) for raw in server.raw_bodies]
    assert len(bodies) >= 3
    for raw in bodies:
        for value in secrets:
            assert value not in raw and json.dumps(value)[1:-1] not in raw, value
    assert "#58213" in bodies[0] and "12:30" in bodies[0]     # look-alikes are not masked
    first = json.loads(server.raw_bodies[0])
    decision = next(json.loads(r) for r in server.raw_bodies
                    if b"guiagent_decision" in r)
    image = sent_images(decision)[0]
    sx, sy = image.width / screen.geometry.width, image.height / screen.geometry.height
    for e in shown:
        assert find_pii(e.text)
        b = e.box
        assert grey_share(image, (b.x1 * sx, b.y1 * sy, b.x2 * sx, b.y2 * sy)) > 0.9, e.text
    assert "<OTP_" in json.dumps(first) or "<PHONE_" in json.dumps(first)
