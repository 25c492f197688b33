"""Maestro flows, unchanged: Maestro's commands translated into guiagent's own flow steps.

    appId: com.android.contacts
    ---
    - launchApp
    - tapOn: "Create new contact"
    - inputText: "John"

A file is Maestro's when it has that shape (a header with ``appId:``, ``---``, then a
list of commands). One runner (guiagent.flowrun) and one report serve both formats;
the steps only Maestro has run in guiagent.maestro_run. A command guiagent does not
support stops loading with ``file:line`` and its name, before any device is touched.
``export_flow`` writes a guiagent flow as a Maestro file where every step has an
equivalent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from guiagent.flows import Flow, FlowError, Step, compose_all

HEADER = re.compile(r"^(appId|url)\s*:", re.M)
SEPARATOR = re.compile(r"^---\s*$", re.M)
SELECTOR_KEYS = {"text", "id", "index", "point", "below", "above", "leftOf", "rightOf",
                 "label", "optional", "retryTapIfNoChange", "waitToSettleTimeoutMs"}
RELATIONS = ("below", "above", "leftOf", "rightOf")
KEYS = {"enter": "enter", "backspace": "delete", "back": "back", "home": "home",
        "tab": "tab", "volume up": "volume_up", "volume down": "volume_down",
        "power": "power", "lock": "power", "escape": "escape", "search": "search",
        "remote dpad up": "up", "remote dpad down": "down", "remote dpad left": "left",
        "remote dpad right": "right", "space": "space", "menu": "menu"}
MAX_DEPTH = 10   # runFlow files inside runFlow files


def is_maestro(text: str) -> bool:
    """Maestro's shape: a header with ``appId:`` (or ``url:``), then ``---``, then commands."""
    header = HEADER.search(text)
    return header is not None and SEPARATOR.search(text, header.end()) is not None


