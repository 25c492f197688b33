"""Maestro flows: detected by shape, translated to guiagent steps, unsupported ones refused
with file:line before any device is touched, every supported command run on the sim."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devices.sim.device import SimDevice
from guiagent.flowrun import FlowConfig, FlowRunner, check_flows
from guiagent.flows import FlowError, collect_flows, load_flow
from guiagent.maestro import export_flow, is_maestro, with_env

ROOT = Path(__file__).resolve().parents[2]
README_EXAMPLE = """\
# flow_contacts_android.yaml

appId: com.android.contacts
---
- launchApp
- tapOn: "Create new contact"
- tapOn: "First Name"
- inputText: "John"
- tapOn: "Last Name"
- inputText: "Snow"
- tapOn: "Save"
"""
QUICK = FlowConfig(find_timeout=1.0, wait_timeout=1.0, poll_s=0.05)


def write(folder: Path, text: str, name: str = "flow.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run_on_sim(path: Path, config: FlowConfig = QUICK) -> tuple[SimDevice, object]:
    flow = load_flow(path)
    check_flows([flow])
    device = SimDevice()
    return device, FlowRunner(device, config).run(flow)


def test_the_readme_example_is_maestro_and_translates(tmp_path: Path) -> None:
    assert is_maestro(README_EXAMPLE)
    assert not is_maestro("name: x\nsteps:\n  - back\n")
    flow = load_flow(write(tmp_path, README_EXAMPLE))
    assert flow.name == "flow"
    assert [(s.kind, s.line) for s in flow.steps] == [
        ("m_launch", 5), ("m_tap", 6), ("m_tap", 7), ("type", 8), ("m_tap", 9), ("type", 10),
        ("m_tap", 11)]
    assert flow.steps[0].args["app"] == "com.android.contacts"
    assert flow.steps[1].describe() == 'tapOn: "Create new contact"'


def test_the_readme_example_creates_the_contact(tmp_path: Path) -> None:
    device, result = run_on_sim(write(tmp_path, README_EXAMPLE))
    assert result.status == "passed", result.message            # type: ignore[attr-defined]
    assert "John Snow" in device.shell("content query --uri content://contacts/phones")


@pytest.mark.parametrize(("command", "line", "name"), [
    ("- evalScript: ${output.x = 1}", 4, "evalScript"),
    ("- runScript: setup.js", 4, "runScript"),
    ("- inputRandomPersonName", 4, "inputRandomPersonName"),
    ("- retry:\n    commands:\n      - assertWithAI: a title", 6, "assertWithAI"),
])
def test_unsupported_commands_stop_with_file_line_and_name(tmp_path: Path, command: str,
                                                           line: int, name: str) -> None:
    path = write(tmp_path, f"appId: com.android.contacts\n---\n- launchApp\n{command}\n")
    with pytest.raises(FlowError, match=rf"^{path}:{line}: Maestro command '{name}' is not "
                                        "supported"):
        collect_flows([tmp_path])


def test_the_cli_refuses_before_touching_a_device(tmp_path: Path) -> None:
    path = write(tmp_path, "appId: com.android.contacts\n---\n- launchApp\n- runScript: a.js\n")
    done = subprocess.run([sys.executable, "-m", "guiagent", "test", str(path), "-d",
                           "android:nowhere@127.0.0.1:9"], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ), timeout=60)
    assert done.returncode == 4, done.stderr        # 3 would mean a device was reached for
    assert f"{path}:4: Maestro command 'runScript'" in done.stderr


def test_a_failing_assert_visible_fails_the_flow_at_its_line(tmp_path: Path) -> None:
    text = README_EXAMPLE + '- assertVisible: "Jon Snowden"\n'
    _, result = run_on_sim(write(tmp_path, text))
    assert result.status == "failed" and result.line == 12      # type: ignore[attr-defined]
    assert "no element matches text 'Jon Snowden'" in result.message  # type: ignore[attr-defined]


MANY = """\
appId: com.android.settings
env:
  WHAT: Nothing
---
- launchApp:
    clearState: true
- waitForAnimationToEnd
- tapOn:
    text: "Network & internet"
    retryTapIfNoChange: true
- extendedWaitUntil:
    visible: "${WHAT} mode"
    timeout: 3000
- tapOn:
    id: "search_src_text"
- inputText: "hello"
- eraseText: 2
- hideKeyboard
- assertVisible: "hel"
- copyTextFrom:
    text: "Internet"
