"""Actions in the user's words: `tap "Airplane mode" [14] at (540, 1140)`.

Progress lines, `guiagent runs show`, the TUI and both HTML reports name what an
action touches the same way. They all read JSON step records (``to_dict()`` of
guiagent.steps), where the name of an element chosen by number is in the
``ground`` record that follows the decision.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grounding.types import Screen

Record = dict[str, Any]
LOOKING_FOR = re.compile(r"\b(?:until|looking for|to find|to see)\s+(?:the\s+)?(.+?)\s*$", re.I)
VERBS = {"long_press": "long press", "launch_app": "open"}


def quoted(text: object) -> str:
    """A name or typed text between double quotes, cut at 60 characters."""
    s = " ".join(str(text).split())
    return '"' + (s if len(s) <= 60 else s[:57] + "...") + '"'


def target_name(action: Record, ground: Record | None = None) -> str:
    """``"Airplane mode" [14]``, ``"Send"``, ``element 14`` or ``(540, 1140)``; "" if none."""
    ground = ground or {}
    label = ground.get("label") or ""
    element = action.get("element")
    element = ground.get("element") if element is None else element
    number = f" [{element}]" if element is not None else ""
    if label:
        return quoted(label) + number
    if action.get("target"):
        return quoted(action["target"])
    if element is not None:
        return f"element {element}"
    if action.get("x") is not None:
        return f"({action['x']}, {action.get('y')})"
    return ""


def looking_for(subgoal: str) -> str:
    """What a scroll is looking for, from the plan's words ("scroll down until Bluetooth")."""
    m = LOOKING_FOR.search(subgoal or "")
    return m.group(1).strip(" .'\"") if m else ""


def action_phrase(action: Record | None, ground: Record | None = None, subgoal: str = "") -> str:
    """One action in words: ``type "on my way" into "Message"``, ``scroll down looking for
    "Bluetooth"``, ``open "Settings"``, ``press enter``."""
    if not action:
        return "nothing"
    kind = str(action.get("type", "?"))
    name = target_name(action, ground)
    if kind == "type":
        return f"type {quoted(action.get('text', ''))}" + (f" into {name}" if name else "")
    if kind in ("scroll", "swipe"):
        wanted = looking_for(subgoal) if kind == "scroll" else ""
        extra = f" from {name}" if name else ""
        return (f"{kind} {action.get('direction', 'down')}{extra}"
                + (f" looking for {quoted(wanted)}" if wanted else ""))
    simple = {"launch_app": f"open {quoted(action.get('app', ''))}",
              "key": f"press {action.get('key', '')}",
              "wait": f"wait {float(action.get('seconds') or 1):g} s",
              "done": "done" + (f": {action['text']}" if action.get("text") else ""),
              "fail": "give up" + (f": {action['text']}" if action.get("text") else "")}
    if kind in simple:
        return simple[kind]
    return " ".join(p for p in (VERBS.get(kind, kind), name) if p)


def at(rec: Record) -> str:
    """`` at (540, 1140)`` for a record with a point, else ""."""
    return f" at ({rec['x']}, {rec.get('y')})" if rec.get("x") is not None else ""


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 step``, ``3 steps``, ``0 flows``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


# -- a run's records as numbered lines ---------------------------------------------------------

INT_FIELDS = ("step", "x", "y", "element", "tokens", "steps", "elements")
FLOAT_FIELDS = ("seconds", "elapsed", "score", "cost_usd", "capture_s", "perceive_s")
TEXT_FIELDS = ("kind", "label", "target", "reason", "thought", "note", "subgoal", "progress",
               "status", "verdict", "outcome", "by", "answer", "risk", "before", "after",
               "image", "app", "state", "source", "message", "run_dir", "error")


