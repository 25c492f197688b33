"""Many flows on many devices: one worker thread per device, one queue, longest flows first.

A worker takes the first flow its device can run. A flow that hits an infrastructure
error goes back to the queue once (any worker may take it, its own after reopening
the device); a second one is reported as an error. A bug in a step is reported as an
error too, and never leaves the other workers waiting.

The scheduling here serves local devices and the Ray farm alike (guiagent.farm): a
``Slot`` is anything that can run one job at a time on one device.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from devices import Device, split_spec
from devices.errors import DeviceError
from guiagent.devlock import DeviceLock
from guiagent.errors import DeviceBusy, UsageError
from guiagent.flowrun import INFRA_ERRORS, FlowConfig, FlowRunner, Log
from guiagent.flows import Flow
from guiagent.testreport import FlowResult


@dataclass
class Job:
    """One run of one flow, waiting in the queue or running."""

    flow: Flow
    attempt: int           # 1..--repeat
    retried: bool = False  # already retried once after an infrastructure error
    error: str = ""        # that error
    pinned: str | None = None  # --shard-all: only the worker of this name runs it


def fits(flow: Flow, spec: str) -> bool:
    """A flow naming ``device: android`` runs on any Android device, ``android:X`` only on X."""
    if not flow.device:
        return True
    if ":" in flow.device:
        return flow.device == spec
    return split_spec(flow.device)[0] == split_spec(spec)[0]


def worker_specs(specs: list[str], parallel: int | None) -> list[str]:
    """One worker per device (each `sim` is a phone of its own); `sim` is multiplied up to
    ``parallel`` workers. A real device named twice still gets one worker."""
    out = [s for i, s in enumerate(specs) if split_spec(s)[0] == "sim" or s not in specs[:i]]
    sims = [s for s in specs if split_spec(s)[0] == "sim"]
    while parallel and len(out) < parallel and sims:
        out.append(sims[len(out) % len(sims)])
    return out


class FlowQueue:
    """Jobs, longest flows first; a worker takes the first one its device can run.

    An idle worker waits while others are busy: a flow they hit an infrastructure error
    on comes back to the queue and may be retried on this worker's device.
    """

    def __init__(self, flows: list[Flow], repeat: int = 1,
                 pins: Sequence[str | None] | None = None) -> None:
        ordered = sorted(flows, key=lambda f: -f.weight())
        self.jobs = [Job(f, n, pinned=p) for n in range(1, repeat + 1) for f in ordered
                     for p in (pins or [None])]
        self.busy = 0
        self.cond = threading.Condition()

    def take(self, spec: str, name: str | None = None) -> Job | None:
        """The next job for ``spec`` (worker ``name``); None once none fits and no running
        job can come back."""
        with self.cond:
            while True:
                for i, job in enumerate(self.jobs):
                    if fits(job.flow, spec) and job.pinned in (None, name or spec):
                        self.busy += 1
                        return self.jobs.pop(i)
                if self.busy == 0:
                    return None
                self.cond.wait()

    def done(self, job: Job, again: bool = False) -> None:
        """A taken job finished (or, with ``again``, goes back for another try)."""
        with self.cond:
            self.busy -= 1
            if again:
                self.jobs.insert(0, job)
            self.cond.notify_all()


class Slot(Protocol):
    """One device that runs one job at a time: a local device or a device on the farm."""

    @property
    def name(self) -> str: ...

    @property
    def spec(self) -> str: ...

    def ready(self, log: Log) -> bool:
        """Open what running a job needs; False retires the slot (its jobs go to others)."""
        ...

    def run(self, job: Job, log: Log) -> tuple[FlowResult | None, bool]:
        """(result, broken): no result means "try once more"; broken closes the slot."""
        ...

    def close(self) -> None: ...


@dataclass
class Worker:
    """One local device and the runner that drives it."""

    name: str
    spec: str
    device: Device | None
    options: dict[str, Any]
    config: FlowConfig
    runner: FlowRunner | None = None
    lock: DeviceLock | None = None

    def ready(self, log: Log) -> bool:
        from devices import open_device

        if self.device is None:
            try:
                self.device = open_device(self.spec, **self.options)
            except DeviceError as exc:
                log(f"[{self.name}] cannot reopen the device, leaving its flows to others: "
                    f"{exc}")
                return False
        if not self._locked(self.device, log):
            return False
        if self.runner is None:
            self.runner = FlowRunner(self.device, self.config, _prefixed(log, self.name),
                                     self.name)
        return True

    def run(self, job: Job, log: Log) -> tuple[FlowResult | None, bool]:
        assert self.runner is not None, "ready() comes first"
        return _run_job(self.runner, job, log)

    def _locked(self, device: Device, log: Log) -> bool:
        """Hold the device's lock (guiagent.devlock) while this worker has it open."""
        if self.lock is None:
            lock = DeviceLock(device, "guiagent test", self.config.settings.device_wait)
            try:
                lock.acquire()
            except DeviceBusy as exc:
                log(f"[{self.name}] leaving its flows to others: {exc}")
                return False
            self.lock = lock
        return True

    def close(self) -> None:
        if self.device is not None:
            try:
                self.device.close()
            except DeviceError:
                pass
        if self.lock is not None:
            self.lock.release()
        self.device, self.runner, self.lock = None, None, None


def shard_specs(specs: list[str], parallel: int | None, shards: int | None) -> list[str]:
    """The workers' devices; with ``--shard-split/--shard-all N`` exactly N of them."""
    specs = worker_specs(specs, max(parallel or 0, shards or 0) or None)
    if shards is None:
        return specs
    if len(specs) < shards:
        raise UsageError(f"sharding over {shards} devices needs {shards} of them; there are "
                         f"{len(specs)} ({', '.join(specs)}): name more with -d")
    return specs[:shards]


