"""The offline planner's step grammar, read once from planners/steps.yaml.

A task becomes a list of ``Step``: split on the file's separators (never inside
quotes), each clause matched against its forms in order; a phrase form ("set an
alarm at 6 pm") stands for several explicit steps, written in the file too.
"""

from __future__ import annotations

import ast
import difflib
import operator
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from planners import menus

QUOTE = re.compile(r"(?<![\w])(['\"“‘])(.+?)(['\"”’])(?![\w])")
MASK = re.compile(r"\x00(\d+)\x00")
HOLE = re.compile(r"(\"?)\{(\w+)\}\1")
TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*([ap])?\.?m?\.?$", re.I)
KEY_NAMES = {"back": "back", "home": "home", "enter": "enter", "return": "enter",
             "delete": "delete", "backspace": "delete", "tab": "tab", "escape": "escape",
             "search": "search", "menu": "menu", "recents": "app_switch",
             "app switch": "app_switch", "power": "power", "volume up": "volume_up",
             "volume down": "volume_down", "space": "space"}
OPERATORS = {"*": "×", "x": "×", "/": "÷", "-": "−"}
RISKY_LEADS = ("delete", "remove", "erase", "trash", "cancel", "send", "text", "message",
               "reply", "tell", "sms")
KEEP_CASE = ("type", "fill", "send", "search", "add_line", "compute", "menu", "answer")


@dataclass(slots=True)
class Step:
    """One parsed step: ``verb`` names its handler; ``text`` is what the user wrote."""

    number: int
    text: str
    verb: str
    target: str = ""
    value: str = ""
    exact: bool = False      # match the target's text exactly (calculator keys, symbols)

    def label(self) -> str:
        return f"step {self.number} '{self.text}'"


class StepSyntaxError(ValueError):
    """A step that none of the patterns understands."""


@dataclass(frozen=True, slots=True)
class Form:
    verb: str
    pattern: re.Pattern[str]
    steps: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    last: bool = False


@dataclass(frozen=True, slots=True)
class Grammar:
    separators: re.Pattern[str]
    crumbs: re.Pattern[str]
    and_verb: re.Pattern[str]
    filler: re.Pattern[str]
    filler_end: re.Pattern[str]
    vocabulary: tuple[str, ...]
    arithmetic: dict[str, str]
    forms: tuple[Form, ...] = field(default=())


@cache
def grammar() -> Grammar:
    """The grammar file, compiled; desktop menu forms (planners.menus) come first."""
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("planners").joinpath("steps.yaml").read_text(encoding="utf-8"))
    verbs = "|".join(raw["and_before"])
    forms = [Form(v, p) for v, p in menus.PATTERNS]
    forms += [Form(f["verb"], re.compile(f["pattern"], re.I), tuple(f.get("steps", ())),
                   tuple(f.get("examples", ())), bool(f.get("last"))) for f in raw["forms"]]
    return Grammar(re.compile(raw["separators"], re.I), re.compile(raw["crumbs"]),
                   re.compile(rf"\s+and\s+(?=(?:{verbs})\b)", re.I),
                   re.compile(raw["filler"], re.I), re.compile(raw["filler_end"], re.I),
                   tuple(raw["vocabulary"]),
                   dict(raw["arithmetic"]), tuple(forms))


def mask_quotes(task: str) -> tuple[str, list[str]]:
    """Quoted text becomes ``\\x00n\\x00`` so that no separator or pattern looks inside."""
    quoted: list[str] = []

    def keep(m: re.Match[str]) -> str:
        quoted.append(m.group(2))
        return f"\x00{len(quoted) - 1}\x00"

    return QUOTE.sub(keep, task), quoted


def remask(text: str, quoted: list[str]) -> str:
    """``mask_quotes`` for a text whose masks continue the list ``quoted``."""
    masked, more = mask_quotes(text)
    base = len(quoted)
    quoted += more
    return MASK.sub(lambda m: f"\x00{base + int(m.group(1))}\x00", masked)


def unmask(text: str, quoted: list[str]) -> str:
    return MASK.sub(lambda m: quoted[int(m.group(1))], text)


def clauses(task: str) -> tuple[list[str], list[str]]:
    """The task's clauses (quotes masked) and the quoted texts."""
    g = grammar()
    masked, quoted = mask_quotes(task.strip())
    out: list[str] = []
    for chunk in g.separators.split(masked):
        chunk = g.filler.sub("", chunk.strip(" .!?\t"))
        menu = any(v == "menu" and f.pattern.match(chunk) for f in g.forms for v in [f.verb])
        for part in [chunk] if menu else g.crumbs.split(chunk):
            out += [g.filler.sub("", c.strip(" .!?")) for c in g.and_verb.split(part)]
    return [c for c in out if c], quoted


def parse_steps(task: str) -> list[Step]:
    """The task as a list of steps; raises StepSyntaxError naming the step it cannot read."""
    parts, quoted = clauses(task)
    steps: list[Step] = []
    for number, clause in enumerate(parts, start=1):
        steps += _parse_clause(number, clause, quoted, steps[-1] if steps else None)
    return [sub for step in steps for sub in expand(step)]