class Translator:
    """Maestro commands (YAML nodes) -> guiagent Steps, for one file."""

    def __init__(self, path: Path, app: str, depth: int = 0) -> None:
        self.path, self.app, self.depth = path, app, depth

    def where(self, node: yaml.Node) -> str:
        return f"{self.path}:{node.start_mark.line + 1}"

    def commands(self, node: yaml.Node | None) -> tuple[Step, ...]:
        if not isinstance(node, yaml.SequenceNode):
            where = self.where(node) if node is not None else f"{self.path}:1"
            raise FlowError(f"{where}: Maestro commands are a list (- launchApp, - tapOn: ...)")
        return tuple(self.command(n) for n in node.value)

    def command(self, node: yaml.Node) -> Step:
        if isinstance(node, yaml.ScalarNode):
            name, value_node = str(node.value), None
        elif isinstance(node, yaml.MappingNode) and len(node.value) == 1:
            key, value_node = node.value[0]
            name = str(key.value)
        else:
            raise FlowError(f"{self.where(node)}: a Maestro command is a name or one name: value")
        handler = getattr(self, "_" + name, None)
        if handler is None:
            raise FlowError(f"{self.where(node)}: Maestro command '{name}' is not supported by "
                            f"guiagent (supported: {', '.join(SUPPORTED)})")
        value = _python(value_node) if value_node is not None else None
        kind, args, steps = handler(value, node, value_node)
        return Step(kind, {"maestro": _label(name, value), **args}, node.start_mark.line + 1,
                    steps)

    def selector(self, value: Any, node: yaml.Node) -> dict[str, Any]:
        """A Maestro selector as plain data: a text, or a mapping of the supported keys."""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return {"text": str(value)}
        if not isinstance(value, dict):
            raise FlowError(f"{self.where(node)}: a selector is a text or a mapping "
                            f"({', '.join(sorted(SELECTOR_KEYS))})")
        unknown = sorted(set(value) - SELECTOR_KEYS)
        if unknown:
            raise FlowError(f"{self.where(node)}: selector keys {unknown} are not supported "
                            f"(supported: {', '.join(sorted(SELECTOR_KEYS))})")
        sel = {k: v for k, v in value.items() if k in ("text", "id", "index", "point",
                                                      "optional")}
        for rel in RELATIONS:
            if rel in value:
                sel[rel] = self.selector(value[rel], node)
        if not ({"text", "id", "point"} & set(sel)):
            raise FlowError(f"{self.where(node)}: a selector needs text, id or point")
        return sel

    # -- commands: each returns (kind, args, sub-steps) -------------------------------------

    def _launchApp(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        spec = value if isinstance(value, dict) else {"appId": value} if value else {}
        return "m_launch", {"app": str(spec.get("appId") or self.app),
                            "clear_state": bool(spec.get("clearState", False)),
                            "stop": bool(spec.get("stopApp", True))}, ()

    def _tapOn(self, value: Any, node: yaml.Node, v: yaml.Node | None, how: str = "tap") -> Any:
        sel = self.selector(value, node)
        retry = isinstance(value, dict) and bool(value.get("retryTapIfNoChange", False))
        return "m_tap", {"sel": sel, "how": how, "retry": retry}, ()

    def _longPressOn(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return self._tapOn(value, node, v, "long_press")

    def _doubleTapOn(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return self._tapOn(value, node, v, "double_tap")

    def _inputText(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "type", {"text": str(value)}, ()

    def _eraseText(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        count = value.get("charactersToErase", 50) if isinstance(value, dict) else value or 50
        return "m_erase", {"count": count}, ()

    def _assertVisible(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "m_assert", {"sel": self.selector(value, node), "visible": True}, ()

    def _assertNotVisible(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "m_assert", {"sel": self.selector(value, node), "visible": False}, ()

    def _scroll(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "scroll", {"direction": "down"}, ()

    def _scrollUntilVisible(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        spec = value if isinstance(value, dict) else {"element": value}
        if "element" not in spec:
            raise FlowError(f"{self.where(node)}: scrollUntilVisible needs element: SELECTOR")
        return "m_scroll_until", {"sel": self.selector(spec["element"], node),
                                  "direction": str(spec.get("direction", "DOWN")).lower(),
                                  "timeout": _seconds(spec.get("timeout", 20000))}, ()

    def _swipe(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        spec = value if isinstance(value, dict) else {}
        if "start" in spec and "end" in spec:
            return "m_swipe", {"start": str(spec["start"]), "end": str(spec["end"]),
                               "duration": _seconds(spec.get("duration", 400))}, ()
        direction = str(spec.get("direction", "")).lower()
        if direction not in ("up", "down", "left", "right"):
            raise FlowError(f"{self.where(node)}: swipe needs direction: UP|DOWN|LEFT|RIGHT or "
                            "start and end")
        if "from" in spec:
            return "m_swipe", {"sel": self.selector(spec["from"], node),
                               "direction": direction}, ()
        return "swipe", {"direction": direction}, ()

    def _back(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "back", {}, ()

    def _pressKey(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        key = KEYS.get(str(value).strip().lower())
        if key is None:
            raise FlowError(f"{self.where(node)}: pressKey {value!r} is not supported (keys: "
                            f"{', '.join(sorted(KEYS))})")
        return "key", {"key": key}, ()

    def _hideKeyboard(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "m_hide_keyboard", {}, ()

    def _waitForAnimationToEnd(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "m_settle", {}, ()

    def _extendedWaitUntil(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        spec = value if isinstance(value, dict) else {}
        which = "visible" if "visible" in spec else "notVisible" if "notVisible" in spec else ""
        if not which:
            raise FlowError(f"{self.where(node)}: extendedWaitUntil needs visible or notVisible")
        return "m_wait", {"sel": self.selector(spec[which], node), "visible": which == "visible",
                          "timeout": _seconds(spec.get("timeout", 10000))}, ()

    def _runFlow(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        spec = value if isinstance(value, dict) else {"file": value}
        when = spec.get("when") or {}
        if not isinstance(when, dict) or set(when) - {"visible", "notVisible", "platform"}:
            raise FlowError(f"{self.where(node)}: runFlow 'when' supports visible, notVisible "
                            "and platform (JavaScript conditions are not run)")
        cond: dict[str, Any] = {k: self.selector(when[k], node)
                                for k in ("visible", "notVisible") if k in when}
        if "platform" in when:
            cond["platform"] = str(when["platform"]).lower()
        env = {str(k): str(x) for k, x in (spec.get("env") or {}).items()}
        return "m_flow", {"when": cond, "env": env}, self.inner(spec, node, v)

    def inner(self, spec: dict[str, Any], node: yaml.Node, v: yaml.Node | None) -> tuple[Step, ...]:
        """The commands of runFlow / repeat / retry: inline ``commands`` or a ``file``."""
        if "commands" in spec and isinstance(v, yaml.MappingNode):
            commands = next(n for k, n in v.value if k.value == "commands")
            return self.commands(commands)
        if spec.get("file"):
            return self.file(Path(str(spec["file"])), node)
        raise FlowError(f"{self.where(node)}: needs commands: [...] or file: PATH")

    def file(self, name: Path, node: yaml.Node) -> tuple[Step, ...]:
        path = name if name.is_absolute() else self.path.parent / name
        if self.depth >= MAX_DEPTH:
            raise FlowError(f"{self.where(node)}: runFlow files nest more than {MAX_DEPTH} deep")
        try:
            docs = compose_all(path, path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise FlowError(f"{self.where(node)}: cannot read {path} ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise FlowError(f"{path}: not UTF-8 text (byte {exc.start}); save the flow as "
                            "UTF-8") from exc
        except yaml.YAMLError as exc:
            raise FlowError(f"{path}: not valid YAML ({exc})") from exc
        header = _python(docs[0]) if len(docs) > 1 else {}
        app = str((header or {}).get("appId") or self.app)
        return Translator(path, app, self.depth + 1).commands(docs[-1] if docs else None)

    def _repeat(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        spec = value if isinstance(value, dict) else {}
        cond = spec.get("while") or {}
        if not isinstance(cond, dict) or set(cond) - {"visible", "notVisible"}:
            raise FlowError(f"{self.where(node)}: repeat 'while' supports visible and notVisible")
        if "times" not in spec and not cond:
            raise FlowError(f"{self.where(node)}: repeat needs times or while")
        args = {"times": spec.get("times", 1000 if cond else 1),
                "while": {k: self.selector(cond[k], node) for k in cond}}
        return "m_repeat", args, self.inner(spec, node, v)

    def _retry(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        spec = value if isinstance(value, dict) else {}
        return "retry", {"times": int(spec.get("maxRetries", 1)) + 1}, self.inner(spec, node, v)

    def _takeScreenshot(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        name = value.get("path") if isinstance(value, dict) else value
        return "m_screenshot", {"path": str(name or "screenshot")}, ()

    def _openLink(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        url = value.get("link") if isinstance(value, dict) else value
        return "m_open_link", {"url": str(url)}, ()

    def _clearState(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "m_clear_state", {"app": str(value or self.app)}, ()

    def _stopApp(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "m_stop_app", {"app": str(value or self.app)}, ()

    def _copyTextFrom(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "m_copy_text", {"sel": self.selector(value, node)}, ()

    def _pasteText(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "m_paste_text", {}, ()

    def _setAirplaneMode(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        if str(value).lower() not in ("enabled", "disabled"):
            raise FlowError(f"{self.where(node)}: setAirplaneMode takes enabled or disabled")
        return "m_airplane", {"mode": "enable" if str(value).lower() == "enabled"
                              else "disable"}, ()

    def _toggleAirplaneMode(self, value: Any, node: yaml.Node, v: yaml.Node | None) -> Any:
        return "m_airplane", {"mode": "toggle"}, ()


SUPPORTED = sorted(n[1:] for n in vars(Translator) if n.startswith("_") and n[1:2].islower())


def _python(node: yaml.Node | None) -> Any:
    return None if node is None else yaml.safe_load(yaml.serialize(node))


def _seconds(ms: Any) -> float:
    try:
        return float(ms) / 1000
    except (TypeError, ValueError):
        return 10.0


def _label(name: str, value: Any) -> str:
    """The command as a report line shows it: ``tapOn: "Save"``."""
    if value is None:
        return name
    if isinstance(value, str):
        return f'{name}: "{value}"'
    shown = ", ".join(f"{k}: {v!r}" for k, v in value.items() if k not in ("commands",)) \
        if isinstance(value, dict) else repr(value)
    return f"{name}: {{{shown}}}" if isinstance(value, dict) else f"{name}: {shown}"


def load_maestro(path: Path, text: str) -> Flow:
    """A Maestro flow file as a guiagent Flow; FlowError with file:line for what cannot run."""
    try:
        docs = compose_all(path, text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise FlowError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") \
            from exc
    docs = [d for d in docs if d is not None]
    if len(docs) != 2 or not isinstance(docs[0], yaml.MappingNode):
        raise FlowError(f"{path}:1: a Maestro flow is a header (appId: ...), ---, then commands")
    header = _python(docs[0]) or {}
    for hook in ("onFlowStart", "onFlowComplete"):
        if hook in header:
            raise FlowError(f"{path}:1: Maestro's {hook} hooks are not supported by guiagent")
    app = str(header.get("appId") or header.get("url") or "")
    tags = header.get("tags") or []
    return Flow(name=str(header.get("name") or path.stem), path=path,
                steps=Translator(path, app).commands(docs[1]),
                tags=tuple(str(t) for t in ([tags] if isinstance(tags, str) else tags)),
                env={str(k): str(v) for k, v in (header.get("env") or {}).items()})


# -- guiagent flows as Maestro files --------------------------------------------------------

MAESTRO_KEYS = {"enter": "Enter", "delete": "Backspace", "home": "Home", "tab": "Tab",
                "volume_up": "Volume Up", "volume_down": "Volume Down", "power": "Power",
                "escape": "Escape", "search": "Search", "space": "Space", "menu": "Menu"}


class NoEquivalent(FlowError):
    """A guiagent step that Maestro cannot express (do:, assert_shell:, wait:)."""


def _text_selector(target: str) -> str:
    """A guiagent target as a Maestro text selector (a regex): special characters escaped."""
    return re.escape(target) if re.search(r"[\\^$.|?*+()\[\]{}]", target) else target


def export_step(step: Step) -> list[Any]:
    """The Maestro commands of one guiagent step; NoEquivalent when there are none."""
    a, kind = step.args, step.kind
    simple: dict[str, Any] = {
        "back": lambda: ["back"],
        "home": lambda: [{"pressKey": "Home"}],
        "assert_visible": lambda: [{"assertVisible": _text_selector(a["target"])}],
        "assert_not_visible": lambda: [{"assertNotVisible": _text_selector(a["target"])}],
        "long_press": lambda: [{"longPressOn": _text_selector(a["target"])}],
        "launch": lambda: [{"launchApp": {"appId": _package(a["app"]), "stopApp": False,
                                          **({"clearState": True} if a.get("clear_state")
                                             else {})}}],
    }
    if kind in simple:
        return list(simple[kind]())
    if kind == "tap":
        index = a.get("index")
        return [{"tapOn": {"text": _text_selector(a["target"]), "index": index - 1}
                 if index else _text_selector(a["target"])}]
    if kind == "type":
        into = [{"tapOn": _text_selector(a["into"])}] if a.get("into") else []
        return [*into, {"inputText": str(a["text"])}]
    if kind == "swipe":
        spec: dict[str, Any] = {"direction": str(a["direction"]).upper()}
        if a.get("from"):
            spec["from"] = _text_selector(a["from"])
        return [{"swipe": spec}]
    if kind == "scroll":
        return _export_scroll(step)
    if kind == "key" and (a["key"] in MAESTRO_KEYS or a["key"] == "back"):
        return ["back"] if a["key"] == "back" else [{"pressKey": MAESTRO_KEYS[a["key"]]}]
    if kind == "wait_for":
        shown = "visible" in a
        spec = {"visible" if shown else "notVisible":
                _text_selector(a["visible" if shown else "not_visible"])}
        return [{"extendedWaitUntil": {**spec, "timeout": int(a.get("timeout", 10) * 1000)}}]
    if kind == "retry":
        commands = [c for sub in step.steps for c in export_step(sub)]
        return [{"retry": {"maxRetries": int(a["times"]) - 1, "commands": commands}}]
    raise NoEquivalent(f"line {step.line}: '{step.kind}' has no Maestro equivalent")


def _package(app: str) -> str:
    """Maestro names apps by package: a label of the simulated phone's apps becomes its
    package ("Settings" -> com.android.settings); anything else stays as written."""
    from devices.sim.apps import installed

    return next((a.package for a in installed() if a.label.lower() == app.lower()), app)


def _export_scroll(step: Step) -> list[Any]:
    direction = step.args.get("direction", "down")
    if step.args.get("until"):
        return [{"scrollUntilVisible": {"element": _text_selector(step.args["until"]),
                                        "direction": direction.upper()}}]
    if direction == "down":
        return ["scroll"]
    raise NoEquivalent(f"line {step.line}: 'scroll {direction}' has no Maestro equivalent "
                       "(Maestro's scroll goes down)")


def export_flow(flow: Flow) -> str:
    """A guiagent flow as Maestro YAML; NoEquivalent names the first step without one."""
    if flow.snapshot:
        raise NoEquivalent("'snapshot' has no Maestro equivalent")
    commands = [c for step in flow.steps for c in export_step(step)]
    app = next((_package(s.args["app"]) for s in flow.steps if s.kind == "launch"), "")
    header: dict[str, Any] = {"appId": app, "name": flow.name}
    if flow.tags:
        header["tags"] = list(flow.tags)
    if flow.env:
        header["env"] = dict(flow.env)
    def dump(data: Any) -> str:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                              default_flow_style=False)

    return f"# exported by guiagent from {flow.path.name}\n{dump(header)}---\n{dump(commands)}"


def export_flows(flows: list[Flow], folder: Path, log: Callable[[str], None]) -> int:
    """Write every flow that Maestro can express into ``folder``; 0 when all of them were,
    1 when some were skipped (each named with its step that has no equivalent)."""
    from guiagent.files import atomic_write_bytes

    skipped = 0
    for flow in flows:
        try:
            source = flow.path.read_text(encoding="utf-8")
            text = source if is_maestro(source) else export_flow(flow)   # already Maestro's
        except OSError as exc:
            raise FlowError(f"{flow.path}: cannot read ({exc.strerror})") from exc
        except NoEquivalent as exc:
            skipped += 1
            log(f"skipped {flow.path}: {exc}")
            continue
        out = folder / f"{flow.path.stem}.yaml"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(out, text.encode("utf-8"))
        except OSError as exc:
            raise FlowError(f"{out}: cannot write ({exc.strerror})") from exc
        log(f"wrote {out}")
    log(f"{len(flows) - skipped} of {len(flows)} flows exported to {folder}")
    return 1 if skipped else 0


def with_env(flows: list[Flow], pairs: tuple[str, ...]) -> list[Flow]:
    """``-e KEY=VALUE`` over every flow's own env (as Maestro's -e)."""
    extra: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise FlowError(f"-e {pair!r}: write KEY=VALUE (KEY: letters, digits, _)")
        extra[key] = value
    return [replace(f, env={**f.env, **extra}) for f in flows] if extra else flows
