"""The icon classifier's desktop toolbar vocabulary: office and drawing icons drawn here
with lines and shapes (no icon theme: a style it was not trained on), the class table the
shipped model was trained from, and the words people use for the new classes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import ImageDraw

from grounding.icons import IconClassifier
from grounding.locate import variants
from grounding.train import iconset
from tests.grounding.test_icons_desktop import RGB, Draw, toolbar_icon


def _aligned(where: str) -> Draw:
    """Text lines of alternating length, flush left, centred, right, or both (justify)."""
    def draw(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
        for i, y in enumerate((-s * 0.8, -s * 0.27, s * 0.27, s * 0.8)):
            half = s if where == "justify" or i % 2 == 0 else s * 0.45
            x1 = {"left": -s, "right": s - 2 * half}.get(where, -half)
            d.line((x1, y, x1 + 2 * half, y), fill=c, width=w)
    return draw


def _ellipse(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    d.ellipse((-s, -s * 0.65, s, s * 0.65), outline=c, width=w)


def _check_box(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    d.rectangle((-s, -s, s, s), outline=c, width=w)
    d.line((-s * 0.55, 0, -s * 0.1, s * 0.45, s * 0.6, -s * 0.5), fill=c, width=w)


def _radio_button(d: ImageDraw.ImageDraw, s: float, c: RGB, w: int) -> None:
    d.ellipse((-s, -s, s, s), outline=c, width=w)
    d.ellipse((-s * 0.4, -s * 0.4, s * 0.4, s * 0.4), fill=c)


DRAWN: dict[str, Draw] = {"align_left": _aligned("left"), "align_center": _aligned("center"),
                          "align_right": _aligned("right"), "justify": _aligned("justify"),
                          "ellipse": _ellipse, "check_box": _check_box,
                          "radio_button": _radio_button}


@pytest.fixture(scope="module")
def icons() -> IconClassifier:
    return IconClassifier()


@pytest.mark.parametrize("theme", [((242, 241, 240), (46, 52, 54), True),
                                   ((48, 48, 48), (238, 238, 236), False)])
def test_drawn_office_icons_are_named(icons: IconClassifier,
                                      theme: tuple[RGB, RGB, bool]) -> None:
    bg, fg, frame = theme
    crops = [np.asarray(toolbar_icon(draw, 36, 16, bg, fg, frame)) for draw in DRAWN.values()]
    got = [label for label, _ in icons.classify(crops)]
    right = [want for want, label in zip(DRAWN, got, strict=True) if want == label]
    assert len(right) >= 5, dict(zip(DRAWN, got, strict=True))


def test_the_shipped_model_answers_the_class_table(icons: IconClassifier) -> None:
    """The labels in the model's metadata are the tables' classes, in order: a class added
    to the tables without retraining (or a model trained from other tables) fails here."""
    assert icons.labels == iconset.labels()
    assert len(icons.labels) > 200


def test_every_class_has_names_people_use(icons: IconClassifier) -> None:
    assert [c for c in icons.labels if c != iconset.OTHER and c not in icons.aliases] == []


def test_no_picture_name_teaches_two_classes() -> None:
    for key in ("fd", "office"):
        owners: dict[str, list[str]] = {}
        for label, entry in iconset.class_table().items():
            for name in entry.get(key, []):
                owners.setdefault(name, []).append(label)
        assert {n: ls for n, ls in owners.items() if len(ls) > 1} == {}, key


@pytest.mark.parametrize(("said", "label"), [
    ("merge", "merge cells"), ("unmerge", "unmerge cells"), ("increase indentation", "indent more"),
    ("decrease indentation", "indent less"), ("hyperlink", "link"), ("autosum", "sum"),
    ("checkbox", "check box"), ("radiobutton", "radio button"), ("combobox", "combo box"),
    ("frame", "group box"), ("scroll bar", "scrollbar"), ("eyedropper", "color picker"),
    ("right align", "align right"), ("jump to", "jump to"), ("go to", "jump to")])
def test_names_people_use_reach_the_new_labels(said: str, label: str) -> None:
    assert label in {alt for alt, _ in variants(said)}
