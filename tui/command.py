"""`guiagent tui`, registered as a plugin command (guiagent may not import tui)."""

from __future__ import annotations

import click


@click.command()
@click.option("-d", "--device", default=None, help="Device to start with (default: sim).")
@click.option("--adb-server", default=None, metavar="HOST:PORT",
              help="Use the adb server on another machine.")
@click.option("--graphics", type=click.Choice(["auto", "halfblock"]), default="auto",
              show_default=True, help="auto: real pixels where the terminal shows sixel or "
                                      "kitty graphics, else half-block cells.")
def tui(device: str | None, adb_server: str | None, graphics: str) -> None:
    """Watch and steer the agent in the terminal."""
    from tui.wiring import build_app

    build_app(device, adb_server, graphics).run()
