"""Text shown in a terminal: control characters and escape sequences removed.

A task, a model's thought or a screen's text may hold escape sequences (colour, cursor
moves, window titles, hyperlinks); printed raw they repaint the user's terminal or forge
lines. Everything printed for a person goes through ``printable``.
"""

from __future__ import annotations

import re

import click

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-character ESC sequences,
# and the 8-bit CSI / OSC introducers; each part scans forward only (linear time).
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
                     r"|\x1b[ -~]?|\x9b[0-?]*[ -/]*[@-~]?|\x9d")
CONTROLS = dict.fromkeys([*range(0, 32), 127, *range(128, 160)]) | {
    0x09: " ", 0x0A: " ", 0x0D: " "}


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` without escape sequences and control characters; ``lines`` keeps newlines."""
    text = ESCAPES.sub("", text)
    if lines:
        return "\n".join(part.translate(CONTROLS) for part in text.split("\n"))
    return text.translate(CONTROLS)


def echo(text: str, *, err: bool = False) -> None:
    """click.echo of a printable copy of ``text`` (multi-line text keeps its lines)."""
    click.echo(printable(text, lines=True), err=err)
