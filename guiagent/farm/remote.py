"""Flows on the farm: a driver thread per farm device submits one Ray task per flow.

Each task holds its device's resource, so Ray runs it on the node that has the device
and never two flows on one device at once. The task opens the device there, runs the
same ``FlowRunner`` as a local run, and sends back the result, its log lines and the
run folders of its ``do:`` steps. The driver's queue (guiagent.flowqueue) decides what
runs where, exactly as for local devices: an infrastructure error is retried once on
any device, a node that dies retires its devices.
"""

from __future__ import annotations

import io
import tarfile
import time
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from guiagent.errors import UsageError
from guiagent.farm import import_ray
from guiagent.farm.resources import FarmDevice, farm_devices, node_rows, select_devices
from guiagent.flowqueue import Job, _error, drive, infra_failure, log_result
from guiagent.flowrun import FlowConfig, Log
from guiagent.flows import Flow
from guiagent.testreport import FlowResult

POLL_S = 0.5
LOST_GRACE_S = 5.0   # a device's resource gone this long while its task waits: node lost


@dataclass
class Outcome:
    """What a flow task sends back: ``kind`` is done, infra (retry) or unavailable."""

    kind: str
    message: str = ""
    result: FlowResult | None = None
    lines: list[str] = field(default_factory=list)
    runs: bytes = b""


def connect(address: str) -> Any:
    """Join the farm at ``address`` as a driver; one clear line when nothing answers there."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    try:
        ray.init(address=address, logging_level="ERROR", log_to_driver=False,
                 configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise UsageError(f"no farm answers at {address} ({exc}); start one with "
                         "`guiagent farm start`") from exc
    return ray


def status(address: str) -> dict[str, Any]:
    """``{"nodes": [...], "devices": [...]}`` of the farm at ``address``."""
    ray = connect(address)
    try:
        nodes = ray.nodes()
        devices = farm_devices(nodes, ray.available_resources())
        return {"nodes": node_rows(nodes), "devices": [d.as_dict() for d in devices]}
    finally:
        ray.shutdown()


# -- on the node ---------------------------------------------------------------------------

def run_on_node(spec: str, name: str, flow: Flow, config: FlowConfig, attempt: int) -> Outcome:
    """Open ``spec`` on this node, run the flow, pack the run folders it wrote."""
    from devices import open_device
    from devices.errors import DeviceError
    from guiagent.flowrun import INFRA_ERRORS, FlowRunner
    from guiagent.trajectory import runs_root

    before = _folders(runs_root())
    try:
        device = open_device(spec)
    except DeviceError as exc:
        return Outcome("unavailable", f"{type(exc).__name__}: {exc}")
    lines: list[str] = []
    try:
        runner = FlowRunner(device, config, lines.append, name)
        try:
            result = runner.run(flow, attempt)
        except INFRA_ERRORS as exc:
            return Outcome("infra", f"{type(exc).__name__}: {exc}", lines=lines)
        except Exception as exc:  # a bug, not the flow's fault: report it like a local run
            result = _error(Job(flow, attempt), name, f"{type(exc).__name__}: {exc}", 0.0,
                            runner)
            result.log.extend(traceback.format_exc().splitlines())
    finally:
        device.close()
    return Outcome("done", result=result, lines=lines,
                   runs=pack_runs(runs_root(), _folders(runs_root()) - before))


def _folders(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()


def pack_runs(root: Path, names: set[str]) -> bytes:
    """The named run folders under ``root`` as a gzipped tar (empty bytes for none)."""
    if not names:
        return b""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in sorted(names):
            tar.add(root / name, arcname=name)
    return buf.getvalue()


def unpack_runs(data: bytes, root: Path) -> None:
    """Run folders from a node, under the driver's runs folder (those already there kept)."""
    if not data:
        return
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = [m for m in tar.getmembers()
                   if not (root / m.name.split("/", 1)[0]).exists()]
        tar.extractall(root, members=members, filter="data")


@cache
def _flow_task() -> Any:
    ray = import_ray()
    return ray.remote(num_cpus=0, max_retries=0)(run_on_node)


# -- on the driver -------------------------------------------------------------------------

