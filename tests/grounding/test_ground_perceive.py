"""Perception on real screenshots (OCR, fusion, incremental frames); OCR-heavy, so few."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from devices.base import Observation
from devices.geometry import Box, ScreenGeometry
from grounding.datasets import droidbot_to_uiautomator
from grounding.errors import ImageError
from grounding.locate import locate
from grounding.perceive import Perceiver, changed_regions, load_image


def obs(image: Image.Image, tree: str | None = None) -> Observation:
    return Observation(image=image, geometry=ScreenGeometry(*image.size), ui_tree=tree)


def gt_box(page: Path, text: str) -> Box:
    for e in json.loads((page / "elements.json").read_text(encoding="utf-8")):
        if e.get("content") == text:
            r = e["rect"]
            return Box(r["left"], r["top"], r["left"] + r["width"], r["top"] + r["height"])
    raise AssertionError(f"{text!r} not in {page}")


@pytest.mark.slow
def test_desktop_page_texts_and_locate(perceiver: Perceiver, web_pages: Path) -> None:
    page = web_pages / "githubstatus"
    image = load_image(page / "screenshot.png")
    screen = perceiver.perceive(image)
    texts = screen.texts()
    for want in ("Subscribe To Updates", "All Systems Operational", "Help", "Community"):
        assert want in texts, texts
    for instruction, text in (('click "All Systems Operational"', "All Systems Operational"),
                              ("tap community", "Community"), ("open github.com", "GitHub.com")):
        t = locate(screen, instruction)
        assert t.found and t.point is not None and gt_box(page, text).contains(t.point)


@pytest.mark.slow
def test_chinese_text_is_read_and_located(perceiver: Perceiver, web_pages: Path) -> None:
    page = web_pages / "aweme-login"
    image = load_image(page / "screenshot.png")
    screen = perceiver.perceive(image)
    assert any("验证码" in t for t in screen.texts()), screen.texts()
    t = locate(screen, "点击 获取验证码")
    assert t.found and t.point is not None
    assert gt_box(page, "获取验证码").contains(t.point)


@pytest.mark.slow
def test_android_tree_is_fused_with_pixels(perceiver: Perceiver, android_screens: Path) -> None:
    folder = android_screens
    state = json.loads((folder / "paypal_2016-07-15_221448.json").read_text(encoding="utf-8"))
    image = load_image(folder / "paypal_2016-07-15_221448.png")
    screen = perceiver.perceive(obs(image, droidbot_to_uiautomator(state)))
    agree = [e for e in screen.elements if e.text == "Agree"]
    assert agree and agree[0].source == "fused"  # the tree said it and OCR read it
    t = locate(screen, "tap Agree")
    assert t.found and t.point is not None and Box(566, 945, 1005, 1089).contains(t.point)


@pytest.mark.slow
def test_incremental_frame_reuses_unchanged_text(perceiver: Perceiver, web_pages: Path) -> None:
    base = load_image(web_pages / "githubstatus" / "screenshot.png")
    perceiver.reset()
    first = perceiver.perceive(base)
    a = np.asarray(base).copy()
    a[400:450, 450:800] = 255  # "All Systems Operational" disappears
    second = perceiver.perceive(Image.fromarray(a))
    assert "All Systems Operational" in first.texts()
    assert "All Systems Operational" not in second.texts()
    assert {"Subscribe To Updates", "Help", "Community"} <= set(second.texts())
    assert perceiver.perceive(Image.fromarray(a)).texts() == second.texts()


def test_changed_regions_cover_the_change() -> None:
    a = np.zeros((1080, 1920, 3), np.uint8)
    b = a.copy()
    b[500:540, 1000:1100] = 200
    rects = changed_regions(a, b, 32)
    assert len(rects) == 1
    r = rects[0]
    assert r.x1 <= 1000 and r.y1 <= 500 and r.x2 >= 1100 and r.y2 >= 540
    assert r.area < 0.02 * 1920 * 1080  # the change plus a one-tile margin
    assert changed_regions(a, a.copy(), 32) == []


def test_unreadable_image_is_image_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"not a png")
    with pytest.raises(ImageError, match="cannot read"):
        load_image(bad)
    with pytest.raises(ImageError, match="not found"):
        load_image(tmp_path / "missing.png")


@pytest.mark.slow
def test_stale_tree_loses_to_the_pixels(perceiver: Perceiver, android_screens: Path) -> None:
    state = json.loads((android_screens / "paypal_2016-07-15_221448.json").read_text("utf-8"))
    for view in state["views"]:  # a tree from another screen: every text is wrong
        if view.get("text"):
            view["text"] = "Quarterly tax refund"
    image = load_image(android_screens / "paypal_2016-07-15_221448.png")
    perceiver.reset()
    screen = perceiver.perceive(obs(image, droidbot_to_uiautomator(state)))
    assert "Quarterly tax refund" not in screen.texts()
    assert "Agree" in screen.texts()


@pytest.mark.slow
@pytest.mark.parametrize("int8", [True, False], ids=["int8", "float"])
def test_small_text_on_a_large_screen_is_found_by_refining(int8: bool) -> None:
    from PIL import ImageDraw, ImageFont

    from grounding.ocr import OcrConfig
    from grounding.perceive import PerceiveConfig
    from grounding.pipeline import ground

    perceiver = Perceiver(PerceiveConfig(ocr=OcrConfig(int8=int8)))
    image = Image.new("RGB", (2560, 1440), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.text((1900, 1200), "Quarterly report", fill=(20, 20, 20),
              font=ImageFont.load_default(13))
    perceiver.reset()
    screen, target = ground(perceiver, image, 'click "Quarterly report"')
    assert target.found and target.point is not None, target.reason
    assert Box(1895, 1195, 2020, 1220).contains(target.point)
    assert "Quarterly report" in screen.texts()


def test_known_density_detects_phone_text_at_a_smaller_scale() -> None:
    from devices.sim.device import SimDevice

    obs = SimDevice().observe()   # the launcher, 1080x2400 at 420 dpi; no tree below
    assert obs.geometry.density == 420
    p = Perceiver()
    scale = p._text_scale(obs.geometry)
    assert scale is not None and 0.25 < scale < 1280 / 2400
    assert p._text_scale(ScreenGeometry(1920, 1080)) is None
    with_dpi = p.perceive(Observation(image=obs.image, geometry=obs.geometry)).texts()
    p.reset()
    without = p.perceive(Observation(image=obs.image, geometry=ScreenGeometry(1080, 2400)))
    for label in ("Settings", "Contacts", "Messages", "Calculator"):
        assert label in with_dpi and label in without.texts()


@pytest.mark.parametrize("int8", [True, False], ids=["int8", "float"])
def test_ink_the_recognizer_cannot_read_becomes_an_icon(android_screens: Path,
                                                         int8: bool) -> None:
    """Yelp's overflow button (three dots at the top right): the int8 recognizer reads
    nothing there, the float one ':'; either way it must be an icon named 'more'."""
    from grounding.ocr import OcrConfig
    from grounding.perceive import PerceiveConfig

    perceiver = Perceiver(PerceiveConfig(ocr=OcrConfig(int8=int8)))
    screen = perceiver.perceive(android_screens / "yelp_2017-08-11_202447.jpg")
    target = locate(screen, "tap the More options icon")
    assert target.found and target.point is not None, target.reason
    assert Box(1300, 98, 1440, 266).contains(target.point)
