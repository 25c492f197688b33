"""The `guiagent` command: a lazy click group whose subcommands live in guiagent/commands/.

Errors end as one line on stderr with the exit code of guiagent.errors:
0 ok, 1 task/test failed, 2 interrupted or budget spent, 3 the device or the model
server cannot be reached, 4 usage or config error.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

# Before numpy loads: the command's few matrix products are small, and an idle OpenBLAS
# worker spins on the core the ONNX models need (~40 ms of a one-shot `ground`).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click  # noqa: E402

from guiagent import __version__  # noqa: E402
from guiagent.errors import EXIT_FAILED, EXIT_USAGE, KNOWN_ERRORS, exit_code_for

# name -> "module:attribute"; modules are imported only when their command runs.
COMMANDS: dict[str, str] = {
    "devices": "guiagent.commands.device_cmds:devices",
    "screenshot": "guiagent.commands.device_cmds:screenshot",
    "act": "guiagent.commands.device_cmds:act",
    "doctor": "guiagent.commands.doctor:doctor",
    "sim": "guiagent.commands.sim_cmds:sim",
    "appmodel": "guiagent.commands.appmodel_cmd:appmodel",
    "run": "guiagent.commands.run_cmd:run",
    "explore": "guiagent.commands.explore_cmd:explore",
    "replay": "guiagent.commands.run_cmd:replay",
    "schema": "guiagent.commands.schema_cmd:schema",
    "perceive": "guiagent.commands.ground_cmds:perceive",
    "ground": "guiagent.commands.ground_cmds:ground",
    "test": "guiagent.commands.test_cmd:test",
    "runs": "guiagent.commands.runs_cmd:runs",
    "farm": "guiagent.commands.farm_cmd:farm",
    "mcp": "guiagent.commands.mcp_cmd:mcp",
}


def plugin_commands() -> dict[str, str]:
    """Commands that layers above guiagent (the TUI) register through entry points.

    guiagent may not import tui (imports only go down), so `guiagent tui` is
    declared in pyproject.toml under [project.entry-points."guiagent.commands"].
    """
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group="guiagent.commands")}


def all_commands() -> dict[str, str]:
    return {**plugin_commands(), **COMMANDS}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(all_commands())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # a built-in command needs no scan of the installed packages' entry points
        target = COMMANDS.get(cmd_name) or all_commands().get(cmd_name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name in COMMANDS:
            return super().resolve_command(ctx, args)
        commands = all_commands()
        if name and not name.startswith("-") and name not in commands:
            import difflib

            close = difflib.get_close_matches(name, commands, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise click.UsageError(f"no command '{name}'.{hint} See `guiagent --help`.")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="guiagent")
def cli() -> None:
    """Operate Android phones and desktops the way a person does."""


def fail(message: str, code: int) -> None:
    from guiagent.terminal import printable

    click.echo(f"guiagent: error: {printable(message)}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn known errors into one line and an exit code."""
    try:   # obj: whether this call is the whole process (the `guiagent` command itself)
        rc = cli.main(args=argv, prog_name="guiagent", standalone_mode=False,
                      obj={"process": argv is None})
    except click.exceptions.Abort:
        fail("interrupted", 2)
    except click.ClickException as exc:
        fail(exc.format_message(), EXIT_USAGE)
    except KNOWN_ERRORS as exc:
        fail(str(exc), exit_code_for(exc))
    except KeyboardInterrupt:
        fail("interrupted", 2)
    except OSError as exc:   # the machine, not guiagent: a full disk, a folder it cannot write
        fail(f"{exc.filename or 'a file'}: {exc.strerror or exc}", EXIT_FAILED)
    sys.exit(rc if isinstance(rc, int) else 0)