def expand(step: Step) -> list[Step]:
    """Steps that take several actions become sub-steps sharing the step's number and text."""
    def sub(verb: str, target: str = "", value: str = "", exact: bool = False) -> Step:
        return Step(step.number, step.text, verb, target, value, exact)

    if step.verb == "send":
        return [sub("fill", "message field", step.value), sub("tap", "Send")]
    if step.verb == "contact":
        return [sub("open", "Contacts"), sub("tap", step.target)]
    if step.verb == "search":
        return [sub("fill", "search field", step.value)]
    if step.verb == "add_line":
        return [sub("tap_end"), sub("key", value="enter"), sub("type", value=step.value),
                sub("save", "Save")]
    if step.verb == "compute":
        keys = [OPERATORS.get(c, c) for c in arithmetic(step.value)]
        return [sub("tap", k, exact=True) for k in [*keys, "="]]
    return [step]


FIELD_VALUE = re.compile(r"^(?:the )?(?P<target>[a-z][\w ]*?) (?P<text>\S+)$", re.I)


def _parse_clause(number: int, clause: str, quoted: list[str], previous: Step | None
                  ) -> list[Step]:
    """One clause -> its steps; "last name Wilde and phone 5" continues a fill step."""
    try:
        return parse_clause(number, clause, quoted)
    except StepSyntaxError:
        if previous is None or previous.verb != "fill":
            raise
    found = [FIELD_VALUE.match(p) for p in re.split(r"\s+and\s+", clause)]
    if not all(found):
        raise StepSyntaxError(unknown(number, unmask(clause, quoted)))
    text = unmask(clause, quoted)
    return [Step(number, text, "fill", m.group("target"), unmask(m.group("text"), quoted))
            for m in found if m]


def parse_clause(number: int, clause: str, quoted: list[str], text: str = "") -> list[Step]:
    """Match the clause, fixing a typo in its first words if nothing matched as written;
    trailing filler ("for me please") is dropped, except from what a message says."""
    text = text or unmask(clause, quoted)
    forms = grammar().forms
    plain = [f for f in forms if not f.last]
    tail = grammar().filler_end.sub("", clause)
    cut = tail != clause
    for candidate, pool, short in ((tail, plain, cut), (clause, plain, False),
                                   (_fix_typos(tail), plain, cut),
                                   (_fix_typos(clause), plain, False),
                                   (tail, [f for f in forms if f.last], cut)):
        for form in pool:
            said = short and {"text", "body"} & set(form.pattern.groupindex)
            m = None if said else form.pattern.match(candidate)
            steps = _from_match(form, m, number, text, quoted) if m else None
            if steps is not None:
                return steps
    raise StepSyntaxError(unknown(number, text))


def _fix_typos(clause: str) -> str:
    """"trun on wifi" -> "turn on wifi": the first two words, to the closest known word."""
    words = clause.split(" ")
    vocab = grammar().vocabulary
    for i, w in enumerate(words[:2]):
        if w.lower() not in vocab:
            close = difflib.get_close_matches(w.lower(), vocab, 1, 0.75)
            words[i] = close[0] if close else w
    return " ".join(words)


def _from_match(form: Form, m: re.Match[str], number: int, text: str,
                quoted: list[str]) -> list[Step] | None:
    groups = {k.removesuffix("_2"): unmask(v, quoted).strip()
              for k, v in m.groupdict().items() if v}
    if form.steps:
        return _expand_phrase(form, groups, number, text, quoted)
    verb = form.verb
    if verb == "key" and groups["key"].lower() not in KEY_NAMES:
        return None
    value = (groups.get("state") or groups.get("text") or groups.get("dir")
             or groups.get("seconds") or groups.get("key") or groups.get("menu") or "")
    if verb == "toggle":
        value = "on" if value.lower() in ("on", "enable", "enabled", "activate") else "off"
    elif verb not in KEEP_CASE:
        value = value.lower()
    return [Step(number, text, verb, groups.get("target", "").strip("'\" "), value)]


def _expand_phrase(form: Form, groups: dict[str, str], number: int, text: str,
                   quoted: list[str]) -> list[Step] | None:
    """A phrase's steps, each filled with the user's words and parsed like a clause."""
    derived = _derived(groups)
    if derived is None:
        return None
    groups = derived
    steps: list[Step] = []
    for line in form.steps:
        names = [h.group(2) for h in HOLE.finditer(line)]
        if any(not groups.get(n) for n in names):
            continue
        filled = HOLE.sub(lambda h: _fill(h, groups, quoted), line)
        if "rest" in names:      # the rest of a clause is a clause: its quotes masked again
            filled = remask(filled, quoted)
        steps += _special(filled, number, text, groups) or parse_clause(number, filled, quoted,
                                                                        text)
    return steps


def _fill(h: re.Match[str], groups: dict[str, str], quoted: list[str]) -> str:
    if not h.group(1):
        return groups[h.group(2)]
    quoted.append(groups[h.group(2)])
    return f"\x00{len(quoted) - 1}\x00"


