"""`guiagent mcp`: the devices as the tools of a Model Context Protocol server.

Only this module imports the ``mcp`` SDK (``pip install 'guiagent[mcp]'``). Every
tool takes ``device`` (a -d spec); a device opens on first use and stays open for
the server's lifetime, with one lock each, so ``sim`` keeps its state across calls.
Every action goes through guiagent.api.Phone with the server's safety rules: risky
actions are refused unless ``--allow CLASS,...`` or ``--profile full``.
"""

from __future__ import annotations

import functools
import hmac
import io
import json
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from mcp.server.mcpserver import Image as MCPImage
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from devices import list_devices, open_device
from devices.base import Direction
from guiagent.api import ActConfig, Phone
from guiagent.config import Settings, device_options
from guiagent.errors import KNOWN_ERRORS, Refused, UsageError
from guiagent.safety import DEFAULT_POLICY, Safety, load_policy
from guiagent.session import safety_policy_path

PROFILES = ("readonly", "standard", "full")
READ_ONLY = ("list_devices", "screenshot", "list_elements", "ground")
DESTRUCTIVE = ("tap", "long_press", "type_text", "press_key", "launch_app", "run_task",
               "run_flow")
TOOL_ERRORS: tuple[type[Exception], ...] = (*KNOWN_ERRORS, TypeError)  # TypeError: bad args
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ServerOptions:
    """What `guiagent mcp` was started with."""

    profile: Literal["readonly", "standard", "full"] = "standard"
    allow: frozenset[str] = frozenset()      # risk classes allowed without a person
    default_device: str = "sim"
    settings: Settings = field(default_factory=Settings)


def parse_allow(value: str | None) -> frozenset[str]:
    """``payment,delete`` -> the risk classes; an unknown one is a usage error."""
    classes = frozenset(c.strip() for c in (value or "").split(",") if c.strip())
    unknown = sorted(classes - set(DEFAULT_POLICY))
    if unknown:
        raise UsageError(f"--allow: unknown risk class {', '.join(unknown)}; classes are "
                         f"{', '.join(DEFAULT_POLICY)}")
    return classes


class Devices:
    """Devices by spec, opened on first use, each with its lock and its safety state."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        self.open: dict[str, tuple[Phone, threading.Lock]] = {}
        self.guard = threading.Lock()

    def safety(self) -> Safety:
        """The run's policy with the allowed classes; no one is there to confirm."""
        policy = load_policy(safety_policy_path(self.options.settings))
        policy.update(dict.fromkeys(self.options.allow, "allow"))
        return Safety(policy, confirm=lambda question: False,
                      assume_yes=self.options.profile == "full")

    @contextmanager
    def use(self, spec: str | None) -> Iterator[Phone]:
        """The open device for ``spec``, held under its lock."""
        key = (spec or self.options.default_device).strip()
        with self.guard:
            if key not in self.open:
                settings = self.options.settings
                device = open_device(key, **device_options(settings))
                self.open[key] = (Phone(device, settings, ActConfig(), safety=self.safety()),
                                  threading.Lock())
            phone, lock = self.open[key]
        with lock:
            yield phone

    def close(self) -> None:
        for phone, _ in self.open.values():
            phone.close()
        self.open.clear()


def tool_errors(fn: F) -> F:
    """guiagent's errors become tool errors the client reads (one line, no traceback)."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Refused as exc:
            raise ToolError(f"{exc}; the server allows a risk class when started with "
                            "--allow CLASS or --profile full") from exc
        except TOOL_ERRORS as exc:
            raise ToolError(str(exc)) from exc
    return wrapper  # type: ignore[return-value]


def run_settings(devices: Devices, folder: Path) -> Settings:
    """The settings agent runs get: the server's policy (allowed classes included) as a
    policy file, so the loop's own safety check applies the same rules."""
    policy = devices.safety().policy
    path = folder / "safety.yaml"
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return replace(devices.options.settings, safety_policy=str(path))


