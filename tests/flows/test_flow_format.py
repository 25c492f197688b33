"""The flow format: the issue's example parses; every mistake names the file and line."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from guiagent.flows import FlowError, collect_flows, load_flow, substitute
from guiagent.testreport import FlowResult, flakiness, html_report, junit_xml

EXAMPLE = """\
name: airplane mode toggles
device: sim
tags: [smoke, settings]
env: {CONTACT: Alice}
steps:
  - launch: Settings
  - tap: "Network & internet"
  - tap: "Airplane mode"
  - wait_for: {visible: "Airplane mode", timeout: 10}
  - assert_visible: "Airplane mode"
  - assert_not_visible: "Error"
  - assert_shell: {command: "settings get global airplane_mode_on", equals: "1"}
  - type: {text: "hello", into: "Search"}
  - swipe: up
  - back
  - home
  - do: "send a message to ${CONTACT} saying hello"
  - retry: {times: 2, steps: [{tap: "Send"}]}
  - launch: {app: Settings, clear_state: true}
"""


def write(tmp_path: Path, text: str, name: str = "flow.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_issue_example_parses_with_lines(tmp_path: Path) -> None:
    flow = load_flow(write(tmp_path, EXAMPLE))
    assert flow.name == "airplane mode toggles"
    assert flow.tags == ("smoke", "settings")
    assert [s.kind for s in flow.steps][:3] == ["launch", "tap", "tap"]
    assert flow.steps[1].args == {"target": "Network & internet"} and flow.steps[1].line == 7
    retry = flow.steps[12]
    assert retry.kind == "retry" and retry.args == {"times": 2}
    assert retry.steps[0].args == {"target": "Send"}
    assert flow.steps[-1].args == {"app": "Settings", "clear_state": True}
    task = substitute(flow.steps[11].args, flow.env)
    assert task == {"task": "send a message to Alice saying hello"}


@pytest.mark.parametrize(("body", "line", "words"), [
    ("  - tapp: OK\n", 3, "did you mean 'tap'"),
    ("  - tap: {txt: OK}\n", 3, "does not take"),
    ("  - swipe: sideways\n", 3, "direction must be"),
    ("  - wait_for: {timeout: 3}\n", 3, "needs visible"),
    ("  - assert_shell: {command: ls}\n", 3, "equals, contains or matches"),
    ("  - retry: {times: 2, steps: []}\n", 3, "non-empty list"),
    ("  - retry: {times: 2, steps: [{tap: A}, {bogus: 1}]}\n", 3, "unknown step 'bogus'"),
    ("  - wait: {seconds: soon}\n", 3, "non-negative number"),
    ("  - tap: [a, b]\n", 3, "takes a value"),
])
def test_malformed_steps_name_file_and_line(tmp_path: Path, body: str, line: int,
                                            words: str) -> None:
    path = write(tmp_path, "name: x\nsteps:\n" + body)
    with pytest.raises(FlowError) as err:
        load_flow(path)
    assert str(err.value).startswith(f"{path}:{line}:")
    assert words in str(err.value)


def test_bad_yaml_and_missing_steps(tmp_path: Path) -> None:
    with pytest.raises(FlowError, match=r"flow.yaml:\d+: not valid YAML"):
        load_flow(write(tmp_path, "name: x\nsteps:\n  - tap: [unclosed\n"))
    with pytest.raises(FlowError, match="'steps' must be a non-empty list"):
        load_flow(write(tmp_path, "name: x\n", "b.yaml"))
    with pytest.raises(FlowError, match="no such file"):
        collect_flows([tmp_path / "missing.yaml"])


def test_unset_variable_is_an_error() -> None:
    with pytest.raises(FlowError, match="NOPE_NOT_SET"):
        substitute("hi ${NOPE_NOT_SET}", {})


def test_collect_orders_files(tmp_path: Path) -> None:
    write(tmp_path, "name: b\nsteps: [home]\n", "b.yaml")
    write(tmp_path, "name: a\nsteps: [back]\n", "a.yml")
    assert [f.name for f in collect_flows([tmp_path])] == ["a", "b"]


def results() -> list[FlowResult]:
    return [
        FlowResult("ok flow", "f/ok.yaml", "sim", "passed", 1.5),
        FlowResult("bad flow", "f/bad.yaml", "sim", "failed", 2.0, "not visible: 'Wi-Fi'",
                   "assert_visible: Wi-Fi", 7, screenshot=b"\x89PNG fake"),
        FlowResult("bad flow", "f/bad.yaml", "sim", "passed", 2.0, attempt=2),
        FlowResult("infra", "f/i.yaml", "android:x", "error", 0.1, "device lost", "tap: A", 3),
    ]


def test_junit_xml_structure() -> None:
    root = ET.fromstring(junit_xml(results()))
    assert root.tag == "testsuites" and root.get("tests") == "4" and root.get("failures") == "1"
    suites = root.findall("testsuite")
    assert sorted(s.get("name") for s in suites) == ["guiagent.android:x", "guiagent.sim"]
    failure = root.find(".//testcase[@name='bad flow']/failure")
    assert failure is not None
    assert failure.get("message") == "f/bad.yaml:7: assert_visible: Wi-Fi: not visible: 'Wi-Fi'"
    assert root.find(".//testcase[@name='infra']/error") is not None


def test_html_report_shows_failure_and_flakiness() -> None:
    page = html_report(results())
    assert "2 of 4 flow runs passed" in page
    assert "f/bad.yaml:7" in page
    cards = re.findall(r'<section class="flow (\w+)"><h2>([^<]+)', page)   # failures first
    assert cards == [("error", "infra"), ("failed", "bad flow"), ("passed", "ok flow"),
                     ("passed", "bad flow")]
    assert flakiness(results())[("bad flow", "f/bad.yaml")] == (1, 2)
    assert "bad flow: passed 1 of 2" in page
