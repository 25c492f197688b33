"""Browse past runs: a table of runs; the steps of the one selected as readable lines, and
the screens before and after the selected step's action (its target framed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label

from guiagent.naming import RecordLines, step_number
from guiagent.runs import RunRecordError, list_runs, read_records
from tui.describe import log_text
from tui.screen_view import ScreenView

Record = dict[str, Any]


def step_rows(records: list[Record]) -> list[tuple[str, Record, str]]:
    """(step number, record, line) for every record of a run, with names."""
    names = RecordLines()
    pairs = [p for rec in records for p in names.feed(rec)] + names.flush()
    return [(step_number(rec), rec, line) for rec, line in pairs]


def load_image(path: Path) -> Image.Image | None:
    try:
        with Image.open(path) as im:
            im.load()
            return im.convert("RGB")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None


class RunsScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("f5", "reload", "Reload")]

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.run_dir: Path | None = None
        self.rows: list[tuple[str, Record, str]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="runs", cursor_type="row")
        with Horizontal(id="detail"):
            yield DataTable(id="steps", cursor_type="row")
            with Horizontal(id="shots"):
                with Vertical():
                    yield Label("before (target framed)")
                    yield ScreenView(empty="no screen for this step", id="before")
                with Vertical():
                    yield Label("after")
                    yield ScreenView(empty="", id="after")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#runs", DataTable)
        table.add_columns("run", "status", "steps", "seconds", "task", "reason")
        self.query_one("#steps", DataTable).add_columns("step", "what happened")
        self.action_reload()
        table.focus()

    def action_reload(self) -> None:
        table = self.query_one("#runs", DataTable)
        table.clear()
        for run in list_runs(self.root):
            table.add_row(run.id, run.status, str(run.steps), f"{run.seconds:.1f}", run.task,
                          run.reason, key=str(run.path))
        if not table.row_count:
            steps = self.query_one("#steps", DataTable)
            steps.clear()
            steps.add_row("", f"no runs yet in {self.root}")

    @on(DataTable.RowHighlighted, "#runs")
    def _show_run(self, event: DataTable.RowHighlighted) -> None:
        steps = self.query_one("#steps", DataTable)
        steps.clear()
        if event.row_key.value is None:
            return
        self.run_dir = Path(event.row_key.value)
        try:
            self.rows = step_rows(read_records(self.run_dir))
        except RunRecordError as exc:
            self.rows = []
            steps.add_row("", str(exc))
            return
        for i, (number, rec, line) in enumerate(self.rows):
            label = "" if rec.get("kind") == "result" else number
            steps.add_row(label, log_text("", rec, line), key=str(i))

    @on(DataTable.RowHighlighted, "#steps")
    def _show_step(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None or self.run_dir is None:
            return
        number = self.rows[int(event.row_key.value)][0]
        act = next((r for n, r, _ in self.rows if n == number and r.get("kind") == "act"), None)
        ground = next((r for n, r, _ in self.rows if n == number and r.get("kind") == "ground"),
                      None)
        for side in ("before", "after"):
            name = act.get(side) if act else None
            view = self.query_one(f"#{side}", ScreenView)
            view.image = load_image(self.run_dir / name) if isinstance(name, str) else None
            box = ground.get("box") if ground and side == "before" else None
            view.mark = tuple(box) if isinstance(box, list) and len(box) == 4 else None  # type: ignore[assignment]
