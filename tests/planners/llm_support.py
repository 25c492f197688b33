"""Helpers of the planners tests: scripted replies and configs pointing at the test server."""

from __future__ import annotations

from typing import Any

from openai_server import OpenAIServer

from planners.llm import LLMConfig

PLAN = {"progress": "Settings is open", "next_subgoal": "open Wi-Fi", "done": False}
REFLECTION = {"outcome": "ok", "reason": "the Wi-Fi page opened"}


def decision(action: dict[str, Any], note: str | None = None) -> dict[str, Any]:
    """A decision reply in the flat wire format, unused action fields null."""
    fields = ("target", "element", "x", "y", "text", "direction", "app", "key", "seconds")
    return {"thought": "the toggle is visible", "note": note,
            "action": {**dict.fromkeys(fields), **action}}


def config_for(srv: OpenAIServer, **overrides: Any) -> LLMConfig:
    """A config for the test server; no client-side retries so failures are immediate."""
    values: dict[str, Any] = {"model": "gpt-4o-mini", "base_url": srv.base_url,
                              "api_key": "test-key", "max_retries": 0, "timeout": 10.0}
    return LLMConfig(**(values | overrides))
