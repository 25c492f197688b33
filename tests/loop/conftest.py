"""The simulated phone in process, a11y-based perception, and scripted model replies by role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openai_server import OpenAIServer

from devices import Device, open_device
from devices.sim.device import SimDevice
from devices.sim.phone import Phone
from grounding.perceive import PerceiveConfig, Perceiver
from grounding.types import Screen, Target
from guiagent.loop import AgentLoop, LoopOptions
from guiagent.safety import Safety
from guiagent.session import set_of_marks
from guiagent.steps import RunResult, StepRecord
from guiagent.trajectory import Trajectory
from planners.agent_policy import AgentPolicy
from planners.agents import build_agents
from planners.llm import LLMConfig
from planners.policy import Policy
from planners.usage import Budget, PriceTable, Usage

Reply = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


def text_locate(screen: Screen, what: str) -> Target:
    """Exact (case-insensitive) text match: the loop tests are about the loop, not grounding."""
    hits = [e for e in screen.elements if (e.text or e.label).casefold() == what.casefold()]
    if not hits:
        return Target(False, reason=f"no element reads {what!r}")
    return Target(True, hits[0].center, hits[0], 1.0)


@pytest.fixture
def phone() -> Iterator[SimDevice]:
    with SimDevice() as dev:
        yield dev


@pytest.fixture
def adb_phone(tmp_path: Path) -> Iterator[Device]:
    """The simulated phone (seed 0) opened through a real adb server, as a user's phone is."""
    from android.conftest import ADB, AdbServer

    if ADB is None:
        pytest.skip("needs Debian's adb")
    (tmp_path / "adbhome").mkdir()
    server = AdbServer(tmp_path / "adbhome")
    server.adb("start-server", timeout=30).check_returncode()
    try:
        daemon = server.serve(Phone(seed=0))
        with open_device(f"android:{daemon.serial}@{server.address}") as dev:
            yield dev
        daemon.stop()
    finally:
        server.adb("kill-server", timeout=30)


@pytest.fixture
def perceive() -> Callable[..., Screen]:
    return Perceiver(PerceiveConfig(use_ocr=False, proposals=False)).perceive


def run_loop(device: SimDevice, policy: Policy, perceive: Callable[..., Screen], task: str, *,
             usage: Usage | None = None, max_steps: int = 15, safety: Safety | None = None,
             trajectory: Trajectory | None = None, **kw: Any) -> list[StepRecord]:
    """Run the loop to its end and return every record (the last is the RunResult)."""
    usage = usage or Usage()
    budget = Budget(usage, max_steps=max_steps, max_tokens=kw.pop("max_tokens", None))
    loop = AgentLoop(device, policy, perceive=perceive, locate=text_locate,
                     safety=safety or Safety(assume_yes=True), budget=budget,
                     trajectory=trajectory, options=LoopOptions(**kw.pop("options", {})), **kw)
    records = list(loop.run(task))
    assert isinstance(records[-1], RunResult)
    return records


def element_number(body: dict[str, Any], text: str) -> int:
    """The number the decision prompt's element list gives ``text``."""
    prompt = json_text(body)
    m = re.search(r"\[(\d+)\] \w+ \\?\"" + re.escape(text) + r"\\?\"", prompt)
    assert m, f"{text!r} is not in the element list sent to the model"
    return int(m.group(1))


def json_text(body: dict[str, Any]) -> str:
    parts = []
    for message in body["messages"]:
        content = message["content"]
        if isinstance(content, str):
            parts.append(content)
        else:
            parts += [p.get("text", "") for p in content if p.get("type") == "text"]
    return "\n".join(parts)


class Script:
    """Replies by role (the JSON schema's name); the last reply of a role repeats."""

    def __init__(self, plan: list[Reply], decision: list[Reply],
                 reflection: list[Reply] | None = None) -> None:
        self.queues = {"plan": list(plan), "decision": list(decision),
                       "reflection": list(reflection or [{"outcome": "ok", "reason": "fine"}])}
        self.calls: dict[str, int] = {"plan": 0, "decision": 0, "reflection": 0}

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        role = body["response_format"]["json_schema"]["name"].removeprefix("guiagent_")
        queue = self.queues[role]
        self.calls[role] += 1
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        return reply(body) if callable(reply) else reply


def plan(subgoal: str, done: bool = False) -> dict[str, Any]:
    return {"progress": f"working on: {subgoal}", "next_subgoal": subgoal, "done": done}


def decide(**action: Any) -> dict[str, Any]:
    return {"thought": "scripted", "action": action, "note": None}


def tap_text(text: str, **extra: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A decision that taps the element the prompt lists as ``text``."""
    return lambda body: decide(type="tap", element=element_number(body, text), **extra)


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    """A real HTTP server speaking the OpenAI protocol, for the LLM loop tests."""
    with OpenAIServer() as srv:
        yield srv


def policy_for(srv: OpenAIServer, script: Script) -> tuple[AgentPolicy, Usage]:
    """The LLM agents against ``srv``, which answers from ``script``."""
    srv.default = script
    config = LLMConfig(model="test-model", api_key="test", base_url=srv.base_url,
                       prices={"test-model": [0, 0]})
    usage = Usage(PriceTable(config.prices))
    return AgentPolicy(build_agents(config, usage), marks=set_of_marks), usage
