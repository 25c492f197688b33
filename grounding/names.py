"""The name tables of the grounding language (``keys.yaml``, ``phrases.yaml``), loaded once.

Keys: what a key or button shows (``+``, ``÷``, ``sqrt``) and what people call it ("plus",
"divide", "root"). Phrases: container nouns, window-control verbs, words that frame a key.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from grounding import tables
from grounding.text import normalize


@cache
def _load(name: str) -> Any:
    return tables.load(Path(__file__).parent / name)


def fold(text: str) -> str:
    """A glyph or short label as compared: full-width forms as ASCII, case-folded, no
    spaces; superscripts stay ("x²" is no "x2", "²" no "2")."""
    wide = "".join(unicodedata.normalize("NFKC", c) if "\uff01" <= c <= "\uff5e" else c
                   for c in text)
    return "".join(wide.casefold().split())


@cache
def _keys() -> tuple[dict[str, int], dict[str, int]]:
    """(shown glyph or label -> entry, spoken name -> entry)."""
    shows: dict[str, int] = {}
    names: dict[str, int] = {}
    for i, entry in enumerate(_load("keys.yaml") or []):
        for glyph in entry.get("shows", []):
            shows.setdefault(fold(str(glyph)), i)
        for name in entry.get("names", []):
            names.setdefault(normalize(str(name)), i)
    return shows, names


def pictured_key(label: str) -> str | None:
    """The glyph a key shows when its picture is named ``label`` by the icon classifier
    ("close" draws a "×"; keys.yaml's ``pictures``), or None."""
    return _pictures().get(normalize(label))


@cache
def _pictures() -> dict[str, str]:
    return {str(p): str(entry["shows"][0]) for entry in _load("keys.yaml") or []
            for p in entry.get("pictures", [])}


def shown_key(text: str) -> int | None:
    """The key entry an element's text shows (``×`` and ``*`` are one), or None. A capital
    I read in a short label may be an l (sans-serif fonts draw both as one stroke: "In")."""
    if not text or len(text) > 12:
        return None
    shows = _keys()[0]
    found = shows.get(fold(text))
    if found is None and "I" in text and len(text) <= 4:
        found = shows.get(fold(text.replace("I", "l")))
    return found


def asked_key(text: str) -> int | None:
    """The key entry an asked text names, as a glyph ("÷") or by name ("divide")."""
    if not text or len(text) > 40:
        return None
    shows, names = _keys()
    found = shows.get(fold(text))
    return found if found is not None else names.get(normalize(text))


def is_key_name(text: str) -> bool:
    """Whether ``text`` is a spoken key name ("delete the last digit", "plus minus")."""
    return normalize(text) in _keys()[1]


def phrases() -> dict[str, Any]:
    """The phrase table (containers, joins, key words, window controls)."""
    return dict(_load("phrases.yaml") or {})


@cache
def name_joins() -> frozenset[str]:
    """Words joining an action to its object in a control's name ("for" in "Search for Files")."""
    return frozenset(normalize(w) for w in phrases()["name_joins"])


@cache
def container_nouns() -> list[tuple[str, str]]:
    """(noun phrase, container kind), longest phrase first."""
    pairs = [(normalize(noun), kind) for kind, nouns in phrases()["containers"].items()
             for noun in nouns]
    return sorted(pairs, key=lambda p: -len(p[0]))


@cache
def window_verbs() -> dict[str, str]:
    """Normalized verb -> window control ("minimise" -> "minimize")."""
    return {normalize(v): control for control, verbs in phrases()["window_controls"].items()
            for v in verbs}


@cache
def _opposites() -> dict[str, set[str]]:
    """Word -> the words of opposite meaning (``opposites`` of ``phrases.yaml``)."""
    table: dict[str, set[str]] = {}
    for pair in phrases()["opposites"]:
        a, b = (str(w) for w in pair)
        table.setdefault(normalize(a), set()).add(normalize(b))
        table.setdefault(normalize(b), set()).add(normalize(a))
    return table


def has_opposite(word: str) -> bool:
    """Whether ``word`` has an opposite ("in": "out"): then it is part of a name."""
    return normalize(word) in _opposites()


def opposed(asked: str, name: str) -> bool:
    """Whether ``name`` says the opposite of ``asked``: it holds a word opposite to one of
    the asked words and not that word ("sort ascending" for "sort descending"), or one
    negates the other's word ("unmerge" for "merge", "deselect" for "select")."""
    a, n = set(normalize(asked).split()), set(normalize(name).split())
    table = _opposites()
    if any(w not in n and table[w] & n for w in a & table.keys()):
        return True
    return any(p + w in b and p + w not in c for p in phrases()["negations"]
               for b, c in ((n, a), (a, n)) for w in c if len(w) >= 3)


def pair_order(asked: str) -> int:
    """1 when ``asked`` names the first of a conventionally ordered pair ("ascending",
    "up"), -1 for the second ("descending", "down"), 0 for neither or both."""
    words = set(normalize(asked).split())
    firsts = any(a in words for a, _ in phrases()["ordered_pairs"])
    seconds = any(b in words for _, b in phrases()["ordered_pairs"])
    return 0 if firsts == seconds else (1 if firsts else -1)
