"""Every function whose patterns read untrusted text, and inputs that make slow patterns slow.

Untrusted: what is on a screen (an app shows anyone's text), what a model replies, and
what goes to the model (tasks and screen texts, masked for personal data). The pattern
tests (tests/planners/test_untrusted_patterns.py) and bench/pii.py run each function
over each input at 1 MB.
"""

from __future__ import annotations

from collections.abc import Callable

from devices.geometry import Box, ScreenGeometry
from grounding.errors import RemoteGrounderError
from grounding.query import parse as parse_target
from grounding.text import normalize
from grounding.types import Element, Screen
from grounding.vlm import parse_reply as parse_grounder_reply
from guiagent.safety import Taint, scan_injections
from guiagent.terminal import printable
from planners.llm import MAX_REPLY_CHARS, parse_json_reply
from planners.privacy import Masker, find_pii, resolve_secrets


def _quietly(fn: Callable[[str], object]) -> Callable[[str], object]:
    """The function, with the project's own errors (a refusal to parse) counted as done."""
    def run(text: str) -> object:
        try:
            return fn(text)
        except (ValueError, LookupError, RemoteGrounderError) as exc:   # refusals, not hangs
            return exc
    return run


def _on_screen(text: str) -> Screen:
    return Screen([Element(1, Box(0, 0, 10, 10), "text", text)], ScreenGeometry(100, 100))


PATTERNS: dict[str, Callable[[str], object]] = {
    "privacy.find_pii": find_pii,
    "privacy.Masker.unmask": lambda t: Masker().unmask(t, strict=False),
    "privacy.resolve_secrets": _quietly(lambda t: resolve_secrets(t, {})),
    "llm.parse_json_reply": _quietly(parse_json_reply),   # over the limit: refused at once
    "llm.parse_json_reply (256 KB)": _quietly(lambda t: parse_json_reply(t[:MAX_REPLY_CHARS])),
    "safety.scan_injections": lambda t: scan_injections(_on_screen(t)),
    "safety.Taint.of": Taint.of,
    "vlm.parse_reply": _quietly(parse_grounder_reply),
    "query.parse (model targets)": _quietly(parse_target),
    "text.normalize": normalize,
    "terminal.printable": printable,
}


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


INPUTS: dict[str, Callable[[int], str]] = {
    "letters": _repeat("a"),
    "digits": _repeat("7"),
    "digit groups": _repeat("12 "),
    "plus digits": _repeat("+1 "),
    "dots and digits": _repeat("1."),
    "e-mail local part": _repeat("a."),
    "at signs": _repeat("a@"),
    "newlines": _repeat("\n"),
    "spaces": _repeat(" "),
    "code lines": _repeat("code 1234 "),
    "open braces": _repeat("{"),
    "json keys": _repeat('{"a": '),
    "json lists": _repeat("[1, "),
    "think tags": _repeat("<think>"),
    "fences": lambda n: "```" + " " * (n - 3),
    "many fences": _repeat("```json "),
    "quotes": _repeat('"'),
    "curly quotes": _repeat("“"),
    "escapes": _repeat("\x1b["),
    "injection words": _repeat("disregard all "),
    "points": _repeat("<point>1 "),
    "placeholders": _repeat("<EMAIL_"),
    "secrets": _repeat("{{ secret:"),
}
