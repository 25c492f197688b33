"""Regression flows: a YAML format in Maestro's spirit, checked before any device is touched.

    name: airplane mode toggles
    device: sim
    tags: [smoke, settings]
    env: {CONTACT: Alice}
    snapshot: clean-boot          # Android emulators: `adb emu avd snapshot load NAME` first
    steps:
      - launch: {app: Settings, clear_state: true}
      - tap: "Network & internet"
      - wait_for: {visible: "Airplane mode", timeout: 10}
      - assert_shell: {command: "settings get global airplane_mode_on", equals: "1"}
      - do: "send a message to ${CONTACT} saying hello"
      - retry: {times: 2, steps: [{tap: "Send"}]}

Every error names the file and line: ``flows/x.yaml:7: 'tap' needs a target text``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from guiagent.errors import UsageError

VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_ALIASES = 100   # YAML aliases per flow file; a few are handy, thousands are a bomb
SCALAR = str | int | float | bool


class FlowError(UsageError):
    """A flow file that cannot run; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class Step:
    """One flow step: ``kind`` plus its arguments, and where it was written."""

    kind: str
    args: dict[str, Any]
    line: int
    steps: tuple[Step, ...] = ()   # for retry

    def describe(self) -> str:
        if self.kind == "retry":
            n = len(self.steps)
            return f"retry x{self.args['times']} ({n} step{'' if n == 1 else 's'})"
        if "maestro" in self.args:   # a Maestro command, as written
            return str(self.args["maestro"])
        main = next(iter(self.args.values()), "") if self.args else ""
        return f"{self.kind}: {main}" if main != "" else self.kind


@dataclass(frozen=True)
class Flow:
    name: str
    path: Path
    steps: tuple[Step, ...]
    device: str | None = None
    tags: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    snapshot: str | None = None

    def weight(self) -> int:
        """A cost estimate for scheduling longest flows first (agent steps count most)."""
        return sum(10 if s.kind == "do" else 1 + len(s.steps) for s in self.steps)


# kind -> (scalar argument name or None if the step takes no scalar, allowed mapping keys,
#          required mapping keys)
SCHEMA: dict[str, tuple[str | None, set[str], set[str]]] = {
    "launch": ("app", {"app", "clear_state"}, {"app"}),
    "tap": ("target", {"target", "index"}, {"target"}),
    "long_press": ("target", {"target"}, {"target"}),
    "type": ("text", {"text", "into"}, {"text"}),
    "swipe": ("direction", {"direction", "from"}, {"direction"}),
    "scroll": ("direction", {"direction", "until"}, set()),
    "key": ("key", {"key"}, {"key"}),
    "back": (None, set(), set()),
    "home": (None, set(), set()),
    "wait": ("seconds", {"seconds"}, {"seconds"}),
    "wait_for": ("visible", {"visible", "not_visible", "timeout"}, set()),
    "assert_visible": ("target", {"target"}, {"target"}),
    "assert_not_visible": ("target", {"target"}, {"target"}),
    "assert_shell": ("command", {"command", "equals", "contains", "matches"}, {"command"}),
    "do": ("task", {"task", "max_steps"}, {"task"}),
    "retry": (None, {"times", "steps"}, {"times", "steps"}),
}
DIRECTIONS = {"up", "down", "left", "right"}


class _CountingLoader(yaml.SafeLoader):
    """A safe loader that refuses alias expansion past MAX_ALIASES (a "billion laughs"
    file would otherwise grow without bound once its values are read)."""

    aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise FlowError(f"{self.name}:{mark.line + 1}: more than {MAX_ALIASES} YAML "
                                "aliases (*name); write the values out")
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


def _compose(path: Path, text: str) -> yaml.Node | None:
    loader = _CountingLoader(text)
    loader.name = str(path)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    finally:
        loader.dispose()