- assertVisible:
    text: "Wi-Fi"
    below: "Internet"
- setAirplaneMode: enabled
- runFlow:
    when:
      visible: "Airplane mode"
    env:
      SUB: "Data Saver"
    commands:
      - assertVisible: "${SUB}"
- runFlow:
    when:
      notVisible: "Airplane mode"
    commands:
      - assertVisible: "Never shown"
- repeat:
    times: 2
    commands:
      - scroll
- retry:
    maxRetries: 1
    commands:
      - back
- toggleAirplaneMode
- toggleAirplaneMode
- launchApp
- scrollUntilVisible:
    element: "About phone"
- takeScreenshot: shot
- assertNotVisible: "Zebra"
- assertVisible:
    text: "Zebra"
    optional: true
- pressKey: Home
- stopApp
- openLink: https://example.com
- back
- launchApp: com.android.contacts
- tapOn:
    text: ".*Johnson"
    index: 0
- back
- tapOn: "Search contacts"
- pasteText
- assertVisible: "Internet"
- eraseText: 8
- hideKeyboard
- longPressOn: "Bob Smith"
- back
- doubleTapOn:
    point: "50%,8%"
"""


@pytest.mark.slow
def test_every_supported_command_runs_on_the_sim(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    flow = with_env([load_flow(write(tmp_path, MANY))], ("WHAT=Airplane",))[0]
    device = SimDevice()
    result = FlowRunner(device, QUICK).run(flow)
    assert result.status == "passed", "\n".join(result.log)
    assert (tmp_path / "shot.png").stat().st_size > 1000
    assert device.shell("settings get global airplane_mode_on").strip() == "1"
    log = "\n".join(result.log)
    assert "skipped (condition not met)" in log and "tapped again" not in log
    assert "optional, did not hold" in log


EXPORTABLE = """\
name: airplane by hand
tags: [smoke]
steps:
  - launch: Settings
  - tap: "Network & internet"
  - wait_for: {visible: "Airplane mode", timeout: 5}
  - type: {text: "wifi", into: "Search"}
  - scroll: {direction: down, until: "Private DNS"}
  - assert_visible: "Private DNS"
  - assert_not_visible: "Zebra"
  - retry: {times: 2, steps: [{tap: "Airplane mode"}]}
  - swipe: up
  - key: back
  - home
"""


def test_export_writes_maestro_that_runs(tmp_path: Path) -> None:
    source = write(tmp_path, EXPORTABLE, "airplane.yaml")
    exported = write(tmp_path, export_flow(load_flow(source)), "maestro_airplane.yaml")
    assert is_maestro(exported.read_text())
    assert "appId: com.android.settings" in exported.read_text()   # the label's package
    _, result = run_on_sim(exported)
    assert result.status == "passed", result.log                 # type: ignore[attr-defined]


def test_export_cli_skips_flows_without_an_equivalent(tmp_path: Path) -> None:
    write(tmp_path / "in", EXPORTABLE, "ok.yaml") if (tmp_path / "in").mkdir() is None else None
    write(tmp_path / "in", "name: shell\nsteps:\n  - assert_shell: {command: id, contains: "
          "uid}\n", "shell.yaml")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "guiagent", "test", str(tmp_path / "in"),
                           "--export-maestro", str(out)], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ), timeout=60)
    assert done.returncode == 1
    assert "shell.yaml: line 3: 'assert_shell' has no Maestro equivalent" in done.stderr
    assert [p.name for p in out.iterdir()] == ["ok.yaml"]


class PixelsOnly(SimDevice):
    """The simulated phone without its accessibility tree: only what the pixels show."""

    def ui_tree(self) -> str | None:
        return None


NO_TREE = """\
appId: com.android.settings
---
- launchApp
- tapOn: "Network & internet"
- assertVisible: "Airplane mode"
- assertNotVisible: "Bluetooth"
- tapOn:
    text: "Wi-Fi"
    below: "Internet"
"""


@pytest.mark.slow
def test_selectors_work_without_an_accessibility_tree(tmp_path: Path) -> None:
    flow = load_flow(write(tmp_path, NO_TREE))
    device = PixelsOnly()
    result = FlowRunner(device, FlowConfig(find_timeout=10.0, poll_s=0.1)).run(flow)
    assert result.status == "passed", "\n".join(result.log)
    assert device.shell("settings get global wifi_on").strip() == "0"   # the switch was hit
