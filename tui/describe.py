"""What the TUI says about records: coloured log lines with names, and approval details."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from grounding.types import Screen
from guiagent.naming import at, message_text, quoted, screen_title, target_name
from guiagent.terminal import printable

Record = dict[str, Any]
KIND_STYLE = {"plan": "bold cyan", "decide": "", "act": "bold", "safety": "yellow",
              "warning": "yellow", "rollback": "magenta", "observe": "dim", "app_model": "dim"}
OUTCOME_STYLE = {"ok": "green", "no_change": "yellow", "wrong_page": "red"}
STATUS_STYLE = {"success": "bold green", "failed": "bold red", "stopped": "bold yellow"}


def log_style(rec: Record) -> str:
    """The colour of a record's line in the log: by kind, and by how it went."""
    kind = str(rec.get("kind"))
    if kind == "ground":
        return "green" if rec.get("found") else "bold red"
    if kind == "safety" and rec.get("verdict") == "allow":
        return "dim"
    if kind == "reflect":
        return OUTCOME_STYLE.get(str(rec.get("outcome")), "")
    if kind == "result":
        return STATUS_STYLE.get(str(rec.get("status")), "bold")
    return KIND_STYLE.get(kind, "")


def log_text(number: str, rec: Record, line: str) -> Text:
    """``[3] act: tap "Airplane mode" [14] at (540, 1140)`` in its kind's colour."""
    text = Text(f"[{number}] " if number and rec.get("kind") != "result" else "", style="dim")
    text.append(printable(line), style=log_style(rec))
    return text


def approval_details(phrase: str, action: Record, ground: Record | None, reason: str,
                     screen: Screen | None) -> list[tuple[str, str]]:
    """(label, value) rows for the approval dialog: the action, its target, the text to be
    typed or sent and, for a message, who gets it; then why it asks."""
    rows = [("action", phrase)]
    if ground and ground.get("found"):
        rows.append(("target", f"{target_name({}, ground)}{at(ground)}"))
    text = action.get("text")
    sending = "send message" in reason or "send" in str(ground and ground.get("label")).lower()
    if not text and sending and screen is not None:
        text = message_text(screen)
    if text:
        rows.append(("text", quoted(text)))
    if sending and screen is not None and screen_title(screen):
        rows.append(("to", screen_title(screen)))
    rows.append(("why", reason))
    return rows
