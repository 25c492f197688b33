"""`guiagent mcp` through the MCP SDK's own client over stdio, on the simulated phone."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

pytest.importorskip("mcp", reason="the MCP SDK is the optional extra guiagent[mcp]")

import anyio  # noqa: E402  (installed with mcp)
from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402

from .conftest import ROOT  # noqa: E402

pytestmark = pytest.mark.slow
TOOLS = {"list_devices", "screenshot", "list_elements", "tap", "long_press", "swipe", "scroll",
         "type_text", "press_key", "launch_app", "ground", "run_task", "run_flow"}
READ_ONLY = {"list_devices", "screenshot", "list_elements", "ground"}


def server(*args: str) -> StdioServerParameters:
    """`guiagent mcp ARGS` as an MCP client configuration starts it (the test's data dir)."""
    env = {k: v for k, v in os.environ.items() if k.startswith(("GUIAGENT_", "PYTHON"))}
    return StdioServerParameters(command=sys.executable, args=["-m", "guiagent", "mcp", *args],
                                 env=env, cwd=str(ROOT))


def text(result: Any) -> str:
    return "\n".join(c.text for c in result.content if c.type == "text")


async def session(args: tuple[str, ...], body: Any) -> Any:
    async with Client(server(*args), read_timeout_seconds=120) as client:
        return await body(client)


def run(body: Any, *args: str) -> Any:
    return anyio.run(session, args, body)


def test_tools_tap_elements_and_a_refused_risky_action() -> None:
    async def body(client: Client) -> None:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        assert set(listed) == TOOLS
        assert listed["list_elements"].annotations.read_only_hint is True
        assert listed["tap"].annotations.destructive_hint is True
        assert "device" in listed["tap"].input_schema["properties"]

        tapped = await client.call_tool("tap", {"device": "sim", "target": "Settings"})
        assert not tapped.is_error and text(tapped).startswith("tapped at"), text(tapped)
        elements = text(await client.call_tool("list_elements", {"device": "sim"}))
        assert 'text "Network & internet"' in elements     # the same phone, still open

        await client.call_tool("launch_app", {"device": "sim", "app": "Contacts"})
        await client.call_tool("tap", {"device": "sim", "target": "Alice Johnson"})
        await client.call_tool("tap", {"device": "sim", "target": "More options"})
        refused = await client.call_tool("tap", {"device": "sim", "target": "Delete"})
        assert refused.is_error and "refused by the safety rules (delete)" in text(refused)
        assert "Delete" in text(await client.call_tool("list_elements", {"device": "sim"}))

        await client.call_tool("launch_app", {"device": "sim", "app": "Contacts",
                                              "clear_state": True})   # back to the list
        await client.call_tool("press_key", {"device": "sim", "key": "home"})
        task = await client.call_tool("run_task", {"device": "sim", "task": DELETE_TASK,
                                                   "max_steps": 6})
        assert task.structured_content["status"] != "success", task.structured_content
        assert "refused" in task.structured_content["reason"]

        missing = await client.call_tool("tap", {"device": "sim", "target": "Bluetooth"})
        assert missing.is_error and "closest" in text(missing)
        shot = await client.call_tool("screenshot", {"device": "sim", "max_side": 640})
        image = next(c for c in shot.content if c.type == "image")
        assert image.mime_type == "image/png"

    run(body)


def test_allow_lets_the_risky_class_through_and_every_tool_answers() -> None:
    async def call(client: Client, tool: str, **args: Any) -> Any:
        result = await client.call_tool(tool, {"device": "sim", **args})
        assert not result.is_error, (tool, text(result))
        return result

    async def body(client: Client) -> None:
        summary = await call(client, "run_flow", flow=FLOW)
        assert summary.structured_content["status"] == "passed", summary.structured_content
        devices = (await call(client, "list_devices")).structured_content
        assert any(row["id"] == "sim" and row["open"] for row in devices["result"])
        await call(client, "launch_app", app="Settings")
        await call(client, "scroll", direction="down", until="About phone")
        await call(client, "swipe", direction="down")
        await call(client, "long_press", target="Network & internet")
        await call(client, "press_key", key="back")
        await call(client, "tap", target="Network & internet")
        await call(client, "type_text", text="hello", into="Search")
        assert 'input "hello"' in text(await call(client, "list_elements"))
        await call(client, "press_key", key="home")
        task = await call(client, "run_task", task="open Contacts, tap Bob Smith", max_steps=5)
        assert task.structured_content["status"] == "success", task.structured_content
        await call(client, "launch_app", app="Contacts", clear_state=True)
        await call(client, "press_key", key="home")
        task = await call(client, "run_task", task=DELETE_TASK, max_steps=6)
        assert task.structured_content["status"] == "success", task.structured_content

    run(body, "--allow", "delete")


DELETE_TASK = "open Contacts, tap Carol Williams, tap More options, tap Delete, tap Delete"
FLOW = """
name: delete a contact
steps:
  - launch: Contacts
  - tap: "Alice Johnson"
  - tap: "More options"
  - tap: "Delete"
  - tap: "Delete"
  - assert_not_visible: "Alice Johnson"
"""


def test_readonly_profile_serves_only_tools_that_look() -> None:
    async def body(client: Client) -> None:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == READ_ONLY
        where = await client.call_tool("ground", {"device": "sim", "description": "Settings"})
        assert where.structured_content["found"] is True
        tapped = await client.call_tool("tap", {"device": "sim", "target": "Settings"})
        assert tapped.is_error

    run(body, "--profile", "readonly")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def post(url: str, data: dict[str, Any], headers: dict[str, str],
         wait: bool = False) -> tuple[int, str]:
    """(status, body) of a JSON-RPC POST; ``wait`` retries until the server listens."""
    request = urllib.request.Request(url, json.dumps(data).encode(), method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
        **headers})
    for _ in range(150 if wait else 1):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except urllib.error.URLError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


def test_http_needs_the_bearer_token() -> None:
    port = free_port()
    env = dict(os.environ, GUIAGENT_MCP_TOKEN="s3cret")
    proc = subprocess.Popen([sys.executable, "-m", "guiagent", "mcp", "--http", str(port)],
                            env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}}
        assert post(url, init, {}, wait=True)[0] == 401
        status, body = post(url, init, {"Authorization": "Bearer s3cret"})
        assert status == 200 and "guiagent" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