def _fits(key: str, value: Any) -> bool:
    """Whether a record field holds what this version writes there."""
    if value is None:
        return True
    if key in INT_FIELDS:
        return isinstance(value, int) and not isinstance(value, bool)
    if key in FLOAT_FIELDS:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if key in TEXT_FIELDS:
        return isinstance(value, str)
    if key == "box":
        return isinstance(value, list) and len(value) == 4 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value)
    if key == "action":
        return isinstance(value, dict)
    if key in ("warnings", "expect", "actions"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if key in ("found", "dry_run", "confirmed", "matched"):
        return isinstance(value, bool)
    return True


def clean(rec: Record) -> Record:
    """A record read from a file with the fields of a wrong type left out, so a hand-edited
    or damaged record is shown as far as it can be instead of breaking the page."""
    out = {k: v for k, v in rec.items() if _fits(k, v)}
    action = out.get("action")
    if isinstance(action, dict):
        out["action"] = {k: v for k, v in action.items()
                         if isinstance(v, str | int | float) and not isinstance(v, bool)}
    return out


BEFORE_ACT = ("plan", "decide")   # records of action N+1 carry step N; the others carry N


def step_number(rec: Record) -> str:
    """The action a record belongs to, counted from 1, so plan and act of one step agree."""
    try:
        step = int(rec.get("step", 0))
    except (TypeError, ValueError):
        return "?"
    return str(step + 1 if rec.get("kind") in BEFORE_ACT else step)


class RecordLines:
    """A run's JSON records, in order, as one line each that names targets.

    A decision names its target by number; the ``ground`` record right after it has the
    name, so a decision's line waits for the next record (``feed`` returns the lines that
    are ready, ``flush`` the last one).
    """

    def __init__(self) -> None:
        self.subgoal = ""
        self.ground: Record | None = None
        self.pending: Record | None = None

    def feed(self, rec: Record) -> list[tuple[Record, str]]:
        """(record, line) pairs ready to show after ``rec`` arrived."""
        rec = clean(rec)
        kind = rec.get("kind")
        out = []
        if kind == "ground":
            self.ground = rec
        if self.pending is not None:
            out.append((self.pending, self._decide(self.pending)))
            self.pending = None
        if kind == "plan":
            self.subgoal, self.ground = str(rec.get("subgoal") or ""), None
        if kind == "decide":
            self.ground = None
            self.pending = rec
            return out
        out.append((rec, self.text(rec)))
        return out

    def flush(self) -> list[tuple[Record, str]]:
        pending, self.pending = self.pending, None
        return [(pending, self._decide(pending))] if pending is not None else []

    def lines(self, records: list[Record]) -> list[str]:
        """Every record as ``[3] act: tap "Wi-Fi" [4] at (540, 647)``."""
        pairs = [p for rec in records for p in self.feed(rec)] + self.flush()
        return [f"[{step_number(rec)}] {line}" if rec.get("kind") != "result" else line
                for rec, line in pairs]

    def phrase(self, rec: Record) -> str:
        action = rec.get("action") if isinstance(rec.get("action"), dict) else None
        return action_phrase(action, self.ground, self.subgoal)

    def _decide(self, rec: Record) -> str:
        thought = str(rec.get("thought") or "")
        return f"decide: {self.phrase(rec)}" + (f" ({thought})" if thought else "")

    def text(self, rec: Record) -> str:
        """One record in words (without its step number)."""
        handlers = {"plan": self._plan, "ground": self._ground, "act": self._act,
                    "safety": self._safety, "result": self._result}
        handler = handlers.get(str(rec.get("kind")))
        return handler(rec) if handler is not None else generic_line(rec)

    def _plan(self, rec: Record) -> str:
        return f"plan: {rec.get('subgoal') or rec.get('progress') or ''}"

    def _ground(self, rec: Record) -> str:
        if not rec.get("found"):
            return f"ground: cannot find {quoted(rec.get('target', ''))}: {rec.get('reason', '')}"
        name = target_name({}, rec) or quoted(rec.get("target", ""))
        how = str(rec.get("reason") or "")
        score = rec.get("score")
        how += (", " if how else "") + f"score {float(score):.2f}" if score else ""
        return f"ground: {name}{at(rec)}" + (f" ({how})" if how else "")

    def _act(self, rec: Record) -> str:
        prefix = "would do" if rec.get("dry_run") else "act"
        seconds = float(rec.get("seconds") or 0)
        return f"{prefix}: {self.phrase(rec)}{at(rec)}" + (f" {seconds:.2f} s" if seconds else "")

    def _safety(self, rec: Record) -> str:
        said = {True: " (confirmed)", False: " (declined)"}.get(rec.get("confirmed"), "")  # type: ignore[arg-type]
        return f"safety: {rec.get('verdict', '?')}{said} {rec.get('reason') or ''}".rstrip()

    def _result(self, rec: Record) -> str:
        steps = int(rec.get("steps") or 0)
        return (f"{rec.get('status', '?')}: {rec.get('reason', '')} "
                f"({plural(steps, 'step')}, {float(rec.get('seconds') or 0):.1f} s)")


def generic_line(rec: Record) -> str:
    """Any other record through its own ``line()``; a kind this version does not know as
    its fields."""
    from dataclasses import fields

    from guiagent.steps import RECORD_TYPES

    cls = RECORD_TYPES.get(str(rec.get("kind")))
    if cls is not None:
        names = {f.name for f in fields(cls)}
        try:
            return cls(**{k: v for k, v in rec.items() if k in names and k != "action"}).line()
        except (TypeError, ValueError):
            pass
    shown = ", ".join(f"{k}={v}" for k, v in rec.items() if k not in ("kind", "step"))
    return f"{rec.get('kind', '?')}: {shown}"


# -- risky actions in words ----------------------------------------------------------------------

def screen_title(screen: Screen) -> str:
    """The title of the screen's app bar (a conversation's contact), or ""."""
    h = screen.geometry.height
    bar = [e for e in screen.elements if e.text and e.kind != "icon"
           and 0.03 * h < e.box.y1 and e.box.y2 < 0.15 * h and not re.fullmatch(r"[\d:%. ]+",
                                                                                e.text)]
    return min(bar, key=lambda e: (e.box.y1, e.box.x1)).text if bar else ""


def message_text(screen: Screen) -> str:
    """The text waiting in the screen's text field (the message about to be sent), or ""."""
    fields = [e for e in screen.elements if e.kind == "input" and e.text]
    return max(fields, key=lambda e: e.box.y2).text if fields else ""


def risk_words(risk: str, hit: str, screen: Screen) -> str:
    """What a risky action would do, as the user would say it: ``send message 'on my way'
    to Alice``; other classes name the words that made them risky (``delete: 'Delete'``)."""
    if risk == "send_message":
        text, to = message_text(screen), screen_title(screen)
        if text:
            return f"send message {text[:60]!r}" + (f" to {to}" if to else "")
    return f"{risk.replace('_', ' ')}: {hit[:60]!r}"


def named_action(action: Any, target: Any) -> str:
    """An Action (with its grounded Target, if any) in words: ``tap "Send" [7]``."""
    e = getattr(target, "element", None)
    ground = {"label": (e.text or e.label), "element": e.id} if e is not None else None
    return action_phrase(action.model_dump(exclude_none=True), ground)