class Tools:
    """The tools; each method is one tool whose name is the contract."""

    def __init__(self, devices: Devices, folder: Path) -> None:
        self.devices = devices
        self.options = devices.options
        self.run_settings = run_settings(devices, folder)

    def list_devices(self, device: str | None = None) -> list[dict[str, Any]]:
        """The devices a `device` argument can name (sim, android:SERIAL, desktop[:N]);
        ``device`` keeps only those of that kind."""
        rows = list_devices(**device_options(self.options.settings))
        kind = (device or "").partition(":")[0]
        return [dict(r.as_dict(), open=r.id in self.devices.open) for r in rows
                if not kind or r.id.startswith(kind)]

    def screenshot(self, device: str | None = None, format: Literal["png", "jpeg"] = "png",
                   max_side: int = 1280) -> MCPImage:
        """The screen as PNG or JPEG, its long side at most ``max_side`` pixels."""
        with self.devices.use(device) as phone:
            image = phone.screenshot().convert("RGB")
        image.thumbnail((max_side, max_side))
        buf = io.BytesIO()
        image.save(buf, format="JPEG" if format == "jpeg" else "PNG", quality=80)
        return MCPImage(data=buf.getvalue(), format=format)

    def list_elements(self, device: str | None = None) -> str:
        """The numbered elements of the screen (kind, name, box [x1,y1,x2,y2] in pixels):
        the set-of-mark list; tap's ``element`` takes these numbers."""
        with self.devices.use(device) as phone:
            elements = phone.elements()
        return "\n".join(f"{e.describe()} [{e.box.x1},{e.box.y1},{e.box.x2},{e.box.y2}]"
                         for e in elements)

    def ground(self, description: str, device: str | None = None) -> dict[str, Any]:
        """Where a description ("the Wi-Fi switch") is on the screen; nothing is touched."""
        with self.devices.use(device) as phone:
            target = phone.locate(phone.look(), description)
        e = target.element
        return {"found": target.found, "x": target.point.x if target.point else None,
                "y": target.point.y if target.point else None,
                "element": e.describe() if e else None, "score": round(target.score, 3),
                "reason": target.reason}

    def tap(self, device: str | None = None, target: str | None = None,
            element: int | None = None, x: int | None = None, y: int | None = None,
            index: int | None = None) -> str:
        """Tap a ``target`` description, an ``element`` number of list_elements, or x, y."""
        with self.devices.use(device) as phone:
            p = phone.tap(target, index=index, element=element, x=x, y=y)
        return f"tapped at {p.x},{p.y}"

    def long_press(self, device: str | None = None, target: str | None = None,
                   element: int | None = None, x: int | None = None,
                   y: int | None = None) -> str:
        """Press and hold a target (as for tap)."""
        with self.devices.use(device) as phone:
            p = phone.long_press(target, element=element, x=x, y=y)
        return f"long-pressed at {p.x},{p.y}"

    def swipe(self, direction: Direction, device: str | None = None,
              start: str | None = None) -> str:
        """A finger swipe towards ``direction`` from ``start`` (a target) or the centre."""
        with self.devices.use(device) as phone:
            phone.swipe(direction, start=start)
        return f"swiped {direction}"

    def scroll(self, direction: Direction = "down", device: str | None = None,
               until: str | None = None) -> str:
        """Scroll once, or until the text ``until`` is on the screen."""
        with self.devices.use(device) as phone:
            n = phone.scroll(direction, until=until)
        return f"scrolled {direction} {n} times"

    def type_text(self, text: str, device: str | None = None, into: str | None = None) -> str:
        """Type text, first tapping the field ``into`` describes (if given)."""
        with self.devices.use(device) as phone:
            phone.type(text, into=into)
        return f"typed {len(text)} characters"

    def press_key(self, key: str, device: str | None = None) -> str:
        """Press back, home, enter, delete, tab, app_switch, ... or a hotkey (ctrl+c)."""
        with self.devices.use(device) as phone:
            phone.key(key)
        return f"pressed {key}"

    def launch_app(self, app: str, device: str | None = None, clear_state: bool = False) -> str:
        """Start an app by label or package; ``clear_state`` wipes its data first."""
        with self.devices.use(device) as phone:
            phone.launch(app, clear_state=clear_state)
        return f"launched {app}"

    def run_task(self, task: str, device: str | None = None, max_steps: int = 30,
                 max_seconds: float = 600) -> dict[str, Any]:
        """Do a task with the agent loop of `guiagent run`; the result of `run --json`."""
        from guiagent.commands.run_cmd import result_json
        from guiagent.session import RunOptions, build_loop
        from guiagent.steps import RunResult

        options = RunOptions(max_steps=max_steps, max_seconds=max_seconds,
                             assume_yes=self.options.profile == "full")
        with self.devices.use(device) as phone:
            loop = build_loop(task, phone.device, self.run_settings, options)
            records = list(loop.run(task))
        result = records[-1]
        assert isinstance(result, RunResult), "the loop always ends with a RunResult"
        data: dict[str, Any] = json.loads(result_json(result))
        return data

    def run_flow(self, device: str | None = None, flow: str | None = None,
                 path: str | None = None) -> dict[str, Any]:
        """Run a regression flow (guiagent or Maestro YAML) given inline or by path;
        returns its summary: status, the failing step and line, the step log."""
        from guiagent.flowrun import FlowConfig, FlowRunner, check_flows

        loaded = load_inline_or_path(flow, path)
        check_flows([loaded])
        config = FlowConfig(settings=self.options.settings,
                            assume_yes=self.options.profile == "full")
        with self.devices.use(device) as phone:
            runner = FlowRunner(phone.device, config, safety=phone.safety)
            r = runner.run(loaded)
        return {"flow": r.flow, "status": r.status, "seconds": r.seconds, "message": r.message,
                "step": r.step, "line": r.line, "log": r.log}


