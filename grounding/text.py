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


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def similarity(a: str, b: str) -> float:
    """0..1: how well ``a`` (what is asked) matches ``b`` (what is on screen).

    Partial matches rank by how cleanly ``a`` sits in ``b``: as whole tokens
    ("Grid" in "Grid 栅格"), as whole words/characters, or only inside a word.
    """
    ca, cb = compact(a), compact(b)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 1.0
    ratio = SequenceMatcher(None, ca, cb, autojunk=False).ratio()
    if ca in cb:
        share = len(ca) / len(cb)
        if _contiguous(normalize(a).split(), normalize(b).split()):
            return max(ratio, 0.75 + 0.2 * share)
        if _contiguous(words(a), words(b)):
            base = 0.75 if len(ca) >= 4 and has_cjk(ca) else 0.65  # 4+ CJK characters in a row
            return max(ratio, base + 0.2 * share)
        return max(ratio, 0.55 + 0.25 * share)
    if cb in ca and len(cb) >= 3:
        ratio = max(ratio, 0.5 + 0.3 * len(cb) / len(ca))
    return ratio


def _contiguous(part: list[str], whole: list[str]) -> bool:
    n = len(part)
    return n > 0 and any(whole[i:i + n] == part for i in range(len(whole) - n + 1))


def words(text: str) -> list[str]:
    """Words of ``text``; CJK runs count one character per word."""
    out: list[str] = []
    for w in normalize(text).split():
        out.extend(list(w) if has_cjk(w) else [w])
    return out
