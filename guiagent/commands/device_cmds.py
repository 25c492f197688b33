"""`guiagent devices`, `guiagent screenshot`, `guiagent act`: look at and touch a device by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from devices import list_devices, open_device
from devices.base import Direction
from guiagent.config import device_options, load_settings
from guiagent.errors import UsageError
from guiagent.files import atomic_write_bytes

if TYPE_CHECKING:
    from guiagent.api import Phone

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


ACT_USAGE = ("tap X Y|TARGET | long_press X Y|TARGET | swipe X1 Y1 X2 Y2|DIRECTION | "
             "scroll DIRECTION [--until TEXT] | type TEXT [--into FIELD] | key NAME | launch APP")
NUMBER = re.compile(r"-?\d+(\.\d*)?")
DIRECTIONS = ("up", "down", "left", "right")


def _ints(args: tuple[str, ...], n: int, verb: str) -> list[int] | None:
    """Pixel numbers when every argument is a number (None: the arguments are a target)."""
    if not args or not all(NUMBER.fullmatch(a) for a in args):
        return None
    if len(args) != n:
        raise UsageError(f"'{verb}' takes {n} numbers; usage: guiagent act {ACT_USAGE}")
    try:
        return [int(a) for a in args]
    except ValueError as exc:
        raise UsageError(f"'{verb}' takes whole pixel numbers, got {' '.join(args)}") from exc


def _direction(args: tuple[str, ...], verb: str) -> Direction:
    if len(args) != 1 or args[0] not in DIRECTIONS:
        raise UsageError(f"'{verb}' takes X1 Y1 X2 Y2 or a direction ({', '.join(DIRECTIONS)})"
                         if verb == "swipe" else
                         f"'{verb}' takes a direction: {', '.join(DIRECTIONS)}")
    return args[0]  # type: ignore[return-value]


def perform(phone: Phone, verb: str, args: tuple[str, ...], into: str | None = None,
            until: str | None = None) -> str:
    """One `act` input through the Python API; a short detail of where it went."""
    text = " ".join(args)
    if verb in ("tap", "long_press"):
        xy = _ints(args, 2, verb)
        act = phone.tap if verb == "tap" else phone.long_press
        point = act(x=xy[0], y=xy[1]) if xy else act(text)
        return f"at {point.x},{point.y}"
    if verb == "swipe":
        xy = _ints(args, 4, verb)
        phone.drag(*xy) if xy else phone.swipe(_direction(args, verb))
    elif verb == "scroll":
        n = phone.scroll(_direction(args, verb), until=until)
        return f"after {n} scrolls" if until else ""
    elif verb == "type":
        phone.type(text, into=into)
    else:
        (phone.key if verb == "key" else phone.launch)(text)
    return ""


@click.command(context_settings={"ignore_unknown_options": True})
@DEVICE_OPTION
@ADB_OPTION
@click.option("--into", default=None, help="type: the field to tap first (a description).")
@click.option("--until", default=None, help="scroll: until this text is on the screen.")
@click.argument("verb")
@click.argument("args", nargs=-1)
def act(device: str | None, adb_server: str | None, into: str | None, until: str | None,
        verb: str, args: tuple[str, ...]) -> None:
    """Send one input by hand: tap, long_press, swipe, scroll, type, key or launch.

    Targets are pixels or descriptions grounded like `guiagent ground` ("Wi-Fi").
    """
    from guiagent.api import Phone

    verbs = ("tap", "long_press", "swipe", "scroll", "type", "key", "launch")
    if verb not in verbs:
        raise UsageError(f"unknown action '{verb}'; usage: guiagent act {ACT_USAGE}")
    if not args:
        raise UsageError(f"'{verb}' needs an argument; usage: guiagent act {ACT_USAGE}")
    settings = load_settings({"device": device, "adb_server": adb_server})
    with open_device(settings.device or "sim", **device_options(settings)) as dev:
        detail = perform(Phone(dev, settings), verb, args, into, until)
    click.echo(f"ok {verb} {' '.join(args)}{f' ({detail})' if detail else ''}")
