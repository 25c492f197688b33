"""Devices as Ray custom resources: names, and the farm's devices read back from nodes.

Pure data, no Ray import: the names are the contract between the nodes that advertise
devices and the driver that schedules flows on them.
"""

from __future__ import annotations

import secrets
import socket
from dataclasses import asdict, dataclass
from typing import Any

from devices import split_spec

PREFIX = "guiagent:"
KINDS = ("sim", "android", "desktop")


@dataclass(frozen=True, slots=True)
class FarmDevice:
    """One device on one node: ``id`` is ``<node tag>/<n>``, ``spec`` what opens it there."""

    id: str
    kind: str
    spec: str
    node: str
    resource: str
    busy: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def node_tag() -> str:
    """A short name for this node: the host name and a random suffix (two nodes may share
    a machine)."""
    host = socket.gethostname().split(".")[0].replace(":", "-") or "node"
    return f"{host}-{secrets.token_hex(2)}"


def device_specs(devices: list[str], sims: int) -> list[str]:
    """The specs a node advertises: its ``-d`` devices, then ``sims`` simulated phones."""
    for spec in devices:
        split_spec(spec)                       # an unknown kind fails here, with a suggestion
    return list(devices) + ["sim"] * sims


def node_resources(tag: str, specs: list[str]) -> dict[str, float]:
    """One resource per device and one per kind, counting that kind's devices."""
    out: dict[str, float] = {}
    for n, spec in enumerate(specs, 1):
        kind = split_spec(spec)[0]
        out[f"{PREFIX}{tag}:{n}:{spec}"] = 1.0
        out[kind] = out.get(kind, 0.0) + 1.0
    return out


def parse_resource(name: str) -> tuple[str, str, str] | None:
    """``guiagent:<tag>:<n>:<spec>`` -> (tag, n, spec); None for any other resource."""
    if not name.startswith(PREFIX):
        return None
    parts = name[len(PREFIX):].split(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], parts[1], parts[2]


def farm_devices(nodes: list[dict[str, Any]], available: dict[str, float]) -> list[FarmDevice]:
    """Every device of every live node (Ray's ``ray.nodes()``), busy when its resource is
    taken (``ray.available_resources()``)."""
    found: list[FarmDevice] = []
    for node in nodes:
        if not node.get("Alive", False):
            continue
        for name in sorted(node.get("Resources", {})):
            parsed = parse_resource(name)
            if parsed is None:
                continue
            tag, n, spec = parsed
            found.append(FarmDevice(f"{tag}/{n}", split_spec(spec)[0], spec,
                                    str(node.get("NodeManagerAddress", "?")), name,
                                    available.get(name, 0.0) < 1.0))
    return found


def node_rows(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The nodes as ``farm status`` shows them."""
    rows = []
    for node in nodes:
        tags = sorted({p[0] for r in node.get("Resources", {}) if (p := parse_resource(r))})
        rows.append({"id": str(node.get("NodeID", ""))[:12],
                     "address": node.get("NodeManagerAddress", "?"),
                     "alive": bool(node.get("Alive", False)),
                     "tags": tags,
                     "devices": sum(parse_resource(r) is not None
                                    for r in node.get("Resources", {}))})
    return rows


def select_devices(devices: list[FarmDevice], wanted: list[str]) -> list[FarmDevice]:
    """The farm devices ``-d`` asks for: a kind (``sim``) or an exact spec; all without -d."""
    if not wanted:
        return devices
    return [d for d in devices if d.kind in wanted or d.spec in wanted or d.id in wanted]
