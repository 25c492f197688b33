"""Starting and stopping this machine's farm node: ``ray start`` with its devices as resources.

What was started is written to ``<data dir>/farm/nodes.json`` so that ``farm stop`` only
stops a node that ``farm start``/``farm join`` started, and ``farm status`` without an
address knows where the head is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from guiagent.config import data_dir
from guiagent.errors import UsageError
from guiagent.farm import RAY_ENV, import_ray
from guiagent.farm.resources import device_specs, node_resources, node_tag
from guiagent.files import atomic_write_text


def state_path() -> Path:
    return data_dir() / "farm" / "nodes.json"


def read_state() -> list[dict[str, Any]]:
    """The nodes started on this machine; an unreadable file counts as none."""
    try:
        data = json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [n for n in data if isinstance(n, dict)] if isinstance(data, list) else []


def _write_state(nodes: list[dict[str, Any]]) -> None:
    state_path().parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(state_path(), json.dumps(nodes, indent=2))


def ray_cli(args: list[str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``ray ARGS`` from this Python's Ray, its output captured."""
    import_ray()
    cmd = [sys.executable, "-m", "ray.scripts.scripts", *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**RAY_ENV, **os.environ})
    except subprocess.TimeoutExpired as exc:
        raise UsageError(f"`ray {args[0]}` did not finish in {timeout:.0f} s") from exc


def start_node(*, head: bool, address: str | None, port: int, devices: list[str], sims: int,
               node_ip: str | None = None, cpus: int | None = None) -> dict[str, Any]:
    """Start a head (``head``) or join ``address``; returns what was started."""
    specs = device_specs(devices, sims)
    if not specs:
        raise UsageError("a farm node needs devices: -d DEVICE (repeatable) and/or --sim N")
    tag = node_tag()
    args = ["start", "--resources", json.dumps(node_resources(tag, specs)),
            "--disable-usage-stats"]
    if head:
        args += ["--head", "--port", str(port), "--include-dashboard=false"]
    else:
        args += ["--address", str(address)]
    if node_ip:
        args += ["--node-ip-address", node_ip]
    if cpus is not None:
        args += ["--num-cpus", str(cpus)]
    done = ray_cli(args)
    if done.returncode != 0:
        raise UsageError(f"ray could not start this node: {_last_line(done)}")
    where = f"{node_ip or '127.0.0.1'}:{port}" if head else str(address)
    entry = {"tag": tag, "role": "head" if head else "worker", "address": where,
             "devices": specs, "started": time.time()}
    _write_state([*read_state(), entry])
    return entry


def stop_nodes() -> list[dict[str, Any]]:
    """Stop the Ray processes of this machine that ``farm start``/``join`` started."""
    nodes = read_state()
    if not nodes:
        raise UsageError("no farm node was started on this machine "
                         "(start one with `guiagent farm start`)")
    done = ray_cli(["stop"])
    if done.returncode != 0:
        raise UsageError(f"ray could not stop: {_last_line(done)}")
    state_path().unlink(missing_ok=True)
    return nodes


def default_address() -> str | None:
    """The head this machine started or joined, for commands given no address."""
    nodes = read_state()
    return str(nodes[-1]["address"]) if nodes else None


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [ln for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
    return lines[-1].strip() if lines else f"exit {done.returncode}"
