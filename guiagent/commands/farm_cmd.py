"""`guiagent farm start|join|status|stop`: this machine's devices on a Ray device farm."""

from __future__ import annotations

import json

import click

from guiagent.errors import UsageError

DEVICE_OPTION = click.option("-d", "--device", "devices", multiple=True, metavar="DEVICE",
                             help="A device this node offers (repeatable): android:SERIAL, "
                                  "desktop, sim.")
SIM_OPTION = click.option("--sim", "sims", type=click.IntRange(min=0), default=0,
                          show_default=True, help="Also offer N simulated phones.")
IP_OPTION = click.option("--node-ip", default=None, metavar="IP",
                         help="The address this node is reached at (127.0.0.1 keeps it "
                              "on this machine).")
CPUS_OPTION = click.option("--cpus", type=click.IntRange(min=1), default=None,
                           help="CPUs Ray may use on this node (default: all).")


@click.group()
def farm() -> None:
    """Run regression flows on the devices of many machines, scheduled by Ray."""


def _started(entry: dict[str, object]) -> None:
    devices = entry["devices"]
    assert isinstance(devices, list)
    click.echo(f"farm {entry['role']} node {entry['tag']} at {entry['address']} offers "
               f"{len(devices)} device{'s' if len(devices) != 1 else ''}: "
               f"{', '.join(map(str, devices))}", err=True)


@farm.command()
@click.option("--port", type=click.IntRange(1, 65535), default=6379, show_default=True,
              help="The port the head listens on.")
@DEVICE_OPTION
@SIM_OPTION
@IP_OPTION
@CPUS_OPTION
def start(port: int, devices: tuple[str, ...], sims: int, node_ip: str | None,
          cpus: int | None) -> None:
    """Start a farm head on this machine, offering its devices."""
    from guiagent.farm.node import start_node

    entry = start_node(head=True, address=None, port=port, devices=list(devices), sims=sims,
                       node_ip=node_ip, cpus=cpus)
    _started(entry)
    click.echo(f"join other machines with: guiagent farm join {entry['address']} -d ...",
               err=True)
    click.echo(f"run flows with: guiagent test FLOWS --farm {entry['address']}", err=True)


@farm.command()
@click.argument("address")
@DEVICE_OPTION
@SIM_OPTION
@IP_OPTION
@CPUS_OPTION
def join(address: str, devices: tuple[str, ...], sims: int, node_ip: str | None,
         cpus: int | None) -> None:
    """Join the farm whose head is at ADDRESS (HOST:PORT), offering this machine's devices."""
    from guiagent.farm.node import start_node

    _started(start_node(head=False, address=address, port=0, devices=list(devices),
                        sims=sims, node_ip=node_ip, cpus=cpus))


@farm.command()
@click.argument("address", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: nodes and devices.")
def status(address: str | None, as_json: bool) -> None:
    """List the farm's nodes and devices (ADDRESS: the head; default, the one started here)."""
    from guiagent.farm.node import default_address
    from guiagent.farm.remote import status as farm_status

    address = address or default_address()
    if not address:
        raise UsageError("name the farm's head: guiagent farm status HOST:PORT")
    info = farm_status(address)
    if as_json:
        click.echo(json.dumps(info))
        return
    for node in info["nodes"]:
        state = "alive" if node["alive"] else "dead"
        n = node["devices"]
        click.echo(f"node {node['address']} {','.join(node['tags'])} ({state}): "
                   f"{n} device{'' if n == 1 else 's'}")
    click.echo(f"{'DEVICE':<24} {'KIND':<8} {'NODE':<16} {'STATE':<6} SPEC")
    for d in info["devices"]:
        click.echo(f"{d['id']:<24} {d['kind']:<8} {d['node']:<16} "
                   f"{'busy' if d['busy'] else 'free':<6} {d['spec']}")


@farm.command()
def stop() -> None:
    """Stop the farm nodes `farm start` and `farm join` started on this machine."""
    from guiagent.farm.node import stop_nodes

    nodes = stop_nodes()
    click.echo(f"stopped {len(nodes)} farm node{'s' if len(nodes) != 1 else ''} "
               f"({', '.join(str(n['tag']) for n in nodes)})", err=True)
