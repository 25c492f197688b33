"""Capture time and tap round trip through Debian's real adb server.

    python bench/android_io.py [-n 30]                      # the simulated phone over ADB
    python bench/android_io.py --device SERIAL --adb-server 127.0.0.1:5037   # a real device

With no --device it starts a private adb server on a free port, serves the simulated
phone with devices.sim.adbd, connects the two, measures, and tears everything down.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from devices.android import AndroidDevice
from devices.geometry import PixelPoint


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def simulated() -> Iterator[tuple[str, str]]:
    """(serial, adb server address) of the simulated phone behind a private adb server."""
    from devices.sim.adbd import AdbDaemon
    from devices.sim.phone import Phone

    adb = shutil.which("adb")
    if adb is None:
        raise SystemExit("adb is not installed (apt install adb)")
    port = str(free_port())
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, HOME=home, ANDROID_SDK_HOME=home)
        subprocess.run([adb, "-P", port, "start-server"], check=True, env=env,
                       capture_output=True)
        try:
            with AdbDaemon(Phone()) as daemon:
                subprocess.run([adb, "-P", port, "connect", daemon.serial], check=True,
                               env=env, capture_output=True)
                yield daemon.serial, f"127.0.0.1:{port}"
        finally:
            subprocess.run([adb, "-P", port, "kill-server"], env=env, capture_output=True)


def timed(fn: Callable[[], object], n: int) -> list[float]:
    fn()                                   # warm up (first frame render, caches)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def report(name: str, ms: list[float]) -> None:
    q = statistics.quantiles(ms, n=10)
    print(f"{name:<22} n={len(ms):<4} median {statistics.median(ms):7.1f} ms   "
          f"p90 {q[-1]:7.1f} ms   min {min(ms):7.1f} ms")


def bench(serial: str, server: str, n: int) -> None:
    dev = AndroidDevice(serial, adb_server=server)
    g = dev.geometry()
    print(f"device {serial} via adb server {server}: {g.width}x{g.height} @ {g.density} dpi")
    report("screenshot (PNG)", timed(dev.screenshot, n))
    report("tap round trip", timed(lambda: dev.tap(PixelPoint(g.width // 2, 40)), n))
    report("shell echo", timed(lambda: dev.shell("echo x"), n))
    report("ui_tree (uiautomator)", timed(dev.ui_tree, max(3, n // 3)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=30, help="repetitions per measurement")
    ap.add_argument("--device", help="serial of a real device (default: the simulated phone)")
    ap.add_argument("--adb-server", default="127.0.0.1:5037", help="HOST:PORT with --device")
    args = ap.parse_args()
    if args.device:
        bench(args.device, args.adb_server, args.n)
        return
    with simulated() as (serial, server):
        bench(serial, server, args.n)


if __name__ == "__main__":
    main()
