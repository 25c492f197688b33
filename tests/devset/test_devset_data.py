"""The committed desktop grounding dev set (bench/desktop_devset) is well-formed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "desktop_devset"
FIELDS = {"id", "image", "app", "instruction", "box", "icon", "role", "name"}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    lines = (DEVSET / "devset.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def sizes(rows: list[dict]) -> dict[str, tuple[int, int]]:
    out = {}
    for image in {r["image"] for r in rows}:
        with Image.open(DEVSET / image) as im:
            im.verify()
        with Image.open(DEVSET / image) as im:
            out[image] = im.size
    return out


def test_rows_have_every_field_and_unique_ids(rows: list[dict]) -> None:
    assert rows, "devset.jsonl is empty"
    for r in rows:
        assert set(r) >= FIELDS, r["id"]
        assert isinstance(r["icon"], bool) and r["instruction"].strip() and r["name"].strip()
    ids = Counter(r["id"] for r in rows)
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_box_lies_inside_its_image(rows: list[dict],
                                         sizes: dict[str, tuple[int, int]]) -> None:
    bad = []
    for r in rows:
        w, h = sizes[r["image"]]
        x1, y1, x2, y2 = r["box"]
        if not (0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h):
            bad.append((r["id"], r["box"], (w, h)))
    assert bad == []


def test_a_fifth_are_icons_and_names_are_unambiguous(rows: list[dict]) -> None:
    share = sum(r["icon"] for r in rows) / len(rows)
    assert 0.15 <= share <= 0.30, f"icon share {share:.0%}"
    per_image = Counter((r["image"], r["name"].casefold()) for r in rows)
    assert [k for k, n in per_image.items() if n > 1] == []


def test_spans_several_apps_and_screens(rows: list[dict]) -> None:
    assert len({r["app"] for r in rows}) >= 5
    assert len({r["image"] for r in rows}) >= 6
    assert len(rows) >= 200


def test_data_stays_small() -> None:
    files = [DEVSET / "devset.jsonl", *(DEVSET / "images").glob("*.png")]
    total = sum(p.stat().st_size for p in files)
    assert total < 3 * 1024 * 1024, f"{total} bytes"