def _special(line: str, number: int, text: str, groups: dict[str, str]) -> list[Step]:
    """The file's ``@`` lines: @launch, @ensure, @pick, @keys, @answer, @delete, @chat,
    @switch, @shade."""
    head, _, rest = line.partition(" ")
    if head == "@launch":
        return [Step(number, text, "launch", rest)]
    if head == "@ensure":
        return [Step(number, text, "ensure_app", rest)]
    if head == "@pick":      # an option already chosen changes nothing: that is done too
        return [Step(number, text, "pick", rest)]
    if head == "@keys":
        return [Step(number, text, "compute", value=groups["expr"])]
    if head == "@answer":
        return [Step(number, text, "answer", value=groups["result"])]
    if head in ("@delete", "@chat"):   # an item's own delete; a conversation, new or not
        return [Step(number, text, head[1:], rest)]
    if head == "@switch":      # "@switch 8:30 AM on": an item's own switch
        what, _, state = rest.rpartition(" ")
        on = state.lower() in ("on", "enable", "activate")
        return [Step(number, text, "switch_item", what, "on" if on else "off")]
    if head == "@shade":
        return [Step(number, text, "swipe", "top", "down")]
    return []


def _derived(groups: dict[str, str]) -> dict[str, str] | None:
    """Groups computed from others: hour/minute/ampm, first/last, expr/result (also from
    "multiply a by b": op, a, b)."""
    out = dict(groups)
    if "op" in groups:
        op, a, b = groups["op"].lower(), groups["a"], groups["b"]
        out["expr"] = groups["expr"] = (f"{b}-{a}" if op in ("subtract", "take") else
                                        f"{a}{ {'add': '+', 'multiply': '*'}.get(op, '/') }{b}")
    if "time" in groups:
        m = TIME.match(groups["time"].strip())
        if m is None or int(m.group(1)) > 23:
            return None
        hour, half = int(m.group(1)), (m.group(3) or "").lower()
        ampm = "PM" if half == "p" or hour >= 12 else "AM"
        hour = hour - 12 if hour > 12 else (12 if hour == 0 else hour)
        out.update(hour=str(hour), minute=m.group(2) or "00", ampm=ampm)
    if "name" in groups:
        first, _, last = groups["name"].strip().partition(" ")
        out.update(first=first, last=last)
    if "expr" in groups:
        expr = arithmetic(groups["expr"])
        result = evaluate(expr)
        if result is None:
            return None
        out.update(expr=expr, result=result)
    return out


def arithmetic(expr: str) -> str:
    """Spoken operators to symbols: "15 plus 27" -> "15+27"."""
    words = grammar().arithmetic
    for word in sorted(words, key=len, reverse=True):
        expr = re.sub(rf"\b{re.escape(word)}\b", words[word], expr, flags=re.I)
    return re.sub(r"\s+", "", expr.replace("×", "*").replace("÷", "/").replace("−", "-"))


OPS: dict[type, Any] = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
                        ast.Div: operator.truediv}


def evaluate(expr: str) -> str | None:
    """What the calculator should show for ``expr`` (+ - * / and brackets only)."""
    def value(node: ast.AST) -> float:
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            return float(OPS[type(node.op)](value(node.left), value(node.right)))
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        raise ValueError("not arithmetic")
    try:
        result = value(ast.parse(expr, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError):
        return None
    return str(int(result)) if result == int(result) else f"{result:.10g}"


def unknown(number: int, text: str) -> str:
    """The error for a clause no form matches: the nearest forms, with the user's words."""
    return (f"step {number} '{text}' is not a step the offline planner knows; "
            f"did you mean {nearest(text)}? (or configure an LLM)")


def nearest(text: str, k: int = 3) -> str:
    """``'turn on the widget', 'open the widget', ...``: close forms, filled with ``text``."""
    words = text.split(" ", 1)
    rest = words[1] if len(words) > 1 else "…"     # "delete" alone: "'delete …'"
    leads: dict[str, float] = {}
    first = words[0].lower()
    for form in grammar().forms:
        for ex in form.examples:
            lead = _lead(ex)
            if lead.split(" ")[0] in RISKY_LEADS and difflib.SequenceMatcher(
                    None, first, lead.split(" ")[0]).ratio() < 0.75:
                continue          # never suggest deleting or sending to one who did not ask
            score = difflib.SequenceMatcher(None, text.lower(), ex.lower()).ratio()
            if lead and score > leads.get(lead, -1):
                leads[lead] = score
    best = sorted(leads, key=lambda lead: -leads[lead])[:k]
    return ", ".join(f"'{lead} {rest}'" for lead in best)


def _lead(example: str) -> str:
    """The verb words of an example: "turn on Wi-Fi" -> "turn on"."""
    out = []
    for w in example.split(" "):
        if not w.islower() or not w.isalpha() or w in ("the", "my", "a", "an"):
            break
        out.append(w)
    return " ".join(out) if 0 < len(out) <= 2 and len(out) < len(example.split(" ")) else ""
