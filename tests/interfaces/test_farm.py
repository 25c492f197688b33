"""Infrastructure errors: a phone behind a real adb server goes away in the middle of a flow.

The simulated phone is served over the ADB protocol (devices.sim.adbd) to Debian's adb
server on a private port, and driven as ``android:SERIAL@127.0.0.1:PORT``; stopping its
daemon mid-flow is a device that was unplugged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from android.conftest import ADB, AdbServer

from devices.sim.adbd import AdbDaemon
from devices.sim.phone import Phone
from guiagent.flowqueue import run_flows
from guiagent.flowrun import FlowConfig
from guiagent.flows import load_flow

from .conftest import write_flow

pytestmark = [pytest.mark.adb, pytest.mark.slow,
              pytest.mark.skipif(ADB is None, reason="needs Debian's adb")]

VICTIM = """
name: victim
steps:
  - launch: Settings
  - tap: "Network & internet"
  - wait: 2
  - tap: "turn on Airplane mode"
  - assert_shell: {command: "settings get global airplane_mode_on", equals: "1"}
"""

BUSY = """
name: busy on the simulated phone
device: sim
steps:
  - launch: Clock
  - wait: 4
  - assert_visible: "7:00"
  - launch: Settings
  - back
  - home
  - assert_visible: "Settings"
"""


@pytest.fixture()
def adb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdbServer]:
    server = AdbServer(tmp_path_factory.mktemp("adbhome"))
    server.adb("start-server", timeout=30).check_returncode()
    try:
        yield server
    finally:
        server.adb("kill-server", timeout=30)


class Unplug:
    """A log that stops the daemon once the flow on ``worker`` reached its wait step."""

    def __init__(self, daemon: AdbDaemon, worker: str) -> None:
        self.daemon, self.worker = daemon, worker
        self.lines: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self.lock:
            self.lines.append(line)
            if line.startswith(f"[{self.worker}]") and "tap: Network & internet ok" in line:
                self.daemon.stop()


def test_a_lost_device_is_retried_on_another_one(adb: AdbServer, tmp_path: Path) -> None:
    daemon = adb.serve(Phone(seed=0))
    spec = f"android:{daemon.serial}@{adb.address}"
    flows = [load_flow(write_flow(tmp_path, "victim.yaml", VICTIM)),
             load_flow(write_flow(tmp_path, "busy.yaml", BUSY))]
    log = Unplug(daemon, spec)
    results = run_flows(flows, [spec, "sim"], FlowConfig(), log=log)
    by_flow = {r.flow: r for r in results}
    assert [r.status for r in results] == ["passed", "passed"], log.lines
    assert by_flow["victim"].device == "sim"
    assert any("victim: infrastructure error, retrying once: DeviceUnreachable" in line
               for line in log.lines), log.lines


def test_a_lost_device_with_nowhere_to_retry_is_an_error(adb: AdbServer, tmp_path: Path) -> None:
    daemon = adb.serve(Phone(seed=0))
    spec = f"android:{daemon.serial}@{adb.address}"
    flow = load_flow(write_flow(tmp_path, "victim.yaml", VICTIM))
    log = Unplug(daemon, spec)
    (result,) = run_flows([flow], [spec], FlowConfig(), log=log)
    assert result.status == "error", log.lines
    assert result.message.startswith("DeviceUnreachable: ")
    assert "no device left that can run this flow" in result.message
