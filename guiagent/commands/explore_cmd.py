"""`guiagent explore APP`: crawl one app breadth first into its app model, with a map."""

from __future__ import annotations

from pathlib import Path

import click

from guiagent.commands.device_cmds import ADB_OPTION, DEVICE_OPTION


@click.command()
@click.argument("app")
@DEVICE_OPTION
@ADB_OPTION
@click.option("--max-actions", type=click.IntRange(min=1), default=300, show_default=True,
              help="Stop after this many actions.")
@click.option("--max-depth", type=click.IntRange(min=0), default=4, show_default=True,
              help="Screens below the app's first one.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the run (default: a new one under the data dir).")
def explore(app: str, device: str | None, adb_server: str | None, max_actions: int,
            max_depth: int, out: Path | None) -> int:
    """Tap every reachable control of APP once (never a risky one) and map its screens."""
    from devices import open_device
    from guiagent.config import data_dir, device_options, load_settings
    from guiagent.explore import ExploreOptions
    from guiagent.explore import explore as crawl
    from guiagent.session import TreeFirstPerceiver
    from planners.appmodel import AppModelStore

    settings = load_settings({"device": device, "adb_server": adb_server})
    options = ExploreOptions(max_actions=max_actions, max_depth=max_depth)
    with open_device(settings.device or "sim", **device_options(settings)) as dev:
        result = crawl(dev, app, TreeFirstPerceiver(), AppModelStore(data_dir() / "appmodels"),
                       out, options)
    click.echo(result.summary())
    for line in result.crashes:
        click.echo(f"crash: {line}")
    for line in result.left:
        click.echo(f"left the app: {line}")
    click.echo(f"map: {Path(result.run_dir) / 'map.html'}")
    return 1 if result.crashes else 0
