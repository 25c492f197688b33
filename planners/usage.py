"""Tokens and cost per role and per run, and the run's budget (steps, tokens, cost, time)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from planners.errors import LLMConfigError

Price = tuple[float, float]  # USD per 1M input tokens, per 1M output tokens


def default_prices() -> dict[str, Price]:
    """The packaged price table (planners/prices.yaml)."""
    text = (resources.files("planners") / "prices.yaml").read_text(encoding="utf-8")
    return {str(k): _price(k, v) for k, v in yaml.safe_load(text).items()}


def _price(model: object, value: Any) -> Price:
    """``[in, out]`` or ``{input = .., output = ..}`` as a Price; anything else is a user error."""
    try:
        if isinstance(value, Mapping):
            return float(value["input"]), float(value["output"])
        inp, out = value
        return float(inp), float(out)
    except (KeyError, TypeError, ValueError) as exc:
        raise LLMConfigError(f"price of '{model}' must be [input, output] in USD per 1M tokens, "
                             f"got {value!r}") from exc


class PriceTable:
    """Model name -> price, by the longest key the name starts with."""

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self.prices = default_prices()
        self.prices.update({str(k): _price(k, v) for k, v in (overrides or {}).items()})

    def lookup(self, model: str) -> Price | None:
        name = model.rsplit("/", 1)[-1].lower()
        keys = [k for k in self.prices if name.startswith(k.lower())]
        return self.prices[max(keys, key=len)] if keys else None


@dataclass
class Tally:
    """Calls, tokens and cost of one role (or of the whole run)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    unpriced: set[str] = field(default_factory=set)

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def add(self, other: Tally) -> None:
        self.calls += other.calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cost += other.cost
        self.unpriced |= other.unpriced


class Usage:
    """What a run spent, per role (planner, decision, reflection, grounding); thread-safe."""

    def __init__(self, prices: PriceTable | None = None) -> None:
        self.prices = prices or PriceTable()
        self._roles: dict[str, Tally] = {}
        self._lock = threading.Lock()
        self.deadline: float | None = None   # time.monotonic() at which the run's time is up

    def seconds_left(self) -> float | None:
        """Wall time the run's budget has left (None: no time budget); model calls wait no
        longer than this."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def record(self, role: str, model: str, input_tokens: int, output_tokens: int) -> None:
        price = self.prices.lookup(model)
        cost = (input_tokens * price[0] + output_tokens * price[1]) / 1e6 if price else 0.0
        one = Tally(1, input_tokens, output_tokens, cost, set() if price else {model})
        with self._lock:
            self._roles.setdefault(role, Tally()).add(one)

    @property
    def roles(self) -> dict[str, Tally]:
        with self._lock:
            return {k: Tally(v.calls, v.input_tokens, v.output_tokens, v.cost, set(v.unpriced))
                    for k, v in self._roles.items()}

    @property
    def total(self) -> Tally:
        total = Tally()
        for tally in self.roles.values():
            total.add(tally)
        return total

    def summary(self) -> str:
        """One line: ``3 calls, 1,234 tokens (in 1,000 / out 234), $0.0012``."""
        t = self.total
        cost = f"${t.cost:.4f}" + (f" (no price for {', '.join(sorted(t.unpriced))})"
                                   if t.unpriced else "")
        return (f"{t.calls} calls, {t.tokens:,} tokens (in {t.input_tokens:,} / out "
                f"{t.output_tokens:,}), {cost}")

    def to_dict(self) -> dict[str, Any]:
        """Per role and total, for trajectories and reports."""
        def one(t: Tally) -> dict[str, Any]:
            return {"calls": t.calls, "input_tokens": t.input_tokens,
                    "output_tokens": t.output_tokens, "cost_usd": round(t.cost, 6),
                    "unpriced_models": sorted(t.unpriced)}
        return {"roles": {k: one(v) for k, v in self.roles.items()}, "total": one(self.total)}


class Budget:
    """Limits on a run; ``check()`` names the first limit reached, the loop stops on it."""

    def __init__(self, usage: Usage, *, max_steps: int | None = None,
                 max_tokens: int | None = None, max_cost: float | None = None,
                 max_seconds: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.usage = usage
        self.max_steps, self.max_tokens = max_steps, max_tokens
        self.max_cost, self.max_seconds = max_cost, max_seconds
        self.steps = 0
        self._clock = clock
        self._start = clock()
        if max_seconds is not None:
            usage.deadline = time.monotonic() + max_seconds

    def step(self) -> None:
        """Count one step taken."""
        self.steps += 1

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    def check(self) -> str | None:
        """A stop reason, or None while every limit holds."""
        total = self.usage.total
        if self.max_steps is not None and self.steps >= self.max_steps:
            return f"step budget spent: {self.steps} of {self.max_steps} steps"
        if self.max_tokens is not None and total.tokens >= self.max_tokens:
            return f"token budget spent: {total.tokens:,} of {self.max_tokens:,} tokens"
        if self.max_cost is not None:
            reason = self._cost_reason(total)
            if reason:
                return reason
        if self.max_seconds is not None and self.elapsed >= self.max_seconds:
            return f"time budget spent: {self.elapsed:.0f} s of {self.max_seconds:.0f} s"
        return None

    def _cost_reason(self, total: Tally) -> str | None:
        if total.unpriced:
            return (f"cost budget cannot be checked: no price for "
                    f"{', '.join(sorted(total.unpriced))}; add it under [prices] in "
                    f"config.toml (e.g. \"model\" = [0, 0] for a local model)")
        if self.max_cost is not None and total.cost >= self.max_cost:
            return f"cost budget spent: ${total.cost:.4f} of ${self.max_cost:.2f}"
        return None
