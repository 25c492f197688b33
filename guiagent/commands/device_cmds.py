"""`guiagent devices`, `guiagent screenshot`, `guiagent act`: look at and touch a device by hand."""

from __future__ import annotations

import json
from pathlib import Path

import click

from devices import PixelPoint, list_devices, open_device
from guiagent.config import device_options, load_settings
from guiagent.errors import UsageError
from guiagent.files import atomic_write_bytes

DEVICE_OPTION = click.option(
    "-d", "--device", "device", default=None,
    help="sim, android[:SERIAL[@HOST:PORT]] or desktop[:N] (default: sim).",
)
ADB_OPTION = click.option("--adb-server", default=None, metavar="HOST:PORT",
                          help="Use the adb server on another machine (a device farm).")


def resolve_device(device: str | None, adb_server: str | None = None):  # noqa: ANN201
    """Open the device named by flag, environment or config; the simulated phone by default."""
    settings = load_settings({"device": device, "adb_server": adb_server})
    return open_device(settings.device or "sim", **device_options(settings))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
@ADB_OPTION
def devices(as_json: bool, adb_server: str | None) -> None:
    """List the devices that -d accepts."""
    rows = list_devices(**device_options(load_settings({"adb_server": adb_server})))
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows]))
        return
    width = max((len(r.id) for r in rows), default=0)
    for r in rows:
        click.echo(f"{r.id:<{width}}  {r.state:<11}  {r.description}")


@click.command()
@DEVICE_OPTION
@ADB_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("screenshot.png"), show_default=True, help="PNG file to write.")
def screenshot(device: str | None, adb_server: str | None, output: Path) -> None:
    """Capture the device's screen to a PNG file."""
    if output.suffix.lower() != ".png":
        raise UsageError(f"{output}: screenshots are written as PNG; name the file *.png")
    with resolve_device(device, adb_server) as dev:
        image = dev.screenshot()
    import io

    buf = io.BytesIO()
    image.save(buf, format="PNG")
    try:
        atomic_write_bytes(output, buf.getvalue())
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the screenshot ({exc.strerror})") from exc
    click.echo(f"{output} {image.width}x{image.height}")


ACT_USAGE = "tap X Y | long_press X Y | swipe X1 Y1 X2 Y2 | type TEXT | key NAME | launch APP"


def _ints(args: tuple[str, ...], n: int, verb: str) -> list[int]:
    if len(args) != n:
        raise UsageError(f"'{verb}' takes {n} numbers; usage: guiagent act {ACT_USAGE}")
    try:
        return [int(a) for a in args]
    except ValueError as exc:
        raise UsageError(f"'{verb}' takes whole pixel numbers, got {' '.join(args)}") from exc


@click.command(context_settings={"ignore_unknown_options": True})
@DEVICE_OPTION
@ADB_OPTION
@click.argument("verb")
@click.argument("args", nargs=-1)
def act(device: str | None, adb_server: str | None, verb: str, args: tuple[str, ...]) -> None:
    """Send one input by hand: tap, long_press, swipe, type, key or launch."""
    verbs = ("tap", "long_press", "swipe", "type", "key", "launch")
    if verb not in verbs:
        raise UsageError(f"unknown action '{verb}'; usage: guiagent act {ACT_USAGE}")
    if verb in ("tap", "long_press", "swipe"):
        numbers = _ints(args, 4 if verb == "swipe" else 2, verb)
    elif not args:
        raise UsageError(f"'{verb}' needs an argument; usage: guiagent act {ACT_USAGE}")
    with resolve_device(device, adb_server) as dev:
        if verb in ("tap", "long_press"):
            (dev.tap if verb == "tap" else dev.long_press)(PixelPoint(*numbers))
        elif verb == "swipe":
            dev.swipe(PixelPoint(*numbers[:2]), PixelPoint(*numbers[2:]))
        elif verb == "type":
            dev.type_text(" ".join(args))
        elif verb == "key":
            dev.press_key(args[0])
        else:
            dev.launch_app(" ".join(args))
    click.echo(f"ok {verb} {' '.join(args)}".rstrip())
