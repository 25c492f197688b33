"""Live progress of `guiagent run` on stderr (rich): per step the plan, action, outcome, time
and tokens, then a summary. It only consumes the step-record stream, like the TUI does."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console
from rich.text import Text

from guiagent.naming import RecordLines
from guiagent.steps import (
    Observed,
    Planned,
    Reflected,
    RunResult,
    StepRecord,
)
from guiagent.terminal import printable

OUTCOME_STYLE = {"ok": "green", "no_change": "yellow", "wrong_page": "red"}
STATUS_STYLE = {"success": "bold green", "failed": "bold red", "stopped": "bold yellow"}


class RunProgress:
    """Call it with every record of a run; ``tokens`` reads the run's token count so far."""

    def __init__(self, console: Console | None = None,
                 tokens: Callable[[], int] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console or Console(stderr=True, highlight=False, soft_wrap=True)
        self.tokens = tokens or (lambda: 0)
        self.clock = clock
        self.started = self.step_start = clock()
        self.step_tokens = 0
        self.names = RecordLines()

    def __call__(self, rec: StepRecord) -> None:
        for data, line in self.names.feed(rec.to_dict()):
            self._show(rec if data.get("kind") == rec.kind else None, data, line)

    def _show(self, rec: StepRecord | None, data: dict[str, object], line: str) -> None:
        """One record's line; the kinds with their own layout have a handler."""
        kind = str(data.get("kind"))
        handler = getattr(self, "_" + type(rec).__name__.lower(), None) if rec else None
        if handler is not None:
            handler(rec)
        elif kind == "decide":
            thought = str(data.get("thought") or "")
            self._line("  ", f"decide: {self.names.phrase(data)}",
                       (f"  ({thought})" if thought else "", "dim"))
        elif kind == "ground" and not data.get("found"):
            self._line("  ", (line, "red"))
        elif kind == "safety" and data.get("verdict") != "allow":
            self._line("  ", (line, "yellow"))
        elif kind == "act":
            self._line("  ", (line, "bold"))
        elif kind in ("warning", "rollback"):
            self._line("  ", (line, "yellow"))

    def _line(self, *parts: tuple[str, str] | str) -> None:
        safe = [printable(p) if isinstance(p, str) else (printable(p[0]), p[1]) for p in parts]
        self.console.print(Text.assemble(*safe))

    def _planned(self, rec: Planned) -> None:
        self.step_start, self.step_tokens = self.clock(), self.tokens()
        self._line((f"step {rec.step + 1} ", "bold cyan"), ("plan: ", "bold"),
                   rec.subgoal or rec.progress)

    def _observed(self, rec: Observed) -> None:
        for warning in rec.warnings:
            self._line("  ", (f"warning: {warning}", "yellow"))

    def _reflected(self, rec: Reflected) -> None:
        spent = self.clock() - self.step_start
        used = self.tokens() - self.step_tokens
        self._line("  ", ("outcome: ", "bold"), (rec.outcome, OUTCOME_STYLE.get(rec.outcome, "")),
                   f" {rec.reason}", (f"  {spent:.1f} s, {used} tokens", "dim"))

    def _runresult(self, rec: RunResult) -> None:
        rows: list[tuple[str, str | tuple[str, str]]] = [
            ("status", (f"{rec.status}: {rec.reason}", STATUS_STYLE.get(rec.status, "")))]
        if rec.answer and rec.answer != rec.reason:
            rows.append(("answer", rec.answer))
        rows += [("steps", str(rec.steps)),
                 ("time", f"{rec.seconds:.1f} s (wall {self.clock() - self.started:.1f} s)"),
                 ("tokens", f"{rec.tokens}"), ("cost", f"${rec.cost_usd:.4f}")]
        if rec.run_dir:
            rows.append(("saved in", rec.run_dir))
        for label, value in rows:
            self._line((f"{label:<9}", "bold"), value)
