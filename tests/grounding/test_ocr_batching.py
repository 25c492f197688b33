"""Recognizer batching: crops of similar width share a run, so padding stays small."""

from __future__ import annotations

import numpy as np

from grounding.ocr import batch_bounds, rec_input


def padded(widths: list[int], bounds: list[tuple[int, int]]) -> int:
    return sum((b - a) * widths[b - 1] for a, b in bounds)


def test_batches_cover_every_crop_in_order_and_respect_the_size_limit() -> None:
    widths = sorted(np.random.default_rng(3).integers(160, 2000, 57).tolist())
    bounds = batch_bounds(widths, 8)
    assert [a for a, _ in bounds] == [0] + [b for _, b in bounds[:-1]]
    assert bounds[-1][1] == len(widths)
    assert all(0 < b - a <= 8 for a, b in bounds)


def test_a_wide_crop_does_not_pad_the_narrow_ones() -> None:
    widths = [160] * 7 + [2400]
    bounds = batch_bounds(widths, 8)
    assert bounds == [(0, 7), (7, 8)]
    assert padded(widths, bounds) < padded(widths, [(0, 8)]) / 4


def test_never_pads_more_than_fixed_chunks() -> None:
    widths = sorted(np.random.default_rng(5).integers(160, 900, 40).tolist())
    fixed = [(a, min(a + 8, len(widths))) for a in range(0, len(widths), 8)]
    assert padded(widths, batch_bounds(widths, 8)) <= padded(widths, fixed)


def test_no_crops_no_batches() -> None:
    assert batch_bounds([], 8) == []


def test_rec_input_pads_short_crops_to_the_minimum_width() -> None:
    crops = [np.full((24, 30, 3), 255, np.uint8), np.full((24, 240, 3), 0, np.uint8)]
    x, widths = rec_input(crops)
    assert x.shape == (2, 3, 48, 480)
    assert widths == [60, 480]
    assert float(x[0, :, :, 60:].max()) == 0.0   # padding is zero (mid grey)
    assert float(x[0, :, :, :60].min()) == 1.0   # white scaled to +1
