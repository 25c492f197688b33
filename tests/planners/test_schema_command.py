"""`guiagent schema` prints strict-mode JSON schemas that real replies validate against."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from llm_support import PLAN, REFLECTION, decision

from guiagent.cli import main

SAMPLES = {"plan": PLAN, "reflection": REFLECTION,
           "decision": decision({"type": "type", "element": 3, "text": "hello"}, note=None)}


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def objects(node: Any) -> list[dict[str, Any]]:
    """Every object schema inside a schema."""
    if isinstance(node, list):
        return [o for item in node for o in objects(item)]
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("type") == "object" else []
    return found + [o for value in node.values() for o in objects(value)]


@pytest.mark.parametrize("kind", ["plan", "decision", "reflection"])
def test_each_schema_is_strict_and_valid(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run_cli(["schema", kind], capsys)
    assert rc == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(SAMPLES[kind], schema)
    assert "$ref" not in out and '"default"' not in out
    for obj in objects(schema):
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])


def test_decision_schema_rejects_an_unknown_action(capsys: pytest.CaptureFixture[str]) -> None:
    schema = json.loads(run_cli(["schema", "decision"], capsys)[1])
    bad = decision({"type": "teleport"})
    with pytest.raises(jsonschema.ValidationError, match="teleport"):
        jsonschema.validate(bad, schema)


def test_all_schemas_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run_cli(["schema"], capsys)
    assert rc == 0
    assert sorted(json.loads(out)) == ["guiagent_decision", "guiagent_plan", "guiagent_reflection"]


def test_unknown_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run_cli(["schema", "plans"], capsys)
    assert rc == 4 and out == ""
    assert err.count("\n") == 1 and "'plans' is not one of" in err
