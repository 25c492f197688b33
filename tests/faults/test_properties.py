"""Property tests: whatever a user writes into a config file, a flow file or a ``--jsonl``
batch, parsing ends in a value or in one of the project's own errors, never another one."""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from guiagent.config import Settings, llm_config, load_settings, perceive_config
from guiagent.errors import ConfigError, UsageError
from guiagent.flows import SCHEMA, FlowError, load_flow, substitute
from planners.errors import LLMConfigError
from planners.usage import Budget, PriceTable, Usage

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
KEYS = [f for f in Settings.__dataclass_fields__ if f not in ("extra", "secrets")] + ["prices"]

scalars = st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.text(max_size=12),
                    st.floats(allow_nan=False, allow_infinity=False, width=32))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8)


def toml_value(value: Any) -> str:
    """A TOML literal (inline tables and arrays) for a JSON-like value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def settle_config(text: str) -> None:
    """Load the config and build everything a run derives from it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.toml"
        path.write_text(text, encoding="utf-8")
        try:
            loaded = load_settings(path=path, environ={})
            llm_config(loaded)
            perceive_config(loaded)
            Budget(Usage(PriceTable(loaded.extra.get("prices", {}))),
                   max_steps=loaded.max_steps, max_cost=loaded.max_cost)
        except (ConfigError, LLMConfigError):
            pass


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS) | st.text(string.ascii_lowercase + "_",
                                                       min_size=1, max_size=10),
                       values, max_size=6))
def test_any_config_file_loads_or_is_a_config_error(table: dict[str, Any]) -> None:
    settle_config("".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in table.items()))


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_as_config_loads_or_is_a_config_error(text: str) -> None:
    settle_config(text)


STEP_KINDS = sorted(SCHEMA)
step_args = st.dictionaries(st.sampled_from(["target", "text", "app", "seconds", "times",
                                             "steps", "timeout", "visible", "direction",
                                             "command", "equals", "matches", "index", "into"]),
                            values, max_size=3)
steps = st.lists(st.one_of(st.sampled_from(STEP_KINDS), values,
                           st.builds(lambda k, a: {k: a}, st.sampled_from(STEP_KINDS),
                                     st.one_of(values, step_args))), max_size=4)
flows = st.fixed_dictionaries({}, optional={
    "name": values, "device": values, "tags": values, "env": values, "snapshot": values,
    "steps": steps, "extra": values})


def settle_flow(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "flow.yaml"
        path.write_bytes(data)
        try:
            flow = load_flow(path)
            for step in flow.steps:
                substitute(step.args, flow.env)
        except FlowError as exc:
            assert str(exc).startswith((str(path), "variable ")), exc


@SETTINGS
@given(flows)
def test_any_flow_loads_or_is_a_flow_error(flow: dict[str, Any]) -> None:
    import yaml

    settle_flow(yaml.safe_dump(flow, allow_unicode=True).encode("utf-8"))


@SETTINGS
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_any_bytes_as_a_flow_load_or_are_a_flow_error(data: bytes) -> None:
    settle_flow(data)


def read_jsonl(text: str) -> list[dict[str, Any]] | None:
    from guiagent.commands.ground_cmds import _read_jsonl

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "a.png").write_bytes(b"")
        path = Path(tmp) / "cases.jsonl"
        path.write_text(text, encoding="utf-8")
        try:
            return [{**row, "image": row["image"].name} for row in _read_jsonl(path)]
        except UsageError:   # ImageError (exit 4) included: both are the user's to fix
            return None
        except Exception as exc:
            from grounding.errors import ImageError

            if isinstance(exc, ImageError):
                return None
            raise


rows = st.lists(st.fixed_dictionaries({"image": st.just("a.png"), "instruction": st.text()},
                                      optional={"id": values}), max_size=4)


@SETTINGS
@given(rows)
@example([{"image": "a.png", "instruction": "tap\u2028Next\x1c\x85 \r"}])
def test_every_valid_jsonl_row_is_read_back(cases: list[dict[str, Any]]) -> None:
    """Texts with any characters (U+2028, tabs, escapes) survive one JSON object a line."""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in cases)
    assert read_jsonl(text) == cases


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=60), values.map(json.dumps),
                          rows.map(lambda r: json.dumps(r[0]) if r else "{}")), max_size=5))
def test_any_jsonl_is_read_or_is_a_usage_error(lines: list[str]) -> None:
    read_jsonl("\n".join(lines))


@pytest.mark.parametrize("line", ["[" * 100_000, "{\"a\": " * 50_000], ids=["arrays", "objects"])
def test_deeply_nested_jsonl_is_a_usage_error(line: str) -> None:
    assert read_jsonl(line + "\n") is None


@SETTINGS
@given(st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=80))
def test_printable_never_lets_a_control_character_through(text: str) -> None:
    from guiagent.terminal import printable

    shown = printable(text)
    assert not [c for c in shown if ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0], repr(shown)
    assert "\n" not in shown
    kept = printable(text, lines=True)
    assert kept.count("\n") == text.count("\n")   # a stray sequence never hides later lines
