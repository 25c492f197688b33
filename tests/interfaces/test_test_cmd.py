"""`guiagent test`: example flows on the simulated phone, reports, devices, repeat, tags, errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import EXAMPLES, cli, write_flow

FAILING = """
name: deliberately failing
tags: [broken]
steps:
  - launch: Settings
  - assert_visible: "Network & internet"
  - assert_visible: "Teleport settings"
  - tap: "Display"
"""

# Not clearing state: the second run on the same phone finds Airplane mode already on,
# "turn on" flips it off again and the check fails. A flaky flow by construction.
STATEFUL = """
name: stateful airplane
steps:
  - launch: Settings
  - tap: "Network & internet"
  - tap: "turn on Airplane mode"
  - assert_shell: {command: "settings get global airplane_mode_on", equals: "1"}
"""

ALARM = """
name: quick alarm check
tags: [clock]
steps:
  - launch: {app: Clock, clear_state: true}
  - assert_visible: "7:00"
  - assert_shell: {command: "content query --uri content://com.android.deskclock/alarms",
                   contains: "label=Work"}
"""


def junit(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    return root


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in root.iter("testcase")}


@pytest.mark.slow
def test_examples_pass_and_a_failing_flow_is_reported_with_its_screen(tmp_path: Path) -> None:
    failing = write_flow(tmp_path / "flows", "failing.yaml", FAILING)
    done = cli("test", EXAMPLES, failing, "-d", "sim", "--junit", tmp_path / "junit.xml",
               "--html", tmp_path / "html")
    assert done.returncode == 1, done.stderr
    root = junit(tmp_path / "junit.xml")
    examples = sorted(EXAMPLES.glob("*.yaml"))
    assert root.get("tests") == str(len(examples) + 1)
    assert (root.get("failures"), root.get("errors")) == ("1", "0"), done.stderr
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "guiagent.sim"
    by_name = cases(root)
    bad = by_name.pop("deliberately failing")
    failure = bad.find("failure")
    assert failure is not None
    assert failure.get("message", "").startswith(f"{failing}:6: assert_visible: ")
    assert "Teleport settings" in failure.get("message", "")
    assert len(by_name) == len(examples)
    assert all(c.find("failure") is None and c.find("error") is None for c in by_name.values())
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert f"{len(examples)} of {len(examples) + 1} flow runs passed" in page
    cards = page.split('<section class="flow ')[1:]
    assert cards[0].startswith('failed"><h2>deliberately failing</h2>')   # failures first
    assert 'alt="the screen at the failure"' in cards[0]
    assert page.count('alt="the screen at the failure"') == 1
    assert len(list((tmp_path / "html").glob("failure-*-deliberately-failing.png"))) == 1
    assert page.count('alt="screen after the step"') > len(examples) * 3   # a tile per step
    assert f"FAILED deliberately failing on sim: {failing}:6:" in done.stderr


@pytest.mark.slow
def test_two_simulated_phones_share_the_queue_and_are_independent(tmp_path: Path) -> None:
    a = write_flow(tmp_path / "f", "a.yaml", STATEFUL)
    b = write_flow(tmp_path / "f", "b.yaml", STATEFUL.replace("stateful airplane", "second"))
    done = cli("test", a, b, "-d", "sim", "--parallel", "2", "--junit", tmp_path / "j.xml")
    # each phone starts with Airplane mode off: on one shared phone the second flow would fail
    assert done.returncode == 0, done.stderr
    root = junit(tmp_path / "j.xml")
    assert sorted(s.get("name", "") for s in root.findall("testsuite")) == [
        "guiagent.sim#1", "guiagent.sim#2"]
    assert "[sim#1]" in done.stderr and "[sim#2]" in done.stderr


@pytest.mark.slow
def test_repeat_reports_flakiness(tmp_path: Path) -> None:
    flow = write_flow(tmp_path, "stateful.yaml", STATEFUL)
    done = cli("test", flow, "--repeat", "2", "--junit", tmp_path / "j.xml", "--html",
               tmp_path / "html")
    assert done.returncode == 1, done.stderr
    by_name = cases(junit(tmp_path / "j.xml"))
    assert by_name["stateful airplane"].find("failure") is None
    second = by_name["stateful airplane [run 2]"].find("failure")
    assert second is not None and ":6: assert_shell" in second.get("message", "")
    assert "FLAKY stateful airplane: passed 1 of 2" in done.stderr
    page = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert "<h2>Flaky</h2>" in page and "stateful airplane: passed 1 of 2" in page


def test_tags_select_flows(tmp_path: Path) -> None:
    write_flow(tmp_path / "f", "alarm.yaml", ALARM)
    write_flow(tmp_path / "f", "failing.yaml", FAILING)
    done = cli("test", tmp_path / "f", "--tags", "clock,nothing", "--junit", tmp_path / "j.xml")
    assert done.returncode == 0, done.stderr
    assert list(cases(junit(tmp_path / "j.xml"))) == ["quick alarm check"]
    none = cli("test", tmp_path / "f", "--tags", "nightly")
    assert none.returncode == 4
    assert "no flow has the tags nightly; tags in these flows: broken, clock" in none.stderr


def test_malformed_flow_fails_with_file_and_line_before_any_device(tmp_path: Path) -> None:
    good = write_flow(tmp_path / "f", "a_good.yaml", ALARM)
    bad = write_flow(tmp_path / "f", "b_bad.yaml", """
        name: typo
        steps:
          - launch: Settings
          - tapp: "Wi-Fi"
        """)
    # an adb server that does not exist: touching the device would fail differently
    done = cli("test", tmp_path / "f", "-d", "android:nope@127.0.0.1:9")
    assert done.returncode == 4, done.stderr
    assert done.stderr.strip() == (f"guiagent: error: {bad}:4: unknown step 'tapp'; did you "
                                   "mean 'tap'? (steps: launch, tap, long_press, type, swipe, "
                                   "scroll, key, back, home, wait, wait_for, assert_visible, "
                                   "assert_not_visible, assert_shell, do, retry)")
    assert good.exists()


def test_unset_variable_and_bad_regex_fail_before_any_device(tmp_path: Path) -> None:
    flow = write_flow(tmp_path, "v.yaml", """
        name: vars
        steps:
          - launch: Settings
          - tap: "${WHO_IS_THIS}"
        """)
    done = cli("test", flow, "-d", "android:nope@127.0.0.1:9")
    assert done.returncode == 4
    assert f"{flow}:4: variable ${{WHO_IS_THIS}} is not set" in done.stderr
    regex = write_flow(tmp_path, "r.yaml", """
        name: regex
        steps:
          - assert_shell: {command: "echo hi", matches: "(unclosed"}
        """)
    done = cli("test", regex, "-d", "android:nope@127.0.0.1:9")
    assert done.returncode == 4 and f"{regex}:3: 'matches' is not a valid regex" in done.stderr


def test_unknown_device_is_a_usage_error(tmp_path: Path) -> None:
    flow = write_flow(tmp_path, "a.yaml", ALARM)
    done = cli("test", flow, "-d", "simm")
    assert done.returncode == 4
    assert "unknown device 'simm'. Did you mean 'sim'?" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_the_shipped_examples_run_by_name(tmp_path: Path) -> None:
    done = cli("test", "--examples", "--tags", "messages", "--junit", tmp_path / "j.xml")
    assert done.returncode == 0, done.stderr
    (case,) = junit(tmp_path / "j.xml").iter("testcase")
    assert case.get("name") == "send a message"
    assert Path(case.get("file", "")).parent.parts[-3:] == ("guiagent", "examples", "flows")
    nothing = cli("test")
    assert nothing.returncode == 4
    assert "name flow files or folders (guiagent test flows/), or --examples" in nothing.stderr
