"""Coordinate spaces: pixels, fractions and logical points, converted only by ScreenGeometry."""

from __future__ import annotations

import pytest

from devices import Box, LogicalPoint, NormPoint, PixelPoint, ScreenGeometry


def test_pixel_norm_round_trip_and_edges() -> None:
    g = ScreenGeometry(1080, 2400)
    p = PixelPoint(540, 600)
    assert g.to_norm(p) == NormPoint(0.5, 0.25)
    assert g.to_pixel(g.to_norm(p)) == p
    assert g.to_pixel(NormPoint(1.0, 1.0)) == PixelPoint(1079, 2399)   # last pixel, not past it
    assert g.to_pixel(NormPoint(0.0, 0.0)) == PixelPoint(0, 0)
    for x in range(0, 1080, 7):
        assert g.to_pixel(g.to_norm(PixelPoint(x, x))) == PixelPoint(x, x)


def test_to_norm_clamps_points_off_the_screen() -> None:
    g = ScreenGeometry(100, 200)
    assert g.to_norm(PixelPoint(-5, 900)) == NormPoint(0.0, 1.0)


@pytest.mark.parametrize(("x", "y"), [(-0.01, 0.5), (0.5, 1.01), (2, 0)])
def test_norm_points_outside_0_1_are_rejected(x: float, y: float) -> None:
    with pytest.raises(ValueError, match="out of range"):
        NormPoint(x, y)


def test_logical_points_carry_scale_and_monitor_origin() -> None:
    second = ScreenGeometry(2048, 1536, scale=2.0, origin=LogicalPoint(1280, 0))
    assert (second.logical_width, second.logical_height) == (1024, 768)
    assert second.to_logical(PixelPoint(200, 100)) == LogicalPoint(1380, 50)
    assert second.from_logical(LogicalPoint(1380, 50)) == PixelPoint(200, 100)
    assert second.to_logical(PixelPoint(0, 0)) == second.origin
    left = ScreenGeometry(1920, 1080, origin=LogicalPoint(-1920, 0))
    assert left.to_logical(PixelPoint(10, 10)) == LogicalPoint(-1910, 10)


@pytest.mark.parametrize("scale", [1.0, 1.25, 1.5, 2.0, 3.0])
def test_logical_round_trips(scale: float) -> None:
    """Logical -> pixel -> logical is exact; pixel -> logical -> pixel is off by < scale."""
    g = ScreenGeometry(3000, 2000, scale=scale, origin=LogicalPoint(500, -100))
    for v in range(0, int(1999 / scale), 13):
        q = LogicalPoint(500 + v, -100 + v)
        assert g.to_logical(g.from_logical(q)) == q
    for v in range(0, 2000, 11):
        back = g.from_logical(g.to_logical(PixelPoint(v, v)))
        assert abs(back.x - v) <= scale / 2 + 0.5 and back.x == back.y


def test_contains_and_clamp() -> None:
    g = ScreenGeometry(100, 50)
    assert g.contains(PixelPoint(0, 0)) and g.contains(PixelPoint(99, 49))
    assert not g.contains(PixelPoint(100, 10)) and not g.contains(PixelPoint(5, -1))
    assert g.clamp(PixelPoint(-3, 70)) == PixelPoint(0, 49)
    assert g.clamp(PixelPoint(40, 20)) == PixelPoint(40, 20)


@pytest.mark.parametrize(("width", "height", "scale"), [(0, 10, 1.0), (10, -1, 1.0), (10, 10, 0)])
def test_impossible_screens_are_rejected(width: int, height: int, scale: float) -> None:
    with pytest.raises(ValueError):
        ScreenGeometry(width, height, scale=scale)


def test_box_measures() -> None:
    b = Box(10, 20, 30, 60)
    assert (b.width, b.height, b.area, b.center) == (20, 40, 800, PixelPoint(20, 40))
    assert b.contains(PixelPoint(10, 20)) and b.contains(PixelPoint(29, 59))
    assert not b.contains(PixelPoint(30, 30)) and not b.contains(PixelPoint(15, 60))
    assert Box(5, 5, 3, 3).area == 0


def test_box_iou() -> None:
    a = Box(0, 0, 10, 10)
    assert a.iou(a) == 1.0
    assert a.iou(Box(20, 20, 30, 30)) == 0.0
    assert a.iou(Box(10, 0, 20, 10)) == 0.0          # touching edges share no pixel
    assert a.iou(Box(5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert a.iou(Box(2, 2, 4, 4)) == pytest.approx(4 / 100)
    assert a.intersection(Box(5, 5, 20, 20)) == 25
    assert Box(0, 0, 0, 0).iou(Box(0, 0, 0, 0)) == 0.0
