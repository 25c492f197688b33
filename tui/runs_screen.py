"""Browse past runs: a table of runs, and the step log of the one selected."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, RichLog

from guiagent.runs import list_runs, read_records


class RunsScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("f5", "reload", "Reload")]

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="runs", cursor_type="row")
        yield RichLog(id="steps", wrap=True, markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#runs", DataTable)
        table.add_columns("run", "status", "steps", "seconds", "task", "reason")
        self.action_reload()
        table.focus()

    def action_reload(self) -> None:
        table = self.query_one("#runs", DataTable)
        table.clear()
        for run in list_runs(self.root):
            table.add_row(run.id, run.status, str(run.steps), f"{run.seconds:.1f}", run.task,
                          run.reason, key=str(run.path))
        if not table.row_count:
            self.query_one("#steps", RichLog).write(f"no runs yet in {self.root}")

    @on(DataTable.RowHighlighted, "#runs")
    def _show(self, event: DataTable.RowHighlighted) -> None:
        log = self.query_one("#steps", RichLog)
        log.clear()
        if event.row_key.value is None:
            return
        for record in read_records(Path(event.row_key.value)):
            kind = record.get("kind", "?")
            detail = {k: v for k, v in record.items() if k not in ("kind", "step") and v}
            log.write(f"[{record.get('step', '')}] {kind} {detail}")
