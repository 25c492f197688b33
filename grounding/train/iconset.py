"""The icon classes and, for each, its glyph names in every training icon font and its
pictures' names in the desktop icon themes.

``iconset.txt`` has one row per font-glyph class, ``label: material | fa | mdi | ph | ri | msc |
lucide | tabler``; each cell lists base glyph names (comma-separated). Style variants (Phosphor
weights, Remix line/fill, MDI outline, Tabler stroke widths) are added by ``fonts.resolve``.
``iconclasses.yaml`` adds the desktop toolbar classes and, for every class, freedesktop icon
names and LibreOffice command names (read by ``grounding.train.themes``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

TABLE = Path(__file__).with_name("iconset.txt")
CLASSES = Path(__file__).with_name("iconclasses.yaml")
FAMILIES = ("material", "fa", "mdi", "ph", "ri", "msc", "lucide", "tabler")
OTHER = "other"
KEYS = {"fd", "office", "fonts"}


def _font_table() -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, _, rest = line.partition(":")
        cells = [c.strip() for c in rest.split("|")]
        if len(cells) != len(FAMILIES):
            raise ValueError(f"icon table row {label!r} has {len(cells)} cells")
        out[label.strip()] = {fam: [n for n in cell.split(",") if n and n != "-"]
                              for fam, cell in zip(FAMILIES, cells, strict=True)}
    return out


@cache
def class_table() -> dict[str, dict]:
    """``iconclasses.yaml``: ``{label: {"fd": [...], "office": [...], "fonts": {fam: [...]}}}``."""
    raw = yaml.safe_load(CLASSES.read_text(encoding="utf-8")) or {}
    for label, entry in raw.items():
        if not isinstance(entry, dict) or set(entry) - KEYS:
            raise ValueError(f"{CLASSES.name}: {label!r} needs only {sorted(KEYS)}")
        if set(entry.get("fonts") or {}) - set(FAMILIES):
            raise ValueError(f"{CLASSES.name}: {label!r} names an unknown font family")
    return raw


@cache
def parse_table() -> dict[str, dict[str, list[str]]]:
    """``{label: {family: [base names]}}``: iconset.txt's rows, then iconclasses.yaml's new
    classes; the yaml's ``fonts`` are added to either. A glyph two classes name stays with
    the first (iconset.txt's), so that no picture teaches two answers."""
    out = _font_table()
    taken = {(fam, n) for row in out.values() for fam, names in row.items() for n in names}
    for label, entry in class_table().items():
        row = out.setdefault(label, {fam: [] for fam in FAMILIES})
        for fam, names in (entry.get("fonts") or {}).items():
            new = [n for n in names if (fam, n) not in taken]
            taken |= {(fam, n) for n in new}
            row[fam] = [*row[fam], *new]
    return out


def labels() -> list[str]:
    """Class labels in model output order: the table's rows, then ``other``."""
    return [*parse_table(), OTHER]
