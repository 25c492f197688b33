"""The device farm on a real local Ray cluster: devices as resources, flows as tasks.

The two-node tests start Ray's own ``cluster_utils.Cluster`` (a head and a second node,
real raylets on loopback, each offering simulated phones); the CLI test starts a head with
``guiagent farm start`` as a user would and stops it with ``guiagent farm stop``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guiagent.errors import UsageError
from guiagent.farm.resources import (
    farm_devices,
    node_resources,
    parse_resource,
    select_devices,
)
from guiagent.flowqueue import FlowQueue, shard_specs
from guiagent.flowrun import FlowConfig
from guiagent.flows import load_flow

from .conftest import ROOT, cli, write_flow

try:
    from guiagent.farm import import_ray

    ray = import_ray()        # with the farm's Ray settings (token auth), set before Ray loads
except UsageError:
    pytest.skip("the farm needs Ray: pip install 'guiagent[ray]'", allow_module_level=True)

SLOW_FLOW = """
name: {name}
steps:
  - launch: Settings
  - wait: {wait}
  - assert_visible: "Network & internet"
"""


def test_devices_are_resources_and_come_back_from_nodes() -> None:
    res = node_resources("box-1a2b", ["android:emulator-5554@127.0.0.1:5037", "sim", "sim"])
    assert res["sim"] == 2 and res["android"] == 1
    assert parse_resource("guiagent:box-1a2b:1:android:emulator-5554@127.0.0.1:5037") == (
        "box-1a2b", "1", "android:emulator-5554@127.0.0.1:5037")
    assert parse_resource("CPU") is None and parse_resource("guiagent:x:y:sim") is None
    nodes = [{"Alive": True, "NodeManagerAddress": "10.0.0.2", "Resources": {**res, "CPU": 2}},
             {"Alive": False, "Resources": node_resources("gone-0000", ["sim"])}]
    free = {k: v for k, v in res.items() if not k.endswith(":2:sim")}
    devices = farm_devices(nodes, free)
    assert [(d.id, d.kind, d.busy) for d in devices] == [
        ("box-1a2b/1", "android", False), ("box-1a2b/2", "sim", True),
        ("box-1a2b/3", "sim", False)]
    assert [d.id for d in select_devices(devices, ["sim"])] == ["box-1a2b/2", "box-1a2b/3"]


def test_shards_choose_devices_and_pin_every_flow(tmp_path: Path) -> None:
    assert shard_specs(["sim"], None, 3) == ["sim", "sim", "sim"]
    assert shard_specs(["android:a", "android:b", "android:c"], None, 2) == [
        "android:a", "android:b"]
    with pytest.raises(UsageError, match="needs 2 of them"):
        shard_specs(["android:a"], None, 2)
    flow = load_flow(write_flow(tmp_path, "f.yaml", "steps: [back]\n"))
    queue = FlowQueue([flow], pins=["sim#1", "sim#2"])
    assert [j.pinned for j in queue.jobs] == ["sim#1", "sim#2"]
    job = queue.take("sim", "sim#2")
    assert job is not None and job.pinned == "sim#2"
    queue.done(job)


@pytest.mark.slow
def test_local_shards_through_the_cli() -> None:
    every = cli("test", "--examples", "-d", "sim", "--shard-all", "2", timeout=300)
    assert every.returncode == 0, every.stderr[-2000:]
    assert "12 passed, 0 failed, 0 errors (12 runs)" in every.stderr
    assert "[sim#1] PASS" in every.stderr and "[sim#2] PASS" in every.stderr
    both = cli("test", "--examples", "--shard-split", "2", "--shard-all", "2")
    assert both.returncode == 4 and "exclude each other" in both.stderr


def test_a_missing_ray_says_how_to_install_it() -> None:
    code = ("import sys; sys.modules['ray'] = None\n"
            "from guiagent.cli import main; main(['farm', 'status', '127.0.0.1:1'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 4
    assert done.stderr.strip() == ("guiagent: error: the farm needs Ray: "
                                   "pip install 'guiagent[ray]'")


@pytest.fixture
def two_nodes() -> Iterator[tuple[Any, Any]]:
    """A head and a second node on loopback, two simulated phones each."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 1, "resources": node_resources("head", ["sim", "sim"])})
    second = cluster.add_node(num_cpus=1, resources=node_resources("second", ["sim", "sim"]))
    cluster.wait_for_nodes()
    try:
        yield cluster, second
    finally:
        if ray.is_initialized():
            ray.shutdown()
        cluster.shutdown()


@pytest.mark.slow
def test_flows_spread_over_two_nodes_and_a_killed_node_is_retried(
        two_nodes: tuple[Any, Any], tmp_path: Path) -> None:
    from guiagent.farm.remote import run_flows_on_farm

    cluster, second = two_nodes
    flows = [load_flow(write_flow(tmp_path, f"f{i}.yaml", SLOW_FLOW.format(name=f"f{i}",
                                                                            wait=3)))
             for i in range(6)]
    lines: list[str] = []

    def kill_when_busy() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(line.startswith("[second/") and "(" in line for line in lines):
                time.sleep(1.0)                  # it is running a flow now
                cluster.remove_node(second)
                return
            time.sleep(0.2)

    killer = threading.Thread(target=kill_when_busy, daemon=True)
    killer.start()
    results = run_flows_on_farm(flows, cluster.address, FlowConfig(), wanted=["sim"],
                                log=lines.append)
    killer.join(5)
    assert [r.status for r in results] == ["passed"] * 6, "\n".join(lines[-40:])
    retried = [ln for ln in lines if "infrastructure error, retrying once" in ln]
    assert retried and all(ln.startswith("[second/") for ln in retried)
    assert {r.device.split("/")[0] for r in results} <= {"head", "second"}
    again = {ln.split("] ")[1].split(":")[0] for ln in retried}
    assert all(r.device.startswith("head/") for r in results if r.flow in again)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1]) if s.getsockname()[1] > 20000 else 26381


@pytest.mark.slow
def test_farm_start_status_test_stop_as_a_user_runs_them(tmp_path: Path) -> None:
    port = str(_free_port())
    started = cli("farm", "start", "--sim", "2", "--port", port, "--node-ip", "127.0.0.1",
                  "--cpus", "1")
    assert started.returncode == 0, started.stderr[-2000:]
    try:
        address = f"127.0.0.1:{port}"
        status = cli("farm", "status", address, "--json")
        assert status.returncode == 0, status.stderr[-2000:]
        info = json.loads(status.stdout)
        assert [d["kind"] for d in info["devices"]] == ["sim", "sim"]
        assert not any(d["busy"] for d in info["devices"]) and len(info["nodes"]) == 1
        junit = tmp_path / "j.xml"
        run = cli("test", "--examples", "--farm", address, "--junit", junit, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
        assert "6 passed, 0 failed, 0 errors (6 runs)" in run.stderr
        assert junit.read_text().count("<testcase") == 6
    finally:
        stopped = cli("farm", "stop")
    assert stopped.returncode == 0 and "stopped 1 farm node" in stopped.stderr
    again = cli("farm", "stop")
    assert again.returncode == 4 and "no farm node was started" in again.stderr
