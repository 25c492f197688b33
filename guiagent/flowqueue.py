"""Many flows on many devices: one worker thread per device, one queue, longest flows first.

A worker takes the first flow its device can run. A flow that hits an infrastructure
error goes back to the queue once (any worker may take it, its own after reopening
the device); a second one is reported as an error. A bug in a step is reported as an
error too, and never leaves the other workers waiting.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

from devices import Device, split_spec
from devices.errors import DeviceError
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

    def __init__(self, flows: list[Flow], repeat: int = 1) -> None:
        ordered = sorted(flows, key=lambda f: -f.weight())
        self.jobs = [Job(f, n) for n in range(1, repeat + 1) for f in ordered]
        self.busy = 0
        self.cond = threading.Condition()

    def take(self, spec: str) -> Job | None:
        """The next job for ``spec``; None once none fits and no running job can come back."""
        with self.cond:
            while True:
                for i, job in enumerate(self.jobs):
                    if fits(job.flow, spec):
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


@dataclass
class Worker:
    """One device and the thread that runs flows on it."""

    name: str
    spec: str
    device: Device | None
    options: dict[str, Any]


def run_flows(flows: list[Flow], specs: list[str], config: FlowConfig, *, repeat: int = 1,
              parallel: int | None = None, device_options: dict[str, Any] | None = None,
              log: Log = lambda line: None) -> list[FlowResult]:
    """Every flow ``repeat`` times across the devices; results in file order."""
    queue = FlowQueue(flows, repeat)
    workers = open_workers(worker_specs(specs, parallel), device_options or {})
    gate = threading.Semaphore(parallel or len(workers))
    results: list[FlowResult] = []
    threads = [threading.Thread(target=_work, args=(w, queue, config, gate, results, log),
                                name=f"flow-{w.name}", daemon=True) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.2)
    for job in queue.jobs:
        first = f"{job.error}; then " if job.error else ""
        results.append(_error(job, "-", f"{first}no device left that can run this flow "
                              f"(it asks for {job.flow.device or 'any device'}; "
                              f"devices: {', '.join(specs)})", 0.0))
    return sorted(results, key=lambda r: (r.path, r.flow, r.attempt, r.device))


def open_workers(specs: list[str], options: dict[str, Any]) -> list[Worker]:
    """Open every device before the first flow: a wrong device name fails at once."""
    from devices import open_device

    workers: list[Worker] = []
    try:
        for i, spec in enumerate(specs):
            name = f"{spec}#{specs[:i].count(spec) + 1}" if specs.count(spec) > 1 else spec
            workers.append(Worker(name, spec, open_device(spec, **options), options))
    except BaseException:
        for w in workers:
            if w.device is not None:
                w.device.close()
        raise
    return workers


def _work(w: Worker, queue: FlowQueue, config: FlowConfig, gate: threading.Semaphore,
          results: list[FlowResult], log: Log) -> None:
    """Take jobs until none fits; reopen the device after an infrastructure error."""
    runner: FlowRunner | None = None
    while (job := queue.take(w.spec)) is not None:
        result: FlowResult | None = None
        try:
            with gate:
                runner = runner or _runner(w, config, log)
                if runner is None:      # the device cannot be reopened: this worker retires
                    return
                result, broken = _run_job(runner, job, log)
                if result is not None:
                    results.append(result)
                if broken:
                    _close(w)
                    runner = None
        finally:                        # whatever happens, other workers must not wait forever
            queue.done(job, again=result is None)
    _close(w)


def _runner(w: Worker, config: FlowConfig, log: Log) -> FlowRunner | None:
    from devices import open_device

    if w.device is None:
        try:
            w.device = open_device(w.spec, **w.options)
        except DeviceError as exc:
            log(f"[{w.name}] cannot reopen the device, leaving its flows to others: {exc}")
            return None
    return FlowRunner(w.device, config, _prefixed(log, w.name), w.name)


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
        if not job.retried:
            log(f"[{name}] {flow.name}: infrastructure error, retrying once: {message}")
            job.retried, job.error = True, message
            return None, True
        result = _error(job, name, message, time.monotonic() - t0, runner)
    except Exception as exc:  # a bug, not the flow's fault: report it, keep the others going
        result = _error(job, name, f"{type(exc).__name__}: {exc}", time.monotonic() - t0, runner)
        result.log.extend(traceback.format_exc().splitlines())
    mark = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}[result.status]
    where = f": line {result.line}" if result.line else ""
    log(f"[{name}] {mark} {flow.name} in {result.seconds:.1f} s"
        + (f"{where}: {result.message}" if result.message else ""))
    return result, result.status == "error"


def _error(job: Job, device: str, message: str, seconds: float,
           runner: FlowRunner | None = None) -> FlowResult:
    step = runner.current if runner else None
    return FlowResult(job.flow.name, str(job.flow.path), device, "error", round(seconds, 3),
                      message, step.describe() if step else "", step.line if step else None,
                      None, job.attempt, list(runner.lines) if runner else [])


def _prefixed(log: Log, name: str) -> Log:
    return lambda line: log(f"[{name}]   {line}")


def _close(w: Worker) -> None:
    if w.device is not None:
        try:
            w.device.close()
        except DeviceError:
            pass
        w.device = None
