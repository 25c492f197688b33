"""Maestro's own README example, unchanged, on the simulated phone through Debian's adb
server (the phone served over the ADB protocol): `guiagent test` passes it with JUnit and
HTML reports, and a failing assertVisible exits 1."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from devices.sim.adbd import AdbDaemon

from .conftest import ADB, AdbServer

pytestmark = [pytest.mark.adb, pytest.mark.slow,
              pytest.mark.skipif(ADB is None, reason="needs Debian's adb")]

# From Maestro's README (flow_contacts_android.yaml), as written there.
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


def guiagent(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "guiagent", *map(str, args)],
                          capture_output=True, text=True, timeout=240, cwd=cwd)


def test_maestro_readme_example_passes_over_adb(adb_server: AdbServer, sim_daemon: AdbDaemon,
                                                tmp_path: Path) -> None:
    flow = tmp_path / "flow_contacts_android.yaml"
    flow.write_text(README_EXAMPLE, encoding="utf-8")
    spec = f"android:{sim_daemon.serial}@{adb_server.address}"
    done = guiagent("test", flow, "-d", spec, "--junit", tmp_path / "junit.xml",
                    "--html", tmp_path / "report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'line 6: tapOn: "Create new contact" ok' in done.stderr
    saved = adb_server.adb("-s", sim_daemon.serial, "shell", "content", "query", "--uri",
                           "content://contacts/phones")
    assert "name=John Snow" in saved.stdout, saved.stdout
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert suite.find(".//testcase") is not None and suite.find(".//failure") is None
    assert (tmp_path / "report" / "index.html").is_file()


def test_a_failing_assert_visible_exits_1(adb_server: AdbServer, sim_daemon: AdbDaemon,
                                          tmp_path: Path) -> None:
    flow = tmp_path / "missing.yaml"
    flow.write_text(README_EXAMPLE + '- assertVisible: "Jon Snowden"\n', encoding="utf-8")
    spec = f"android:{sim_daemon.serial}@{adb_server.address}"
    done = guiagent("test", flow, "-d", spec, "--junit", tmp_path / "junit.xml", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert f"{flow}:12: no element matches text 'Jon Snowden'" in done.stderr
    failure = ET.parse(tmp_path / "junit.xml").getroot().find(".//failure")
    assert failure is not None and "Jon Snowden" in (failure.get("message") or "")