def compose_all(path: Path, text: str) -> list[yaml.Node | None]:
    """Every YAML document of ``text`` (Maestro: header, ---, commands), with the same
    alias limit as one flow document."""
    loader = _CountingLoader(text)
    loader.name = str(path)
    try:
        docs: list[yaml.Node | None] = []
        while loader.check_node():
            docs.append(loader.get_node())
        return docs
    finally:
        loader.dispose()


def _where(path: Path, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}"


def _python(node: yaml.Node) -> Any:
    return yaml.safe_load(yaml.serialize(node))


def _mapping(node: yaml.Node) -> dict[str, yaml.Node]:
    assert isinstance(node, yaml.MappingNode)
    return {str(k.value): v for k, v in node.value}


def _parse_step(path: Path, node: yaml.Node) -> Step:
    where = _where(path, node)
    if isinstance(node, yaml.ScalarNode):
        kind, value_node = str(node.value), None
    elif isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        key, value_node = node.value[0]
        kind = str(key.value)
    else:
        raise FlowError(f"{where}: a step is one word (back) or one key: value (tap: \"OK\")")
    if kind not in SCHEMA:
        import difflib

        close = difflib.get_close_matches(kind, SCHEMA, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise FlowError(f"{where}: unknown step '{kind}'{hint} (steps: {', '.join(SCHEMA)})")
    scalar, allowed, required = SCHEMA[kind]
    if value_node is None or (isinstance(value_node, yaml.ScalarNode) and value_node.value == ""
                              and scalar is None):
        args: dict[str, Any] = {}
    elif isinstance(value_node, yaml.MappingNode):
        args = _python(value_node)
    elif scalar is not None and isinstance(value_node, yaml.ScalarNode):
        args = {scalar: _python(value_node)}
    else:
        raise FlowError(f"{where}: '{kind}' takes {'no value' if scalar is None else 'a value'}"
                        f" or a mapping with {sorted(allowed)}")
    sub: tuple[Step, ...] = ()
    if kind == "retry" and isinstance(value_node, yaml.MappingNode):
        steps_node = _mapping(value_node).get("steps")
        if not isinstance(steps_node, yaml.SequenceNode) or not steps_node.value:
            raise FlowError(f"{where}: 'retry' needs steps: a non-empty list of steps")
        sub = tuple(_parse_step(path, n) for n in steps_node.value)
        args.pop("steps", None)
    _check_args(where, kind, args, allowed - ({"steps"} if kind == "retry" else set()),
                required - {"steps"})
    return Step(kind, args, node.start_mark.line + 1, sub)


def _check_args(where: str, kind: str, args: dict[str, Any], allowed: set[str],
                required: set[str]) -> None:
    unknown = set(args) - allowed
    if unknown:
        raise FlowError(f"{where}: '{kind}' does not take {sorted(unknown)}; it takes "
                        f"{sorted(allowed)}")
    missing = required - set(args)
    if missing:
        raise FlowError(f"{where}: '{kind}' needs {sorted(missing)}")
    if kind in ("swipe", "scroll") and args.get("direction", "down") not in DIRECTIONS:
        raise FlowError(f"{where}: '{kind}' direction must be one of {sorted(DIRECTIONS)}")
    if kind == "wait_for" and not ({"visible", "not_visible"} & set(args)):
        raise FlowError(f"{where}: 'wait_for' needs visible: TEXT or not_visible: TEXT")
    for number in ("timeout", "seconds", "times", "max_steps"):
        if number in args and (not isinstance(args[number], int | float)
                               or isinstance(args[number], bool) or args[number] < 0):
            raise FlowError(f"{where}: '{number}' must be a non-negative number")
    for name, value in args.items():
        if not isinstance(value, SCALAR) and value is not None:
            raise FlowError(f"{where}: '{kind}' {name} must be a text or number, not "
                            f"{'a list' if isinstance(value, list) else 'a mapping'}")
    if kind == "assert_shell" and not ({"equals", "contains", "matches"} & set(args)):
        raise FlowError(f"{where}: 'assert_shell' needs equals, contains or matches")


def substitute(value: Any, env: dict[str, str]) -> Any:
    """Replace ``${VAR}`` in strings (flow env first, then the process environment)."""
    if isinstance(value, str):
        def one(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in env:
                return env[name]
            if name in os.environ:
                return os.environ[name]
            raise FlowError(f"variable ${{{name}}} is not set in the flow's env or the "
                            "environment")
        return VAR.sub(one, value)
    if isinstance(value, dict):
        return {k: substitute(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, env) for v in value]
    return value


def load_flow(path: Path) -> Flow:
    """Parse and validate one flow file; raises FlowError naming the file and line."""
    path = Path(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
        from guiagent.maestro import is_maestro, load_maestro

        if is_maestro(text):   # Maestro's format, by its shape: appId header, ---, commands
            return load_maestro(path, text)
        root = _compose(path, text)
    except OSError as exc:
        raise FlowError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        number = data.count(b"\n", 0, exc.start) + 1
        raise FlowError(f"{path}:{number}: not UTF-8 text (byte {exc.start}); save the flow "
                        "as UTF-8") from exc
    except RecursionError as exc:
        raise FlowError(f"{path}: nested too deeply to be a flow") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FlowError(f"{path}{line}: not valid YAML ({problem})") from exc
    if not isinstance(root, yaml.MappingNode):
        raise FlowError(f"{path}:1: a flow is a mapping with name and steps")
    top = _mapping(root)
    unknown = set(top) - {"name", "device", "tags", "env", "steps", "snapshot"}
    if unknown:
        raise FlowError(f"{path}: unknown top-level keys {sorted(unknown)}")
    steps_node = top.get("steps")
    if not isinstance(steps_node, yaml.SequenceNode) or not steps_node.value:
        raise FlowError(f"{_where(path, steps_node or root)}: 'steps' must be a non-empty list")
    meta = _check_meta(path, top)
    return Flow(
        name=str(meta.get("name") or path.stem),
        path=path,
        steps=tuple(_parse_step(path, n) for n in steps_node.value),
        device=meta.get("device"),
        tags=tuple(meta.get("tags") or ()),
        env=meta.get("env") or {},
        snapshot=meta.get("snapshot"),
    )


def _check_meta(path: Path, top: dict[str, yaml.Node]) -> dict[str, Any]:
    """name, device, snapshot: a text; tags: a text or a list of texts; env: NAME: value."""
    meta: dict[str, Any] = {}
    for key in ("name", "device", "snapshot"):
        if key in top:
            meta[key] = _text(path, top[key], key)
    if "tags" in top:
        node = top["tags"]
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        meta["tags"] = [_text(path, n, "a tag") for n in items]
    if "env" in top:
        node = top["env"]
        if not isinstance(node, yaml.MappingNode) and _python(node) is not None:
            raise FlowError(f"{_where(path, node)}: 'env' must be a mapping NAME: value "
                            "(env: {CONTACT: Alice})")
        pairs = node.value if isinstance(node, yaml.MappingNode) else []
        meta["env"] = {_text(path, k, "an env name"): _text(path, v, f"env {k.value}")
                       for k, v in pairs}
    return meta


def _text(path: Path, node: yaml.Node, what: str) -> str:
    """A scalar as text; a list or mapping is a FlowError naming ``what`` and the line."""
    value = _python(node) if isinstance(node, yaml.ScalarNode) else node
    if not isinstance(value, SCALAR) or value is None:
        kind = "a list" if isinstance(node, yaml.SequenceNode) else (
            "a mapping" if isinstance(node, yaml.MappingNode) else "empty")
        raise FlowError(f"{_where(path, node)}: {what} must be a text, not {kind}")
    return str(value)


def collect_flows(paths: list[Path]) -> list[Flow]:
    """Load every *.yaml / *.yml flow under the given paths; the first bad one fails all."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml")))
        elif p.exists():
            files.append(p)
        else:
            raise FlowError(f"{p}: no such file or folder")
    if not files:
        raise FlowError(f"no flow files (*.yaml) found in {' '.join(map(str, paths))}")
    return [load_flow(f) for f in files]