@dataclass
class RemoteSlot:
    """A farm device as the driver's queue sees it."""

    device: FarmDevice
    config: FlowConfig
    retired: bool = False

    @property
    def name(self) -> str:
        return self.device.id

    @property
    def spec(self) -> str:
        return self.device.spec

    def ready(self, log: Log) -> bool:
        return not self.retired

    def close(self) -> None:
        """Nothing is held on the driver: the node opens and closes the device per flow."""

    def run(self, job: Job, log: Log) -> tuple[FlowResult | None, bool]:
        flow = job.flow
        log(f"[{self.name}] {flow.name} ({flow.path}" + (f", run {job.attempt})"
                                                        if job.attempt > 1 else ")"))
        t0 = time.monotonic()
        try:
            outcome = self._submit(job)
        except NodeLost as exc:
            self.retired = True
            if infra_failure(job, self.name, str(exc), log):
                return None, True
            result = _error(job, self.name, str(exc), time.monotonic() - t0)
            log_result(self.name, result, log)
            return result, True
        return self._finish(job, outcome, log, t0)

    def _finish(self, job: Job, outcome: Outcome, log: Log,
                t0: float) -> tuple[FlowResult | None, bool]:
        from guiagent.trajectory import runs_root

        for line in outcome.lines:
            log(f"[{self.name}]   {line}")
        if outcome.kind == "unavailable":
            self.retired = True
            log(f"[{self.name}] cannot open the device, leaving its flows to others: "
                f"{outcome.message}")
            return None, True
        if outcome.kind == "infra":
            if infra_failure(job, self.name, outcome.message, log):
                return None, True
            result = _error(job, self.name, outcome.message, time.monotonic() - t0)
            result.log.extend(outcome.lines)
        else:
            assert outcome.result is not None
            result = outcome.result
            unpack_runs(outcome.runs, runs_root())
        log_result(self.name, result, log)
        return result, result.status == "error"

    def _submit(self, job: Job) -> Outcome:
        """Run the task on this device's node; NodeLost when the node or its worker dies."""
        ray = import_ray()
        task = _flow_task().options(resources={self.device.resource: 1})
        ref = task.remote(self.spec, self.name, job.flow, self.config, job.attempt)
        gone_since: float | None = None
        while True:
            try:
                ready, _ = ray.wait([ref], timeout=POLL_S)
                if ready:
                    return ray.get(ready[0])
            except ray.exceptions.RayError as exc:
                raise NodeLost(f"the farm lost {self.name}'s node: "
                               f"{type(exc).__name__}: {_first_line(exc)}") from exc
            if self.device.resource in ray.cluster_resources():
                gone_since = None
            elif gone_since is None:
                gone_since = time.monotonic()
            elif time.monotonic() - gone_since > LOST_GRACE_S:
                ray.cancel(ref, force=True)
                raise NodeLost(f"the farm lost {self.name}'s node (its device left the farm)")


class NodeLost(Exception):
    """The node that had a flow's device died or left the farm."""


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""


def run_flows_on_farm(flows: list[Flow], address: str, config: FlowConfig, *,
                      wanted: list[str], repeat: int = 1, parallel: int | None = None,
                      shard_split: int | None = None, shard_all: int | None = None,
                      log: Log = lambda line: None) -> list[FlowResult]:
    """Every flow ``repeat`` times on the farm's devices; results in file order."""
    ray = connect(address)
    try:
        devices = select_devices(farm_devices(ray.nodes(), ray.cluster_resources()), wanted)
        if not devices:
            raise UsageError(f"the farm at {address} has no devices"
                             + (f" of {', '.join(wanted)}" if wanted else "")
                             + "; see `guiagent farm status`")
        shards = shard_split or shard_all
        if shards is not None:
            if len(devices) < shards:
                raise UsageError(f"sharding over {shards} devices needs {shards}; the farm has "
                                 f"{len(devices)}")
            devices = devices[:shards]
        nodes = len({d.id.split("/")[0] for d in devices})
        log(f"farm {address}: {plural(len(devices), 'device')} on {plural(nodes, 'node')}")
        slots = [RemoteSlot(d, config) for d in devices]
        return drive(flows, slots, repeat=repeat, parallel=parallel,
                     all_slots=bool(shard_all), log=log)
    finally:
        ray.shutdown()
