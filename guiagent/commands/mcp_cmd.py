"""`guiagent mcp`: serve the devices to MCP clients (coding assistants, agents)."""

from __future__ import annotations

import secrets

import click

from guiagent.commands.device_cmds import ADB_OPTION, DEVICE_OPTION
from guiagent.errors import UsageError

INSTALL = "`guiagent mcp` needs the MCP SDK: pip install 'guiagent[mcp]'"


@click.command()
@DEVICE_OPTION
@ADB_OPTION
@click.option("--http", "http_port", type=click.IntRange(1, 65535), default=None,
              metavar="PORT", help="Serve streamable HTTP on 127.0.0.1:PORT/mcp instead of "
                                   "stdio; clients send the bearer token (GUIAGENT_MCP_TOKEN, "
                                   "else a new one printed at start).")
@click.option("--profile", type=click.Choice(["readonly", "standard", "full"]),
              default="standard", show_default=True,
              help="readonly: only tools that look; full: risky actions allowed.")
@click.option("--allow", default=None, metavar="CLASS,...",
              help="Risk classes allowed without a person: payment, send_message, delete, "
                   "install, credentials, lockout.")
def mcp(device: str | None, adb_server: str | None, http_port: int | None, profile: str,
        allow: str | None) -> None:
    """Serve the devices as MCP tools (stdio by default)."""
    try:
        from guiagent import mcp_server
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in ("mcp", "mcp_types", "uvicorn", "starlette"):
            raise UsageError(INSTALL) from exc
        raise
    from guiagent.config import load_settings, mcp_token

    settings = load_settings({"device": device, "adb_server": adb_server})
    options = mcp_server.ServerOptions(profile, mcp_server.parse_allow(allow),  # type: ignore[arg-type]
                                       settings.device or "sim", settings)
    token = None
    if http_port is not None:
        token = mcp_token()
        if token is None:
            token = secrets.token_urlsafe(24)
            click.echo(f"guiagent mcp: bearer token {token} (set GUIAGENT_MCP_TOKEN to choose "
                       "it)", err=True)
    mcp_server.serve(options, http_port, token, say=lambda line: click.echo(line, err=True))
