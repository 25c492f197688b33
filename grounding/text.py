"""Text normalisation and fuzzy similarity shared by fusion and locating (any script)."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def normalize(text: str) -> str:
    """Lower-case, width-folded (NFKC), punctuation removed, single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", _PUNCT.sub(" ", folded)).strip()


def compact(text: str) -> str:
    """``normalize`` without spaces: OCR often drops or adds them."""
    return normalize(text).replace(" ", "")


# OCR's look-alikes inside words of letters: "0tto" is "Otto", "Ctr|+1" is "Ctrl+1".
_BAR_END = re.compile(r"(?<=[A-Za-z])\|(?![A-Za-z0-9|])")  # "Ctr|"
_BAR_START = re.compile(r"(?<![A-Za-z0-9|])\|(?=[a-z]{2})")  # "|tem"
_ZERO_LEAD = re.compile(r"(?<![\w.,])0(?=[a-z]{2,}\b)(?!x)")
_IN_WORD = re.compile(r"(?<=[a-z])[01](?=[a-z])")


def mend(text: str) -> str:
    """``text`` with the digit and bar look-alikes OCR reads in words of letters mended: a
    "|" ending a word is an "l", one starting a lower-case word an "I", a "0" starting one
    an "O", a "0" or "1" between lower-case letters an "o" or "l". Words with other digits
    stay as read."""
    if not any(c in text for c in "01|"):
        return text
    text = _BAR_START.sub("I", _BAR_END.sub("l", text))
    words = text.split(" ")
    return " ".join(w if sum(c.isdigit() for c in w) > 1 else
                    _IN_WORD.sub(lambda m: "o" if m[0] == "0" else "l", _ZERO_LEAD.sub("O", w))
                    for w in words)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def similarity(a: str, b: str) -> float:
    """0..1: how well ``a`` (what is asked) matches ``b`` (what is on screen).

    Equal texts score 1. Partial matches rank by how cleanly ``a`` sits in ``b``:
    between word boundaries ("Tabs" in "Close Other Tabs", "Components" in
    "ProComponents"), inside a CJK run, or inside a word; then by the share of ``b``
    it covers. A label cut short on screen ("Shopping li...") matches its full text.
    """
    ca, cb = compact(a), compact(b)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 1.0
    score = _similar(a, b, ca, cb)
    fa, fb = ca.translate(_LOOKS), cb.translate(_LOOKS)
    if score < 1.0 - LOOK_COST and len(ca) >= 3 and fa in fb and (fa != ca or fb != cb):
        return max(score, _similar(a.translate(_LOOKS), b.translate(_LOOKS), fa, fb) - LOOK_COST)
    return score


# Letters an underline (a menu's or a button's mnemonic) makes OCR read as another: F with
# a line under it reads E, l reads i, o reads a. Such a misreading inside a word ("File":
# "Eile...") still matches, a little below the letter itself; a lone glyph is itself.
_LOOKS = str.maketrans("fFlLoO", "eEiIaA")
LOOK_COST = 0.15


def _similar(a: str, b: str, ca: str, cb: str) -> float:
    if ca == cb:
        return 1.0
    ratio = SequenceMatcher(None, ca, cb, autojunk=False).ratio()
    if ca in cb:
        return max(ratio, _contained(ca, b))
    if _ELLIPSIS.search(b) and ca.startswith(cb) and _cut_inside_word(a, len(cb)):
        return max(ratio, 0.8 + 0.15 * len(cb) / len(ca))  # truncated on screen
    if cb in ca and len(cb) >= 3:
        ratio = max(ratio, 0.5 + 0.3 * len(cb) / len(ca))
    return ratio


_ELLIPSIS = re.compile(r"(?:\.+|…)\s*$")  # OCR often reads "..." as one or two dots


def _cut_inside_word(a: str, at: int) -> bool:
    """True when ``a`` cut after ``at`` compact characters breaks a word (CJK text: at any
    character): a label cut short, not a whole shorter one ("Find..." is no "Find and Replace")."""
    if has_cjk(a):
        return at >= 2
    _, sep, script, _, _ = boundaries(a)
    return at >= 4 and at not in sep | script


def _contained(ca: str, b: str) -> float:
    """Score of ``ca`` found inside the longer ``b``, by the best place it occurs at."""
    cb, sep, script, camel, cjk = boundaries(b)
    share = len(ca) / len(cb)
    best = 0.55 + 0.25 * share                       # inside a word
    hard = sep | script
    start = cb.find(ca)
    while start >= 0:
        ends = {start, start + len(ca)}
        if ends <= sep:
            return 0.8 + 0.15 * share                # whole words
        if ends <= hard:
            best = max(best, 0.77 + 0.15 * share)    # "Components" in "试试ProComponents!"
        elif ends <= hard | camel:
            best = max(best, 0.72 + 0.15 * share)    # "Text" in "TextTab"
        elif ends <= hard | cjk:
            base = 0.75 if len(ca) >= 4 and has_cjk(ca) else 0.65
            best = max(best, min(0.79, base + 0.2 * share))  # below any whole word
        start = cb.find(ca, start + 1)
    return best


def boundaries(text: str) -> tuple[str, set[int], set[int], set[int], set[int]]:
    """``compact(text)`` and the offsets in it where words meet: at spaces or punctuation,
    at a change of script or from letters to digits, in camel case, between CJK characters."""
    out: list[str] = []
    sep, script, camel, cjk = {0}, set(), set(), set()
    prev, gap = "", False
    for ch in unicodedata.normalize("NFKC", text):
        if not _WORD.match(ch):
            gap = True
            continue
        kind = "c" if has_cjk(ch) else "d" if ch.isdigit() else "a"
        if prev and gap:
            sep.add(len(out))
        elif prev and kind != prev[0]:
            script.add(len(out))
        elif prev == "al" and ch.isupper():
            camel.add(len(out))
        elif prev and kind == "c":
            cjk.add(len(out))
        prev, gap = kind + ("l" if ch.islower() else ""), False
        out.extend(ch.casefold())
    sep.add(len(out))
    return "".join(out), sep, script, camel, cjk


_WORD = re.compile(r"\w", re.UNICODE)
