"""`guiagent schema [plan|decision|reflection]`: the JSON schemas the agents' replies follow."""

from __future__ import annotations

import json

import click


@click.command()
@click.argument("kind", required=False, type=click.Choice(["plan", "decision", "reflection"]))
def schema(kind: str | None) -> None:
    """Print the JSON schema of one reply kind, or of all three as one object."""
    from planners.schemas import SCHEMA_MODELS, wire_schema

    names = [kind] if kind else list(SCHEMA_MODELS)
    schemas = {f"guiagent_{n}": wire_schema(n) for n in names}
    click.echo(json.dumps(schemas[f"guiagent_{kind}"] if kind else schemas, indent=2))
