"""`guiagent sim serve`: the built-in simulated phone as an ADB device on a TCP port."""

from __future__ import annotations

import signal
import sys
from types import FrameType

import click

from guiagent.errors import UsageError


@click.group()
def sim() -> None:
    """The built-in simulated phone."""


@sim.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 to let other machines connect).")
@click.option("--port", type=click.IntRange(0, 65535), default=5555, show_default=True,
              help="TCP port; 0 picks a free one.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the phone's contacts, messages and settings.")
def serve(host: str, port: int, seed: int) -> None:
    """Serve the simulated phone over the ADB protocol until stopped (Ctrl-C).

    Then `adb connect HOST:PORT` and use it like any Android device, e.g.
    `guiagent screenshot -d android:HOST:PORT`.
    """
    from devices.sim.adbd import AdbDaemon
    from devices.sim.phone import Phone

    try:
        daemon = AdbDaemon(Phone(seed=seed), host, port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                         "pick another --port") from exc
    signal.signal(signal.SIGTERM, _stop)
    click.echo(f"simulated phone serving ADB on {daemon.serial}; "
               f"connect with: adb connect {daemon.serial}")
    sys.stdout.flush()
    try:
        daemon.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        daemon.stop()


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
