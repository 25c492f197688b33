"""The project's own ONNX models: packaged, torch-free at run time, and right on real input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from devices.geometry import Box
from grounding.detector import Detector, proposals, working_image
from grounding.errors import ImageError, ModelMissing
from grounding.icons import MODELS, IconClassifier, preprocess

FONTS = Path("/usr/share/fonts/truetype")
MATERIAL = FONTS / "material-design-icons-iconfont/MaterialIcons-Regular.ttf"
ROBOTO = FONTS / "roboto/unhinted/RobotoTTF/Roboto-Regular.ttf"
GLYPHS = {"search": "\ue8b6", "back": "\ue5c4", "close": "\ue5cd", "more": "\ue5d4",
          "add": "\ue145", "settings": "\ue8b8", "home": "\ue88a", "menu": "\ue5d2",
          "delete": "\ue872", "share": "\ue80d", "star": "\ue838", "heart": "\ue87d",
          "camera": "\ue412", "mic": "\ue029", "play": "\ue037", "send": "\ue163"}
THEMES = (((255, 255, 255), (95, 99, 104)), ((32, 33, 36), (232, 234, 237)),
          ((26, 115, 232), (255, 255, 255)))


@pytest.fixture(scope="module")
def icons() -> IconClassifier:
    return IconClassifier()


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def icon_button(char: str, bg: tuple[int, int, int], fg: tuple[int, int, int],
                side: int = 48, glyph: int = 24) -> np.ndarray:
    """An Android-style icon button: a 24 px glyph in a 48 px touch target."""
    img = Image.new("RGB", (side, side), bg)
    font = ImageFont.truetype(str(MATERIAL), glyph)
    ImageDraw.Draw(img).text((side / 2, side / 2), char, font=font, fill=fg, anchor="mm")
    return np.asarray(img)


def test_models_ship_inside_the_package_and_are_small() -> None:
    sizes = {p.name: p.stat().st_size for p in MODELS.glob("*.onnx")}
    assert {"icons.onnx", "detector.onnx"} <= sizes.keys()
    assert sum(sizes.values()) < 30 * 2**20
    for name in sizes:
        assert (MODELS / name).with_suffix(".md").is_file(), f"{name} has no model card"


def test_runtime_does_not_import_torch_or_training_code() -> None:
    code = ("import sys, numpy as np, grounding.detector as d, grounding.icons as i;"
            "i.IconClassifier().classify([np.zeros((24, 24, 3), np.uint8)]);"
            "d.Detector().detect(np.zeros((64, 64, 3), np.uint8));"
            "bad = [m for m in sys.modules if m == 'torch' or m.startswith('grounding.train')];"
            "sys.exit(str(bad) if bad else 0)")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_missing_model_is_model_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing):
        IconClassifier(tmp_path / "nope.onnx")
    with pytest.raises(ModelMissing):
        Detector(tmp_path / "nope.onnx")


def test_icon_labels_come_from_the_model(icons: IconClassifier) -> None:
    assert "other" in icons.labels and set(GLYPHS) <= set(icons.labels)
    assert len(icons.labels) == len(set(icons.labels)) >= 40


def test_every_label_has_its_aliases(icons: IconClassifier) -> None:
    assert set(icons.aliases) == set(icons.labels) - {"other"}
    assert "three dots" in icons.aliases["more"] and "hamburger" in icons.aliases["menu"]


def test_material_icons_in_three_themes(icons: IconClassifier) -> None:
    crops = [icon_button(ch, bg, fg) for ch in GLYPHS.values() for bg, fg in THEMES]
    want = [label for label in GLYPHS for _ in THEMES]
    got = icons.classify(crops)
    right = sum(g == w for (g, _), w in zip(got, want, strict=True))
    assert right >= 0.85 * len(want), list(zip(want, got, strict=True))
    assert all(0.0 <= s <= 1.0 for _, s in got)


def test_preprocess_ignores_theme_and_padding() -> None:
    light = preprocess(icon_button(GLYPHS["search"], *THEMES[0]))
    dark = preprocess(icon_button(GLYPHS["search"], *THEMES[1], side=64, glyph=24))
    assert light.shape == (32, 32) and float(np.abs(light - dark).mean()) < 0.08


def test_text_is_not_an_icon(icons: IconClassifier) -> None:
    img = Image.new("RGB", (48, 48), "white")
    ImageDraw.Draw(img).text((24, 24), "Ab", font=ImageFont.truetype(str(ROBOTO), 26),
                             fill="black", anchor="mm")
    label, _ = icons.classify([np.asarray(img)])[0]
    assert label not in {"search", "back", "close", "add"}


def test_classify_batches_and_rejects_bad_crops(icons: IconClassifier) -> None:
    assert icons.classify([]) == []
    with pytest.raises(ImageError):
        icons.classify([np.zeros((10, 10), np.uint8)])


def settings_screen(width: int = 1080, height: int = 2400) -> tuple[np.ndarray, dict[str, tuple]]:
    """A phone settings screen drawn with real fonts, and where its parts are."""
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(ROBOTO), 44)
    draw.text((60, 300), "Airplane mode", font=font, fill=(32, 33, 36))
    draw.rounded_rectangle((880, 300, 1000, 350), 25, fill=(26, 115, 232))     # toggle track
    draw.ellipse((945, 295, 1005, 355), fill=(26, 115, 232), outline=(255, 255, 255))
    draw.rounded_rectangle((60, 600, 460, 720), 60, fill=(26, 115, 232))       # button
    draw.text((260, 660), "Continue", font=font, fill="white", anchor="mm")
    icon = ImageFont.truetype(str(MATERIAL), 72)
    draw.text((1000, 120), GLYPHS["search"], font=icon, fill=(95, 99, 104), anchor="mm")
    parts = {"text": (60, 300, 360, 350), "toggle": (880, 295, 1005, 355),
             "button": (60, 600, 460, 720), "icon": (964, 84, 1036, 156)}
    return np.asarray(img), parts


def _iou(a: tuple, b: tuple) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union


def test_proposals_cover_every_part() -> None:
    image, parts = settings_screen()
    small, scale = working_image(image)
    boxes = [tuple(int(v / scale) for v in b) for b in proposals(small)]
    for name, part in parts.items():
        assert max(_iou(part, b) for b in boxes) >= 0.5, name


def test_detector_finds_the_parts_in_input_pixels(detector: Detector) -> None:
    image, parts = settings_screen()
    found = detector.detect(image)
    assert all(0 <= d.box.x1 < d.box.x2 <= 1080 and 0 <= d.box.y1 < d.box.y2 <= 2400
               for d in found)
    hits = {name for name, part in parts.items()
            if any(d.kind == name and _iou(part, (d.box.x1, d.box.y1, d.box.x2, d.box.y2)) >= 0.5
                   for d in found)}
    assert len(hits) >= 3, (hits, [(d.kind, d.box) for d in found])


def test_detector_rejects_non_rgb(detector: Detector) -> None:
    with pytest.raises(ImageError):
        detector.detect(np.zeros((100, 100), np.uint8))


def test_region_search_matches_the_full_search_there(detector: Detector) -> None:
    image, parts = settings_screen()
    region = Box(0, 560, 1080, 760)                   # around the button only
    inside = detector.detect(image, region=region)
    assert inside and all(region.contains(d.box.center) for d in inside)
    button = parts["button"]
    assert any(d.kind == "button" and _iou(button, (d.box.x1, d.box.y1, d.box.x2, d.box.y2))
               >= 0.5 for d in inside), inside
