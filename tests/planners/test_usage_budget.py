"""Prices, per-role usage and the run budget's stop reasons."""

from __future__ import annotations

import pytest

from planners.errors import LLMConfigError
from planners.usage import Budget, PriceTable, Usage


def test_price_lookup_by_longest_prefix() -> None:
    table = PriceTable()
    assert table.lookup("gpt-4o-mini-2024-07-18") == table.prices["gpt-4o-mini"]
    assert table.lookup("gpt-4o-2024-08-06") == table.prices["gpt-4o"]
    assert table.lookup("openai/gpt-4o-mini") == table.prices["gpt-4o-mini"]
    assert table.lookup("qwen2.5-vl-7b") is None


def test_user_prices_override_and_are_checked() -> None:
    table = PriceTable({"gpt-4o": {"input": 1, "output": 2}, "qwen": [0, 0]})
    assert table.lookup("gpt-4o") == (1.0, 2.0)
    assert table.lookup("qwen2.5-vl-7b") == (0.0, 0.0)
    with pytest.raises(LLMConfigError, match="USD per 1M tokens"):
        PriceTable({"x": "cheap"})


def test_usage_per_role_and_total() -> None:
    usage = Usage(PriceTable({"m": [2, 4]}))
    usage.record("planner", "m", 1000, 100)
    usage.record("decision", "m", 2000, 200)
    usage.record("decision", "m", 2000, 200)
    assert usage.roles["decision"].calls == 2
    assert usage.roles["decision"].tokens == 4400
    assert usage.total.cost == pytest.approx((5000 * 2 + 500 * 4) / 1e6)
    data = usage.to_dict()
    assert data["total"]["input_tokens"] == 5000
    assert data["roles"]["planner"]["cost_usd"] == pytest.approx(0.0024)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_budget_stop_reasons() -> None:
    usage = Usage(PriceTable({"m": [10, 10]}))
    clock = Clock()
    budget = Budget(usage, max_steps=2, max_tokens=5000, max_cost=0.04, max_seconds=60,
                    clock=clock)
    assert budget.check() is None
    usage.record("decision", "m", 3000, 0)
    assert budget.check() is None
    usage.record("decision", "m", 1000, 0)
    assert budget.check() == "cost budget spent: $0.0400 of $0.04"
    budget.max_cost = None
    clock.now += 61
    assert budget.check() == "time budget spent: 61 s of 60 s"
    usage.record("planner", "m", 1000, 500)
    assert budget.check() == "token budget spent: 5,500 of 5,000 tokens"
    budget.step()
    budget.step()
    assert budget.check() == "step budget spent: 2 of 2 steps"


def test_cost_budget_with_an_unpriced_model_says_what_to_do() -> None:
    usage = Usage(PriceTable())
    usage.record("decision", "my-local-vlm", 10, 10)
    assert Budget(usage).check() is None
    reason = Budget(usage, max_cost=1.0).check()
    assert reason is not None and "my-local-vlm" in reason and "[prices]" in reason