def worker_names(specs: list[str]) -> list[str]:
    """``sim#1``, ``sim#2`` where a device is named twice; the spec itself otherwise."""
    return [f"{s}#{specs[:i].count(s) + 1}" if specs.count(s) > 1 else s
            for i, s in enumerate(specs)]


def run_flows(flows: list[Flow], specs: list[str], config: FlowConfig, *, repeat: int = 1,
              parallel: int | None = None, device_options: dict[str, Any] | None = None,
              log: Log = lambda line: None, shard_split: int | None = None,
              shard_all: int | None = None) -> list[FlowResult]:
    """Every flow ``repeat`` times across the devices; results in file order.

    ``shard_split=N`` spreads the flows over N devices, ``shard_all=N`` runs every flow on
    each of N devices."""
    chosen = shard_specs(specs, parallel, shard_split or shard_all)
    workers = open_workers(chosen, device_options or {}, config)
    return drive(flows, workers, repeat=repeat, parallel=parallel, all_slots=bool(shard_all),
                 log=log)


def drive(flows: list[Flow], slots: Sequence[Slot], *, repeat: int = 1,
          parallel: int | None = None, all_slots: bool = False,
          log: Log = lambda line: None) -> list[FlowResult]:
    """Run the queue on the slots, one thread each; ``all_slots``: every flow on every slot."""
    queue = FlowQueue(flows, repeat, [s.name for s in slots] if all_slots else None)
    gate = threading.Semaphore(parallel or len(slots))
    results: list[FlowResult] = []
    threads = [threading.Thread(target=_work, args=(s, queue, gate, results, log),
                                name=f"flow-{s.name}", daemon=True) for s in slots]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.2)
    specs = sorted({s.name for s in slots})
    for job in queue.jobs:
        first = f"{job.error}; then " if job.error else ""
        results.append(_error(job, "-", f"{first}no device left that can run this flow "
                              f"(it asks for {job.pinned or job.flow.device or 'any device'}; "
                              f"devices: {', '.join(specs)})", 0.0))
    return sorted(results, key=lambda r: (r.path, r.flow, r.attempt, r.device))


def open_workers(specs: list[str], options: dict[str, Any],
                 config: FlowConfig | None = None) -> list[Worker]:
    """Open every device before the first flow: a wrong device name fails at once."""
    from devices import open_device

    workers: list[Worker] = []
    try:
        for name, spec in zip(worker_names(specs), specs, strict=True):
            workers.append(Worker(name, spec, open_device(spec, **options), options,
                                  config or FlowConfig()))
    except BaseException:
        for w in workers:
            w.close()
        raise
    return workers


def _work(slot: Slot, queue: FlowQueue, gate: threading.Semaphore,
          results: list[FlowResult], log: Log) -> None:
    """Take jobs until none fits; reopen the device after an infrastructure error."""
    while (job := queue.take(slot.spec, slot.name)) is not None:
        result: FlowResult | None = None
        try:
            with gate:
                if not slot.ready(log):     # the device cannot be reopened: the slot retires
                    return
                result, broken = slot.run(job, log)
                if result is not None:
                    results.append(result)
                if broken:
                    slot.close()
        finally:                        # whatever happens, other workers must not wait forever
            queue.done(job, again=result is None)
    slot.close()


def _run_job(runner: FlowRunner, job: Job, log: Log) -> tuple[FlowResult | None, bool]:
    """(result, device broken); no result after a first infrastructure error: try again."""
    name, flow = runner.name, job.flow
    log(f"[{name}] {flow.name} ({flow.path}" + (f", run {job.attempt})" if job.attempt > 1
                                                else ")"))
    t0 = time.monotonic()
    try:
        result = runner.run(flow, job.attempt)
    except INFRA_ERRORS as exc:
        message = f"{type(exc).__name__}: {exc}"
        retry = infra_failure(job, name, message, log)
        if retry:
            return None, True
        result = _error(job, name, message, time.monotonic() - t0, runner)
    except Exception as exc:  # a bug, not the flow's fault: report it, keep the others going
        result = _error(job, name, f"{type(exc).__name__}: {exc}", time.monotonic() - t0, runner)
        result.log.extend(traceback.format_exc().splitlines())
    log_result(name, result, log)
    return result, result.status == "error"


def infra_failure(job: Job, name: str, message: str, log: Log) -> bool:
    """Note an infrastructure error on ``job``; True when it gets one more try."""
    if job.retried:
        return False
    log(f"[{name}] {job.flow.name}: infrastructure error, retrying once: {message}")
    job.retried, job.error = True, message
    return True


def log_result(name: str, result: FlowResult, log: Log) -> None:
    mark = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}[result.status]
    where = f": line {result.line}" if result.line else ""
    log(f"[{name}] {mark} {result.flow} in {result.seconds:.1f} s"
        + (f"{where}: {result.message}" if result.message else ""))


def _error(job: Job, device: str, message: str, seconds: float,
           runner: FlowRunner | None = None) -> FlowResult:
    step = runner.current if runner else None
    return FlowResult(job.flow.name, str(job.flow.path), device, "error", round(seconds, 3),
                      message, step.describe() if step else "", step.line if step else None,
                      None, job.attempt, list(runner.lines) if runner else [])


def _prefixed(log: Log, name: str) -> Log:
    return lambda line: log(f"[{name}]   {line}")
