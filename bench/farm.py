"""Flows per minute on a Ray farm of one node vs two nodes, the same flows side by side.

    python bench/farm.py [--sims 2] [--repeat 3] [--cpus 1]

Both farms are real local Ray clusters (Ray's cluster_utils: a head, and for the second
farm a second node), each node offering ``--sims`` simulated phones and ``--cpus`` CPUs.
The flows are the shipped examples run ``--repeat`` times. On one machine the second
node shares the machine's cores with the first: the figure says what a second node of
this machine's size adds here, not what a second machine would. Figures, not tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guiagent.farm import import_ray  # noqa: E402

ray = import_ray()

from ray.cluster_utils import Cluster  # noqa: E402

from guiagent.farm.remote import run_flows_on_farm  # noqa: E402
from guiagent.farm.resources import node_resources  # noqa: E402
from guiagent.flowrun import FlowConfig  # noqa: E402
from guiagent.flows import collect_flows  # noqa: E402

EXAMPLES = ROOT / "guiagent" / "examples" / "flows"


def measure(nodes: int, sims: int, cpus: int, repeat: int) -> tuple[float, int, int]:
    """(seconds, runs, passed) of the example flows on a farm of ``nodes`` nodes."""
    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": cpus, "resources": node_resources("n1", ["sim"] * sims)})
    for n in range(2, nodes + 1):
        cluster.add_node(num_cpus=cpus, resources=node_resources(f"n{n}", ["sim"] * sims))
    cluster.wait_for_nodes()
    try:
        flows = collect_flows([EXAMPLES])
        t0 = time.monotonic()
        results = run_flows_on_farm(flows, cluster.address, FlowConfig(), wanted=[],
                                    repeat=repeat)
        return time.monotonic() - t0, len(results), sum(r.passed for r in results)
    finally:
        ray.shutdown()
        cluster.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sims", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cpus", type=int, default=1)
    args = ap.parse_args()
    rows = []
    for nodes in (1, 2):
        seconds, runs, passed = measure(nodes, args.sims, args.cpus, args.repeat)
        rows.append((nodes, seconds, runs, passed))
        print(f"{nodes} node(s), {args.sims} phones each: {runs} flow runs ({passed} passed) "
              f"in {seconds:.1f} s = {60 * runs / seconds:.1f} flows/min", flush=True)
    ratio = (rows[1][2] / rows[1][1]) / (rows[0][2] / rows[0][1])
    print(f"two nodes / one node: {ratio:.2f}x flows per minute")


if __name__ == "__main__":
    main()
