"""The icon classes and, for each, its glyph names in every training icon font.

``iconset.txt`` has one row per class, ``label: material | fa | mdi | ph | ri | msc | lucide |
tabler``; each cell lists base glyph names (comma-separated). Style variants (Phosphor
weights, Remix line/fill, MDI outline, Tabler stroke widths) are added by ``fonts.resolve``.
"""

from __future__ import annotations

from pathlib import Path

TABLE = Path(__file__).with_name("iconset.txt")
FAMILIES = ("material", "fa", "mdi", "ph", "ri", "msc", "lucide", "tabler")
OTHER = "other"


def parse_table() -> dict[str, dict[str, list[str]]]:
    """``{label: {family: [base names]}}`` from the table file."""
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


def labels() -> list[str]:
    """Class labels in model output order: the table's rows, then ``other``."""
    return [*parse_table(), OTHER]
