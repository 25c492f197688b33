"""`guiagent test FLOWS...`: regression flows on one or many devices, JUnit XML, HTML report."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from guiagent.commands.device_cmds import ADB_OPTION
from guiagent.errors import EXIT_FAILED, EXIT_OK, UsageError
from guiagent.naming import plural
from guiagent.terminal import printable

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "flows"

if TYPE_CHECKING:
    from guiagent.flows import Flow
    from guiagent.testreport import FlowResult


def select(flows: list[Flow], tags: str | None) -> list[Flow]:
    """Flows carrying any of the comma-separated tags (all flows without --tags)."""
    if not tags:
        return flows
    wanted = {t.strip() for t in tags.split(",") if t.strip()}
    chosen = [f for f in flows if wanted & set(f.tags)]
    if not chosen:
        known = sorted({t for f in flows for t in f.tags}) or ["none"]
        raise UsageError(f"no flow has the tags {', '.join(sorted(wanted))}; "
                         f"tags in these flows: {', '.join(known)}")
    return chosen


def default_devices(flows: list[Flow], configured: str | None) -> list[str]:
    """Without -d: the configured device, else the devices the flows name, else sim."""
    if configured:
        return [configured]
    return list(dict.fromkeys(f.device for f in flows if f.device)) or ["sim"]


def stderr_log() -> Callable[[str], None]:
    """Progress lines on stderr, one at a time from every worker thread."""
    lock = threading.Lock()

    def log(line: str) -> None:
        with lock:
            click.echo(printable(line), err=True)
    return log


def summary(results: list[FlowResult]) -> str:
    """The closing lines: counts, every failure with file:line, flaky flows."""
    from guiagent.testreport import flakiness

    counts = {s: sum(r.status == s for r in results) for s in ("passed", "failed", "error")}
    errors = "error" if counts["error"] == 1 else "errors"
    lines = [f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} {errors} "
             f"({plural(len(results), 'run')})"]
    for r in results:
        if not r.passed:
            where = f"{r.path}:{r.line}" if r.line else r.path
            lines.append(f"  {r.status.upper()} {r.flow} on {r.device}: {where}: {r.message}")
    for (flow, _), (passes, runs) in flakiness(results).items():
        if runs > 1 and 0 < passes < runs:
            lines.append(f"  FLAKY {flow}: passed {passes} of {runs}")
    return "\n".join(lines)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--examples", is_flag=True,
              help="Also run the example flows that ship with guiagent (for `-d sim`).")
@click.option("-d", "--device", "devices", multiple=True,
              help="A device to run on; repeat for several (sim, android:SERIAL[@HOST:PORT]).")
@ADB_OPTION
@click.option("--parallel", type=click.IntRange(min=1), default=None,
              help="At most N flows at a time; `-d sim --parallel N` runs N simulated phones.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write JUnit XML here.")
@click.option("--html", "html_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Write an HTML report (index.html) into this folder.")
@click.option("--tags", default=None, help="Only flows with any of these tags (comma-separated).")
@click.option("--repeat", type=click.IntRange(min=1), default=1, show_default=True,
              help="Run every flow N times and report flakiness.")
@click.option("--yes", "assume_yes", is_flag=True,
              help="`do` steps may take risky actions (send, delete) without asking.")
@click.option("--ocr", is_flag=True, help="Read every screen with OCR (slower).")
@click.option("--farm", "farm", default=None, metavar="HOST:PORT",
              help="Run on the devices of the Ray farm whose head is here (guiagent farm).")
@click.option("--shard-split", type=click.IntRange(min=1), default=None, metavar="N",
              help="Split the flows across N devices.")
@click.option("--shard-all", type=click.IntRange(min=1), default=None, metavar="N",
              help="Run every flow on each of N devices.")
@click.option("-e", "--env", "env", multiple=True, metavar="KEY=VALUE",
              help="Set ${KEY} in every flow (over the flow's env); repeat for several.")
@click.option("--export-maestro", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="DIR", help="Write the flows as Maestro files into DIR "
                                                "(those whose every step has an equivalent).")
def test(paths: tuple[Path, ...], examples: bool, devices: tuple[str, ...],
         adb_server: str | None,
         parallel: int | None, junit: Path | None, html_dir: Path | None, tags: str | None,
         repeat: int, assume_yes: bool, ocr: bool, farm: str | None, shard_split: int | None,
         shard_all: int | None, env: tuple[str, ...], export_maestro: Path | None) -> int:
    """Run regression flows (YAML files or folders of them) and report.

    Exit 0 only when every flow passed, 1 otherwise, 4 for malformed flows.
    """
    from devices import split_spec
    from guiagent.config import device_options, load_settings
    from guiagent.flowqueue import run_flows
    from guiagent.flowrun import FlowConfig, check_flows
    from guiagent.flows import collect_flows
    from guiagent.testreport import write_reports

    if not paths and not examples:
        raise UsageError("name flow files or folders (guiagent test flows/), or --examples")
    if shard_split and shard_all:
        raise UsageError("--shard-split and --shard-all exclude each other: choose one")
    flows = select(collect_flows(list(paths) + ([EXAMPLES] if examples else [])), tags)
    from guiagent.maestro import export_flows, with_env

    flows = with_env(flows, env)
    check_flows(flows)
    if export_maestro is not None:
        return export_flows(flows, export_maestro, stderr_log())
    settings = load_settings({"adb_server": adb_server})
    log = stderr_log()
    config = FlowConfig(settings=settings, assume_yes=assume_yes, ocr=ocr)
    if farm:
        from guiagent.farm.remote import run_flows_on_farm

        log(f"guiagent test: {plural(len(flows), 'flow')} x {repeat} on the farm at {farm}")
        results = run_flows_on_farm(flows, farm, config, wanted=list(devices), repeat=repeat,
                                    parallel=parallel, shard_split=shard_split,
                                    shard_all=shard_all, log=log)
    else:
        specs = list(devices) or default_devices(flows, settings.device)
        for spec in specs:
            split_spec(spec)
        log(f"guiagent test: {plural(len(flows), 'flow')} x {repeat} on {', '.join(specs)}")
        results = run_flows(flows, specs, config, repeat=repeat, parallel=parallel,
                            device_options=device_options(settings), log=log,
                            shard_split=shard_split, shard_all=shard_all)
    write_reports(results, junit, html_dir)
    click.echo(summary(results), err=True)
    if junit:
        click.echo(f"JUnit XML: {junit}", err=True)
    if html_dir:
        click.echo(f"HTML report: {html_dir / 'index.html'}", err=True)
    return EXIT_OK if results and all(r.passed for r in results) else EXIT_FAILED
