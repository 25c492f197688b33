"""`guiagent runs list|show|open`: the runs saved on disk, their steps and their HTML report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from guiagent.runs import RunSummary

ROOT_OPTION = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder holding the runs (default: the data dir's runs/).")


def _root(root: Path | None) -> Path:
    from guiagent.trajectory import runs_root

    return root or runs_root()


@click.group()
def runs() -> None:
    """The runs saved on disk: list them, show one's steps, open its report."""


@runs.command("list")
@ROOT_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON list on stdout.")
def list_cmd(root: Path | None, as_json: bool) -> None:
    """Saved runs, newest first.

    A run whose status is "incomplete" was killed or crashed before it ended.
    """
    from guiagent.runs import list_runs

    found = list_runs(_root(root))
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in found]))
        return
    if not found:
        click.echo(f"no runs in {_root(root)}; `guiagent run TASK` saves one", err=True)
        return
    for line in table(found):
        click.echo(line)


def table(found: list[RunSummary]) -> list[str]:
    """A header and one aligned row per run."""
    rows = [("RUN", "STATUS", "STEPS", "SECONDS", "TASK")]
    rows += [(r.id, r.status, str(r.steps), f"{r.seconds:.1f}", r.task or r.reason)
             for r in found]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}  {d:>{widths[3]}}  {e}"
            for a, b, c, d, e in rows]


@runs.command("show")
@click.argument("run")
@ROOT_OPTION
@click.option("--json", "as_json", is_flag=True, help="The summary and every record as JSON.")
def show(run: str, root: Path | None, as_json: bool) -> None:
    """The steps of a run, one line each.

    RUN is an id, a unique prefix of one, a run folder, or "last".
    """
    from guiagent.naming import RecordLines, plural
    from guiagent.runs import find_run, read_records, summarize

    path = find_run(_root(root), run)
    summary, records = summarize(path), read_records(path)
    if as_json:
        click.echo(json.dumps({"run": summary.as_dict(), "records": records}, default=str))
        return
    click.echo(f"{summary.id}: {summary.task}")
    for line in RecordLines().lines(records):
        if not line.startswith(f"{summary.status}: "):
            click.echo(line)
    end = f"{summary.status}: {summary.reason}"
    click.echo(end if summary.status != "incomplete" else f"incomplete: {summary.reason} "
               f"({plural(summary.steps, 'action')} recorded)")


@runs.command("open")
@click.argument("run")
@ROOT_OPTION
def open_cmd(run: str, root: Path | None) -> None:
    """Write a run's report.html and open it.

    The path is printed; with a display the report also opens in the browser.
    """
    from guiagent.config import display_env
    from guiagent.report import write_report
    from guiagent.runs import find_run

    path = write_report(find_run(_root(root), run))
    click.echo(str(path))
    has_display = sys.platform in ("darwin", "win32") or any(
        display_env().get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY"))
    if has_display and click.launch(str(path)) != 0:
        click.echo("guiagent: no browser could be started; open the file above", err=True)