def load_inline_or_path(text: str | None, path: str | None) -> Any:
    """A flow from YAML text (written to a temporary file so errors name a line) or a file."""
    from guiagent.flows import load_flow

    if (text is None) == (path is None):
        raise UsageError("run_flow takes a flow: either `flow` (YAML text) or `path`")
    if path is not None:
        return load_flow(Path(path).expanduser())
    with tempfile.TemporaryDirectory() as tmp:
        inline = Path(tmp) / "inline.yaml"
        inline.write_text(text or "", encoding="utf-8")
        return load_flow(inline)


def build_server(devices: Devices, folder: Path) -> MCPServer:
    """An MCPServer with the tools the profile serves, annotated; ``folder`` holds the
    server's policy file while it runs."""
    tools = Tools(devices, folder)
    server: MCPServer = MCPServer(name="guiagent", instructions=(
        "Operate Android phones, the simulated phone and desktops the way a person does. "
        "Every tool takes `device`, a spec such as sim, android:SERIAL or desktop. "
        "Look first (list_elements, screenshot), then act by describing the target."))
    for name in READ_ONLY + DESTRUCTIVE + ("swipe", "scroll"):
        if devices.options.profile == "readonly" and name not in READ_ONLY:
            continue
        notes = ToolAnnotations(read_only_hint=name in READ_ONLY,   # readOnlyHint on the wire
                                destructive_hint=name in DESTRUCTIVE)
        server.add_tool(tool_errors(getattr(tools, name)), name=name, annotations=notes)
    return server


class BearerGate:
    """ASGI wrapper: HTTP requests need ``Authorization: Bearer TOKEN``."""

    def __init__(self, app: Any, token: str) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            given = headers.get(b"authorization", b"").decode("latin-1")
            if not hmac.compare_digest(given, f"Bearer {self.token}"):
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"text/plain"),
                                        (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body",
                            "body": b"a bearer token is required (see guiagent mcp --help)\n"})
                return
        await self.app(scope, receive, send)


def serve(options: ServerOptions, http_port: int | None = None, token: str | None = None,
          say: Callable[[str], None] = print) -> None:
    """Serve over stdio, or streamable HTTP on 127.0.0.1:PORT/mcp behind the bearer token."""
    devices = Devices(options)
    folder = tempfile.TemporaryDirectory(prefix="guiagent-mcp-")
    server = build_server(devices, Path(folder.name))
    try:
        if http_port is None:
            server.run("stdio")
            return
        import uvicorn

        assert token, "an HTTP server always has a token"
        app = BearerGate(server.streamable_http_app(host="127.0.0.1"), token)
        say(f"guiagent mcp: http://127.0.0.1:{http_port}/mcp (Authorization: Bearer ...)")
        uvicorn.run(app, host="127.0.0.1", port=http_port, log_level="warning")
    finally:
        devices.close()
        folder.cleanup()


__all__ = ["PROFILES", "ServerOptions", "Tools", "build_server", "parse_allow", "serve"]
